"""The public request form: each field's rules, consent, formats that belong
to their track, coalition members, and arbitrary input that never raises."""

import uuid

import pytest
from crispy_forms.utils import render_crispy_form
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consultations.forms import (
    HONEYPOT_FIELD,
    ConsultationRequestForm,
    LostLinkForm,
    StatusMessageForm,
    WithdrawForm,
)
from consultations.selectors.requester import request_form_catalog
from tests.factories import request_form_data
from tracks.models import TrackFormat

# Service and form messages are read in English, the language of the msgids.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def form_catalog(catalog):
    return request_form_catalog()


def bound_form(form_catalog, **overrides):
    return ConsultationRequestForm(request_form_data(**overrides), catalog=form_catalog)


def test_a_complete_request_is_valid_and_ready_for_the_service(form_catalog):
    form = bound_form(form_catalog)

    assert form.is_valid(), form.errors
    arguments = form.service_arguments()
    assert arguments["organization"].registration_number == "580045672"
    assert arguments["contact"].phone.as_e164 == "+972501234567"
    assert arguments["track"].slug == "project-consulting"
    assert [area.slug for area in arguments["adjacent_areas"]] == ["media"]
    assert isinstance(arguments["submission_key"], uuid.UUID)
    assert arguments["coalition_members"] == []


@pytest.mark.parametrize(
    "field",
    [
        "organization_name",
        "organization_kind",
        "region",
        "contact_name",
        "contact_email",
        "preferred_language",
        "preferred_contact_method",
        "track",
        "goal",
        "urgency",
    ],
)
def test_required_fields_are_reported_next_to_the_field(form_catalog, field):
    form = bound_form(form_catalog, **{field: ""})

    assert not form.is_valid()
    assert field in form.errors


def test_consent_is_required_with_its_own_message(form_catalog):
    data = request_form_data()
    del data["consent"]
    form = ConsultationRequestForm(data, catalog=form_catalog)

    assert not form.is_valid()
    assert form.errors["consent"] == [
        "Your consent is needed before we can handle the request."
    ]


def test_a_wrong_check_digit_is_reported_on_the_registration_number(form_catalog):
    form = bound_form(form_catalog, registration_number="580045671")

    assert not form.is_valid()
    assert "last digit" in form.errors["registration_number"][0]


def test_a_wrong_check_digit_is_reported_even_before_the_kind_is_chosen(
    form_catalog,
):
    form = bound_form(
        form_catalog, organization_kind="", registration_number="580045671"
    )

    assert not form.is_valid()
    assert "last digit" in form.errors["registration_number"][0]


def test_registration_numbers_are_normalized(form_catalog):
    form = bound_form(form_catalog, registration_number="58-004567-2")

    assert form.is_valid(), form.errors
    assert form.cleaned_data["registration_number"] == "580045672"


def test_a_nonprofit_without_its_number_is_refused(form_catalog):
    form = bound_form(form_catalog, registration_number="")

    assert not form.is_valid()
    assert "registration_number" in form.errors


def test_a_grassroots_group_may_leave_the_number_out(form_catalog):
    form = bound_form(
        form_catalog, organization_kind="grassroots", registration_number=""
    )

    assert form.is_valid(), form.errors


def test_a_public_benefit_company_with_a_nonprofit_number_is_refused(form_catalog):
    form = bound_form(form_catalog, organization_kind="pbc")

    assert not form.is_valid()
    assert "51 or 52" in form.errors["registration_number"][0]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("contact_email", "not-an-email"),
        ("contact_phone", "12345"),
        ("website", "http://"),
        ("region", "atlantis"),
        ("organization_kind", "cartel"),
        ("staff_size", "1000000"),
        ("preferred_language", "fr"),
        ("urgency", "yesterday"),
        ("track", "no-such-track"),
        ("adjacent_areas", ["media", "astrology"]),
        ("track_format", "999999999"),
    ],
)
def test_bad_values_are_refused_on_their_field(form_catalog, field, value):
    form = bound_form(form_catalog, **{field: value})

    assert not form.is_valid()
    assert field in form.errors


@pytest.mark.parametrize(
    ("field", "limit"),
    [
        ("organization_name", 200),
        ("locality", 120),
        ("contact_name", 150),
        ("goal", 4000),
        ("background", 4000),
        ("population_served", 2000),
        ("preferred_contact_times", 200),
    ],
)
def test_every_text_field_has_a_maximum_length(form_catalog, field, limit):
    assert bound_form(form_catalog, **{field: "א" * limit}).is_valid()

    form = bound_form(form_catalog, **{field: "א" * (limit + 1)})
    assert not form.is_valid()
    assert field in form.errors


def test_a_phone_call_needs_a_phone_number(form_catalog):
    form = bound_form(form_catalog, preferred_contact_method="phone", contact_phone="")

    assert not form.is_valid()
    assert "contact_phone" in form.errors


def test_the_website_gets_a_scheme_when_typed_without_one(form_catalog):
    form = bound_form(form_catalog, website="shatil.org.il")

    assert form.is_valid(), form.errors
    assert form.cleaned_data["website"] == "https://shatil.org.il"


def test_a_format_of_the_chosen_track_is_accepted(form_catalog):
    track_format = TrackFormat.objects.get(
        track__slug="local-government", slug="project-consulting"
    )
    form = bound_form(
        form_catalog, track="local-government", track_format=str(track_format.pk)
    )

    assert form.is_valid(), form.errors
    assert form.cleaned_data["track_format"] == track_format


def test_a_format_of_another_track_is_refused(form_catalog):
    track_format = TrackFormat.objects.get(
        track__slug="local-government", slug="project-consulting"
    )
    form = bound_form(
        form_catalog, track="strategic-planning", track_format=str(track_format.pk)
    )

    assert not form.is_valid()
    assert form.errors["track_format"] == [
        "This format does not belong to the chosen track."
    ]


def test_the_format_may_be_left_open(form_catalog):
    assert bound_form(form_catalog, track="local-government").is_valid()


def test_the_crisis_track_is_always_urgent(form_catalog):
    form = bound_form(form_catalog, track="crisis", urgency="normal")

    assert form.is_valid(), form.errors
    assert form.cleaned_data["urgency"] == "urgent"


def test_the_coalition_track_needs_at_least_one_member(form_catalog):
    form = bound_form(form_catalog, track="coalition")

    assert not form.is_valid()
    assert form.coalition_members.non_form_errors() == [
        "List at least one member organization of the coalition."
    ]
    summary = form.error_summary()
    assert summary == [
        {
            "target": "coalition-members",
            "message": "List at least one member organization of the coalition.",
        }
    ]


def test_coalition_members_are_read_from_the_filled_rows(form_catalog):
    form = bound_form(
        form_catalog,
        track="coalition",
        **{
            "members-0-name": "פורום ארגוני הנגב",
            "members-0-contact_email": "forum@example.org",
            "members-2-name": "Sikkuy",
        },
    )

    assert form.is_valid(), form.errors
    members = form.service_arguments()["coalition_members"]
    assert [(m.name, m.contact_email) for m in members] == [
        ("פורום ארגוני הנגב", "forum@example.org"),
        ("Sikkuy", ""),
    ]


def test_a_member_row_with_an_email_needs_its_name(form_catalog):
    form = bound_form(
        form_catalog, track="coalition", **{"members-1-contact_email": "x@example.org"}
    )

    assert not form.is_valid()
    assert form.coalition_members.forms[1].errors["name"]
    assert {"target": "id_members-1-name"}.items() <= form.error_summary()[0].items()


def test_member_rows_are_ignored_on_other_tracks(form_catalog):
    form = bound_form(form_catalog, **{"members-0-contact_email": "not an email"})

    assert form.is_valid(), form.errors
    assert form.service_arguments()["coalition_members"] == []


def test_a_valid_post_on_another_track_never_builds_the_checklist_section(
    form_catalog,
):
    """The section's 36 fields were a fifth of a submission's CPU; only the
    professional development track, or a page drawn again, needs them."""
    form = bound_form(form_catalog)

    assert form.is_valid(), form.errors
    assert form.service_arguments()["checklist_answers"] == []
    assert "checklist" not in form.__dict__


def test_more_members_than_the_limit_are_refused(form_catalog):
    rows = {f"members-{index}-name": f"Org {index}" for index in range(25)}
    form = bound_form(
        form_catalog, track="coalition", **{"members-TOTAL_FORMS": "25"}, **rows
    )

    assert not form.is_valid()


def test_the_error_summary_links_each_error_to_its_control(form_catalog):
    form = bound_form(
        form_catalog, organization_name="", preferred_language="", consent=""
    )

    assert not form.is_valid()
    assert [item["target"] for item in form.error_summary()] == [
        "id_organization_name",
        "id_preferred_language_0",
        "id_consent",
    ]
    assert form.error_summary()[2]["label"] == "Consent"


def test_a_missing_or_tampered_submission_key_gets_a_fresh_one(form_catalog):
    form = bound_form(form_catalog, submission_key="<script>")

    assert form.is_valid(), form.errors
    assert isinstance(form.cleaned_data["submission_key"], uuid.UUID)


def test_the_honeypot_is_detected_but_not_reported(form_catalog):
    form = bound_form(form_catalog, **{HONEYPOT_FIELD: "http://spam.example"})

    assert form.honeypot_filled()
    assert form.is_valid()
    assert not bound_form(form_catalog).honeypot_filled()


def test_the_track_from_the_link_is_preselected(form_catalog):
    form = ConsultationRequestForm(catalog=form_catalog, initial_track="crisis")

    assert form["track"].value() == "crisis"
    assert form["submission_key"].value()


def test_lost_link_message_and_withdraw_forms_limit_their_input():
    assert not LostLinkForm(
        {"email": "a@example.org", "reference": "S" * 31}
    ).is_valid()
    assert not StatusMessageForm({"body": "x" * 4001}).is_valid()
    assert StatusMessageForm({"body": "x" * 4000}).is_valid()
    assert not WithdrawForm({"reason": "changed our minds"}).is_valid()
    assert WithdrawForm({"reason": "", "confirm": "on"}).is_valid()


FIELDS = sorted(request_form_data().keys() - {"adjacent_areas"})


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    values=st.dictionaries(
        st.sampled_from(FIELDS),
        st.one_of(st.text(max_size=300), st.just("<script>alert(1)</script>")),
        max_size=len(FIELDS),
    ),
    areas=st.lists(st.text(max_size=20), max_size=5),
)
def test_arbitrary_text_in_any_field_never_raises(form_catalog, values, areas):
    """Whatever is posted, the form answers valid or invalid, never an error."""
    data = request_form_data(adjacent_areas=areas, **values)
    form = ConsultationRequestForm(data, catalog=form_catalog)

    if form.is_valid():
        form.service_arguments()
    else:
        form.error_summary()
    html = render_crispy_form(form, context={"form": form, "retention_months": 24})
    assert "<script" not in html
