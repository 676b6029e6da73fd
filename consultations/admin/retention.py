"""The retention admin action: anonymize the selected requests on demand
(services/retention.py does the work), after a reason and a confirmation."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from consultations.admin.bulk import apply_to_each
from consultations.services.retention import consultation_anonymize


class AnonymizeForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why"),
        max_length=500,
        help_text=gettext_lazy(
            "Kept in the request's history, e.g. “Data-subject request received "
            "by email on 3 May”. Do not include personal details."
        ),
        widget=forms.TextInput(attrs={"size": 60}),
    )


@admin.action(
    description=gettext_lazy("Anonymize the selected requests (remove personal data)"),
    permissions=["change"],
)
def anonymize_selected(modeladmin, request, queryset):
    """Ask for a reason and a confirmation, then call the service per request."""
    queryset = queryset.filter(anonymized_at__isnull=True).select_related(
        "organization"
    )
    form = AnonymizeForm(request.POST if "confirm" in request.POST else None)
    if form.is_bound and form.is_valid():
        done, failures = apply_to_each(
            queryset,
            lambda consultation: consultation_anonymize(
                consultation=consultation,
                actor=request.user,
                reason=form.cleaned_data["reason"],
            ),
        )
        modeladmin.message_user(
            request,
            ngettext(
                "%(count)s request was anonymized.",
                "%(count)s requests were anonymized.",
                done,
            )
            % {"count": done},
            messages.SUCCESS,
        )
        for failure in failures:
            modeladmin.message_user(request, failure, messages.ERROR)
        return None
    opts = modeladmin.model._meta
    return TemplateResponse(
        request,
        "admin/consultations/consultation/anonymize.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": _("Anonymize requests"),
            "opts": opts,
            "consultations": list(queryset),
            "form": form,
            "action_name": "anonymize_selected",
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        },
    )
