"""Who can reach what: every URL pattern of the project against every role,
with the answer each must get, through Django's test client.

The roles are the columns of ROLES: an anonymous visitor, the requester
(anonymous, but holding the private links of their request and of its
feedback), advisor A (assigned to both requests), another advisor, a
coordinator (staff with the crisis permission), staff without the crisis
permission, and a superuser. Two requests are assigned to advisor A: a
normal one and a crisis one; crisis requests are visible only to staff with
the permission and to their advisor.

Answers: a status code, "L" (a redirect to a sign-in page) or "R" (any other
redirect). A new URL pattern that the matrix does not list fails
test_every_url_pattern_is_in_the_matrix: add its row here, with its rule.
"""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlparse

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

from shatil_portal.health import record_heartbeat
from tests.security_support import (
    ADVISOR,
    ANONYMOUS,
    COORDINATOR,
    CRISIS_STATUS_TOKEN,
    FEEDBACK_TOKEN,
    OTHER_ADVISOR,
    REQUESTER,
    ROLES,
    STAFF,
    STATUS_TOKEN,
    UNKNOWN_TOKEN,
    World,
    build_world,
)

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Case:
    key: str  # the URL pattern: "namespace:name", or its route when unnamed
    expect: str  # one answer per role, in the order of ROLES
    path: Callable[[World, str], str]
    method: str = "get"
    data: dict | None = None
    label: str = ""
    # Changes data when allowed: runs after every other case of the role.
    mutates: bool = False

    def expected(self, role: str) -> str:
        answers = self.expect.split()
        assert len(answers) == len(ROLES), self
        return answers[ROLES.index(role)]


def to(name: str, **kwargs) -> Callable[[World, str], str]:
    """A path from a URL name; keyword values that are callables get the world."""

    def build(world: World, role: str) -> str:
        values = {
            key: value(world) if callable(value) else value
            for key, value in kwargs.items()
        }
        return reverse(name, kwargs=values)

    return build


def normal_pk(world):
    return world.normal.pk


def crisis_pk(world):
    return world.crisis.pk


def token_path(name: str, token: str) -> Callable[[World, str], str]:
    """The requester follows their own link; everyone else can only guess."""

    def build(world: World, role: str) -> str:
        held = token if role == REQUESTER else UNKNOWN_TOKEN
        return reverse(name, kwargs={"token": held})

    return build


EVERYONE_200 = "200 200 200 200 200 200 200"
SIGNED_IN = "L L 200 200 200 200 200"
STAFF_ONLY = "L L 403 403 200 200 200"

# The organization's pages, sign-in and the workspace.
PORTAL_CASES = [
    Case("healthz", EVERYONE_200, to("healthz")),
    Case("healthz_web", EVERYONE_200, to("healthz_web")),
    Case("tracks:home", EVERYONE_200, to("tracks:home")),
    Case(
        "tracks:track_detail",
        EVERYONE_200,
        to("tracks:track_detail", slug="project-consulting"),
    ),
    Case("tracks:accessibility", EVERYONE_200, to("tracks:accessibility")),
    Case("tracks:privacy", EVERYONE_200, to("tracks:privacy")),
    Case("consultations:request_new", EVERYONE_200, to("consultations:request_new")),
    Case(
        "consultations:request_new",
        "200 200 200 200 200 200 200",
        to("consultations:request_new"),
        method="post",
        data={},
        label="empty post: the form with its errors",
    ),
    # Shown only to the browser that just submitted a request.
    Case(
        "consultations:request_received",
        "R R R R R R R",
        to("consultations:request_received"),
    ),
    Case(
        "consultations:request_status",
        "404 200 404 404 404 404 404",
        token_path("consultations:request_status", STATUS_TOKEN),
    ),
    Case(
        "consultations:request_status",
        "404 200 404 404 404 404 404",
        token_path("consultations:request_status", CRISIS_STATUS_TOKEN),
        label="crisis request",
    ),
    Case(
        "consultations:request_withdraw",
        "404 200 404 404 404 404 404",
        token_path("consultations:request_withdraw", STATUS_TOKEN),
    ),
    Case(
        "consultations:request_correct",
        "404 200 404 404 404 404 404",
        token_path("consultations:request_correct", STATUS_TOKEN),
    ),
    Case(
        "consultations:request_download",
        "404 200 404 404 404 404 404",
        token_path("consultations:request_download", STATUS_TOKEN),
    ),
    Case(
        "consultations:request_download",
        "404 200 404 404 404 404 404",
        token_path("consultations:request_download", CRISIS_STATUS_TOKEN),
        label="crisis request",
    ),
    Case(
        "consultations:request_delete",
        "404 200 404 404 404 404 404",
        token_path("consultations:request_delete", STATUS_TOKEN),
    ),
    # Only the token emailed to a coalition member opens it (its own test:
    # tests/consultations/test_own_data.py); a guess finds nothing.
    Case(
        "consultations:coalition_member_remove",
        "404 404 404 404 404 404 404",
        to("consultations:coalition_member_remove", token="guessed-token-0123456789"),
    ),
    Case("consultations:lost_link", EVERYONE_200, to("consultations:lost_link")),
    Case(
        "consultations:feedback",
        "404 200 404 404 404 404 404",
        token_path("consultations:feedback", FEEDBACK_TOKEN),
    ),
    # Signed-in users are sent on to their workspace.
    Case("accounts:login", "200 200 R R R R R", to("accounts:login")),
    # Signing out is a POST (a link cannot sign anybody out).
    Case("accounts:logout", "405 405 405 405 405 405 405", to("accounts:logout")),
    Case("accounts:password_reset", EVERYONE_200, to("accounts:password_reset")),
    Case(
        "accounts:password_reset_done",
        EVERYONE_200,
        to("accounts:password_reset_done"),
    ),
    Case(
        "accounts:password_reset_confirm",
        EVERYONE_200,
        to("accounts:password_reset_confirm", uidb64="MQ", token="bad-token"),
        label="an invalid link says so",
    ),
    Case(
        "accounts:password_reset_complete",
        EVERYONE_200,
        to("accounts:password_reset_complete"),
    ),
    # Two-factor: each signed-in user manages their own. A session that gave
    # no code, for a user who has an authenticator (the coordinator here),
    # signs in again first; enrolling while one exists goes to removal.
    Case("accounts:two_factor", "L L 200 200 L 200 200", to("accounts:two_factor")),
    Case(
        "accounts:two_factor_enroll",
        "L L 200 200 R 200 200",
        to("accounts:two_factor_enroll"),
        mutates=True,
    ),
    Case(
        "accounts:two_factor_remove",
        "L L 405 405 405 405 405",
        to("accounts:two_factor_remove"),
    ),
    # The workspace: advisors reach their own requests, staff every request
    # (crisis ones with the permission); anything else is 404.
    Case("workspace:my_requests", SIGNED_IN, to("workspace:my_requests")),
    Case(
        "workspace:request_detail",
        "L L 200 404 200 200 200",
        to("workspace:request_detail", pk=normal_pk),
    ),
    Case(
        "workspace:request_detail",
        "L L 200 404 200 404 200",
        to("workspace:request_detail", pk=crisis_pk),
        label="crisis request",
    ),
]

# POST-only workspace forms: GET is 405; an empty POST is re-shown with its
# errors (400) to those allowed, and 404 to anyone else.
for _name in ["note_add", "message_send", "meeting_add", "decline", "wait", "complete"]:
    PORTAL_CASES += [
        Case(
            f"workspace:{_name}",
            "L L 405 405 405 405 405",
            to(f"workspace:{_name}", pk=normal_pk),
        ),
        Case(
            f"workspace:{_name}",
            "L L 400 404 400 400 400",
            to(f"workspace:{_name}", pk=normal_pk),
            method="post",
            data={},
        ),
        Case(
            f"workspace:{_name}",
            "L L 400 404 400 404 400",
            to(f"workspace:{_name}", pk=crisis_pk),
            method="post",
            data={},
            label="crisis request",
        ),
    ]


def meeting_path(name: str, crisis: bool = False):
    def build(world: World, role: str) -> str:
        meeting = world.crisis_meeting if crisis else world.normal_meeting
        return reverse(
            name, kwargs={"pk": meeting.consultation_id, "meeting_pk": meeting.pk}
        )

    return build


def _attachment(consultation):
    """The request's one file, stored on first use."""
    from consultations.models import Attachment
    from consultations.services.attachments import attachments_add

    found = Attachment.objects.filter(consultation=consultation).first()
    if found is None:
        (found,) = attachments_add(
            consultation=consultation,
            files=[("report.pdf", b"%PDF-1.7\n%%EOF\n")],
            sender=Attachment.Sender.ORGANIZATION,
        )
    return found


def organization_file_path(token: str, crisis: bool = False):
    """The requester follows their own link to a file of their request."""

    def build(world: World, role: str) -> str:
        attachment = _attachment(world.crisis if crisis else world.normal)
        held = token if role == REQUESTER else UNKNOWN_TOKEN
        return reverse(
            "consultations:attachment", kwargs={"token": held, "pk": attachment.pk}
        )

    return build


def workspace_file_path(crisis: bool = False):
    def build(world: World, role: str) -> str:
        attachment = _attachment(world.crisis if crisis else world.normal)
        return reverse(
            "workspace:attachment",
            kwargs={"pk": attachment.consultation_id, "file_pk": attachment.pk},
        )

    return build


PORTAL_CASES += [
    # Files: through the status link, or the workspace's access rule.
    Case(
        "consultations:attachment",
        "404 200 404 404 404 404 404",
        organization_file_path(STATUS_TOKEN),
    ),
    Case(
        "consultations:attachment",
        "404 200 404 404 404 404 404",
        organization_file_path(CRISIS_STATUS_TOKEN, crisis=True),
        label="crisis request",
    ),
    Case("workspace:attachment", "L L 200 404 200 200 200", workspace_file_path()),
    Case(
        "workspace:attachment",
        "L L 200 404 200 404 200",
        workspace_file_path(crisis=True),
        label="crisis request",
    ),
    # No status chosen: nothing changes, the page says so.
    Case(
        "workspace:status_change",
        "L L 405 405 405 405 405",
        to("workspace:status_change", pk=normal_pk),
    ),
    Case(
        "workspace:status_change",
        "L L R 404 R R R",
        to("workspace:status_change", pk=normal_pk),
        method="post",
        data={},
    ),
    Case(
        "workspace:status_change",
        "L L R 404 R 404 R",
        to("workspace:status_change", pk=crisis_pk),
        method="post",
        data={},
        label="crisis request",
    ),
    Case(
        "workspace:meeting_reschedule",
        "L L 200 404 200 200 200",
        meeting_path("workspace:meeting_reschedule"),
    ),
    Case(
        "workspace:meeting_reschedule",
        "L L 200 404 200 404 200",
        meeting_path("workspace:meeting_reschedule", crisis=True),
        label="crisis request",
    ),
    Case(
        "workspace:meeting_calendar",
        "L L 200 404 200 200 200",
        meeting_path("workspace:meeting_calendar"),
    ),
    Case(
        "workspace:meeting_calendar",
        "L L 200 404 200 404 200",
        meeting_path("workspace:meeting_calendar", crisis=True),
        label="crisis request",
    ),
    Case(
        "workspace:meeting_calendar",
        "L L 405 405 405 405 405",
        meeting_path("workspace:meeting_calendar"),
        method="post",
        data={},
    ),
    Case(
        "workspace:meeting_cancel",
        "L L 200 404 200 200 200",
        meeting_path("workspace:meeting_cancel"),
    ),
    Case(
        "workspace:meeting_cancel",
        "L L 200 404 200 404 200",
        meeting_path("workspace:meeting_cancel", crisis=True),
        label="crisis request",
    ),
    Case(
        "workspace:meeting_cancel",
        "L L R 404 R R R",
        meeting_path("workspace:meeting_cancel"),
        method="post",
        data={},
        mutates=True,
    ),
    Case(
        "workspace:meeting_cancel",
        "L L R 404 R 404 R",
        meeting_path("workspace:meeting_cancel", crisis=True),
        method="post",
        data={},
        label="crisis request",
        mutates=True,
    ),
    # Staff insight: advisors are refused.
    Case("workspace:dashboard", STAFF_ONLY, to("workspace:dashboard")),
    Case(
        "workspace:dashboard_csv",
        STAFF_ONLY,
        to("workspace:dashboard_csv", slug="status"),
    ),
    Case(
        "workspace:dashboard_csv",
        STAFF_ONLY,
        to("workspace:dashboard_csv", slug="crisis"),
        label="crisis figure (only a count without the permission)",
    ),
    Case(
        "workspace:organization_detail",
        STAFF_ONLY,
        to("workspace:organization_detail", pk=lambda w: w.normal.organization_id),
    ),
    Case(
        "workspace:organization_detail",
        STAFF_ONLY,
        to("workspace:organization_detail", pk=lambda w: w.crisis.organization_id),
        label="organization of a crisis request (the request itself is hidden)",
    ),
]


# The work plan (issue 18): the advisor's pages follow the request page's
# rule; the organization's follow its status link.
def plan_step_pk(crisis: bool = False):
    def pk(world):
        key = "consultations.workplan@crisis" if crisis else "consultations.workplan"
        return world.objects[key].steps.get(title="Matrix step").pk

    return pk


def token_step_path(name: str, token: str, crisis: bool = False):
    def build(world: World, role: str) -> str:
        held = token if role == REQUESTER else UNKNOWN_TOKEN
        return reverse(
            name, kwargs={"token": held, "step_pk": plan_step_pk(crisis)(world)}
        )

    return build


PORTAL_CASES += [
    Case(
        "workspace:plan", "L L 200 404 200 200 200", to("workspace:plan", pk=normal_pk)
    ),
    Case(
        "workspace:plan",
        "L L 200 404 200 404 200",
        to("workspace:plan", pk=crisis_pk),
        label="crisis request",
    ),
    Case(
        "workspace:plan_step_edit",
        "L L 200 404 200 200 200",
        to("workspace:plan_step_edit", pk=normal_pk, step_pk=plan_step_pk()),
    ),
    Case(
        "workspace:plan_step_edit",
        "L L 200 404 200 404 200",
        to("workspace:plan_step_edit", pk=crisis_pk, step_pk=plan_step_pk(True)),
        label="crisis request",
    ),
    Case(
        "workspace:plan_step_edit",
        "L L 400 404 400 400 400",
        to("workspace:plan_step_edit", pk=normal_pk, step_pk=plan_step_pk()),
        method="post",
        data={},
    ),
]
# POST-only: an empty post re-shows the page with its errors (400), or
# (start, status, move: buttons) is refused with a message and redirected.
for _name, _answer in [
    ("plan_goal", "400"),
    ("plan_step_add", "400"),
    ("plan_milestone_add", "400"),
    ("plan_turning_point", "400"),
    ("plan_start", "R"),
]:
    PORTAL_CASES += [
        Case(
            f"workspace:{_name}",
            "L L 405 405 405 405 405",
            to(f"workspace:{_name}", pk=normal_pk),
        ),
        Case(
            f"workspace:{_name}",
            f"L L {_answer} 404 {_answer} {_answer} {_answer}",
            to(f"workspace:{_name}", pk=normal_pk),
            method="post",
            data={},
        ),
        Case(
            f"workspace:{_name}",
            f"L L {_answer} 404 {_answer} 404 {_answer}",
            to(f"workspace:{_name}", pk=crisis_pk),
            method="post",
            data={},
            label="crisis request",
        ),
    ]
for _name in ["plan_step_status", "plan_step_move"]:
    PORTAL_CASES += [
        Case(
            f"workspace:{_name}",
            "L L 405 405 405 405 405",
            to(f"workspace:{_name}", pk=normal_pk, step_pk=plan_step_pk()),
        ),
        Case(
            f"workspace:{_name}",
            "L L R 404 R R R",
            to(f"workspace:{_name}", pk=normal_pk, step_pk=plan_step_pk()),
            method="post",
            data={},
        ),
        Case(
            f"workspace:{_name}",
            "L L R 404 R 404 R",
            to(f"workspace:{_name}", pk=crisis_pk, step_pk=plan_step_pk(True)),
            method="post",
            data={},
            label="crisis request",
        ),
    ]
PORTAL_CASES += [
    Case(
        "consultations:status_plan",
        "404 200 404 404 404 404 404",
        token_path("consultations:status_plan", STATUS_TOKEN),
    ),
    Case(
        "consultations:status_plan",
        "404 200 404 404 404 404 404",
        token_path("consultations:status_plan", CRISIS_STATUS_TOKEN),
        label="crisis request",
    ),
    Case(
        "consultations:status_plan_turning_point",
        "405 405 405 405 405 405 405",
        token_path("consultations:status_plan_turning_point", STATUS_TOKEN),
    ),
    Case(
        "consultations:status_plan_turning_point",
        "404 400 404 404 404 404 404",
        token_path("consultations:status_plan_turning_point", STATUS_TOKEN),
        method="post",
        data={},
    ),
    # The advisor's step: the organization's link is refused with a message.
    Case(
        "consultations:status_plan_done",
        "404 R 404 404 404 404 404",
        token_step_path("consultations:status_plan_done", STATUS_TOKEN),
        method="post",
        data={},
    ),
    Case(
        "consultations:status_plan_done",
        "404 R 404 404 404 404 404",
        token_step_path("consultations:status_plan_done", CRISIS_STATUS_TOKEN, True),
        method="post",
        data={},
        label="crisis request",
    ),
    Case(
        "consultations:status_plan_done",
        "405 405 405 405 405 405 405",
        token_step_path("consultations:status_plan_done", STATUS_TOKEN),
    ),
    Case(
        "consultations:status_plan_note",
        "404 400 404 404 404 404 404",
        token_step_path("consultations:status_plan_note", STATUS_TOKEN),
        method="post",
        data={},
    ),
    Case(
        "consultations:status_plan_note",
        "405 405 405 405 405 405 405",
        token_step_path("consultations:status_plan_note", STATUS_TOKEN),
    ),
]


# The checklist of policy tools (issue 18): as the plan. The organization's
# page follows its status link; the advisor's follow the request page's rule.
def tool_pk(world):
    return world.objects["consultations.policytool"].pk


PORTAL_CASES += [
    Case(
        "consultations:status_checklist",
        "404 200 404 404 404 404 404",
        token_path("consultations:status_checklist", STATUS_TOKEN),
    ),
    Case(
        "consultations:status_checklist",
        "404 200 404 404 404 404 404",
        token_path("consultations:status_checklist", CRISIS_STATUS_TOKEN),
        label="crisis request",
    ),
    Case(
        "consultations:status_checklist",
        "404 400 404 404 404 404 404",
        token_path("consultations:status_checklist", STATUS_TOKEN),
        method="post",
        data={},
        label="empty post: the form with its errors",
    ),
    Case(
        "workspace:checklist",
        "L L 200 404 200 200 200",
        to("workspace:checklist", pk=normal_pk),
    ),
    Case(
        "workspace:checklist",
        "L L 200 404 200 404 200",
        to("workspace:checklist", pk=crisis_pk),
        label="crisis request",
    ),
    Case(
        "workspace:checklist_add_step",
        "L L 405 405 405 405 405",
        to("workspace:checklist_add_step", pk=normal_pk, tool_pk=tool_pk),
    ),
    Case(
        "workspace:checklist_add_step",
        "L L R 404 R R R",
        to("workspace:checklist_add_step", pk=normal_pk, tool_pk=tool_pk),
        method="post",
        data={},
        mutates=True,
    ),
    Case(
        "workspace:checklist_add_step",
        "L L R 404 R 404 R",
        to("workspace:checklist_add_step", pk=crisis_pk, tool_pk=tool_pk),
        method="post",
        data={},
        label="crisis request",
        mutates=True,
    ),
]


# The map of the players, milestones' edits and the printable plan (issue
# 18): the same rules as the plan. A refused remove or delete (a stale
# version) redirects with a message and changes nothing.
def plan_object_pk(attribute: str, lookup: dict, crisis: bool = False):
    def pk(world):
        key = "consultations.workplan@crisis" if crisis else "consultations.workplan"
        return getattr(world.objects[key], attribute).get(**lookup).pk

    return pk


def player_pk(crisis: bool = False):
    return plan_object_pk("players", {"name": "Matrix player"}, crisis)


def milestone_pk(crisis: bool = False):
    return plan_object_pk("milestones", {"title": "Matrix milestone"}, crisis)


def token_player_path(name: str, token: str, crisis: bool = False):
    def build(world: World, role: str) -> str:
        held = token if role == REQUESTER else UNKNOWN_TOKEN
        return reverse(
            name, kwargs={"token": held, "player_pk": player_pk(crisis)(world)}
        )

    return build


ADVISOR_PAGE = "L L 200 404 200 200 200"
ADVISOR_CRISIS_PAGE = "L L 200 404 200 404 200"
for _name, _kwargs, _crisis_kwargs, _post, _post_data in [
    ("players", {}, {}, None, None),
    ("plan_print", {}, {}, None, None),
    ("player_add", None, None, "400", {}),
    (
        "player_edit",
        {"player_pk": player_pk()},
        {"player_pk": player_pk(True)},
        "400",
        {},
    ),
    (
        "player_remove",
        None,
        None,
        "R",
        {"version": "stale"},
    ),
    (
        "milestone_edit",
        {"milestone_pk": milestone_pk()},
        {"milestone_pk": milestone_pk(True)},
        "400",
        {},
    ),
    ("milestone_delete", None, None, "R", {"shown": "stale"}),
]:
    _extra = {
        "player_remove": ({"player_pk": player_pk()}, {"player_pk": player_pk(True)}),
        "milestone_delete": (
            {"milestone_pk": milestone_pk()},
            {"milestone_pk": milestone_pk(True)},
        ),
    }.get(_name, ({}, {}))
    _normal = {"pk": normal_pk, **(_kwargs or {}), **_extra[0]}
    _crisis = {"pk": crisis_pk, **(_crisis_kwargs or {}), **_extra[1]}
    if _kwargs is not None:
        PORTAL_CASES += [
            Case(
                f"workspace:{_name}", ADVISOR_PAGE, to(f"workspace:{_name}", **_normal)
            ),
            Case(
                f"workspace:{_name}",
                ADVISOR_CRISIS_PAGE,
                to(f"workspace:{_name}", **_crisis),
                label="crisis request",
            ),
        ]
    else:
        PORTAL_CASES.append(
            Case(
                f"workspace:{_name}",
                "L L 405 405 405 405 405",
                to(f"workspace:{_name}", **_normal),
            )
        )
    if _post is not None:
        PORTAL_CASES += [
            Case(
                f"workspace:{_name}",
                f"L L {_post} 404 {_post} {_post} {_post}",
                to(f"workspace:{_name}", **_normal),
                method="post",
                data=_post_data,
            ),
            Case(
                f"workspace:{_name}",
                f"L L {_post} 404 {_post} 404 {_post}",
                to(f"workspace:{_name}", **_crisis),
                method="post",
                data=_post_data,
                label="crisis request",
            ),
        ]
REQUESTER_ONLY = "404 200 404 404 404 404 404"
for _name in ["status_players", "status_plan_print"]:
    PORTAL_CASES += [
        Case(
            f"consultations:{_name}",
            REQUESTER_ONLY,
            token_path(f"consultations:{_name}", STATUS_TOKEN),
        ),
        Case(
            f"consultations:{_name}",
            REQUESTER_ONLY,
            token_path(f"consultations:{_name}", CRISIS_STATUS_TOKEN),
            label="crisis request",
        ),
    ]
PORTAL_CASES += [
    Case(
        "consultations:status_player_add",
        "405 405 405 405 405 405 405",
        token_path("consultations:status_player_add", STATUS_TOKEN),
    ),
    Case(
        "consultations:status_player_add",
        "404 400 404 404 404 404 404",
        token_path("consultations:status_player_add", STATUS_TOKEN),
        method="post",
        data={},
    ),
    Case(
        "consultations:status_player_edit",
        REQUESTER_ONLY,
        token_player_path("consultations:status_player_edit", STATUS_TOKEN),
    ),
    Case(
        "consultations:status_player_edit",
        REQUESTER_ONLY,
        token_player_path(
            "consultations:status_player_edit", CRISIS_STATUS_TOKEN, True
        ),
        label="crisis request",
    ),
    Case(
        "consultations:status_player_edit",
        "404 400 404 404 404 404 404",
        token_player_path("consultations:status_player_edit", STATUS_TOKEN),
        method="post",
        data={},
    ),
    Case(
        "consultations:status_player_remove",
        "405 405 405 405 405 405 405",
        token_player_path("consultations:status_player_remove", STATUS_TOKEN),
    ),
    Case(
        "consultations:status_player_remove",
        "404 R 404 404 404 404 404",
        token_player_path("consultations:status_player_remove", STATUS_TOKEN),
        method="post",
        data={"version": "stale"},
    ),
]


# The admin. Anyone who is not staff is sent to the admin's sign-in page;
# staff get what their permissions allow.
NOT_STAFF = "L L L L"


def admin_case(key: str, staff: str, path, **kwargs) -> Case:
    return Case(f"admin:{key}", f"{NOT_STAFF} {staff}", path, **kwargs)


def admin_path(name: str, *args) -> Callable[[World, str], str]:
    def build(world: World, role: str) -> str:
        values = [arg(world) if callable(arg) else arg for arg in args]
        return reverse(f"admin:{name}", args=values)

    return build


ADMIN_SITE_CASES = [
    admin_case("index", "200 200 200", admin_path("index")),
    # The sign-in page itself: shown to visitors and to signed-in users who
    # are not staff ("not authorized"); staff go on to the index.
    Case("admin:login", "200 200 200 200 R R R", admin_path("login")),
    # Signing out is a POST; a visitor is sent to the index (then sign-in).
    Case("admin:logout", "R R R R 405 405 405", admin_path("logout")),
    admin_case("password_change", "200 200 200", admin_path("password_change")),
    admin_case(
        "password_change_done", "200 200 200", admin_path("password_change_done")
    ),
    # Without its parameters the autocomplete refuses.
    admin_case("autocomplete", "403 403 403", admin_path("autocomplete")),
    admin_case("jsi18n", "200 200 200", admin_path("jsi18n")),
    admin_case(
        "view_on_site",
        "R R R",
        admin_path(
            "view_on_site",
            lambda w: ContentType.objects.get_for_model(w.objects["tracks.track"]).pk,
            lambda w: w.objects["tracks.track"].pk,
        ),
        label="a track's public page",
    ),
    admin_case(
        "view_on_site",
        "404 404 404",
        admin_path(
            "view_on_site",
            lambda w: ContentType.objects.get_for_model(w.crisis).pk,
            crisis_pk,
        ),
        label="a request has no public page",
    ),
    # Unknown admin pages.
    admin_case(
        "(?P<url>.*)$",
        "404 404 404",
        lambda w, r: reverse("admin:index") + "no-such-page/",
    ),
]

# An app's index: only with a permission on one of its models.
APP_LIST = {
    "auth": "404 404 200",
    "axes": "200 200 200",
    "otp_totp": "404 404 200",
    "otp_static": "404 404 200",
    "tracks": "200 200 200",
    "consultations": "200 200 200",
    "django_celery_beat": "200 200 200",
}
ADMIN_SITE_CASES += [
    admin_case("app_list", staff, admin_path("app_list", label), label=label)
    for label, staff in APP_LIST.items()
]

# Each registered model's pages, for (coordinator, staff, superuser), in the
# order changelist, add, change, delete, history. "-" skips a page (a crisis
# row's own list and add page are the model's). Keys ending in "@crisis" open
# the crisis request's own row.
ADMIN_VIEWS = ["changelist", "add", "change", "delete", "history"]
ADMIN_MODELS = {
    "auth.group": ("403 403 403 403 403", "403 403 403 403 403", "200 200 200 200 200"),
    "auth.user": ("403 403 403 403 403", "403 403 403 403 403", "200 200 200 200 200"),
    # Coordinators unlock a locked-out account by deleting its attempts.
    "axes.accessattempt": (
        "200 403 200 200 200",
        "200 403 200 200 200",
        "200 403 200 200 200",
    ),
    "axes.accesslog": (
        "403 403 403 403 403",
        "403 403 403 403 403",
        "200 403 200 200 200",
    ),
    "axes.accessfailurelog": (
        "403 403 403 403 403",
        "403 403 403 403 403",
        "200 403 200 200 200",
    ),
    # Two-factor devices are enrolled by a superuser.
    "otp_totp.totpdevice": (
        "403 403 403 403 403",
        "403 403 403 403 403",
        "200 200 200 200 200",
    ),
    "otp_static.staticdevice": (
        "403 403 403 403 403",
        "403 403 403 403 403",
        "200 200 200 200 200",
    ),
    "tracks.track": (
        "200 200 200 403 200",
        "200 200 200 403 200",
        "200 200 200 200 200",
    ),
    "tracks.adjacentarea": (
        "200 200 200 403 200",
        "200 200 200 403 200",
        "200 200 200 200 200",
    ),
    # Requests come only from the public form and are never deleted, except
    # by a superuser (spam).
    "consultations.consultation": (
        "200 403 200 403 200",
        "200 403 200 403 200",
        "200 403 200 200 200",
    ),
    # Without the permission a crisis request does not exist ("R": back to
    # the index with a message).
    "consultations.consultation@crisis": (
        "- - 200 403 200",
        "- - R 403 R",
        "- - 200 200 200",
    ),
    "consultations.organization": (
        "200 403 200 403 200",
        "200 403 200 403 200",
        "200 200 200 200 200",
    ),
    "consultations.organizationmerge": (
        "200 403 200 403 200",
        "200 403 200 403 200",
        "200 403 200 403 200",
    ),
    "consultations.advisorprofile": (
        "200 200 200 403 200",
        "200 200 200 403 200",
        "200 200 200 200 200",
    ),
    "consultations.outboundemail": (
        "200 403 200 403 200",
        "200 403 200 403 200",
        "200 403 200 403 200",
    ),
    "consultations.outboundemail@crisis": (
        "- - 200 403 200",
        "- - R 403 R",
        "- - 200 403 200",
    ),
    # Received email: read and decided on (attach, discard), never added or
    # deleted by hand.
    "consultations.inboundmail": (
        "200 403 200 403 200",
        "200 403 200 403 200",
        "200 403 200 403 200",
    ),
    "consultations.inboundmail@crisis": (
        "- - 200 403 200",
        "- - R 403 R",
        "- - 200 403 200",
    ),
    "consultations.accesslogentry": (
        "200 403 200 403 200",
        "200 403 200 403 200",
        "200 403 200 403 200",
    ),
    "consultations.accesslogentry@crisis": (
        "- - 200 403 200",
        "- - R 403 R",
        "- - 200 403 200",
    ),
    "consultations.responsepolicy": (
        "200 200 200 403 200",
        "200 200 200 403 200",
        "200 200 200 200 200",
    ),
    "consultations.followup": (
        "200 403 200 403 200",
        "200 403 200 403 200",
        "200 403 200 403 200",
    ),
    "consultations.followup@crisis": (
        "- - 200 403 200",
        "- - R 403 R",
        "- - 200 403 200",
    ),
    # Staff answer a deletion request (an admin action); nobody adds or
    # deletes one.
    "consultations.deletionrequest": (
        "200 403 200 403 200",
        "200 403 200 403 200",
        "200 403 200 403 200",
    ),
    "consultations.deletionrequest@crisis": (
        "- - 200 403 200",
        "- - R 403 R",
        "- - 200 403 200",
    ),
    "consultations.feedback": (
        "200 403 200 403 200",
        "200 403 200 403 200",
        "200 403 200 403 200",
    ),
    "consultations.feedback@crisis": (
        "- - 200 403 200",
        "- - R 403 R",
        "- - 200 403 200",
    ),
    # Staff edit the tracks' plan templates (never delete one); the
    # request's plan is read-only in the admin (advisors edit it).
    "consultations.plantemplate": (
        "200 200 200 403 200",
        "200 200 200 403 200",
        "200 200 200 200 200",
    ),
    "consultations.workplan": (
        "200 403 200 403 200",
        "200 403 200 403 200",
        "200 403 200 403 200",
    ),
    "consultations.workplan@crisis": (
        "- - 200 403 200",
        "- - R 403 R",
        "- - 200 403 200",
    ),
    # Staff edit the checklist's tools (an answered tool is never deleted);
    # the takings are read-only records.
    "consultations.policytool": (
        "200 200 200 403 200",
        "200 200 200 403 200",
        "200 200 200 403 200",
    ),
    "consultations.checklistassessment": (
        "200 403 200 403 200",
        "200 403 200 403 200",
        "200 403 200 403 200",
    ),
    "consultations.checklistassessment@crisis": (
        "- - 200 403 200",
        "- - R 403 R",
        "- - 200 403 200",
    ),
    "django_celery_beat.periodictask": (
        "200 403 200 403 200",
        "200 403 200 403 200",
        "200 200 200 200 200",
    ),
    "django_celery_beat.clockedschedule": (
        "403 403 403 403 403",
        "403 403 403 403 403",
        "200 200 200 200 200",
    ),
    "django_celery_beat.crontabschedule": (
        "200 403 200 403 200",
        "200 403 200 403 200",
        "200 200 200 200 200",
    ),
    "django_celery_beat.solarschedule": (
        "403 403 403 403 403",
        "403 403 403 403 403",
        "200 200 200 200 200",
    ),
    "django_celery_beat.intervalschedule": (
        "200 403 200 403 200",
        "200 403 200 403 200",
        "200 200 200 200 200",
    ),
}


def _model_url_prefix(label: str) -> str:
    app_label, model_name = label.split("@")[0].split(".")
    return f"{app_label}_{model_name}"


def _admin_model_cases() -> list[Case]:
    cases = []
    for label, answers in ADMIN_MODELS.items():
        prefix = _model_url_prefix(label)
        per_role = [row.split() for row in answers]
        for index, view in enumerate(ADMIN_VIEWS):
            staff = [row[index] for row in per_role]
            if "-" in staff:
                continue
            if view in ("changelist", "add"):
                path = admin_path(f"{prefix}_{view}")
            else:
                path = admin_path(
                    f"{prefix}_{view}", lambda w, label=label: w.objects[label].pk
                )
            cases.append(
                admin_case(f"{prefix}_{view}", " ".join(staff), path, label=label)
            )
        if "@" not in label:
            # /<id>/ alone redirects to the change page, for any staff.
            app_label, model_name = label.split(".")
            cases.append(
                admin_case(
                    f"{app_label}/{model_name}/<path:object_id>/",
                    "R R R",
                    lambda w, r, label=label: reverse(
                        f"admin:{_model_url_prefix(label)}_change",
                        args=[w.objects[label].pk],
                    ).removesuffix("change/"),
                    label=label,
                )
            )
    return cases


# Pages of the admin beyond Django's generic ones.
ADMIN_CUSTOM_CASES = [
    admin_case(
        "auth_user_password_change",
        "403 403 200",
        admin_path("auth_user_password_change", lambda w: w.objects["auth.user"].pk),
    ),
    admin_case(
        "otp_totp_totpdevice_config",
        "403 403 200",
        admin_path(
            "otp_totp_totpdevice_config", lambda w: w.objects["otp_totp.totpdevice"].pk
        ),
    ),
    admin_case(
        "otp_totp_totpdevice_qrcode",
        "403 403 200",
        admin_path(
            "otp_totp_totpdevice_qrcode", lambda w: w.objects["otp_totp.totpdevice"].pk
        ),
    ),
    # The request's triage buttons post here; a GET goes back to the list.
    admin_case(
        "consultations_consultation_assign",
        "R R R",
        admin_path("consultations_consultation_assign", normal_pk),
    ),
    # Assigning the advisor it already has changes nothing and says why.
    admin_case(
        "consultations_consultation_assign",
        "R R R",
        admin_path("consultations_consultation_assign", normal_pk),
        method="post",
        data={"advisor": lambda w: w.users[ADVISOR].pk},
        label="same advisor",
    ),
    admin_case(
        "consultations_consultation_assign",
        "R 404 R",
        admin_path("consultations_consultation_assign", crisis_pk),
        method="post",
        data={"advisor": lambda w: w.users[ADVISOR].pk},
        label="crisis request, same advisor",
    ),
    admin_case(
        "consultations_consultation_assign",
        "404 404 404",
        admin_path("consultations_consultation_assign", normal_pk),
        method="post",
        data={"advisor": "0"},
        label="unknown advisor",
    ),
    admin_case(
        "consultations_consultation_status",
        "R R R",
        admin_path("consultations_consultation_status", normal_pk),
    ),
    admin_case(
        "consultations_consultation_status",
        "R R R",
        admin_path("consultations_consultation_status", normal_pk),
        method="post",
        data={"to_status": ""},
        label="no status chosen",
    ),
    admin_case(
        "consultations_consultation_status",
        "R 404 R",
        admin_path("consultations_consultation_status", crisis_pk),
        method="post",
        data={"to_status": ""},
        label="crisis request",
    ),
    admin_case(
        "consultations_consultation_decline",
        "200 200 200",
        admin_path("consultations_consultation_decline", normal_pk),
    ),
    admin_case(
        "consultations_consultation_decline",
        "200 404 200",
        admin_path("consultations_consultation_decline", crisis_pk),
        label="crisis request",
    ),
    admin_case(
        "consultations_consultation_decline",
        "200 404 200",
        admin_path("consultations_consultation_decline", crisis_pk),
        method="post",
        data={"note": ""},
        label="crisis request, empty note",
    ),
    admin_case(
        "consultations_consultation_wait",
        "200 200 200",
        admin_path("consultations_consultation_wait", normal_pk),
    ),
    admin_case(
        "consultations_consultation_wait",
        "200 404 200",
        admin_path("consultations_consultation_wait", crisis_pk),
        method="post",
        data={"note": ""},
        label="crisis request, empty note",
    ),
    admin_case(
        "consultations_consultation_complete",
        "200 200 200",
        admin_path("consultations_consultation_complete", normal_pk),
    ),
    admin_case(
        "consultations_consultation_complete",
        "400 404 400",
        admin_path("consultations_consultation_complete", crisis_pk),
        method="post",
        data={},
        label="crisis request, no outcome",
    ),
    admin_case(
        "consultations_consultation_export",
        "200 200 200",
        admin_path("consultations_consultation_export"),
    ),
]

# Outside the language prefixes (for load balancers and the benchmark).
UNPREFIXED = {"healthz", "healthz_web", "bench/trivial"}

# Routed only when a setting switches them on.
OPTIONAL_CASES = [
    # The benchmark's trivial view (DJANGO_BENCHMARK_VIEW).
    Case("bench/trivial", EVERYONE_200, lambda w, r: "/bench/trivial"),
]


def all_cases() -> list[Case]:
    return [
        *PORTAL_CASES,
        *ADMIN_SITE_CASES,
        *_admin_model_cases(),
        *ADMIN_CUSTOM_CASES,
    ]


# Walking the URL configuration


def _walk(patterns, namespace: str | None = None, route: str = ""):
    """Yield a key per URL pattern: "namespace:name", or the route inside
    its namespace when the pattern has no name."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner_namespace = namespace
            inner_route = route + str(pattern.pattern)
            if pattern.namespace:
                inner_namespace = (
                    f"{namespace}:{pattern.namespace}"
                    if namespace
                    else pattern.namespace
                )
                inner_route = ""
            yield from _walk(pattern.url_patterns, inner_namespace, inner_route)
        elif isinstance(pattern, URLPattern):
            name = pattern.name or route + str(pattern.pattern)
            yield f"{namespace}:{name}" if namespace else name


def url_pattern_keys() -> set[str]:
    with translation.override("he"):
        return set(_walk(get_resolver().url_patterns))


# Running a case


def _is_sign_in(location: str) -> bool:
    path = urlparse(location).path
    return path.endswith(reverse("accounts:login").lstrip("/")) or path.endswith(
        reverse("admin:login").lstrip("/")
    )


def answer(response) -> str:
    if response.status_code in (301, 302):
        return "L" if _is_sign_in(response["Location"]) else "R"
    return str(response.status_code)


@pytest.fixture
def world(db, settings):
    settings.RATELIMIT_ENABLE = False
    # /healthz is 200 only while the worker's heartbeat is fresh.
    record_heartbeat()
    return build_world()


def client_for(client, world: World, role: str):
    user = world.users.get(role)
    if user is not None:
        client.force_login(user)
    return client


def send(client, world: World, case: Case, path: str):
    if case.method != "post":
        return client.get(path)
    data = {
        key: value(world) if callable(value) else value
        for key, value in (case.data or {}).items()
    }
    return client.post(path, data)


def run(client, world: World, role: str, case: Case) -> tuple[str, str]:
    path = case.path(world, role)
    return path, answer(send(client, world, case, path))


# The tests


def test_every_url_pattern_is_in_the_matrix():
    """Adding a page means adding its row here; a row for a page that no
    longer exists is an error too."""
    found = url_pattern_keys()
    listed = {case.key for case in all_cases()}
    optional = {case.key for case in OPTIONAL_CASES}

    missing = sorted(found - listed - optional)
    stale = sorted(listed - found)
    assert not missing, "URL patterns without a rule in the matrix:\n" + "\n".join(
        missing
    )
    assert not stale, "Matrix rows for URL patterns that do not exist:\n" + "\n".join(
        stale
    )


def test_every_registered_admin_model_is_in_the_matrix():
    registered = {model._meta.label_lower for model in admin.site._registry}
    listed = {label.split("@")[0] for label in ADMIN_MODELS}
    assert registered == listed


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_expected_answer_everywhere(client, world, role):
    """One test per role; every mismatch is listed, not just the first."""
    client = client_for(client, world, role)
    routed = url_pattern_keys()
    cases = all_cases() + [case for case in OPTIONAL_CASES if case.key in routed]
    cases.sort(key=lambda case: case.mutates)
    wrong = []
    for case in cases:
        path, got = run(client, world, role, case)
        expected = case.expected(role)
        if got != expected:
            wrong.append(
                f"{case.method.upper()} {path} [{case.key}] {case.label}: "
                f"expected {expected}, got {got}"
            )
    assert not wrong, f"{role}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("language", ["ar", "en"])
@pytest.mark.parametrize("role", [ANONYMOUS, REQUESTER, OTHER_ADVISOR, STAFF])
def test_language_prefixed_urls_answer_the_same(client, world, role, language):
    """Every page answers alike under /ar/ and /en/ (Hebrew has no prefix)."""
    client = client_for(client, world, role)
    wrong = []
    for case in PORTAL_CASES + ADMIN_SITE_CASES + ADMIN_CUSTOM_CASES:
        if case.mutates or case.key in UNPREFIXED:
            continue
        with translation.override(language):
            path = case.path(world, role)
        assert path.startswith(f"/{language}/"), path
        got, expected = answer(send(client, world, case, path)), case.expected(role)
        if got != expected:
            wrong.append(
                f"{case.method.upper()} {path}: expected {expected}, got {got}"
            )
    assert not wrong, "\n".join(wrong)


# Crisis requests in lists, searches and exports


def _pages_listing_requests(world: World) -> dict[str, str]:
    crisis = world.crisis
    changelist = reverse("admin:consultations_consultation_changelist")
    return {
        "admin list": changelist + "?state=all",
        "admin crisis filter": changelist + "?state=all&is_crisis__exact=1",
        "admin export": reverse("admin:consultations_consultation_export")
        + "?state=all",
        "outbox": reverse("admin:consultations_outboundemail_changelist"),
        "follow-ups": reverse("admin:consultations_followup_changelist"),
        "feedback": reverse("admin:consultations_feedback_changelist"),
        "access log": reverse("admin:consultations_accesslogentry_changelist"),
        "workspace": reverse("workspace:my_requests"),
        "organization page": reverse(
            "workspace:organization_detail", kwargs={"pk": crisis.organization_id}
        ),
        "dashboard": reverse("workspace:dashboard"),
    }


def _content(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def test_staff_without_the_permission_never_see_a_crisis_request_listed(client, world):
    """Lists, searches, filters, exports and the outbox, follow-ups,
    feedback and access log all leave the crisis request out."""
    client.force_login(world.users[STAFF])
    leaks = []
    for page, path in _pages_listing_requests(world).items():
        response = client.get(path)
        assert response.status_code == 200, page
        if world.crisis.reference in _content(response):
            leaks.append(page)
    assert not leaks

    # A search echoes its words, so count the results instead.
    response = client.get(
        reverse("admin:consultations_consultation_changelist"),
        {"state": "all", "q": world.crisis.contact_email},
    )
    assert response.context["cl"].result_count == 0


def test_coordinators_see_the_crisis_request_in_the_admin_list_and_export(
    client, world
):
    client.force_login(world.users[COORDINATOR])
    pages = _pages_listing_requests(world)
    for page in ["admin list", "admin crisis filter", "admin export"]:
        assert world.crisis.reference in _content(client.get(pages[page])), page
    response = client.get(
        reverse("admin:consultations_consultation_changelist"),
        {"state": "all", "q": world.crisis.contact_email},
    )
    assert response.context["cl"].result_count == 1


def test_another_advisor_sees_neither_request_in_their_workspace(client, world):
    client.force_login(world.users[OTHER_ADVISOR])
    content = client.get(reverse("workspace:my_requests")).content.decode()
    assert world.normal.reference not in content
    assert world.crisis.reference not in content


def test_the_assigned_advisor_sees_both_requests_in_their_workspace(client, world):
    client.force_login(world.users[ADVISOR])
    content = client.get(reverse("workspace:my_requests")).content.decode()
    assert world.normal.reference in content
    assert world.crisis.reference in content
