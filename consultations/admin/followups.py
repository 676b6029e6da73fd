"""Admin for the follow-ups: response policies (edited by staff; a change
moves only the policies' cache version on), the scheduled follow-ups
(cancelled through their service) and the feedback answers.

The request page (triage.py) takes its feedback and follow-up inlines from
here, so the two modules can grow apart; the beat schedule itself is
django-celery-beat's "Periodic tasks".
"""

from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from consultations.admin.scope import CrisisScopedAdmin, ReadOnlyInline, ViewOnlyAdmin
from consultations.models import Feedback, FollowUp, ResponsePolicy
from consultations.services.followups import followup_cancel
from shatil_portal.admin_rows import RowLabelledChangelistMixin


@admin.register(ResponsePolicy)
class ResponsePolicyAdmin(RowLabelledChangelistMixin, admin.ModelAdmin):
    # The editable cells are named for screen readers (docs/ACCESSIBILITY.md).
    list_display = [
        "urgency",
        "track",
        "first_response_business_days",
        "reminder_business_days_before",
    ]
    list_editable = ["first_response_business_days", "reminder_business_days_before"]
    list_filter = ["urgency", "track"]
    list_select_related = ["track"]


@admin.register(FollowUp)
class FollowUpAdmin(CrisisScopedAdmin, admin.ModelAdmin):
    """What the jobs will send, sent, cancelled (with why) or failed."""

    list_display = [
        "consultation",
        "kind",
        "sequence",
        "scheduled_at",
        "status",
        "sent_at",
        "failure_message",
    ]
    list_filter = ["status", "kind", ("scheduled_at", admin.DateFieldListFilter)]
    list_select_related = ["consultation"]
    search_fields = ["consultation__reference"]
    search_help_text = gettext_lazy("Search by request reference.")
    ordering = ["-scheduled_at"]
    date_hierarchy = "scheduled_at"
    show_full_result_count = False
    actions = ["cancel_selected"]
    readonly_fields = [
        "consultation",
        "kind",
        "sequence",
        "status_change",
        "plan_step",
        "step_due_date",
        "scheduled_at",
        "sent_at",
        "status",
        "failure_message",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(
        description=gettext_lazy("Cancel the selected follow-ups"),
        permissions=["change"],
    )
    def cancel_selected(self, request, queryset):
        cancelled = 0
        for followup in queryset.filter(status=FollowUp.Status.SCHEDULED):
            followup = followup_cancel(
                followup=followup,
                reason=_("Cancelled by %(user)s.")
                % {"user": request.user.get_username()},
                actor=request.user,
            )
            # A job may have sent it since the list was loaded.
            cancelled += followup.status == FollowUp.Status.CANCELLED
        self.message_user(
            request,
            ngettext(
                "%(count)s follow-up was cancelled.",
                "%(count)s follow-ups were cancelled.",
                cancelled,
            )
            % {"count": cancelled},
            messages.SUCCESS,
        )


@admin.register(Feedback)
class FeedbackAdmin(CrisisScopedAdmin, ViewOnlyAdmin, admin.ModelAdmin):
    list_display = [
        "consultation",
        "submitted_at",
        "satisfaction",
        "reached_goal",
        "would_recommend",
    ]
    list_filter = ["satisfaction", "reached_goal", "would_recommend", "language"]
    list_select_related = ["consultation"]
    search_fields = ["consultation__reference"]
    search_help_text = gettext_lazy("Search by request reference.")
    show_full_result_count = False
    # The token's hash is never shown.
    fields = [
        "consultation",
        "language",
        "submitted_at",
        "satisfaction",
        "reached_goal",
        "would_recommend",
        "comment",
    ]
    readonly_fields = fields


# On the request page


class FeedbackInline(ReadOnlyInline):
    model = Feedback
    fields = [
        "submitted_at",
        "satisfaction",
        "reached_goal",
        "would_recommend",
        "comment",
    ]
    verbose_name_plural = gettext_lazy("feedback from the organization")


class FollowUpInline(ReadOnlyInline):
    model = FollowUp
    fields = ["kind", "sequence", "scheduled_at", "status", "sent_at"]
    verbose_name_plural = gettext_lazy("follow-ups")
