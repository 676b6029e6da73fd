"""A small world for the security tests: one user per role, a normal and a
crisis request assigned to advisor A, and one object for every model the
admin shows, so every page has something real to open."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth.models import Group
from django.utils import timezone

from consultations.models import (
    AccessLogEntry,
    AdvisorProfile,
    Consultation,
    DeletionRequest,
    InboundMail,
    Meeting,
    OrganizationMerge,
    PlanTemplate,
)
from consultations.roles import ADVISORS_GROUP, COORDINATORS_GROUP
from tests.factories import (
    ConsultationFactory,
    FeedbackFactory,
    FollowUpFactory,
    OutboundEmailFactory,
    ResponsePolicyFactory,
    UserFactory,
)
from tests.migration_data import restore_staff_groups

# The roles of the authorization matrix, in the order of its columns.
ANONYMOUS = "anonymous"
REQUESTER = "requester"
ADVISOR = "advisor"
OTHER_ADVISOR = "other_advisor"
COORDINATOR = "coordinator"
STAFF = "staff"
SUPERUSER = "superuser"
ROLES = [ANONYMOUS, REQUESTER, ADVISOR, OTHER_ADVISOR, COORDINATOR, STAFF, SUPERUSER]

STATUS_TOKEN = "matrix-status-token-0123456789abcdefghijkl"
CRISIS_STATUS_TOKEN = "matrix-crisis-token-0123456789abcdefghijkl"
FEEDBACK_TOKEN = "matrix-feedback-token-0123456789abcdefghijk"
# Well formed, but nobody's.
UNKNOWN_TOKEN = "unknown-token-0123456789abcdefghijklmnopqrs"


def ensure_groups() -> None:
    """The groups as the migrations leave them (a flush by another test on a
    reused database empties them)."""
    restore_staff_groups()


def make_advisor(username: str, first_name: str):
    user = UserFactory(username=username, first_name=first_name)
    user.groups.add(Group.objects.get(name=ADVISORS_GROUP))
    profile = AdvisorProfile.objects.create(user=user, languages=["he"], capacity=5)
    from tracks.models import Track

    profile.tracks.set(Track.objects.all())
    return user


def make_coordinator(username: str = "coordinator"):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=COORDINATORS_GROUP))
    return user


def make_plain_staff(username: str = "staff-no-crisis"):
    """Staff with every permission coordinators have, except crisis."""
    user = UserFactory(username=username, is_staff=True)
    user.user_permissions.add(
        *Group.objects.get(name=COORDINATORS_GROUP).permissions.exclude(
            codename="view_crisis_consultation"
        )
    )
    return user


def _plan(consultation, advisor):
    """A work plan with one advisor's step (the organization's link cannot
    tick it off, so the matrix's posts change nothing)."""
    from consultations.models import StepOwner
    from consultations.services.engagement import (
        israel_today,
        milestone_add,
        plan_step_add,
        work_plan_start_from_template,
    )
    from consultations.services.players import player_add

    plan = work_plan_start_from_template(consultation=consultation, actor=advisor)
    plan_step_add(
        plan=plan,
        actor=advisor,
        title="Matrix step",
        owner=StepOwner.ADVISOR,
        due_date=israel_today(),
    )
    milestone_add(plan=plan, actor=advisor, title="Matrix milestone")
    player_add(
        plan=plan,
        actor=advisor,
        name="Matrix player",
        kind="media",
        stance="unknown",
        influence=3,
        interest=3,
    )
    return plan


def _policy_tool():
    """A tool, answered below (so nobody may delete it)."""
    from consultations.models import PolicyTool

    return PolicyTool.objects.create(
        slug="matrix-tool",
        title="Matrix tool",
        title_he="כלי",
        title_ar="أداة",
        title_en="Matrix tool",
        suggested_step_title="Matrix step from the checklist",
    )


def _checklist_taking(consultation, tool):
    from consultations.models import ChecklistAnswer, ChecklistAssessment

    taking = ChecklistAssessment.objects.create(
        consultation=consultation,
        sequence=1,
        source=ChecklistAssessment.Source.STATUS_PAGE,
    )
    ChecklistAnswer.objects.create(assessment=taking, tool=tool, level=1)
    return taking


def _meeting(consultation, advisor):
    return Meeting.objects.create(
        consultation=consultation,
        advisor=advisor,
        starts_at=timezone.now() + timedelta(days=3),
        mode=Meeting.Mode.ONLINE,
        location_or_link="https://meet.example.org/matrix",
    )


@dataclass
class World:
    users: dict
    normal: Consultation
    crisis: Consultation
    normal_meeting: Meeting
    crisis_meeting: Meeting
    # One object per admin model (by model label); "@crisis" keys hold the
    # crisis request's own rows.
    objects: dict = field(default_factory=dict)


def build_world() -> World:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django_celery_beat.models import (
        ClockedSchedule,
        CrontabSchedule,
        IntervalSchedule,
        PeriodicTask,
        SolarSchedule,
    )
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tracks.models import AdjacentArea, Track

    ensure_groups()
    advisor = make_advisor("advisor-a", "Yael")
    other_advisor = make_advisor("advisor-b", "Omar")
    users = {
        ADVISOR: advisor,
        OTHER_ADVISOR: other_advisor,
        COORDINATOR: make_coordinator(),
        STAFF: make_plain_staff(),
        SUPERUSER: UserFactory(username="root", is_staff=True, is_superuser=True),
    }
    # References from a past year, so requests submitted in a test through
    # the real form (this year's sequence) never collide with them.
    normal = ConsultationFactory(
        reference="SH-2020-00001",
        status=Consultation.Status.ASSIGNED,
        advisor=advisor,
        status_token=STATUS_TOKEN,
    )
    crisis = ConsultationFactory(
        reference="SH-2020-00002",
        crisis=True,
        status=Consultation.Status.ASSIGNED,
        advisor=advisor,
        status_token=CRISIS_STATUS_TOKEN,
    )
    feedback = FeedbackFactory(
        token=FEEDBACK_TOKEN,
        consultation__reference="SH-2020-00003",
        consultation__advisor=advisor,
    )
    interval = IntervalSchedule.objects.create(every=10, period="minutes")
    normal_plan = _plan(normal, advisor)
    crisis_plan = _plan(crisis, advisor)
    tool = _policy_tool()
    world = World(
        users=users,
        normal=normal,
        crisis=crisis,
        normal_meeting=_meeting(normal, advisor),
        crisis_meeting=_meeting(crisis, advisor),
    )
    world.objects = {
        "auth.group": Group.objects.get(name=COORDINATORS_GROUP),
        "auth.user": other_advisor,
        "axes.accessattempt": AccessAttempt.objects.create(
            username="advisor-b",
            ip_address="192.0.2.1",
            user_agent="test",
            http_accept="*/*",
            path_info="/accounts/login/",
            get_data="",
            post_data="",
            failures_since_start=1,
        ),
        "axes.accesslog": AccessLog.objects.create(
            username="advisor-b",
            ip_address="192.0.2.1",
            user_agent="test",
            http_accept="*/*",
            path_info="/accounts/login/",
        ),
        "axes.accessfailurelog": AccessFailureLog.objects.create(
            username="advisor-b",
            ip_address="192.0.2.1",
            user_agent="test",
            http_accept="*/*",
            path_info="/accounts/login/",
        ),
        "otp_totp.totpdevice": TOTPDevice.objects.create(
            user=users[COORDINATOR], name="phone"
        ),
        "otp_static.staticdevice": StaticDevice.objects.create(
            user=users[COORDINATOR], name="backup"
        ),
        "tracks.track": Track.objects.get(slug="project-consulting"),
        "tracks.adjacentarea": AdjacentArea.objects.order_by("pk").first(),
        "consultations.consultation": normal,
        "consultations.consultation@crisis": crisis,
        "consultations.organization": normal.organization,
        "consultations.organizationmerge": OrganizationMerge.objects.create(
            target=normal.organization,
            source_pk=10**9,
            source_name="Merged organization",
            actor=users[COORDINATOR],
        ),
        "consultations.advisorprofile": advisor.advisor_profile,
        "consultations.outboundemail": OutboundEmailFactory(consultation=normal),
        "consultations.outboundemail@crisis": OutboundEmailFactory(consultation=crisis),
        "consultations.inboundmail": InboundMail.objects.create(
            message_id="<matrix-normal@example.net>",
            status=InboundMail.Status.UNMATCHED,
            consultation=normal,
        ),
        "consultations.inboundmail@crisis": InboundMail.objects.create(
            message_id="<matrix-crisis@example.net>",
            status=InboundMail.Status.UNMATCHED,
            consultation=crisis,
        ),
        "consultations.accesslogentry": AccessLogEntry.objects.create(
            user=users[COORDINATOR],
            username="coordinator",
            action=AccessLogEntry.Action.VIEWED_IN_ADMIN,
            consultation=normal,
            reference=normal.reference,
        ),
        "consultations.accesslogentry@crisis": AccessLogEntry.objects.create(
            user=users[COORDINATOR],
            username="coordinator",
            action=AccessLogEntry.Action.VIEWED_IN_ADMIN,
            consultation=crisis,
            reference=crisis.reference,
        ),
        "consultations.responsepolicy": ResponsePolicyFactory(),
        "consultations.followup": FollowUpFactory(consultation=normal),
        "consultations.followup@crisis": FollowUpFactory(consultation=crisis),
        "consultations.deletionrequest": DeletionRequest.objects.create(
            consultation=normal, due_at=timezone.now()
        ),
        "consultations.deletionrequest@crisis": DeletionRequest.objects.create(
            consultation=crisis, due_at=timezone.now()
        ),
        "consultations.feedback": feedback,
        "consultations.feedback@crisis": FeedbackFactory(consultation=crisis),
        "consultations.plantemplate": PlanTemplate.objects.get_or_create(
            track=normal.track
        )[0],
        "consultations.workplan": normal_plan,
        "consultations.workplan@crisis": crisis_plan,
        "consultations.policytool": tool,
        "consultations.checklistassessment": _checklist_taking(normal, tool),
        "consultations.checklistassessment@crisis": _checklist_taking(crisis, tool),
        "django_celery_beat.periodictask": PeriodicTask.objects.create(
            name="matrix",
            task="consultations.tasks.outbox_sweep_task",
            interval=interval,
        ),
        "django_celery_beat.clockedschedule": ClockedSchedule.objects.create(
            clocked_time=timezone.now()
        ),
        "django_celery_beat.crontabschedule": CrontabSchedule.objects.create(),
        "django_celery_beat.solarschedule": SolarSchedule.objects.create(
            event="sunrise", latitude=31.77, longitude=35.21
        ),
        "django_celery_beat.intervalschedule": interval,
    }
    return world
