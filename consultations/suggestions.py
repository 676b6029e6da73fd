"""Which advisor should take a request: a ranking with its reasons.

Only active advisors who cover the request's track are ranked. Then, in
order of importance:

1. advisors at capacity come last, marked as such;
2. speaking the contact person's preferred language;
3. covering the organization's region. An advisor who covers "Nationwide"
   matches every region; an organization working nationwide (or "other")
   is matched only by advisors who list that value or "Nationwide";
3a. experience with more of the organization's needs: the tools its
   checklist profile rates "not yet" or "beginning" that the advisor is
   listed for (the policy tools in the admin); named in the reasons;
4. the lowest load relative to capacity (load: requests assigned to the
   advisor and not yet closed);
5. the longest time since the last assignment (round robin; never assigned
   comes first);
6. the profile's primary key, so the order is always the same.

The whole ranking is three queries (the needs, the advisors listed for
them, the ranked profiles), whatever the number of advisors.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from fractions import Fraction

from django.utils import formats
from django.utils.translation import gettext as _

from consultations.business_time import to_local
from consultations.models import AdvisorProfile, Consultation, Language, Region
from consultations.models.checklist import NEED_LEVELS, ChecklistAssessment, PolicyTool

NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Suggestion:
    profile: AdvisorProfile
    load: int
    speaks_language: bool
    covers_region: bool
    reasons: list[str] = field(default_factory=list)
    # The organization's checklist needs this advisor is experienced with.
    matched_needs: tuple[str, ...] = ()

    @property
    def advisor(self):
        return self.profile.user

    @property
    def capacity(self) -> int:
        return self.profile.capacity

    @property
    def at_capacity(self) -> bool:
        return self.load >= self.profile.capacity

    @property
    def sort_key(self) -> tuple:
        last = self.profile.last_assigned_at
        return (
            self.at_capacity,
            not self.speaks_language,
            not self.covers_region,
            -len(self.matched_needs),
            Fraction(self.load, self.capacity) if self.capacity else Fraction(1),
            # Never assigned sorts before any date.
            (last is not None, last or NEVER),
            self.profile.pk,
        )


def checklist_needs_by_advisor(*, consultation: Consultation) -> dict[int, list]:
    """For the advisor suggestion: advisor profile id -> the titles of the
    needs (tools the latest taking rates "not yet" or "beginning") that the
    advisor is listed as experienced with. Two queries; none before a taking."""
    latest = (
        ChecklistAssessment.objects.filter(consultation=consultation)
        .order_by("-sequence")
        .values("pk")[:1]
    )
    needs = {
        tool.pk: tool.title
        for tool in PolicyTool.objects.filter(
            answers__assessment__in=latest, answers__level__in=NEED_LEVELS
        ).order_by("order", "pk")
    }
    if not needs:
        return {}
    matched: dict[int, list] = {}
    links = PolicyTool.advisors.through.objects.filter(
        policytool_id__in=needs
    ).order_by("policytool__order", "policytool_id")
    for profile_id, tool_id in links.values_list("advisorprofile_id", "policytool_id"):
        matched.setdefault(profile_id, []).append(needs[tool_id])
    return matched


def advisor_profiles_with_load():
    """Active profiles with their current load, in one query."""
    return AdvisorProfile.objects.active().select_related("user").with_load()


def _covers_region(*, regions: list[str], region: str) -> bool:
    return region in regions or Region.NATIONWIDE in regions


def _reasons(*, suggestion: Suggestion, language: str, region: str) -> list[str]:
    language_label = Language(language).label
    region_label = Region(region).label if region in Region.values else region
    reasons = [
        _("Speaks %(language)s") % {"language": language_label}
        if suggestion.speaks_language
        else _("Does not speak %(language)s") % {"language": language_label}
    ]
    if suggestion.covers_region and region not in suggestion.profile.regions:
        reasons.append(_("Covers the whole country"))
    elif suggestion.covers_region:
        reasons.append(_("Covers %(region)s") % {"region": region_label})
    else:
        reasons.append(_("Does not cover %(region)s") % {"region": region_label})
    if suggestion.matched_needs:
        reasons.append(
            _("Experienced with the organization's checklist needs: %(tools)s")
            % {"tools": ", ".join(suggestion.matched_needs)}
        )
    reasons.append(
        _("Load %(load)s/%(capacity)s")
        % {"load": suggestion.load, "capacity": suggestion.capacity}
    )
    if suggestion.at_capacity:
        reasons.append(_("At capacity"))
    last = suggestion.profile.last_assigned_at
    if last is None:
        reasons.append(_("Never assigned a request"))
    else:
        reasons.append(
            _("Last assigned on %(date)s")
            % {"date": formats.date_format(to_local(moment=last), "SHORT_DATE_FORMAT")}
        )
    return reasons


def suggest_advisors(*, consultation: Consultation) -> list[Suggestion]:
    """Rank the advisors for `consultation`, best first."""
    profiles = advisor_profiles_with_load().filter(tracks=consultation.track_id)
    language = consultation.preferred_language
    region = consultation.organization.region
    expertise = checklist_needs_by_advisor(consultation=consultation)
    suggestions = []
    for profile in profiles:
        suggestion = Suggestion(
            profile=profile,
            load=profile.load,
            speaks_language=language in profile.languages,
            covers_region=_covers_region(regions=profile.regions, region=region),
            matched_needs=tuple(expertise.get(profile.pk, ())),
        )
        suggestion.reasons.extend(
            _reasons(suggestion=suggestion, language=language, region=region)
        )
        suggestions.append(suggestion)
    return sorted(suggestions, key=lambda suggestion: suggestion.sort_key)


def top_suggestion(*, consultation: Consultation) -> Suggestion | None:
    """The best advisor with room for one more request, or None."""
    for suggestion in suggest_advisors(consultation=consultation):
        if not suggestion.at_capacity:
            return suggestion
    return None
