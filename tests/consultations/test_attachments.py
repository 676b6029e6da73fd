"""Attachments: one upload path with one set of checks (type from content,
size, count, clean names), private storage, served only to who may see the
request, listed on the status page and the workspace, and deleted with the
request's personal data."""

import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, resolve

from consultations.models import Attachment, Consultation
from consultations.services.attachments import (
    attachments_add,
    clean_file_name,
    detect_content_type,
)
from consultations.services.retention import consultation_anonymize
from tests.consultations.conftest import ConsultationFactory
from tests.factories import request_form_data

pytestmark = pytest.mark.django_db

TOKEN = "status-token-for-attachments-0123456789abcd"
OTHER_TOKEN = "status-token-for-attachments-other-0123456"
STATUS_URL = f"/en/request/status/{TOKEN}/"


def _zip(entries: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _office(main_type: str, part: str) -> bytes:
    return _zip(
        {
            "[Content_Types].xml": f'<Types><Override PartName="/{part}" '
            f'ContentType="application/vnd.openxmlformats-officedocument.'
            f'{main_type}.main+xml"/></Types>',
            part: "<x/>",
        }
    )


PDF = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + b"\x00" * 40
GOOD_FILES = {
    "report.pdf": (PDF, "application/pdf"),
    "letter.docx": (
        _office("wordprocessingml.document", "word/document.xml"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "budget.xlsx": (
        _office("spreadsheetml.sheet", "xl/workbook.xml"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "slides.pptx": (
        _office("presentationml.presentation", "ppt/presentation.xml"),
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    "text.odt": (
        _zip({"mimetype": "application/vnd.oasis.opendocument.text", "c.xml": "x"}),
        "application/vnd.oasis.opendocument.text",
    ),
    "sheet.ods": (
        _zip({"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "c": "x"}),
        "application/vnd.oasis.opendocument.spreadsheet",
    ),
    "map.png": (PNG, "image/png"),
    "photo.jpg": (JPEG, "image/jpeg"),
    "notes.txt": ("שלום, זה קובץ טקסט.\n".encode(), "text/plain"),
}
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 100
PE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100
HOSTILE_FILES = [
    ("tool.pdf", ELF, "is a program"),
    ("setup.pdf", PE, "is a program"),
    ("files.zip", _zip({"a.txt": "x"}), "is an archive"),
    ("page.pdf", b"<!DOCTYPE html><html><script>x</script></html>", "web page"),
    ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>', "web page"),
    ("empty.pdf", b"", "is empty"),
    (
        "macro.docm",
        _zip(
            {
                "[Content_Types].xml": "application/vnd.ms-word.document."
                "macroEnabled.main+xml",
                "word/document.xml": "x",
            }
        ),
        "not a type of file we accept",
    ),
]


@pytest.fixture(autouse=True)
def no_rate_limit(settings):
    settings.RATELIMIT_ENABLE = False


@pytest.fixture
def consultation(catalog):
    return ConsultationFactory(status_token=TOKEN)


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def stored_path(attachment: Attachment) -> Path:
    return Path(settings.ATTACHMENTS_ROOT) / attachment.file.name


# The checks


@pytest.mark.parametrize("name", sorted(GOOD_FILES))
def test_each_accepted_type_is_recognized_from_its_content(name):
    content, content_type = GOOD_FILES[name]

    assert detect_content_type(name="x", content=content) == content_type


@pytest.mark.parametrize(("name", "content", "message"), HOSTILE_FILES)
def test_a_hostile_file_is_refused_whatever_its_name(
    consultation, english, name, content, message
):
    with pytest.raises(Exception) as refusal:
        attachments_add(
            consultation=consultation,
            files=[(name, content)],
            sender=Attachment.Sender.ORGANIZATION,
        )

    assert message in " ".join(refusal.value.messages)
    assert name in " ".join(refusal.value.messages)
    assert not Attachment.objects.exists()


def test_names_lose_path_parts_control_and_bidi_characters():
    assert clean_file_name("../../etc/passwd") == "passwd"
    assert clean_file_name("C:\\Users\\dana\\report.pdf") == "report.pdf"
    # U+202E would show "invoice‮fdp.exe" as "invoiceexe.pdf".
    assert clean_file_name("invoice\u202efdp.exe") == "invoicefdp.exe"
    assert clean_file_name("a\x00b\x1fc.txt") == "abc.txt"
    long_name = clean_file_name("א" * 300 + ".pdf")
    assert len(long_name) == 120
    assert long_name.endswith(".pdf")
    assert clean_file_name("../..") == "file"


def test_a_stored_file_has_a_random_name_and_the_detected_type(consultation):
    (attachment,) = attachments_add(
        consultation=consultation,
        files=[("../../etc/דוח.pdf", PDF)],
        sender=Attachment.Sender.ORGANIZATION,
    )

    assert attachment.name == "דוח.pdf"
    assert "דוח" not in attachment.file.name
    assert "pdf" not in attachment.file.name
    assert attachment.content_type == "application/pdf"
    assert attachment.size == len(PDF)
    assert len(attachment.sha256) == 64
    assert stored_path(attachment).read_bytes() == PDF


# The request form


def test_the_request_form_takes_files_with_the_request(client, catalog):
    data = request_form_data()
    data["attachments"] = [
        upload("report.pdf", PDF),
        upload("map.png", PNG),
    ]

    response = client.post("/en/request/", data)

    assert response.status_code == 302
    consultation = Consultation.objects.get()
    names = sorted(item.name for item in consultation.attachments.all())
    assert names == ["map.png", "report.pdf"]
    assert {item.sender for item in consultation.attachments.all()} == {
        Attachment.Sender.ORGANIZATION
    }


def test_the_request_form_page_is_multipart(client, catalog):
    html = client.get("/en/request/").content.decode()

    assert 'enctype="multipart/form-data"' in html
    assert 'type="file" name="attachments"' in html
    assert "multiple" in html


@pytest.mark.parametrize(("name", "content", "message"), HOSTILE_FILES)
def test_a_refused_file_on_the_request_form_keeps_everything_typed(
    client, catalog, name, content, message
):
    data = request_form_data(goal="מטרה שנשמרת")
    data["attachments"] = [upload("fine.pdf", PDF), upload(name, content)]

    response = client.post("/en/request/", data)

    assert response.status_code == 200
    assert not Consultation.objects.exists()
    assert not Attachment.objects.exists()
    html = response.content.decode()
    assert message in html
    assert "Choose them again before sending." in html
    assert 'value="עמותת שוויון בנגב"' in html
    assert "מטרה שנשמרת" in html


def test_a_file_over_the_limit_and_a_sixth_file_are_refused(client, catalog):
    too_large = upload("big.pdf", PDF + b"0" * (settings.ATTACHMENT_MAX_BYTES))
    data = request_form_data()
    data["attachments"] = [too_large]

    html = client.post("/en/request/", data).content.decode()

    assert "“big.pdf” is larger than 10.0\xa0MB" in html

    data["attachments"] = [upload(f"file{n}.pdf", PDF) for n in range(6)]
    html = client.post("/en/request/", data).content.decode()

    assert "Attach at most 5 files at a time." in html
    assert not Consultation.objects.exists()


def test_a_file_of_exactly_the_limit_is_accepted(consultation):
    content = PDF + b"0" * (settings.ATTACHMENT_MAX_BYTES - len(PDF))

    (attachment,) = attachments_add(
        consultation=consultation,
        files=[("exact.pdf", content)],
        sender=Attachment.Sender.ORGANIZATION,
    )

    assert attachment.size == settings.ATTACHMENT_MAX_BYTES


def test_another_error_on_the_form_says_the_files_must_be_chosen_again(client, catalog):
    data = request_form_data(goal="")
    data["attachments"] = [upload("report.pdf", PDF)]

    response = client.post("/en/request/", data)

    html = response.content.decode()
    assert "Choose them again before sending." in html
    assert not Attachment.objects.exists()


def test_the_refusal_is_in_the_users_language(client, catalog):
    data = request_form_data()
    data["attachments"] = [upload("files.zip", _zip({"a": "b"}))]

    html = client.post("/request/", data).content.decode()

    assert "״files.zip״ הוא קובץ דחוס" in html
    assert "is an archive" not in html


# The status page


def test_the_organization_attaches_files_to_a_message_and_sees_them_listed(
    client, consultation
):
    response = client.post(
        STATUS_URL,
        {"body": "Here is the budget.", "attachments": [upload("תקציב.pdf", PDF)]},
    )

    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.message.body == "Here is the budget."
    html = client.get(STATUS_URL).content.decode()
    assert "<bdi>תקציב.pdf</bdi>" in html
    assert f"/en/request/status/{TOKEN}/files/{attachment.pk}/" in html


def test_a_refused_file_on_the_status_page_keeps_the_message(client, consultation):
    response = client.post(
        STATUS_URL,
        {"body": "Kept message.", "attachments": [upload("x.pdf", ELF)]},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "“x.pdf” is a program." in html
    assert "Kept message." in html
    assert not consultation.messages.exists()


def test_a_file_is_downloaded_through_the_status_link(client, consultation):
    (attachment,) = attachments_add(
        consultation=consultation,
        files=[("דוח שנתי.pdf", PDF)],
        sender=Attachment.Sender.ORGANIZATION,
    )

    response = client.get(f"/en/request/status/{TOKEN}/files/{attachment.pk}/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert "sandbox" in response["Content-Security-Policy"]
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''%D7%93%D7%95%D7%97%20" in disposition


def test_another_requests_token_cannot_open_the_file(client, consultation):
    ConsultationFactory(status_token=OTHER_TOKEN)
    (attachment,) = attachments_add(
        consultation=consultation,
        files=[("a.pdf", PDF)],
        sender=Attachment.Sender.ORGANIZATION,
    )

    assert (
        client.get(
            f"/en/request/status/{OTHER_TOKEN}/files/{attachment.pk}/"
        ).status_code
        == 404
    )
    assert (
        client.get(f"/en/request/status/wrong-token/files/{attachment.pk}/").status_code
        == 404
    )


# The workspace


def _workspace_file_url(attachment):
    return f"/workspace/requests/{attachment.consultation_id}/files/{attachment.pk}/"


def test_the_advisor_attaches_files_to_a_message_and_sees_them_listed(
    client, advisor, consultation
):
    consultation.advisor = advisor
    consultation.status = Consultation.Status.ASSIGNED
    consultation.save()
    client.force_login(advisor)
    url = f"/en/workspace/requests/{consultation.pk}/"

    response = client.post(
        f"{url}messages/",
        {
            "message-body": "The draft is attached.",
            "message-attachments": [upload("draft.docx", GOOD_FILES["letter.docx"][0])],
        },
    )

    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.sender == Attachment.Sender.ADVISOR
    assert attachment.sender_user == advisor
    html = client.get(url).content.decode()
    assert "<bdi>draft.docx</bdi>" in html
    assert 'enctype="multipart/form-data"' in html
    assert client.get(_workspace_file_url(attachment)).status_code == 200
    status_html = client.get(STATUS_URL).content.decode()
    assert "<bdi>draft.docx</bdi>" in status_html


def test_another_advisor_cannot_open_the_file(
    client, advisor, other_advisor, consultation
):
    consultation.advisor = advisor
    consultation.save()
    (attachment,) = attachments_add(
        consultation=consultation,
        files=[("a.pdf", PDF)],
        sender=Attachment.Sender.ORGANIZATION,
    )
    client.force_login(other_advisor)

    assert client.get(_workspace_file_url(attachment)).status_code == 404


def test_a_crisis_requests_file_needs_the_crisis_permission(
    client, catalog, plain_staff, coordinator
):
    consultation = ConsultationFactory(crisis=True)
    (attachment,) = attachments_add(
        consultation=consultation,
        files=[("a.pdf", PDF)],
        sender=Attachment.Sender.ORGANIZATION,
    )

    client.force_login(plain_staff)
    assert client.get(_workspace_file_url(attachment)).status_code == 404
    client.force_login(coordinator)
    assert client.get(_workspace_file_url(attachment)).status_code == 200


def test_a_file_of_another_request_is_not_reached_through_this_one(
    client, coordinator, consultation, catalog
):
    other = ConsultationFactory()
    (attachment,) = attachments_add(
        consultation=other, files=[("a.pdf", PDF)], sender="organization"
    )
    client.force_login(coordinator)

    url = f"/workspace/requests/{consultation.pk}/files/{attachment.pk}/"
    assert client.get(url).status_code == 404


def test_the_admin_lists_the_files_with_links_through_the_serving_view(
    client, coordinator, consultation
):
    (attachment,) = attachments_add(
        consultation=consultation, files=[("a.pdf", PDF)], sender="organization"
    )
    client.force_login(coordinator)

    html = client.get(
        f"/{settings.ADMIN_URL_PATH}consultations/consultation/{consultation.pk}/change/"
    ).content.decode()

    assert _workspace_file_url(attachment) in html
    assert "<bdi>a.pdf</bdi>" in html


# No public way


def test_no_file_is_reachable_by_a_public_url(client, consultation):
    (attachment,) = attachments_add(
        consultation=consultation, files=[("a.pdf", PDF)], sender="organization"
    )
    root = Path(settings.ATTACHMENTS_ROOT).resolve()
    public_roots = [Path(settings.STATIC_ROOT), settings.BASE_DIR / "static"]
    if settings.MEDIA_ROOT:
        public_roots.append(Path(settings.MEDIA_ROOT))

    for public in public_roots:
        assert not root.is_relative_to(public.resolve())
    for path in (
        f"/{attachment.file.name}",
        f"/static/{attachment.file.name}",
        f"/media/{attachment.file.name}",
    ):
        with pytest.raises(Resolver404):
            resolve(path)
        assert client.get(path).status_code == 404


# Files follow the data


def test_anonymization_deletes_the_files_from_storage_and_their_rows(
    consultation, django_capture_on_commit_callbacks
):
    attachments = attachments_add(
        consultation=consultation,
        files=[("a.pdf", PDF), ("b.png", PNG)],
        sender="organization",
    )
    paths = [stored_path(item) for item in attachments]
    assert all(path.exists() for path in paths)

    with django_capture_on_commit_callbacks(execute=True):
        consultation_anonymize(consultation=consultation, reason="asked")

    assert not Attachment.objects.exists()
    assert not any(path.exists() for path in paths)


def test_emails_about_a_message_with_files_never_carry_the_files(
    consultation, advisor, mailoutbox
):
    """The outbox sends links, never files: the organization's email and
    the staff's carry no attachment and none of the file's bytes."""
    from consultations.models import OutboundEmail
    from consultations.services.attachments import (
        message_from_organization_with_files,
        message_to_organization_with_files,
    )
    from consultations.services.outbox import outbound_emails_deliver

    consultation.advisor = advisor
    consultation.status = Consultation.Status.ASSIGNED
    consultation.save()
    secret = b"%PDF-1.7\nSECRET-CONTENT-OF-THE-FILE\n%%EOF\n"
    message_to_organization_with_files(
        consultation=consultation,
        author=advisor,
        body="The draft.",
        files=[("draft.pdf", secret)],
    )
    message_from_organization_with_files(
        consultation=consultation, body="Our reply.", files=[("reply.pdf", secret)]
    )
    assert Attachment.objects.count() == 2

    outbound_emails_deliver(
        email_ids=list(OutboundEmail.objects.values_list("pk", flat=True))
    )

    assert len(mailoutbox) == 2
    for sent in mailoutbox:
        assert sent.attachments == []
        assert b"SECRET-CONTENT-OF-THE-FILE" not in sent.message().as_bytes()


def test_a_refusal_by_the_service_also_says_the_files_must_be_chosen_again(
    client, catalog, monkeypatch
):
    """A form that passed its checks but was refused by the service is shown
    again without the files, and says so."""
    from consultations.services import attachments, intake

    def submit_without_consent(**arguments):
        return intake.consultation_submit(**{**arguments, "consent": False})

    monkeypatch.setattr(attachments, "consultation_submit", submit_without_consent)
    data = request_form_data()
    data["attachments"] = [upload("report.pdf", PDF)]

    html = client.post("/en/request/", data).content.decode()

    assert "Consent to the privacy policy is required." in html
    assert "Choose them again before sending." in html
    assert not Attachment.objects.exists()
