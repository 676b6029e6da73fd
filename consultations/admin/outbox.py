"""The outbox, read-only, with one action: send a failed or stuck row again."""

from django.contrib import admin
from django.utils.translation import gettext_lazy, ngettext

from consultations.admin.bulk import apply_to_each, report_bulk_outcome
from consultations.admin.scope import CrisisScopedAdmin
from consultations.models import OutboundEmail
from consultations.services.outbox import outbound_email_requeue


@admin.register(OutboundEmail)
class OutboundEmailAdmin(CrisisScopedAdmin, admin.ModelAdmin):
    """The outbox, read-only. A failed row, or one stuck in `sending` that
    staff checked was not delivered, can be sent again."""

    list_display = [
        "created_at",
        "kind",
        "to_address",
        "consultation",
        "status",
        "attempts",
        "sent_at",
        "short_error",
    ]
    list_filter = ["status", "kind"]
    list_select_related = ["consultation"]
    search_fields = ["to_address", "consultation__reference"]
    show_full_result_count = False
    # `context` is never shown: it may hold a raw private link until sent.
    fields = [
        "kind",
        "consultation",
        "to_address",
        "reply_to",
        "language",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
        "dedup_key",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("last error"))
    def short_error(self, obj):
        return obj.last_error[:80]

    @admin.action(
        description=gettext_lazy("Send again (failed or stuck rows)"),
        permissions=["change"],
    )
    def send_again(self, request, queryset):
        done, failures = apply_to_each(
            queryset,
            lambda email: outbound_email_requeue(email=email, actor=request.user),
            label=str,
        )
        report_bulk_outcome(
            request,
            done_message=done
            and ngettext(
                "%(count)s email will be sent again.",
                "%(count)s emails will be sent again.",
                done,
            )
            % {"count": done},
            failures=failures,
        )
