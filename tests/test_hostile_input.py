"""Hostile and oversized input on every form and query parameter, through
the test client: whatever is sent, the answer is never a server error,
never an unescaped script, never a template evaluated from input, and no
record changes that the sender may not change.

Hypothesis draws each value from arbitrary text and from a list of classic
attacks (markup, template syntax, SQL, NUL bytes, bidi overrides, huge
strings). Rate limits are off here; their own tests are elsewhere.

There are no uploads anywhere (tests/test_security_hardening.py).
"""

import os
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from consultations.admin.inlines import AddOnlyInline
from consultations.models import (
    CoalitionMember,
    Consultation,
    Feedback,
    InternalNote,
    Meeting,
    Message,
    Organization,
    OutboundEmail,
    StatusChange,
)
from tests.factories import (
    VALID_NONPROFIT_NUMBER,
    OrganizationFactory,
    request_form_data,
)
from tests.security_support import (
    ADVISOR,
    COORDINATOR,
    FEEDBACK_TOKEN,
    OTHER_ADVISOR,
    STAFF,
    STATUS_TOKEN,
    build_world,
)

pytestmark = pytest.mark.django_db

HOSTILE = [
    "<script>alert('xss')</script>",
    "\"><script>alert('xss')</script>",
    "<img src=x onerror=alert('xss')>",
    "<svg onload=alert('xss')>",
    "javascript:alert('xss')",
    "{{ settings.SECRET_KEY }}",
    "{% debug %}",
    "' OR '1'='1' --",
    "'; DROP TABLE consultations_consultation; --",
    "\x00",
    "a\x00b",
    "\u202eevil\u202c",
    "../../../../etc/passwd",
    "%00%0d%0a",
    "\r\nSet-Cookie: injected=1",
    "%",
    "_",
    "\\",
    "שלום <b>עולם</b>",
    "مرحبا",
    "🚀" * 50,
    "9" * 40,
    "-1",
    "2026-02-30",
    "1e309",
    "NaN",
    " ",
    "",
    "x" * 20_000,
]
# What an unescaped HOSTILE value would put in a page.
XSS_MARKERS = ["<script>alert(", "<img src=x", "<svg onload"]

# Bounded for the suite's time budget; raise it for a deeper search, e.g.
# HOSTILE_INPUT_EXAMPLES=500 pytest tests/test_hostile_input.py
EXAMPLES = hypothesis_settings(
    max_examples=int(os.environ.get("HOSTILE_INPUT_EXAMPLES", "30")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def hostile(max_size: int = 200):
    return st.one_of(st.text(max_size=max_size), st.sampled_from(HOSTILE))


def hostile_dict(keys: list[str]):
    return st.dictionaries(st.sampled_from(keys), hostile(), max_size=len(keys))


@pytest.fixture
def world(db, settings):
    settings.RATELIMIT_ENABLE = False
    return build_world()


# What "safe" means


def content_of(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def assert_safe(response, allowed=(200, 302, 400, 404, 405)):
    assert response.status_code in allowed, response.status_code
    content = content_of(response)
    for marker in XSS_MARKERS:
        assert marker not in content, marker
    assert django_settings.SECRET_KEY not in content


TRACKED = [
    Consultation,
    Organization,
    CoalitionMember,
    StatusChange,
    Message,
    InternalNote,
    Meeting,
    Feedback,
    OutboundEmail,
]


def snapshot() -> dict:
    """(model, pk) -> (request it belongs to, every column's value)."""
    rows = {}
    for model in TRACKED:
        names = [field.attname for field in model._meta.concrete_fields]
        for values in model.objects.values_list(*names):
            row = dict(zip(names, values, strict=True))
            if model is Consultation:
                owner = row["id"]
            elif model is Organization:
                owner = None
            else:
                owner = row["consultation_id"]
            rows[(model.__name__, row["id"])] = (owner, values)
    return rows


def assert_changed_only(before: dict, after: dict, *, requests=(), new_ok=False):
    """Rows may change, appear or go only for `requests`; with `new_ok`, a
    new request may appear with its own new rows and organization."""
    existing = {pk for (name, pk) in before if name == "Consultation"}
    for key in before.keys() | after.keys():
        if before.get(key) == after.get(key):
            continue
        owner = (before.get(key) or after.get(key))[0]
        if owner in requests:
            continue
        is_new = key not in before
        assert new_ok and is_new and owner not in existing, (key, "changed")


# The organization's pages


@pytest.fixture
def known_organization(db):
    """A stored organization the public form must never edit."""
    return OrganizationFactory(
        name="Original name", registration_number=VALID_NONPROFIT_NUMBER
    )


FORM_FIELDS = sorted(request_form_data().keys() - {"adjacent_areas"})


@EXAMPLES
@given(
    values=hostile_dict(FORM_FIELDS),
    areas=st.lists(hostile(20), max_size=4),
    members=st.lists(st.tuples(hostile(), hostile()), max_size=3),
)
def test_the_request_form(client, world, known_organization, values, areas, members):
    """At most one new request; stored organizations and other requests
    stay as they were, whatever is posted."""
    data = request_form_data(adjacent_areas=areas, **values)
    for index, (name, email) in enumerate(members):
        data[f"members-{index}-name"] = name
        data[f"members-{index}-contact_email"] = email
    before = snapshot()

    response = client.post(reverse("consultations:request_new"), data)

    assert_safe(response)
    after = snapshot()
    assert_changed_only(before, after, new_ok=True)
    new = {pk for (name, pk) in after.keys() - before.keys() if name == "Consultation"}
    assert len(new) <= 1


@EXAMPLES
@given(track=hostile(), extra=hostile_dict(["page", "next", "lang", "q"]))
def test_the_request_form_query_string(client, world, track, extra):
    response = client.get(
        reverse("consultations:request_new"), {"track": track, **extra}
    )
    assert_safe(response)


@EXAMPLES
@given(values=hostile_dict(["email", "reference"]))
def test_the_lost_link_form(client, world, values):
    before = snapshot()

    response = client.post(reverse("consultations:lost_link"), values)

    assert_safe(response)
    assert_changed_only(before, snapshot())


@EXAMPLES
@given(token=hostile(120))
def test_status_and_feedback_links_with_any_token(client, world, token):
    """A forged token is a 404 (or a 404 for the path itself), never an
    error and never someone's page."""
    before = snapshot()
    quoted = quote(token, safe="") or "x"
    for path in [
        f"/request/status/{quoted}/",
        f"/request/status/{quoted}/withdraw/",
        f"/feedback/{quoted}/",
    ]:
        assert_safe(client.get(path), allowed=(404,))
        assert_safe(client.post(path, {"body": "x", "confirm": "on"}), allowed=(404,))
    assert_changed_only(before, snapshot())


@EXAMPLES
@given(body=hostile(5000))
def test_the_status_page_message(client, world, body):
    """The message reaches this request only."""
    url = reverse("consultations:request_status", kwargs={"token": STATUS_TOKEN})
    before = snapshot()

    response = client.post(url, {"body": body})

    assert_safe(response)
    assert_changed_only(before, snapshot(), requests={world.normal.pk})
    assert_safe(client.get(url))


@EXAMPLES
@given(values=hostile_dict(["reason", "confirm"]))
def test_the_withdraw_form(client, world, values):
    url = reverse("consultations:request_withdraw", kwargs={"token": STATUS_TOKEN})
    before = snapshot()

    response = client.post(url, values)

    assert_safe(response)
    assert_changed_only(before, snapshot(), requests={world.normal.pk})


FEEDBACK_FIELDS = ["satisfaction", "reached_goal", "would_recommend", "comment"]


@EXAMPLES
@given(values=hostile_dict(FEEDBACK_FIELDS))
def test_the_feedback_form(client, world, values):
    feedback = world.objects["consultations.feedback"]
    url = reverse("consultations:feedback", kwargs={"token": FEEDBACK_TOKEN})
    before = snapshot()

    response = client.post(url, values)

    assert_safe(response)
    assert_changed_only(before, snapshot(), requests={feedback.consultation_id})
    assert_safe(client.get(url))


# Sign-in


@EXAMPLES
@given(values=hostile_dict(["username", "password", "next"]))
def test_the_sign_in_forms(client, world, values):
    """Wrong guesses are refused (or locked out: 429), never a crash; a
    `next` never leads off the site."""
    before = snapshot()
    for url in [reverse("accounts:login"), reverse("admin:login")]:
        response = client.post(url, values)
        assert_safe(response, allowed=(200, 302, 400, 429))
        if response.status_code == 302:
            assert response["Location"].startswith("/"), response["Location"]
            assert not response["Location"].startswith("//")
    assert_changed_only(before, snapshot())


@EXAMPLES
@given(email=hostile())
def test_the_password_reset_form(client, world, email):
    response = client.post(reverse("accounts:password_reset"), {"email": email})
    assert_safe(response)


@EXAMPLES
@given(uid=hostile(40), token=hostile(60))
def test_password_reset_links_with_any_value(client, world, uid, token):
    path = (
        f"/accounts/reset/{quote(uid, safe='') or 'x'}/{quote(token, safe='') or 'x'}/"
    )
    assert_safe(client.get(path))


# The workspace


WORKSPACE_POSTS = {
    "note_add": ["note-body"],
    "message_send": ["message-body"],
    "meeting_add": [
        "meeting-date",
        "meeting-time",
        "meeting-duration_minutes",
        "meeting-mode",
        "meeting-location_or_link",
        "meeting-summary",
    ],
    "decline": ["decline-note"],
    "status_change": ["to_status"],
}
STATUS_VALUES = st.one_of(hostile(), st.sampled_from(Consultation.Status.values))


@EXAMPLES
@given(
    view=st.sampled_from(sorted(WORKSPACE_POSTS)),
    data=st.data(),
)
def test_workspace_forms_of_the_assigned_advisor(client, world, view, data):
    """The advisor's posts change their own request and nothing else."""
    values = data.draw(hostile_dict(WORKSPACE_POSTS[view]))
    if view == "status_change":
        values["to_status"] = data.draw(STATUS_VALUES)
    client.force_login(world.users[ADVISOR])
    before = snapshot()

    response = client.post(
        reverse(f"workspace:{view}", kwargs={"pk": world.normal.pk}), values
    )

    assert_safe(response)
    assert_changed_only(before, snapshot(), requests={world.normal.pk})


@EXAMPLES
@given(view=st.sampled_from(sorted(WORKSPACE_POSTS)), data=st.data())
def test_workspace_forms_of_another_advisor_change_nothing(client, world, view, data):
    values = data.draw(hostile_dict(WORKSPACE_POSTS[view]))
    client.force_login(world.users[OTHER_ADVISOR])
    before = snapshot()

    for consultation in [world.normal, world.crisis]:
        response = client.post(
            reverse(f"workspace:{view}", kwargs={"pk": consultation.pk}), values
        )
        assert_safe(response, allowed=(404,))

    assert_changed_only(before, snapshot())


@EXAMPLES
@given(
    values=hostile_dict(["date", "time", "duration_minutes", "location_or_link"]),
)
def test_meeting_reschedule(client, world, values):
    meeting = world.normal_meeting
    url = reverse(
        "workspace:meeting_reschedule",
        kwargs={"pk": meeting.consultation_id, "meeting_pk": meeting.pk},
    )
    client.force_login(world.users[ADVISOR])
    before = snapshot()

    response = client.post(url, values)

    assert_safe(response)
    assert_changed_only(before, snapshot(), requests={world.normal.pk})


@EXAMPLES
@given(values=hostile_dict(["show", "page"]))
def test_the_advisor_list_query_string(client, world, values):
    client.force_login(world.users[ADVISOR])
    assert_safe(client.get(reverse("workspace:my_requests"), values))


DASHBOARD_FILTERS = ["start", "end", "track", "region", "urgency"]


@EXAMPLES
@given(values=hostile_dict(DASHBOARD_FILTERS))
def test_dashboard_filters(client, world, values):
    """The dashboard, its CSV and the organization page take any filter;
    staff without the crisis permission never see the crisis request."""
    client.force_login(world.users[STAFF])
    before = snapshot()
    for url in [
        reverse("workspace:dashboard"),
        reverse("workspace:dashboard_csv", kwargs={"slug": "status"}),
        reverse("workspace:dashboard_csv", kwargs={"slug": "crisis"}),
        reverse(
            "workspace:organization_detail",
            kwargs={"pk": world.crisis.organization_id},
        ),
    ]:
        response = client.get(url, values)
        assert_safe(response)
        assert world.crisis.reference not in content_of(response)
    assert_changed_only(before, snapshot())


# The admin


CHANGELIST_PARAMETERS = [
    "q",
    "state",
    "status__exact",
    "track__id__exact",
    "urgency__exact",
    "is_crisis__exact",
    "advisor",
    "reassign",
    "organization__region__exact",
    "submitted_at__gte",
    "submitted_at__lt",
    "o",
    "p",
    "e",
    "all",
    "_changelist_filters",
    "contact_email__startswith",
]
OTHER_CHANGELISTS = [
    "consultations_organization",
    "consultations_advisorprofile",
    "consultations_outboundemail",
    "consultations_followup",
    "consultations_feedback",
    "consultations_accesslogentry",
    "consultations_organizationmerge",
    "tracks_track",
    "axes_accessattempt",
]


@EXAMPLES
@given(values=hostile_dict(CHANGELIST_PARAMETERS))
def test_admin_request_list_search_and_filters(client, world, values):
    """Any search and filter: a list, a redirect (?e=1) or a 400 for a
    forbidden lookup; the crisis request stays hidden from staff without
    the permission; the export follows the same rules."""
    client.force_login(world.users[STAFF])
    before = snapshot()
    for name in ["changelist", "export"]:
        response = client.get(
            reverse(f"admin:consultations_consultation_{name}"), values
        )
        assert_safe(response)
        if name == "export" or "q" not in values:
            assert world.crisis.reference not in content_of(response)
        elif response.status_code == 200 and "cl" in response.context:
            assert world.crisis not in response.context["cl"].result_list
    # An export is logged; nothing else may change.
    assert_changed_only(before, snapshot())


def test_digit_like_characters_in_admin_filters_and_buttons_are_refused(client, world):
    """Superscripts and other characters that are "digits" to str.isdigit()
    but not numbers to int() are refused or ignored, never a 500."""
    client.force_login(world.users[COORDINATOR])
    for value in ("²", "١٢", "①"):
        response = client.get(
            reverse("admin:consultations_consultation_changelist"),
            {"advisor": value},
        )
        assert_safe(response)
        response = client.post(
            reverse("admin:consultations_consultation_assign", args=[world.normal.pk]),
            {"advisor": value},
        )
        assert_safe(response)


@EXAMPLES
@given(query=hostile(), page=hostile(10), order=hostile(10))
def test_every_other_admin_list_takes_any_search(client, world, query, page, order):
    client.force_login(world.users[COORDINATOR])
    for prefix in OTHER_CHANGELISTS:
        response = client.get(
            reverse(f"admin:{prefix}_changelist"), {"q": query, "p": page, "o": order}
        )
        assert_safe(response)


@EXAMPLES
@given(
    advisor=hostile(),
    to_status=STATUS_VALUES,
    note=hostile(),
)
# Characters that str.isdigit() accepts but int() refuses.
@example(advisor="²", to_status="in_triage", note="")
def test_admin_triage_buttons(client, world, advisor, to_status, note):
    """Assign, status and decline on the normal request by a coordinator
    change that request only; staff without the crisis permission change
    nothing on the crisis request."""
    client.force_login(world.users[COORDINATOR])
    before = snapshot()
    for name, data in [
        ("assign", {"advisor": advisor}),
        ("status", {"to_status": to_status}),
        ("decline", {"note": note}),
    ]:
        response = client.post(
            reverse(f"admin:consultations_consultation_{name}", args=[world.normal.pk]),
            data,
        )
        assert_safe(response)
    assert_changed_only(before, snapshot(), requests={world.normal.pk})

    client.force_login(world.users[STAFF])
    before = snapshot()
    for name, data in [
        ("assign", {"advisor": str(world.users[ADVISOR].pk)}),
        ("status", {"to_status": to_status}),
        ("decline", {"note": note}),
    ]:
        response = client.post(
            reverse(f"admin:consultations_consultation_{name}", args=[world.crisis.pk]),
            data,
        )
        assert_safe(response, allowed=(302, 404))
    assert_changed_only(before, snapshot())


@EXAMPLES
@given(
    body=hostile(),
    action=st.one_of(
        hostile(40),
        st.sampled_from(
            [
                "start_triage",
                "complete",
                "export_selected",
                "assign_suggested_advisor",
                "delete_selected",
            ]
        ),
    ),
)
def test_admin_request_page_and_list_actions(client, world, body, action):
    """The request page's note and message inlines and the list's actions,
    by staff without the crisis permission: the crisis request is never
    touched, even when its id is posted."""
    client.force_login(world.users[STAFF])
    before = snapshot()
    change = reverse("admin:consultations_consultation_change", args=[world.normal.pk])
    page = client.get(change)
    management = {}
    for inline in page.context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        adds = isinstance(inline.opts, AddOnlyInline)
        management[f"{prefix}-TOTAL_FORMS"] = "1" if adds else "0"
        management[f"{prefix}-INITIAL_FORMS"] = "0"
        if adds:
            management[f"{prefix}-0-body"] = body
    assert_safe(client.post(change, management))
    assert_changed_only(before, snapshot(), requests={world.normal.pk})

    before = snapshot()
    response = client.post(
        reverse("admin:consultations_consultation_changelist") + "?state=all",
        {
            "action": action,
            "_selected_action": [world.crisis.pk, world.normal.pk],
            "index": 0,
        },
    )
    assert_safe(response, allowed=(200, 302, 400, 403))
    assert_changed_only(before, snapshot(), requests={world.normal.pk})
    assert Consultation.objects.filter(pk=world.crisis.pk).exists()


# Found by the tests above, kept as plain examples.


@pytest.mark.parametrize(
    "values", [{"submitted_at__gte": ""}, {"track__id__exact": "x"}]
)
def test_an_export_with_a_filter_it_cannot_apply_goes_back_to_the_list(
    client, world, values
):
    """As the list does (?e=1), rather than a server error."""
    client.force_login(world.users[COORDINATOR])

    response = client.get(reverse("admin:consultations_consultation_export"), values)

    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:consultations_consultation_changelist",
        "admin:consultations_outboundemail_changelist",
        "workspace:dashboard",
    ],
)
def test_a_nul_character_in_a_query_parameter_is_a_bad_request(client, world, url_name):
    """PostgreSQL refuses NUL in text; the filter would fail as a 500."""
    client.force_login(world.users[COORDINATOR])

    response = client.get(reverse(url_name), {"status__exact": "new\x00"})

    assert response.status_code == 400
