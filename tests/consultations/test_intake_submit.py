"""consultation_submit: one transaction saves the organization, the request
with its reference and response clock, its first history row and its outbox
rows; emails leave only after commit."""

import hashlib
import re
import threading
import uuid
from datetime import UTC, datetime

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from phonenumber_field.formfields import PhoneNumberField

from consultations.models import (
    Consultation,
    Organization,
    OutboundEmail,
    StatusChange,
)
from consultations.selectors.followups import first_response_due_at
from consultations.selectors.requester import consultation_get_by_status_token
from consultations.services.intake import (
    CoalitionMemberDetails,
    ContactDetails,
    OrganizationDetails,
    consultation_submit,
    reference_counter_last,
    reference_counter_set,
)
from tests.factories import OrganizationFactory, catalog_track
from tracks.models import AdjacentArea, TrackFormat

pytestmark = pytest.mark.django_db

REFERENCE = re.compile(r"SH-\d{4}-\d{5}")


def submit(**overrides):
    """Submit a plain request; keyword arguments replace the service's."""
    arguments = {
        "submission_key": uuid.uuid4(),
        "organization": OrganizationDetails(
            name="עמותת שוויון בנגב",
            kind=Organization.Kind.NONPROFIT,
            registration_number="580045672",
            region="south",
            locality="באר שבע",
        ),
        "contact": ContactDetails(
            name="Dana Levi", email="dana@example.org", preferred_language="he"
        ),
        "track": catalog_track("project-consulting"),
        "goal": "לקדם הסעות ציבוריות לבתי הספר.",
        "consent": True,
    }
    arguments.update(overrides)
    return consultation_submit(**arguments)


@pytest.fixture
def eager_delivery():
    """Outbox tasks run in-process, so mail.outbox shows what was sent."""
    from shatil_portal.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


def test_a_submission_saves_a_new_request_with_its_reference(catalog):
    with time_machine.travel(datetime(2026, 12, 1, 8, 0, tzinfo=UTC), tick=False):
        consultation, token = submit()

    consultation.refresh_from_db()
    assert REFERENCE.fullmatch(consultation.reference)
    assert consultation.reference.startswith("SH-2026-")
    assert consultation.status == Consultation.Status.NEW
    assert consultation.urgency == Consultation.Urgency.NORMAL
    assert not consultation.is_crisis
    assert consultation.privacy_policy_version == settings.PRIVACY_POLICY_VERSION
    assert consultation.consent_given_at == consultation.submitted_at
    assert consultation.first_response_due_at == first_response_due_at(
        submitted_at=consultation.submitted_at, is_urgent=False
    )
    assert consultation.organization_as_submitted["name"] == "עמותת שוויון בנגב"


def test_phones_are_stored_in_e164_including_new_mobile_ranges(catalog):
    """050-1xx is not in the phonenumbers metadata yet; the portal takes it."""
    for typed, e164 in [
        ("050-123-4567", "+972501234567"),
        ("02-6234567", "+97226234567"),
    ]:
        phone = PhoneNumberField(region="IL").to_python(typed)
        consultation, _ = submit(
            contact=ContactDetails(name="Dana", email="d@example.org", phone=phone)
        )
        consultation.refresh_from_db()
        assert str(consultation.contact_phone) == e164


def test_an_impossible_phone_is_refused_by_the_service(catalog):
    phone = PhoneNumberField(region="IL").to_python("12345")
    with pytest.raises(ValidationError):
        submit(contact=ContactDetails(name="Dana", email="d@example.org", phone=phone))


def test_references_count_up_within_the_year(catalog):
    first, _ = submit()
    second, _ = submit()

    first_number = int(first.reference.rsplit("-", 1)[1])
    assert second.reference.endswith(f"-{first_number + 1:05d}")


def test_a_reference_has_at_least_five_digits_and_grows_past_them(catalog):
    with time_machine.travel(datetime(2029, 3, 1, 9, 0, tzinfo=UTC), tick=False):
        reference_counter_set(year=2029, last_number=99_998)
        last_of_five, _ = submit()
        first_of_six, _ = submit()

    assert last_of_five.reference == "SH-2029-99999"
    assert first_of_six.reference == "SH-2029-100000"
    # What the emails say is what was stored.
    assert (
        OutboundEmail.objects.filter(
            consultation=first_of_six, context__reference="SH-2029-100000"
        ).count()
        == 2
    )


def test_references_restart_each_israeli_year(catalog):
    # 31 December 23:30 UTC is already 1 January in Israel.
    with time_machine.travel(datetime(2027, 12, 31, 23, 30, tzinfo=UTC), tick=False):
        consultation, _ = submit()

    assert consultation.reference == "SH-2028-00001"
    assert reference_counter_last(year=2028) == 1


def test_the_status_token_is_returned_once_and_only_its_hash_is_stored(catalog):
    consultation, token = submit()

    assert len(token) >= 43
    assert consultation.status_token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert consultation_get_by_status_token(token=token) == consultation


def test_the_first_history_row_records_the_new_request(catalog):
    consultation, _ = submit()

    change = StatusChange.objects.get(consultation=consultation)
    assert (change.from_status, change.to_status) == ("", "new")
    assert change.actor is None


def test_a_known_registration_number_reuses_the_organization_unedited(catalog):
    existing = OrganizationFactory(
        name="Shivyon", registration_number="580045672", region="north"
    )

    consultation, _ = submit()

    assert consultation.organization == existing
    existing.refresh_from_db()
    assert existing.name == "Shivyon"
    assert existing.region == "north"
    assert consultation.organization_as_submitted["name"] == "עמותת שוויון בנגב"
    assert consultation.organization_as_submitted["region"] == "south"
    assert Organization.objects.count() == 1


def test_organizations_without_a_number_are_never_merged(catalog):
    details = OrganizationDetails(name="Grassroots", kind="grassroots", region="north")
    first, _ = submit(organization=details)
    second, _ = submit(organization=details)

    assert first.organization != second.organization


def test_the_crisis_track_makes_the_request_urgent_with_a_one_day_clock(catalog):
    with time_machine.travel(datetime(2026, 12, 1, 8, 0, tzinfo=UTC), tick=False):
        consultation, _ = submit(track=catalog_track("crisis"), urgency="normal")

    assert consultation.is_crisis
    assert consultation.urgency == Consultation.Urgency.URGENT
    assert consultation.first_response_due_at == first_response_due_at(
        submitted_at=consultation.submitted_at, is_urgent=True
    )


def test_format_adjacent_areas_and_coalition_members_are_saved(catalog):
    track_format = TrackFormat.objects.get(
        track__slug="local-government", slug="project-consulting"
    )
    areas = list(AdjacentArea.objects.filter(slug__in=["media", "protest"]))
    consultation, _ = submit(
        track=catalog_track("local-government"),
        track_format=track_format,
        adjacent_areas=areas,
    )
    assert consultation.track_format == track_format
    assert set(consultation.adjacent_areas.all()) == set(areas)

    coalition, _ = submit(
        track=catalog_track("coalition"),
        coalition_members=[
            CoalitionMemberDetails(name="Sikkuy", contact_email="s@example.org")
        ],
    )
    assert list(coalition.coalition_members.values_list("name", "contact_email")) == [
        ("Sikkuy", "s@example.org")
    ]


def test_the_service_checks_what_the_form_checks(catalog):
    """Consent, a format of the chosen track, and coalition members."""
    with pytest.raises(ValidationError):
        submit(consent=False)
    with pytest.raises(ValidationError):
        submit(track_format=TrackFormat.objects.first())
    with pytest.raises(ValidationError):
        submit(track=catalog_track("coalition"))
    assert not Consultation.objects.exists()


def test_a_repeated_submission_key_creates_nothing_and_returns_the_request(catalog):
    key = uuid.uuid4()
    first, token = submit(submission_key=key)

    again, second_token = submit(submission_key=key)

    assert again == first
    assert second_token == ""
    assert Consultation.objects.count() == 1
    assert OutboundEmail.objects.count() == 2


def test_outbox_rows_are_written_in_the_same_transaction(catalog, settings):
    settings.STAFF_INBOX_EMAIL = "staff@example.org"
    with transaction.atomic():
        consultation, _ = submit()
        rows = {row.kind: row for row in OutboundEmail.objects.all()}
        assert set(rows) == {"confirmation", "staff_new_request"}
        transaction.set_rollback(True)

    assert not OutboundEmail.objects.exists()
    assert not Consultation.objects.exists()


def test_the_outbox_rows_carry_their_recipient_language_and_context(catalog, settings):
    settings.STAFF_INBOX_EMAIL = "staff@example.org"
    consultation, token = submit(
        contact=ContactDetails(
            name="Lina Haddad", email="lina@example.org", preferred_language="ar"
        )
    )

    confirmation = OutboundEmail.objects.get(kind="confirmation")
    assert confirmation.dedup_key == f"confirmation:{consultation.pk}"
    assert confirmation.to_address == "lina@example.org"
    assert confirmation.reply_to == "staff@example.org"
    assert confirmation.language == "ar"
    assert confirmation.status == OutboundEmail.Status.PENDING
    assert confirmation.context["reference"] == consultation.reference
    assert confirmation.context["track_title"] == (
        catalog_track("project-consulting").title_ar
    )
    assert confirmation.context["secret_status_url"] == (
        f"http://testserver/ar/request/status/{token}/"
    )

    staff = OutboundEmail.objects.get(kind="staff_new_request")
    assert staff.to_address == "staff@example.org"
    assert staff.dedup_key == f"staff_new_request:{consultation.pk}"
    assert staff.context["organization_name"] == "עמותת שוויון בנגב"


def test_crisis_notifications_to_staff_carry_only_the_reference_and_link(catalog):
    consultation, _ = submit(track=catalog_track("crisis"))

    staff = OutboundEmail.objects.get(kind="staff_new_request")
    assert "organization_name" not in staff.context
    assert "track_title" not in staff.context
    assert staff.context["reference"] == consultation.reference
    assert staff.context["staff_url"].startswith("http://testserver/")


def test_emails_leave_only_after_commit_rendered_in_the_contact_language(
    catalog, settings, eager_delivery, django_capture_on_commit_callbacks
):
    settings.STAFF_INBOX_EMAIL = "staff@example.org"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        consultation, token = submit(
            contact=ContactDetails(
                name="Lina <b>Haddad</b>",
                email="lina@example.org",
                preferred_language="ar",
            )
        )
    # One delivery task for both emails, asked for once the request commits.
    assert len(callbacks) == 1
    assert mail.outbox == []

    for callback in callbacks:
        callback()

    confirmation, staff = sorted(
        mail.outbox, key=lambda m: m.to != ["lina@example.org"]
    )
    assert confirmation.to == ["lina@example.org"]
    assert confirmation.reply_to == ["staff@example.org"]
    assert consultation.reference in confirmation.subject
    assert "\n" not in confirmation.subject
    assert f"/ar/request/status/{token}/" in confirmation.body
    assert "Lina <b>Haddad</b>" in confirmation.body
    html, mimetype = confirmation.alternatives[0]
    assert mimetype == "text/html"
    assert 'dir="rtl"' in html and 'lang="ar"' in html
    assert "Lina &lt;b&gt;Haddad&lt;/b&gt;" in html
    assert staff.to == ["staff@example.org"]
    assert consultation.reference in staff.subject

    row = OutboundEmail.objects.get(kind="confirmation")
    assert row.status == OutboundEmail.Status.SENT
    assert "secret_status_url" not in row.context


def test_english_confirmation_is_left_to_right(
    catalog, eager_delivery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submit(
            contact=ContactDetails(
                name="Dana", email="dana@example.org", preferred_language="en"
            )
        )

    confirmation = next(m for m in mail.outbox if m.to == ["dana@example.org"])
    assert confirmation.subject.startswith("Your consultation request SH-")
    assert "within 3 business days" in confirmation.body
    assert 'dir="ltr"' in confirmation.alternatives[0][0]


def test_a_crisis_request_is_marked_urgent_in_the_staff_subject(
    catalog, settings, eager_delivery, django_capture_on_commit_callbacks
):
    settings.STAFF_INBOX_EMAIL = "staff@example.org"
    with django_capture_on_commit_callbacks(execute=True):
        consultation, _ = submit(track=catalog_track("crisis"))

    staff = next(m for m in mail.outbox if m.to == ["staff@example.org"])
    assert staff.subject.startswith("[")
    assert consultation.reference in staff.subject
    assert "עמותת שוויון" not in staff.subject
    assert "עמותת שוויון" not in staff.body
    assert "לקדם הסעות" not in staff.alternatives[0][0]


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_get_unique_consecutive_references(catalog):
    """Threads with their own PostgreSQL connections submit at once; the
    year's sequence gives each its own number, none lost when all commit."""
    assert connection.vendor == "postgresql"
    count = 8
    barrier = threading.Barrier(count)
    references, errors = [], []

    def worker(index):
        try:
            barrier.wait(timeout=10)
            consultation, _ = submit(
                organization=OrganizationDetails(
                    name=f"Org {index}", kind="grassroots", region="north"
                )
            )
            references.append(consultation.reference)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    numbers = sorted(int(reference.rsplit("-", 1)[1]) for reference in references)
    assert len(set(references)) == count
    assert numbers == list(range(numbers[0], numbers[0] + count))


@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_of_one_key_and_one_new_organization_create_one_each(
    catalog,
):
    """A double-click that reaches two workers at once creates one request;
    two first requests of one organization create one organization."""
    key = uuid.uuid4()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            barrier.wait(timeout=10)
            results.append(submit(submission_key=key)[0].pk)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert len(set(results)) == 1
    assert Consultation.objects.count() == 1
    assert Organization.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_submission_does_not_wait_for_another_still_open(catalog):
    """No lock serializes submissions (DECISIONS.md): while one submission
    has taken its reference and its transaction is still open, a second one
    commits, with a reference of its own."""
    assert connection.vendor == "postgresql"
    first_took_its_number = threading.Event()
    second_done = threading.Event()
    results, errors = {}, []

    def first():
        try:
            with transaction.atomic():
                consultation, _ = submit(
                    organization=OrganizationDetails(
                        name="Org A", kind="grassroots", region="north"
                    )
                )
                first_took_its_number.set()
                # Still open, as a slow request would be, until the second
                # submission has committed (or could not).
                results["second_finished_meanwhile"] = second_done.wait(timeout=10)
            results["first"] = consultation.reference
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            first_took_its_number.set()
            connection.close()

    def second():
        try:
            assert first_took_its_number.wait(timeout=10)
            consultation, _ = submit(
                organization=OrganizationDetails(
                    name="Org B", kind="grassroots", region="north"
                )
            )
            results["second"] = consultation.reference
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            second_done.set()
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert results["second_finished_meanwhile"] is True
    assert results["first"] != results["second"]
    assert (
        Consultation.objects.filter(
            reference__in=[results["first"], results["second"]]
        ).count()
        == 2
    )


@pytest.mark.django_db(transaction=True)
def test_each_year_has_its_own_sequence_and_a_rollback_leaves_a_gap(catalog):
    """The year's first request starts after the year's counter; numbers go
    on from the sequence; a submission rolled back keeps its number unused
    (a gap, allowed by DECISIONS.md); the next year starts at 1."""
    assert connection.vendor == "postgresql"
    reference_counter_set(year=2031, last_number=41)
    reference_counter_set(year=2032, last_number=0)
    with time_machine.travel(datetime(2031, 5, 1, 9, 0, tzinfo=UTC), tick=False):
        first, _ = submit()
        with pytest.raises(RuntimeError), transaction.atomic():
            submit(submission_key=uuid.uuid4())
            raise RuntimeError("the request failed after its reference was taken")
        after_the_gap, _ = submit(submission_key=uuid.uuid4())
    with time_machine.travel(datetime(2032, 1, 5, 9, 0, tzinfo=UTC), tick=False):
        next_year, _ = submit(submission_key=uuid.uuid4())

    assert first.reference == "SH-2031-00042"
    assert after_the_gap.reference == "SH-2031-00044"
    assert reference_counter_last(year=2031) == 44
    assert next_year.reference == "SH-2032-00001"
    assert Consultation.objects.filter(reference="SH-2031-00043").count() == 0
