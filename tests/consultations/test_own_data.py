"""The organization's own data and the coalition members' (issue 19, items
15 and 17): a member listed on a request is told and can say "this isn't
us"; from its status link the organization corrects its contact details,
downloads all it gave, and asks for deletion, which staff approve (the
request is anonymized) or refuse with a reason."""

import io
import json
import time
import zipfile

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from consultations.business_time import add_business_days
from consultations.emails import build_message
from consultations.models import (
    Attachment,
    CoalitionMember,
    Consultation,
    DeletionRequest,
    OutboundEmail,
    StatusChange,
)
from consultations.selectors.requester import status_token_hash
from consultations.services.attachments import attachments_add
from consultations.services.data_requests import deletion_request_create
from consultations.services.intake import status_token_new
from consultations.services.notices import coalition_member_notice_draft
from consultations.services.retention import consultation_anonymize
from tests.factories import ConsultationFactory, request_form_data

pytestmark = pytest.mark.django_db

TOKEN = "own-data-token-for-tests-0123456789abcdefghij"
STATUS_URL = f"/en/request/status/{TOKEN}/"
Event = StatusChange.Event


@pytest.fixture(autouse=True)
def no_rate_limit(settings):
    settings.RATELIMIT_ENABLE = False
    settings.STAFF_INBOX_EMAIL = "staff@example.org"


@pytest.fixture
def consultation(catalog):
    return ConsultationFactory(
        status_token=TOKEN,
        contact_name="Dana Levi",
        contact_email="dana@example.org",
        contact_phone="+972523456789",
        preferred_language="en",
        goal="Advance a bylaw on accessible parks.",
    )


def member_with_link(consultation, *, name="Sikkuy", email="s@example.org"):
    token, digest = status_token_new()
    member = CoalitionMember.objects.create(
        consultation=consultation,
        name=name,
        contact_email=email,
        notice_token_hash=digest,
    )
    return member, token


def wait_for(condition, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


# Item 15: coalition members are told, and can say "this isn't us"


@pytest.mark.worker
def test_each_member_with_an_email_is_told_and_can_remove_itself(
    celery_worker, catalog, client
):
    """Through the real form, the real worker and the link in the email."""
    data = request_form_data(
        track="coalition",
        preferred_language="ar",
        **{
            "members-0-name": "Sikkuy",
            "members-0-contact_email": "sikkuy@example.org",
            "members-1-name": "No email association",
        },
    )
    assert client.post("/request/", data).status_code == 302
    wait_for(lambda: any(m.to == ["sikkuy@example.org"] for m in mail.outbox))
    consultation = Consultation.objects.get()
    notice = next(m for m in mail.outbox if m.to == ["sikkuy@example.org"])
    html = notice.alternatives[0][0]
    # In the request's language, naming who listed it and the request.
    assert 'lang="ar"' in html
    assert consultation.reference in notice.body
    assert "עמותת שוויון בנגב" in notice.subject
    assert "Sikkuy" in notice.body
    link = next(
        line for line in notice.body.splitlines() if "/ar/request/member/" in line
    )
    # One notice: the member without an email gets none.
    assert (
        OutboundEmail.objects.filter(kind=OutboundEmail.Kind.COALITION_NOTICE).count()
        == 1
    )
    path = link.split("127.0.0.1:8000", 1)[-1].strip()
    member = CoalitionMember.objects.get(name="Sikkuy")
    token = path.rstrip("/").split("/")[-1]
    assert member.notice_token_hash == status_token_hash(token)

    # GET shows who listed it and asks; nothing changes yet.
    page = client.get(path)
    assert page.status_code == 200
    assert "עמותת שוויון בנגב" in page.content.decode()
    assert CoalitionMember.objects.filter(pk=member.pk).exists()

    mail.outbox.clear()
    assert client.post(path).status_code == 200
    assert not CoalitionMember.objects.filter(pk=member.pk).exists()
    row = consultation.status_changes.get(event=Event.MEMBER_REMOVED)
    assert "Sikkuy" in row.note
    assert (row.from_status, row.to_status) == ("new", "new")
    wait_for(lambda: any(m.to == ["staff@example.org"] for m in mail.outbox))
    staff = next(m for m in mail.outbox if m.to == ["staff@example.org"])
    assert consultation.reference in staff.subject
    assert "Sikkuy" in staff.body
    # The link worked once.
    assert client.get(path).status_code == 404


def test_a_crisis_request_s_notice_says_only_the_reference_and_who_listed_it(
    catalog,
):
    consultation = ConsultationFactory(
        crisis=True, goal="Secret crisis goal", preferred_language="he"
    )
    member, token = member_with_link(consultation)
    draft = coalition_member_notice_draft(
        consultation=consultation, member=member, token=token
    )
    email = OutboundEmail(
        kind=draft.kind,
        to_address=draft.to_address,
        language=draft.language,
        context=draft.context,
        dedup_key=draft.dedup_key,
        created_at=timezone.now(),
    )
    message = build_message(email)
    text = message.body + message.alternatives[0][0]
    assert consultation.reference in text
    assert consultation.organization_as_submitted["name"] in text
    assert "Secret crisis goal" not in text
    assert consultation.track.title_he not in text
    assert set(draft.context) == {
        "reference",
        "member_name",
        "listed_by",
        "retention_months",
        "secret_not_us_url",
    }


def test_a_non_crisis_notice_names_the_track(consultation):
    member, token = member_with_link(consultation)
    draft = coalition_member_notice_draft(
        consultation=consultation, member=member, token=token
    )
    assert draft.context["track_title"] == consultation.track.title_en
    assert draft.language == "en"
    assert f"/en/request/member/{token}/" in draft.context["secret_not_us_url"]


def test_an_unknown_or_anonymized_member_link_does_nothing(client, consultation):
    member, token = member_with_link(consultation)
    unknown = client.get("/en/request/member/not-a-real-token-0123456789/")
    assert unknown.status_code == 404

    consultation_anonymize(consultation=consultation, reason="test")

    member.refresh_from_db()
    assert member.notice_token_hash == ""
    assert member.contact_email == ""
    response = client.post(f"/en/request/member/{token}/")
    assert response.status_code == 404
    assert "no longer works" in response.content.decode()
    assert CoalitionMember.objects.filter(pk=member.pk).exists()


# Item 17 (a): correcting the contact details


def correction(**overrides):
    data = {
        "contact_name": "Dana Levi-Cohen",
        "contact_role": "Director",
        "contact_email": "dana.new@example.org",
        "contact_phone": "052-345-6789",
        "preferred_language": "en",
        "preferred_contact_method": "email",
        "preferred_contact_times": "",
    }
    data.update(overrides)
    return data


def test_the_form_shows_the_current_contact_details(client, consultation):
    html = client.get(f"{STATUS_URL}contact/").content.decode()
    assert 'value="dana@example.org"' in html
    assert 'value="Dana Levi"' in html


def test_a_correction_saves_records_the_fields_not_the_values_and_tells_staff(
    client, consultation, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{STATUS_URL}contact/", correction())

    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.contact_name == "Dana Levi-Cohen"
    assert consultation.contact_email == "dana.new@example.org"
    row = consultation.status_changes.get(event=Event.CONTACT_CORRECTED)
    assert "dana.new@example.org" not in row.note
    assert "Levi-Cohen" not in row.note
    # Field names, in Hebrew (the history's language).
    assert "דוא״ל" in row.note or "email" in row.note
    (staff,) = mail.outbox
    assert staff.to == ["staff@example.org"]
    assert consultation.reference in staff.subject
    assert "dana.new@example.org" not in staff.body
    # The requester's timeline says it, and the status stays.
    page = client.get(STATUS_URL).content.decode()
    assert "You corrected your contact details." in page
    assert "Status: <strong>Request received.</strong>" in " ".join(page.split())


def test_a_correction_is_validated_like_the_request_form(client, consultation):
    response = client.post(
        f"{STATUS_URL}contact/",
        correction(contact_phone="12", contact_email="not-an-email"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter a valid phone number, such as 050-123-4567" in html
    assert "Enter a valid email address." in html
    # What was typed is kept.
    assert 'value="Dana Levi-Cohen"' in html
    consultation.refresh_from_db()
    assert consultation.contact_name == "Dana Levi"

    response = client.post(
        f"{STATUS_URL}contact/",
        correction(contact_phone="", preferred_contact_method="whatsapp"),
    )
    assert "Give a phone number so that we can reach you that way." in (
        response.content.decode()
    )


def test_a_correction_that_changes_nothing_writes_nothing(client, consultation):
    client.post(
        f"{STATUS_URL}contact/",
        correction(
            contact_name="Dana Levi",
            contact_email="dana@example.org",
            contact_phone="+972 52-345-6789",
        ),
    )
    assert not consultation.status_changes.filter(event=Event.CONTACT_CORRECTED)
    assert not OutboundEmail.objects.exists()


# Item 17 (b): downloading all that the organization gave


def test_the_download_is_a_zip_of_the_data_and_the_organization_s_files(
    client, consultation
):
    attachments_add(
        consultation=consultation,
        files=[SimpleUploadedFile("plan.txt", b"our plan\n")],
        sender=Attachment.Sender.ORGANIZATION,
    )
    member_with_link(consultation)

    response = client.get(f"{STATUS_URL}download/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{consultation.reference}-data.zip"'
    )
    assert "no-store" in response["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("data.json"))
    assert data["reference"] == consultation.reference
    assert data["contact"]["email"] == "dana@example.org"
    assert data["contact"]["phone"] == "+972523456789"
    assert data["request"]["goal"] == "Advance a bylaw on accessible parks."
    assert data["coalition_members"] == [
        {"name": "Sikkuy", "contact_email": "s@example.org"}
    ]
    (entry,) = data["files"]
    assert archive.read(entry["path_in_archive"]) == b"our plan\n"


def test_only_the_status_link_downloads(client, consultation):
    response = client.get("/en/request/status/wrong-token-0123456789abcdef/download/")
    assert response.status_code == 404


# Item 17 (c): asking for deletion, approved or refused by staff


def test_a_deletion_request_is_a_staff_task_with_a_deadline(
    client, consultation, eager_celery, django_capture_on_commit_callbacks
):
    page = client.get(f"{STATUS_URL}delete/")
    assert page.status_code == 200
    assert not client.post(f"{STATUS_URL}delete/", {}).status_code == 302

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{STATUS_URL}delete/", {"confirm": "on"})

    assert response.status_code == 302
    deletion = DeletionRequest.objects.get()
    assert deletion.status == DeletionRequest.Status.PENDING
    expected = add_business_days(moment=deletion.created_at, days=20)
    assert abs((deletion.due_at - expected).total_seconds()) < 60
    assert consultation.status_changes.filter(event=Event.DELETION_REQUESTED).exists()
    (staff,) = mail.outbox
    assert staff.to == ["staff@example.org"]
    # A second request while one waits adds nothing.
    client.post(f"{STATUS_URL}delete/", {"confirm": "on"})
    assert DeletionRequest.objects.count() == 1
    page = client.get(STATUS_URL).content.decode()
    assert "You asked for your data to be deleted." in page
    assert f"{STATUS_URL}delete/" not in page


def approve_url():
    return reverse("admin:consultations_deletionrequest_changelist")


def test_staff_approve_after_a_confirmation_and_the_organization_is_told(
    client,
    coordinator,
    consultation,
    eager_celery,
    django_capture_on_commit_callbacks,
):
    deletion = deletion_request_create(consultation=consultation)
    mail.outbox.clear()
    client.force_login(coordinator)
    assert client.get(approve_url() + "?status__exact=pending").status_code == 200
    data = {"action": "approve_selected", ACTION_CHECKBOX_NAME: [deletion.pk]}

    confirm = client.post(approve_url(), data)
    assert confirm.status_code == 200
    assert consultation.reference in confirm.content.decode()
    consultation.refresh_from_db()
    assert consultation.anonymized_at is None

    with django_capture_on_commit_callbacks(execute=True):
        client.post(approve_url(), {**data, "confirm": "1"})

    consultation.refresh_from_db()
    deletion.refresh_from_db()
    assert consultation.anonymized_at is not None
    assert consultation.contact_email == ""
    assert deletion.status == DeletionRequest.Status.APPROVED
    assert deletion.decided_by == coordinator
    (told,) = mail.outbox
    assert told.to == ["dana@example.org"]
    assert consultation.reference in told.subject
    assert client.get(STATUS_URL).status_code == 404


def test_staff_refuse_with_a_reason_the_organization_gets(
    client,
    coordinator,
    consultation,
    eager_celery,
    django_capture_on_commit_callbacks,
):
    # Its staff notice goes out at its commit, as in production.
    with django_capture_on_commit_callbacks(execute=True):
        deletion = deletion_request_create(consultation=consultation)
    mail.outbox.clear()
    client.force_login(coordinator)
    data = {"action": "refuse_selected", ACTION_CHECKBOX_NAME: [deletion.pk]}
    # No reason: the page asks again.
    response = client.post(approve_url(), {**data, "confirm": "1", "reason": ""})
    assert response.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            approve_url(),
            {**data, "confirm": "1", "reason": "The consultation is still running."},
        )

    deletion.refresh_from_db()
    assert deletion.status == DeletionRequest.Status.REFUSED
    consultation.refresh_from_db()
    assert consultation.anonymized_at is None
    (told,) = mail.outbox
    assert told.to == ["dana@example.org"]
    assert "The consultation is still running." in told.body
    page = client.get(STATUS_URL).content.decode()
    assert "Your request to delete your data was refused." in page
    assert "The consultation is still running." in page


def test_staff_without_the_crisis_permission_do_not_see_crisis_deletion_requests(
    client, plain_staff, catalog
):
    from django.contrib.auth.models import Permission

    plain_staff.user_permissions.add(
        *Permission.objects.filter(codename__endswith="deletionrequest")
    )
    crisis = ConsultationFactory(crisis=True)
    deletion_request_create(consultation=crisis)
    client.force_login(plain_staff)
    response = client.get(approve_url())
    assert response.status_code == 200
    assert crisis.reference not in response.content.decode()


def test_anonymization_reaches_refusal_reasons_and_member_links(
    consultation, coordinator
):
    from consultations.services.data_requests import deletion_request_refuse

    member, _token = member_with_link(consultation)
    deletion = deletion_request_create(consultation=consultation)
    deletion_request_refuse(
        deletion=deletion, actor=coordinator, reason="Dana Levi's case is open."
    )

    consultation_anonymize(consultation=consultation, reason="retention")

    deletion.refresh_from_db()
    member.refresh_from_db()
    assert deletion.refusal_reason == ""
    assert (member.contact_email, member.notice_token_hash) == ("", "")
    assert not consultation.status_changes.filter(note__contains="Dana").exists()


def test_anonymizing_a_request_fulfils_its_waiting_deletion_request(consultation):
    """The retention job (or staff's anonymize action) leaves no deletion
    task behind for a request that no longer holds personal data."""
    deletion = deletion_request_create(consultation=consultation)

    consultation_anonymize(consultation=consultation, reason="retention")

    deletion.refresh_from_db()
    assert deletion.status == DeletionRequest.Status.APPROVED
    assert deletion.decided_at is not None


def test_a_deletion_request_s_status_agrees_with_its_hebrew_noun():
    """בקשה (a deletion request) is feminine: its statuses read ממתינה and
    נדחתה, while a received email's same English words stay masculine."""
    from django.utils import translation

    from consultations.models import DeletionRequest, InboundMail

    with translation.override("he"):
        assert str(DeletionRequest.Status.PENDING.label) == "ממתינה לצוות"
        assert str(DeletionRequest.Status.REFUSED.label) == "נדחתה"
        assert str(InboundMail.Status.REFUSED.label) == "נדחה"
