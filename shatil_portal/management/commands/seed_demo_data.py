"""Seed the demo database (make run) with about sixty fictional requests over
three years, five advisors and some feedback, so that triage, suggestions,
bulk assignment, the workspace and the dashboard show something real.

Everything is written by the portal's own services (submission, triage,
assignment, the advisor's status changes, messages, meetings, notes,
withdrawal, feedback), so each request's history, outbox rows and deadlines
are what the portal itself would have written. The services stamp the
present moment; `_move_to_demo_dates` then moves every stamp of a seeded
request to the past moment its step stands for, in one place (see there).

The seeded emails are marked sent, never delivered: the demo's var/mail/
shows what happens after the seed (the follow-up jobs, new requests), not
some three hundred old notices. (The services still ask the worker to
deliver their rows after the commit; it finds them sent and skips them.)
To open a seeded request's status page, ask
for a new link at /request/lost-link/ with its reference and contact email.

Only into an empty demo database: a database that holds any request is left
alone, so a second run adds nothing. Never by a migration (DECISIONS.md).
"""

import datetime
import uuid
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from consultations.models import (
    AdvisorProfile,
    ChecklistAssessment,
    CoalitionMember,
    Consultation,
    ConsultationOutcome,
    Feedback,
    InternalNote,
    Meeting,
    Message,
    Organization,
    OutboundEmail,
    PolicyTool,
    StatusChange,
    WorkPlan,
)
from consultations.roles import ADVISORS_GROUP
from consultations.selectors.followups import first_response_due_at
from consultations.services.checklist import ToolAnswer, checklist_take
from consultations.services.engagement import (
    plan_step_edit,
    work_plan_start_from_template,
)
from consultations.services.feedback import feedback_invite, feedback_submit
from consultations.services.intake import (
    CoalitionMemberDetails,
    ContactDetails,
    OrganizationDetails,
    consultation_submit,
    reference_counter_set,
)
from consultations.services.outbox import SECRET_PREFIX
from consultations.services.players import player_add
from consultations.services.requester import (
    consultation_message_from_organization,
    consultation_withdraw,
)
from consultations.services.transitions import (
    consultation_assign_advisor,
    consultation_complete,
    consultation_decline,
    consultation_start_progress,
    consultation_start_triage,
    consultation_wait_for_organization,
)
from consultations.services.workspace import (
    consultation_message_organization,
    internal_note_add,
    meeting_schedule,
)
from shatil_portal.demo_content import (
    ADVISORS,
    CHECKLISTS,
    DEMO_PLAYERS,
    FEEDBACK,
    INTERNAL_NOTE,
    ORGANIZATIONS,
    PLAYER_TARGETS,
    REQUEST_TEXTS,
    REQUESTS,
    TOOL_EXPERTISE,
    WORDS,
    demo_outcome,
)
from tracks.models import AdjacentArea, Track

ISRAEL = ZoneInfo("Asia/Jerusalem")

# Each path: the steps after submission, with the day (after submission)
# each stands for. A request younger than its path has it squeezed in.
PATHS = {
    "new": [],
    "in_triage": [("triage", 0.2)],
    "assigned": [("triage", 0.2), ("assign", 1)],
    "in_progress": [
        ("triage", 0.2),
        ("assign", 1),
        ("progress", 2),
        ("message", 2.1),
        ("reply", 3),
        ("note", 3.2),
        ("meeting_ahead", 3.3),
    ],
    "waiting": [
        ("triage", 0.2),
        ("assign", 1),
        ("progress", 2),
        ("message", 2.1),
        ("reply", 3.5),
        ("wait", 5.5),
    ],
    "completed": [
        ("triage", 0.2),
        ("assign", 1.1),
        ("progress", 3),
        ("message", 3.1),
        ("reply", 4),
        ("meeting_held", 9),
        ("wait", 10),
        ("progress", 17),
        ("complete", 40),
    ],
    "declined": [("triage", 0.3), ("decline", 2)],
    "declined_by_advisor": [("triage", 0.2), ("assign", 1), ("decline", 4)],
    "withdrawn": [("triage", 0.5), ("withdraw", 3)],
    "withdrawn_after_assignment": [
        ("triage", 0.2),
        ("assign", 1),
        ("progress", 3),
        ("withdraw", 12),
    ],
}


@dataclass
class DemoClock:
    """One request's steps: the real moment each began and the past moment
    it stands for. A stamp written during a step moves to that step's past
    moment (plus the few milliseconds it took), so the order holds."""

    marks: list = field(default_factory=list)

    def mark(self, *, standing_for: datetime.datetime) -> None:
        self.marks.append((timezone.now(), standing_for))

    def moved(self, moment: datetime.datetime | None) -> datetime.datetime | None:
        if moment is None:
            return None
        real, past = self.marks[0]
        for mark in self.marks:
            if mark[0] <= moment:
                real, past = mark
        return past + (moment - real)


class Command(BaseCommand):
    help = (
        "Seed the empty demo database with fictional requests, advisors and "
        "feedback. Only in demo mode (make run)."
    )

    def handle(self, *args, **options):
        # Fictional data must never reach a real database.
        if not (settings.DEMO_MODE and settings.DEBUG):
            raise CommandError(
                "Demo data is seeded only with DJANGO_DEMO_MODE=1 and "
                "DJANGO_DEBUG=1 (make run)."
            )
        if Consultation.objects.exists():
            self.stdout.write(
                "Demo data: the database already holds requests; nothing added."
            )
            return
        User = get_user_model()
        try:
            coordinator = User.objects.get(username="coordinator")
            User.objects.get(username="advisor")
        except User.DoesNotExist as error:
            raise CommandError("Run create_demo_accounts first.") from error
        with transaction.atomic():
            count = Seeder(coordinator=coordinator).run()
        self.stdout.write(
            f"Demo data: {count} fictional requests over three years, five "
            "advisors and some feedback."
        )


class Seeder:
    """Writes the advisors, then each request of REQUESTS along its path,
    marking on its clock the past moment each step stands for."""

    def __init__(self, *, coordinator):
        self.coordinator = coordinator
        self.now = timezone.now()
        self.tracks = {track.slug: track for track in Track.objects.all()}
        self.areas = list(AdjacentArea.objects.order_by("pk"))
        self.advisors = {}
        self.clocks: dict[int, DemoClock] = {}

    def run(self) -> int:
        self._advisors()
        for number, row in enumerate(REQUESTS):
            self._request(number, *row)
        _move_to_demo_dates(clocks=self.clocks)
        self._checklists()
        self._players_maps()
        return len(self.clocks)

    def _checklists(self) -> None:
        """The checklist profiles of CHECKLISTS and the advisors' tools.

        Taken through the service once the requests stand at their moved
        dates; then each taking's time is set, like the other stamps, to
        the moment it stands for: the first a day after submission (at
        submission on the request form), a retake a day after completion.
        """
        tools = list(PolicyTool.objects.filter(is_active=True).order_by("order"))
        by_slug = {tool.slug: tool for tool in tools}
        for username, slugs in TOOL_EXPERTISE.items():
            profile = self.advisors[username].advisor_profile
            for slug in slugs:
                by_slug[slug].advisors.add(profile)
        ids = list(self.clocks)
        for number, takings in CHECKLISTS.items():
            consultation = Consultation.objects.get(pk=ids[number])
            on_form = consultation.track.slug == "professional-development"
            for index, (levels, partners) in enumerate(takings):
                taking = checklist_take(
                    consultation=consultation,
                    answers=[
                        ToolAnswer(
                            tool_id=tool.pk,
                            level=None if level == "?" else int(level),
                            relies_on_partners=tool.slug in partners,
                        )
                        for tool, level in zip(tools, levels, strict=True)
                    ],
                    source=(
                        ChecklistAssessment.Source.REQUEST_FORM
                        if on_form and index == 0
                        else ChecklistAssessment.Source.STATUS_PAGE
                    ),
                )
                if index == 0:
                    taken_at = consultation.submitted_at + datetime.timedelta(
                        days=0 if on_form else 1
                    )
                else:
                    taken_at = min(
                        (consultation.closed_at or self.now)
                        + datetime.timedelta(days=1),
                        self.now,
                    )
                ChecklistAssessment.objects.filter(pk=taking.pk).update(
                    taken_at=taken_at
                )

    def _players_maps(self, count: int = 3) -> None:
        """A work plan with a map of the players, some steps targeting them,
        on the demo `advisor` account's first open requests (crisis ones
        aside). Today's work, so it is not moved to the past."""
        advisor = self.advisors["advisor"]
        open_requests = Consultation.objects.filter(
            advisor=advisor,
            status__in=Consultation.ACTIVE_STATUSES,
            is_crisis=False,
        ).order_by("submitted_at")[:count]
        for consultation in open_requests:
            plan = WorkPlan.objects.filter(
                consultation=consultation
            ).first() or work_plan_start_from_template(
                consultation=consultation, actor=advisor
            )
            players = [
                player_add(
                    plan=plan,
                    actor=advisor,
                    name=name,
                    kind=kind,
                    stance=stance,
                    influence=influence,
                    interest=interest,
                    relationship=relationship,
                )
                for name, kind, stance, influence, interest, relationship in (
                    DEMO_PLAYERS[consultation.preferred_language]
                )
            ]
            steps = list(plan.steps.order_by("order"))
            for position, targets in PLAYER_TARGETS.items():
                if position >= len(steps):
                    break
                step = steps[position]
                plan_step_edit(
                    step=step,
                    actor=advisor,
                    expected_version=None,
                    title=step.title,
                    owner=step.owner,
                    due_date=step.due_date,
                    status=step.status,
                    notes=step.notes,
                    milestone=step.milestone,
                    targets=[players[index] for index in targets],
                )

    def _advisors(self) -> None:
        User = get_user_model()
        group, _created = Group.objects.get_or_create(name=ADVISORS_GROUP)
        for advisor in ADVISORS:
            user, created = User.objects.get_or_create(
                username=advisor.username,
                defaults={
                    "first_name": advisor.first_name,
                    "last_name": advisor.last_name,
                    "email": f"{advisor.username}@example.org",
                },
            )
            if created:
                # Only the demo `advisor` account signs in.
                user.set_unusable_password()
                user.save(update_fields=["password"])
            user.groups.add(group)
            profile, _created = AdvisorProfile.objects.update_or_create(
                user=user,
                defaults={
                    "languages": advisor.languages,
                    "regions": advisor.regions,
                    "capacity": advisor.capacity,
                    "is_active": True,
                },
            )
            profile.tracks.set([self.tracks[slug] for slug in advisor.tracks])
            self.advisors[advisor.username] = user

    def _moment(self, *, days_ago: float, number: int) -> datetime.datetime:
        """A working hour in Israel `days_ago` days back (the newest: hours)."""
        if days_ago < 1:
            return self.now - datetime.timedelta(days=days_ago)
        day = timezone.localtime(self.now, ISRAEL).date() - datetime.timedelta(
            days=int(days_ago)
        )
        minutes = 9 * 60 + (number * 47) % (8 * 60)
        return datetime.datetime.combine(
            day, datetime.time(minutes // 60, minutes % 60), tzinfo=ISRAEL
        )

    def _ahead(self, *, days: int) -> datetime.datetime:
        """10:00 in Israel on a weekday `days` or a little more from now."""
        day = timezone.localtime(self.now, ISRAEL).date()
        day += datetime.timedelta(days=days)
        while day.weekday() in (4, 5):  # Friday and Saturday
            day += datetime.timedelta(days=1)
        return datetime.datetime.combine(day, datetime.time(10), tzinfo=ISRAEL)

    def _request(self, number, org_key, slug, variant, story, days_ago, advisor):
        organization = ORGANIZATIONS[org_key]
        language = organization.language
        track = self.tracks[slug]
        texts = REQUEST_TEXTS[language][slug]
        goal, background, timing = texts[variant % len(texts)]
        words = {"topic": organization.topic, "locality": organization.locality}
        submitted = self._moment(days_ago=days_ago, number=number)
        steps = PATHS[story]
        if number in FEEDBACK:
            steps = [*steps, ("feedback", steps[-1][1] + 4)]
        # Squeeze the path into the request's age, leaving the last hours.
        span = (self.now - submitted).total_seconds() / 86400 * 0.9
        last = steps[-1][1] if steps else 0
        scale = min(1.0, span / last) if last else 1.0
        clock = DemoClock()
        clock.mark(standing_for=submitted)
        consultation, _token = consultation_submit(
            submission_key=uuid.uuid5(uuid.NAMESPACE_URL, f"shatil-demo-{number}"),
            organization=OrganizationDetails(
                name=organization.name,
                kind=organization.kind,
                region=organization.region,
                registration_number=organization.registration_number,
                locality=organization.locality,
                staff_size=organization.staff_size,
                volunteer_size=organization.volunteer_size,
                population_served=organization.population_served,
            ),
            contact=ContactDetails(
                name=organization.contact_name,
                email=organization.contact_email,
                role=organization.contact_role,
                phone=organization.phone,
                preferred_language=language,
                preferred_contact_method=organization.contact_method,
                preferred_contact_times=organization.contact_times,
            ),
            track=track,
            track_format=(
                list(track.formats.order_by("order", "pk"))[variant]
                if track.formats.exists()
                else None
            ),
            adjacent_areas=self.areas[number % 5 : number % 5 + 1]
            if number % 3 == 0
            else (),
            goal=goal.format(**words),
            background=background.format(**words),
            timing=timing,
            urgency=(
                Consultation.Urgency.URGENT
                if number % 9 == 4
                else Consultation.Urgency.NORMAL
            ),
            coalition_members=[
                CoalitionMemberDetails(name=name, contact_email=email)
                for name, email in organization.coalition_members
            ],
            consent=True,
        )
        self.clocks[consultation.pk] = clock
        advisor_user = self.advisors.get(advisor)
        said = WORDS[language]
        for step, day in steps:
            standing_for = submitted + datetime.timedelta(days=day * scale)
            clock.mark(standing_for=standing_for)
            # The services lock and re-read the request; a note takes it as given.
            consultation.refresh_from_db()
            self._step(
                step,
                consultation=consultation,
                advisor=advisor_user,
                said=said,
                number=number,
                held_at=standing_for,
            )

    def _step(self, step, *, consultation, advisor, said, number, held_at):
        coordinator = self.coordinator
        name = consultation.contact_name.split()[0]
        if step == "triage":
            consultation_start_triage(consultation=consultation, actor=coordinator)
        elif step == "assign":
            consultation_assign_advisor(
                consultation=consultation, advisor=advisor, actor=coordinator
            )
        elif step == "progress":
            consultation_start_progress(consultation=consultation, actor=advisor)
        elif step == "message":
            consultation_message_organization(
                consultation=consultation,
                author=advisor,
                body=said["message"].format(name=name),
            )
        elif step == "reply":
            consultation_message_from_organization(
                consultation=consultation, body=said["reply"]
            )
        elif step == "note":
            internal_note_add(
                consultation=consultation, author=advisor, body=INTERNAL_NOTE
            )
        elif step in ("meeting_held", "meeting_ahead"):
            ahead = step == "meeting_ahead"
            online = number % 2 == 0
            meeting_schedule(
                consultation=consultation,
                advisor=advisor,
                # A meeting ahead is in the real future, days from now.
                starts_at=self._ahead(days=2 + number % 5) if ahead else held_at,
                duration=datetime.timedelta(minutes=90 if online else 60),
                mode=Meeting.Mode.ONLINE if online else Meeting.Mode.IN_PERSON,
                location_or_link=(
                    f"https://meet.example.org/shatil-demo-{number}"
                    if online
                    else said["place"]
                ),
                summary="" if ahead else said["summary"],
            )
        elif step == "wait":
            consultation_wait_for_organization(
                consultation=consultation, actor=advisor, note=said["waiting"]
            )
        elif step == "complete":
            outcome, outcome_note = demo_outcome(number)
            consultation_complete(
                consultation=consultation,
                actor=advisor,
                note=said["completed"],
                outcome=outcome,
                outcome_note=outcome_note,
            )
        elif step == "decline":
            consultation_decline(
                consultation=consultation,
                actor=advisor or coordinator,
                note=said["declined"],
            )
        elif step == "withdraw":
            consultation_withdraw(consultation=consultation, reason=said["withdrawn"])
        elif step == "feedback":
            satisfaction, reached_goal, would_recommend = FEEDBACK[number]
            invitation = feedback_invite(consultation=consultation)
            feedback_submit(
                feedback=invitation.feedback,
                satisfaction=satisfaction,
                reached_goal=reached_goal,
                would_recommend=would_recommend,
                comment=said["feedback"] if satisfaction >= 4 else "",
            )
        else:
            raise ValueError(step)


def _move_to_demo_dates(*, clocks: dict[int, DemoClock]) -> None:
    """Move every stamp the services wrote to the past moment its step
    stands for, and give each request the reference of its year.

    The one place where seeded rows are changed other than by a service:
    the services stamp the present (time-machine is a development tool and
    is not installed to run the demo). The response deadline is computed
    again from the moved submission, with the portal's own business
    calendar; references are numbered again per year in submission order,
    with each year's counter set to match. The seeded emails are marked sent
    at their moved moment, with their secrets dropped as delivery drops them.
    """
    ids = list(clocks)
    consultations = list(
        Consultation.objects.filter(pk__in=ids).select_related("track")
    )
    for consultation in consultations:
        clock = clocks[consultation.pk]
        for name in (
            "created_at",
            "updated_at",
            "submitted_at",
            "consent_given_at",
            "first_responded_at",
            "closed_at",
        ):
            setattr(consultation, name, clock.moved(getattr(consultation, name)))
        consultation.first_response_due_at = first_response_due_at(
            submitted_at=consultation.submitted_at,
            is_urgent=consultation.urgency == Consultation.Urgency.URGENT,
            is_crisis=consultation.is_crisis,
            track=consultation.track,
        )

    references = {}
    counters = {}
    for consultation in sorted(consultations, key=lambda c: (c.submitted_at, c.pk)):
        year = timezone.localdate(consultation.submitted_at).year
        counters[year] = counters.get(year, 0) + 1
        references[consultation.pk] = f"SH-{year}-{counters[year]:05d}"
    # Out of the way first: a new reference may be another row's old one.
    for consultation in consultations:
        consultation.reference = f"TMP-{consultation.pk}"
    Consultation.objects.bulk_update(consultations, ["reference"])
    for consultation in consultations:
        consultation.reference = references[consultation.pk]
    Consultation.objects.bulk_update(
        consultations,
        [
            "reference",
            "created_at",
            "updated_at",
            "submitted_at",
            "consent_given_at",
            "first_responded_at",
            "closed_at",
            "first_response_due_at",
        ],
    )
    for year, last_number in counters.items():
        reference_counter_set(year=year, last_number=last_number)

    def move(model, fields, *, also=None, also_fields=()):
        rows = list(model.objects.filter(consultation_id__in=ids))
        for row in rows:
            clock = clocks[row.consultation_id]
            for name in fields:
                setattr(row, name, clock.moved(getattr(row, name)))
            if also:
                also(row)
        model.objects.bulk_update(rows, [*fields, *also_fields])

    stamps = ("created_at", "updated_at")
    move(StatusChange, ("created_at",))
    move(Message, ("created_at",))
    move(InternalNote, stamps)
    move(Meeting, stamps)
    move(CoalitionMember, stamps)
    move(Feedback, (*stamps, "submitted_at"))
    move(ConsultationOutcome, ("created_at",))

    def sent(email):
        email.status = OutboundEmail.Status.SENT
        email.sent_at = email.created_at
        email.attempts = 1
        email.context = {
            key: value
            for key, value in email.context.items()
            if not key.startswith(SECRET_PREFIX)
        }
        if "reference" in email.context:
            email.context["reference"] = references[email.consultation_id]

    move(
        OutboundEmail,
        (*stamps, "next_attempt_at"),
        also=sent,
        also_fields=("status", "sent_at", "attempts", "context"),
    )

    # Round robin among the advisors goes by their latest assignment.
    for profile in AdvisorProfile.objects.all():
        latest = StatusChange.objects.filter(
            consultation_id__in=ids,
            consultation__advisor_id=profile.user_id,
            to_status=Consultation.Status.ASSIGNED,
        ).aggregate(latest=Max("created_at"))["latest"]
        if latest is not None:
            profile.last_assigned_at = latest
            profile.save(update_fields=["last_assigned_at"])

    # An organization appears when its first request was submitted.
    first_seen = {}
    for consultation in consultations:
        seen = first_seen.get(consultation.organization_id)
        if seen is None or consultation.submitted_at < seen:
            first_seen[consultation.organization_id] = consultation.submitted_at
    organizations = list(Organization.objects.filter(pk__in=first_seen))
    for organization in organizations:
        organization.created_at = organization.updated_at = first_seen[organization.pk]
    Organization.objects.bulk_update(organizations, stamps)
