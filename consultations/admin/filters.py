"""The request list's own filters: open or closed (open by default), by
advisor, and work held by an advisor who is no longer active."""

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consultations.models import AdvisorProfile, Consultation


class OpenClosedFilter(admin.SimpleListFilter):
    """Open requests by default; the closed ones are a click away. Choosing a
    status in the status filter overrides the default, and so does a search:
    a reference, email or organization is looked for in every state."""

    title = gettext_lazy("open or closed")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("open", gettext_lazy("Open")),
            ("closed", gettext_lazy("Closed")),
            ("all", gettext_lazy("All")),
        ]

    def __init__(self, request, params, model, model_admin):
        self.status_chosen = "status__exact" in request.GET or bool(
            request.GET.get("q", "").strip()
        )
        super().__init__(request, params, model, model_admin)

    def _effective_value(self) -> str:
        if self.value():
            return self.value()
        return "all" if self.status_chosen else "open"

    def queryset(self, request, queryset):
        value = self._effective_value()
        if value == "open":
            return queryset.filter(status__in=Consultation.OPEN_STATUSES)
        if value == "closed":
            return queryset.filter(status__in=Consultation.CLOSED_STATUSES)
        return queryset

    def choices(self, changelist):
        value = self._effective_value()
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == lookup,
                "query_string": changelist.get_query_string(
                    {self.parameter_name: lookup}
                ),
                "display": title,
            }


class AdvisorFilter(admin.SimpleListFilter):
    """Advisors from their profiles (one query), not every user."""

    title = gettext_lazy("advisor")
    parameter_name = "advisor"

    def lookups(self, request, model_admin):
        choices = [("none", gettext_lazy("Nobody yet"))]
        for profile in AdvisorProfile.objects.select_related("user"):
            label = str(profile)
            if not profile.is_active:
                label = _("%(name)s (inactive)") % {"name": label}
            choices.append((str(profile.user_id), label))
        return choices

    def queryset(self, request, queryset):
        value = self.value()
        if value == "none":
            return queryset.filter(advisor__isnull=True)
        if value and value.isascii() and value.isdecimal():
            return queryset.filter(advisor_id=int(value))
        return queryset


class NeedsReassignmentFilter(admin.SimpleListFilter):
    """Open work held by an advisor who is no longer active."""

    title = gettext_lazy("needs reassignment")
    parameter_name = "reassign"

    def lookups(self, request, model_admin):
        return [("yes", gettext_lazy("Advisor inactive"))]

    def queryset(self, request, queryset):
        if self.value() != "yes":
            return queryset
        return queryset.filter(status__in=Consultation.ACTIVE_STATUSES).filter(
            Q(advisor__is_active=False) | Q(advisor__advisor_profile__is_active=False)
        )
