"""Deletion requests: the organizations' requests to delete their data, a
staff task with a deadline. Staff approve (the request is anonymized,
services/retention.py) or refuse with a reason, each after a confirmation
page; services/data_requests.py does the work."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from consultations.admin.bulk import apply_to_each
from consultations.admin.scope import CrisisScopedAdmin
from consultations.models import DeletionRequest
from consultations.services.data_requests import (
    deletion_request_approve,
    deletion_request_refuse,
)


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why"),
        max_length=2000,
        help_text=gettext_lazy(
            "Emailed to the organization and kept in the request's history."
        ),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )


class OverdueFilter(admin.SimpleListFilter):
    title = gettext_lazy("deadline")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Past the deadline"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(
                status=DeletionRequest.Status.PENDING, due_at__lt=timezone.now()
            )
        return queryset


def _label(deletion: DeletionRequest) -> str:
    return deletion.consultation.reference


@admin.register(DeletionRequest)
class DeletionRequestAdmin(CrisisScopedAdmin, admin.ModelAdmin):
    list_display = [
        "consultation",
        "status",
        "created_at",
        "due_at",
        "decided_at",
        "decided_by",
    ]
    list_filter = ["status", OverdueFilter]
    list_select_related = ["consultation", "decided_by"]
    search_fields = ["consultation__reference"]
    search_help_text = gettext_lazy("Search by request reference.")
    ordering = ["status", "due_at"]
    actions = ["approve_selected", "refuse_selected"]
    readonly_fields = [
        "consultation",
        "status",
        "created_at",
        "due_at",
        "decided_at",
        "decided_by",
        "refusal_reason",
    ]
    fields = readonly_fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("consultation")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _confirm_page(self, request, queryset, *, action_name, title, form=None):
        return TemplateResponse(
            request,
            "admin/consultations/deletionrequest/confirm.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "opts": self.model._meta,
                "deletions": list(queryset),
                "form": form,
                "action_name": action_name,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )

    def _report(self, request, *, done: int, failures: list[str], message: str):
        self.message_user(request, message % {"count": done}, messages.SUCCESS)
        for failure in failures:
            self.message_user(request, failure, messages.ERROR)

    @admin.action(
        description=gettext_lazy("Approve: anonymize the requests"),
        permissions=["change"],
    )
    def approve_selected(self, request, queryset):
        queryset = queryset.filter(status=DeletionRequest.Status.PENDING)
        if "confirm" in request.POST:
            done, failures = apply_to_each(
                queryset,
                lambda deletion: deletion_request_approve(
                    deletion=deletion, actor=request.user
                ),
                label=_label,
            )
            self._report(
                request,
                done=done,
                failures=failures,
                message=ngettext(
                    "%(count)s request was anonymized and its organization told.",
                    "%(count)s requests were anonymized and their organizations told.",
                    done,
                ),
            )
            return None
        return self._confirm_page(
            request,
            queryset,
            action_name="approve_selected",
            title=_("Approve deletion requests"),
        )

    @admin.action(
        description=gettext_lazy("Refuse, with a reason"),
        permissions=["change"],
    )
    def refuse_selected(self, request, queryset):
        queryset = queryset.filter(status=DeletionRequest.Status.PENDING)
        form = RefuseForm(request.POST if "confirm" in request.POST else None)
        if form.is_bound and form.is_valid():
            done, failures = apply_to_each(
                queryset,
                lambda deletion: deletion_request_refuse(
                    deletion=deletion,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                ),
                label=_label,
            )
            self._report(
                request,
                done=done,
                failures=failures,
                message=ngettext(
                    "%(count)s deletion request was refused and its organization told.",
                    "%(count)s deletion requests were refused and their "
                    "organizations told.",
                    done,
                ),
            )
            return None
        return self._confirm_page(
            request,
            queryset,
            action_name="refuse_selected",
            title=_("Refuse deletion requests"),
            form=form,
        )
