"""Received email in the admin: the mail that waits for staff (unmatched,
automatic replies, bounces, and replies to closed requests), which staff
attach to a request or discard; and every other received email, read-only.
Rows about crisis requests only for those who may see them."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy, ngettext

from consultations.admin.bulk import apply_to_each, report_bulk_outcome
from consultations.admin.scope import CrisisScopedAdmin, ReadOnlyInline
from consultations.forms.inbound import InboundMailDecisionForm
from consultations.models import InboundMail
from consultations.selectors.inbound import inbound_mail_file_names
from consultations.services.inbound import (
    inbound_mail_attach,
    inbound_mail_discard,
    inbound_mail_mark_seen,
)


class HandlingFilter(admin.SimpleListFilter):
    """By default the list shows what waits for staff."""

    title = gettext_lazy("handling")
    parameter_name = "handling"
    WAITING = "waiting"

    def lookups(self, request, model_admin):
        return [
            (self.WAITING, gettext_lazy("Waiting for staff")),
            ("all", gettext_lazy("All received email")),
        ]

    def choices(self, changelist):
        current = self.value() or self.WAITING
        for lookup, title in self.lookup_choices:
            yield {
                "selected": current == lookup,
                "query_string": changelist.get_query_string(
                    {self.parameter_name: lookup}
                ),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.value() == "all":
            return queryset
        return queryset.filter(
            Q(status__in=InboundMail.WAITING_STATUSES) | Q(needs_attention=True)
        )


def _sender(obj):
    return format_html(
        "<bdi>{}</bdi> &lt;<bdi>{}</bdi>&gt;", obj.from_name, obj.from_address
    )


class InboundMailInline(ReadOnlyInline):
    """A request's received email on its admin page, each linked to its own
    page (where staff act on it). Shown to those who may view received
    email; the request's page is itself scoped by the crisis rule."""

    model = InboundMail
    fk_name = "consultation"
    fields = ["received_at", "sender", "subject_text", "status", "reason"]
    verbose_name_plural = gettext_lazy("received email")

    @admin.display(description=gettext_lazy("sender"))
    def sender(self, obj):
        return _sender(obj)

    @admin.display(description=gettext_lazy("subject"))
    def subject_text(self, obj):
        """The subject, linked to the email's own page."""
        return format_html(
            '<a href="{}"><bdi>{}</bdi></a>',
            reverse("admin:consultations_inboundmail_change", args=[obj.pk]),
            obj.subject or obj.message_id,
        )


@admin.register(InboundMail)
class InboundMailAdmin(CrisisScopedAdmin, admin.ModelAdmin):
    form = InboundMailDecisionForm
    list_display = [
        "received_at",
        "sender",
        "subject_text",
        "status",
        "reason",
        "consultation",
        "needs_attention",
    ]
    list_filter = [HandlingFilter, "status"]
    list_select_related = ["consultation"]
    search_fields = ["from_address", "subject", "consultation__reference"]
    show_full_result_count = False
    readonly_fields = [
        "received_at",
        "sender",
        "subject_text",
        "sent_at",
        "status",
        "reason",
        "detail",
        "attempts",
        "consultation",
        "stored_message",
        "needs_attention",
        "body_text",
        "files",
        "recipients",
        "message_id",
        "headers",
        "handled_by",
    ]
    fieldsets = [
        (None, {"fields": ["decision", "reference"]}),
        (
            gettext_lazy("The email"),
            {
                "fields": [
                    "received_at",
                    "sender",
                    "subject_text",
                    "sent_at",
                    "status",
                    "reason",
                    "detail",
                    "attempts",
                    "consultation",
                    "stored_message",
                    "needs_attention",
                    "body_text",
                    "files",
                    "handled_by",
                ]
            },
        ),
        (
            gettext_lazy("Headers"),
            {
                "fields": ["recipients", "message_id", "headers"],
                "classes": ["collapse"],
            },
        ),
    ]
    actions = ["discard"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    @admin.display(description=gettext_lazy("sender"))
    def sender(self, obj):
        return _sender(obj)

    @admin.display(description=gettext_lazy("subject"))
    def subject_text(self, obj):
        return format_html("<bdi>{}</bdi>", obj.subject)

    @admin.display(description=gettext_lazy("text"))
    def body_text(self, obj):
        return format_html(
            '<div dir="auto" style="white-space: pre-wrap">{}</div>', obj.body
        )

    @admin.display(description=gettext_lazy("files"))
    def files(self, obj):
        names = inbound_mail_file_names(inbound=obj)
        return format_html_join(", ", "<bdi>{}</bdi>", ((name,) for name in names))

    def save_model(self, request, obj, form, change):
        """The decision, through the services; the row itself is not edited."""
        decision = form.cleaned_data.get("decision")
        try:
            if decision == form.ATTACH:
                inbound_mail_attach(
                    inbound=obj,
                    consultation=form.cleaned_data["consultation"],
                    actor=request.user,
                )
            elif decision == form.DISCARD:
                inbound_mail_discard(inbound=obj, actor=request.user)
            elif decision == form.SEEN:
                inbound_mail_mark_seen(inbound=obj, actor=request.user)
        except (ValidationError, PermissionDenied) as error:
            reason = (
                " ".join(error.messages)
                if isinstance(error, ValidationError)
                else gettext_lazy("Not allowed.")
            )
            messages.error(request, reason)

    def save_related(self, request, form, formsets, change):
        pass

    def log_change(self, request, obj, message):
        pass  # the row records who handled it

    @admin.action(description=gettext_lazy("Discard"), permissions=["change"])
    def discard(self, request, queryset):
        done, failures = apply_to_each(
            queryset,
            lambda inbound: inbound_mail_discard(inbound=inbound, actor=request.user),
            label=lambda inbound: inbound.subject or inbound.message_id,
        )
        report_bulk_outcome(
            request,
            done_message=done
            and ngettext(
                "%(count)s email was discarded.",
                "%(count)s emails were discarded.",
                done,
            )
            % {"count": done},
            failures=failures,
        )
