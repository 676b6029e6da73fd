"""The request page's inlines: history, notes, messages, meetings and the
outbox, read-only; notes and messages are added through their services (the
request admin's save_formset)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy

from consultations.admin.scope import ReadOnlyInline
from consultations.models import (
    CoalitionMember,
    ConsultationOutcome,
    InternalNote,
    Meeting,
    Message,
    OutboundEmail,
    StatusChange,
)
from shatil_portal.people import display_name


def _person_column(model, field_name):
    """A user column that names the person (shatil_portal.people), under the
    field's own heading."""

    @admin.display(description=model._meta.get_field(field_name).verbose_name)
    def column(self, obj):
        return display_name(getattr(obj, field_name)) or "—"

    return column


class CoalitionMemberInline(ReadOnlyInline):
    model = CoalitionMember
    fields = ["name", "contact_email"]


class StatusChangeInline(ReadOnlyInline):
    model = StatusChange
    fields = ["created_at", "from_status", "to_status", "actor_name", "note"]
    actor_name = _person_column(StatusChange, "actor")
    verbose_name_plural = gettext_lazy("history")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class OutcomeInline(ReadOnlyInline):
    """What the request achieved, recorded when it was completed."""

    model = ConsultationOutcome
    fields = ["created_at", "kind", "note", "recorder_name"]
    recorder_name = _person_column(ConsultationOutcome, "recorded_by")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")


class InternalNoteInline(ReadOnlyInline):
    model = InternalNote
    fields = ["created_at", "author_name", "body"]
    author_name = _person_column(InternalNote, "author")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


class AddOnlyInline(admin.StackedInline):
    """An empty form that adds one row through a service (save_formset)."""

    extra = 1
    max_num = 1
    can_delete = False
    fields = ["body"]

    def get_queryset(self, request):
        return super().get_queryset(request).none()

    def has_change_permission(self, request, obj=None):
        return False


class InternalNoteAddInline(AddOnlyInline):
    model = InternalNote
    verbose_name = gettext_lazy("new internal note")
    verbose_name_plural = gettext_lazy("add an internal note")


class MessageInline(ReadOnlyInline):
    model = Message
    fields = ["created_at", "direction", "author_name", "body"]
    author_name = _person_column(Message, "author")
    verbose_name_plural = gettext_lazy("messages with the organization")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


class MessageAddInline(AddOnlyInline):
    model = Message
    verbose_name = gettext_lazy("new message to the organization")
    verbose_name_plural = gettext_lazy("write to the organization (emailed)")


class MeetingInline(ReadOnlyInline):
    model = Meeting
    fields = [
        "starts_at",
        "duration",
        "mode",
        "location_or_link",
        "status",
        "advisor_name",
    ]
    advisor_name = _person_column(Meeting, "advisor")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("advisor")


class OutboundEmailInline(ReadOnlyInline):
    """The request's emails; their context (which may hold a raw link) is
    never shown."""

    model = OutboundEmail
    fields = ["created_at", "kind", "to_address", "status", "attempts", "sent_at"]
    verbose_name_plural = gettext_lazy("emails")
