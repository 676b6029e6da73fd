"""The demo starts populated: seed_demo_data writes about sixty fictional
requests over three years through the portal's own services, with five
advisors, crisis and coalition requests and some feedback, only in demo
mode and only once."""

from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from consultations.models import (
    AdvisorProfile,
    Consultation,
    ConsultationOutcome,
    Feedback,
    Organization,
    OutboundEmail,
    StatusChange,
)
from consultations.services.intake import reference_counter_last
from consultations.services.workflow import ALLOWED_TRANSITIONS
from consultations.validators import has_valid_check_digit
from tests.migration_data import restore_staff_groups

pytestmark = pytest.mark.django_db

Status = Consultation.Status


@pytest.fixture
def demo_mode(settings):
    settings.DEMO_MODE = True
    settings.DEBUG = True
    settings.PORTAL_BASE_URL = "http://127.0.0.1:8010"


@pytest.fixture
def seeded(demo_mode, catalog):
    # As the migrations leave them (a live-server test may have emptied them).
    restore_staff_groups()
    call_command("create_demo_accounts")
    call_command("seed_demo_data")


def _counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (
            Consultation,
            Organization,
            StatusChange,
            OutboundEmail,
            Feedback,
            AdvisorProfile,
        )
    }


def test_seeding_is_refused_outside_demo_mode(settings):
    settings.DEMO_MODE = False
    settings.DEBUG = True

    with pytest.raises(CommandError):
        call_command("seed_demo_data")

    assert not Consultation.objects.exists()


def test_seeding_is_refused_without_debug(settings):
    settings.DEMO_MODE = True
    settings.DEBUG = False

    with pytest.raises(CommandError):
        call_command("seed_demo_data")


def test_the_demo_holds_about_sixty_requests_across_tracks_statuses_and_years(
    seeded,
):
    consultations = list(Consultation.objects.select_related("track"))

    assert 55 <= len(consultations) <= 65
    assert {c.track.slug for c in consultations} >= {
        "local-government",
        "project-consulting",
        "professional-development",
        "strategic-planning",
        "crisis",
        "coalition",
        "climate-crisis",
    }
    assert set(Counter(c.status for c in consultations)) == set(Status.values)
    years = {timezone.localdate(c.submitted_at).year for c in consultations}
    assert len(years) >= 3
    assert sum(c.is_crisis for c in consultations) >= 3
    coalitions = [c for c in consultations if c.track.involves_several_organizations]
    assert len(coalitions) >= 3
    assert all(c.coalition_members.exists() for c in coalitions)
    assert {c.preferred_language for c in consultations} == {"he", "ar", "en"}
    assert Feedback.objects.filter(submitted_at__isnull=False).count() >= 3
    # Every completed request says what it achieved, in every kind, recorded
    # when it was completed.
    completed = [c for c in consultations if c.status == Status.COMPLETED]
    outcomes = {
        outcome.consultation_id: outcome
        for outcome in ConsultationOutcome.objects.select_related("consultation")
    }
    assert set(outcomes) == {c.pk for c in completed}
    assert {o.kind for o in outcomes.values()} == set(ConsultationOutcome.Kind.values)
    assert all(
        abs((o.created_at - o.consultation.closed_at).total_seconds()) < 60
        for o in outcomes.values()
    )

    # Five advisors with different languages, regions and tracks; the demo
    # account among them, with requests in several statuses.
    profiles = list(AdvisorProfile.objects.select_related("user"))
    assert len(profiles) == 5
    assert "advisor" in {profile.user.username for profile in profiles}
    assert len({tuple(sorted(profile.languages)) for profile in profiles}) >= 3
    assert len({tuple(sorted(profile.regions)) for profile in profiles}) == 5
    tracks = {
        frozenset(profile.tracks.values_list("slug", flat=True)) for profile in profiles
    }
    assert len(tracks) == 5
    demo_statuses = set(
        Consultation.objects.filter(advisor__username="advisor").values_list(
            "status", flat=True
        )
    )
    assert len(demo_statuses) >= 4
    assert {
        Status.IN_PROGRESS,
        Status.WAITING_FOR_ORGANIZATION,
        Status.COMPLETED,
    } <= demo_statuses

    # Fictional organizations, with valid registration numbers.
    for organization in Organization.objects.all():
        if organization.registration_number:
            assert has_valid_check_digit(organization.registration_number)
    domains = {
        email.rsplit("@", 1)[1]
        for email in Consultation.objects.values_list("contact_email", flat=True)
    }
    assert domains <= {"example.org", "example.com"}


def test_every_history_follows_the_allowed_transitions_in_time_order(seeded):
    """Each request's history runs from its submission to its status, every
    step allowed by ALLOWED_TRANSITIONS, in time order and in the past; and
    each year's references number its requests in submission order."""
    now = timezone.now()
    for consultation in Consultation.objects.prefetch_related("status_changes"):
        changes = sorted(
            consultation.status_changes.all(), key=lambda c: (c.created_at, c.pk)
        )
        assert [c.pk for c in changes] == sorted(c.pk for c in changes)
        assert (changes[0].from_status, changes[0].to_status) == ("", Status.NEW)
        since_submission = changes[0].created_at - consultation.submitted_at
        assert 0 <= since_submission.total_seconds() < 1
        for before, after in zip(changes, changes[1:], strict=False):
            assert after.from_status == before.to_status
            assert after.to_status in ALLOWED_TRANSITIONS[after.from_status]
        assert changes[-1].to_status == consultation.status
        assert changes[-1].created_at < now
        if consultation.is_closed:
            closing = changes[-1].created_at - consultation.closed_at
            assert abs(closing.total_seconds()) < 1
        assert consultation.first_response_due_at > consultation.submitted_at

    by_year = {}
    for consultation in Consultation.objects.order_by("submitted_at", "pk"):
        year = timezone.localdate(consultation.submitted_at).year
        by_year.setdefault(year, []).append(consultation.reference)

    for year, references in by_year.items():
        assert references == [
            f"SH-{year}-{number:05d}" for number in range(1, len(references) + 1)
        ]
        assert reference_counter_last(year=year) == len(references)


def test_seeded_emails_are_marked_sent_and_a_second_run_changes_nothing(seeded):
    """The seeded emails are marked sent (never delivered), with the demo's
    links and without their secrets."""
    emails = list(OutboundEmail.objects.all())

    assert emails
    assert {email.status for email in emails} == {OutboundEmail.Status.SENT}
    assert not any(
        key.startswith("secret_") for email in emails for key in email.context
    )
    urls = [
        value
        for email in emails
        for value in email.context.values()
        if isinstance(value, str)
        and value.startswith("http")
        # Meetings online link to a (fictional) video call.
        and not value.startswith("https://meet.example.org/")
    ]
    assert urls
    assert [url for url in urls if not url.startswith("http://127.0.0.1:8010/")] == []

    # A second `make run` (the accounts, then the seed) adds nothing and
    # keeps the demo advisor's own profile.
    before = _counts()
    profile = AdvisorProfile.objects.get(user__username="advisor")
    call_command("create_demo_accounts")
    call_command("seed_demo_data")
    assert _counts() == before
    again = AdvisorProfile.objects.get(pk=profile.pk)
    assert (again.languages, again.regions, again.capacity) == (
        profile.languages,
        profile.regions,
        profile.capacity,
    )
    assert set(again.tracks.all()) == set(profile.tracks.all())


def test_some_of_the_demo_advisors_requests_have_a_checklist_profile(seeded):
    """Issue 18: profiles on the `advisor` account's requests, one of them
    taken again after completion, and advisors listed for some tools."""
    from consultations.models import ChecklistAssessment, PolicyTool
    from consultations.selectors.checklist import checklist_profile

    takings = ChecklistAssessment.objects.filter(
        consultation__advisor__username="advisor"
    )
    profiled = {taking.consultation for taking in takings}
    assert len(profiled) >= 3
    retaken = [c for c in profiled if checklist_profile(consultation=c).retaken]
    assert retaken
    for consultation in retaken:
        profile = checklist_profile(consultation=consultation)
        assert profile.latest.taken_at > consultation.closed_at
        assert profile.first.taken_at < consultation.closed_at
        assert any(row.change for row in profile.rows)
    assert PolicyTool.objects.filter(advisors__user__username="advisor").exists()


def test_some_of_the_advisor_accounts_requests_have_a_map_with_targeted_players(
    seeded,
):
    """A newcomer signed in as `advisor` finds plans with a map of the
    players, steps that target some of them, and a key player with none."""
    from consultations.models import Player
    from consultations.selectors.players import player_map_get

    plans = {
        player.plan
        for player in Player.objects.filter(
            plan__consultation__advisor__username="advisor"
        )
    }
    assert len(plans) >= 2
    for plan in plans:
        player_map = player_map_get(plan=plan)
        assert any(row.planned for row in player_map.rows)
        assert player_map.key_without_step
        assert plan.events.filter(kind="player_added").exists()
