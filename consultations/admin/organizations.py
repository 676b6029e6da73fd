"""Organizations in the admin: their list, merging two records that are one
organization, and the read-only list of past merges.

OrganizationAdmin takes its merge action, its link to the organization's
page and its "history" column from OrganizationMergeAdminMixin.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from consultations.admin.scope import ViewOnlyAdmin
from consultations.models import Organization, OrganizationMerge
from consultations.selectors.organizations import organization_merge_preview
from consultations.services.organizations import organization_merge


class MergeForm(forms.Form):
    target = forms.TypedChoiceField(
        label=gettext_lazy("Which organization stays?"),
        coerce=int,
        widget=forms.RadioSelect,
    )

    def __init__(self, data=None, *, organizations, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["target"].choices = [
            (organization.pk, organization.name) for organization in organizations
        ]


class OrganizationMergeAdminMixin:
    actions = ["merge_selected"]

    def view_on_site(self, obj):
        return reverse("workspace:organization_detail", kwargs={"pk": obj.pk})

    def get_list_display(self, request):
        return [*super().get_list_display(request), "history_link"]

    @admin.display(description=gettext_lazy("history"))
    def history_link(self, obj):
        return format_html('<a href="{}">{}</a>', self.view_on_site(obj), _("History"))

    @admin.action(
        description=gettext_lazy("Merge two organizations…"),
        permissions=["change"],
    )
    def merge_selected(self, request, queryset):
        """Select exactly two; a confirmation page shows what moves and asks
        which organization stays."""
        selected = set(request.POST.getlist(ACTION_CHECKBOX_NAME))
        organizations = list(queryset.order_by("pk"))
        if len(organizations) < len(selected) and "apply" in request.POST:
            messages.error(
                request,
                _(
                    "One of these organizations no longer exists; it may have "
                    "been merged already. Nothing was changed."
                ),
            )
            return None
        if len(organizations) != 2:
            messages.warning(request, _("Select exactly two organizations to merge."))
            return None
        form = MergeForm(
            request.POST if "apply" in request.POST else None,
            organizations=organizations,
        )
        if "apply" in request.POST and form.is_valid():
            target = next(
                o for o in organizations if o.pk == form.cleaned_data["target"]
            )
            source = next(o for o in organizations if o is not target)
            try:
                merge = organization_merge(
                    source=source, target=target, actor=request.user
                )
            except (ValidationError, PermissionDenied) as error:
                reason = (
                    " ".join(error.messages)
                    if isinstance(error, ValidationError)
                    else _("Not allowed.")
                )
                messages.error(request, reason)
                return None
            moved = merge.consultations.count()
            self.log_change(
                request,
                target,
                _("Merged “%(source)s” into this organization.")
                % {"source": source.name},
            )
            messages.success(
                request,
                ngettext(
                    "“%(source)s” was merged into “%(target)s”; %(count)s "
                    "request moved.",
                    "“%(source)s” was merged into “%(target)s”; %(count)s "
                    "requests moved.",
                    moved,
                )
                % {"source": source.name, "target": target.name, "count": moved},
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Merge two organizations"),
            "sides": organization_merge_preview(
                user=request.user, organizations=organizations
            ),
            "form": form,
            "action_name": "merge_selected",
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(
            request, "admin/consultations/organization/merge.html", context
        )


@admin.register(OrganizationMerge)
class OrganizationMergeAdmin(ViewOnlyAdmin, admin.ModelAdmin):
    """Past merges, read-only: they are history."""

    list_display = [
        "created_at",
        "source_name",
        "source_registration_number",
        "target",
        "actor",
    ]
    list_select_related = ["target", "actor"]
    search_fields = ["source_name", "source_registration_number", "target__name"]
    fields = [
        "created_at",
        "source_name",
        "source_registration_number",
        "source_pk",
        "source_details",
        "target",
        "actor",
        "moved_count",
    ]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("requests moved"))
    def moved_count(self, obj):
        # A number, not the references: some may be crisis requests.
        return obj.consultations.count()


@admin.register(Organization)
class OrganizationAdmin(OrganizationMergeAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "registration_number", "region", "locality"]
    list_filter = ["kind", "region"]
    search_fields = ["name", "registration_number"]
    show_full_result_count = False
    # A website typed without a scheme is taken as https, as on the public
    # form (and as Django 6 will by default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
