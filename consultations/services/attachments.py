"""Attachments: the one path by which a file joins a request (STYLE.md 43).

Files from the request form, the status page, the workspace and (later)
inbound mail all go through `attachments_add`, so one set of checks holds for
every way in: the number of files, the size, the type detected from the
content (never from the name) and a clean name.

Allowed: PDF, DOCX, XLSX, PPTX, ODT, ODS, PNG, JPEG and plain text. Office
files are ZIP containers: they are recognized by the parts a ZIP lists and,
for OpenDocument, by its `mimetype` entry, read with the standard library
without extracting anything, within bounds. Any other ZIP is an archive and
is refused, as are programs, web pages and SVG images.
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import puremagic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from consultations.models import (
    Attachment,
    ChecklistAssessment,
    Consultation,
    Message,
)
from consultations.services.checklist import ToolAnswer, checklist_take
from consultations.services.intake import consultation_submit
from consultations.services.requester import consultation_message_from_organization
from consultations.services.workspace import consultation_message_organization

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
PNG = "image/png"
JPEG = "image/jpeg"
TEXT = "text/plain"
ALLOWED_TYPES = frozenset({PDF, DOCX, XLSX, PPTX, ODT, ODS, PNG, JPEG, TEXT})

# The main part's content type in [Content_Types].xml; the macro-enabled
# variants (docm, xlsm, pptm) declare other types and are not accepted.
OFFICE_MAIN_PARTS = {
    DOCX: b"application/vnd.openxmlformats-officedocument.wordprocessingml."
    b"document.main+xml",
    XLSX: b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    PPTX: b"application/vnd.openxmlformats-officedocument.presentationml."
    b"presentation.main+xml",
}
OPENDOCUMENT_TYPES = (ODT, ODS)
# Bounds on what is read inside a ZIP: a container with more entries, or a
# listing entry larger than this uncompressed, is not an office file.
ZIP_MAX_ENTRIES = 5000
ZIP_MAX_ENTRY_READ = 256 * 1024

PROGRAM_SIGNATURES = (b"MZ", b"\x7fELF", b"\xfe\xed\xfa", b"\xcf\xfa\xed\xfe", b"#!")
ARCHIVE_SIGNATURES = (
    b"PK\x03\x04",
    b"PK\x05\x06",
    b"Rar!\x1a\x07",
    b"7z\xbc\xaf\x27\x1c",
    b"\x1f\x8b",
    b"BZh",
    b"\xfd7zXZ\x00",
)
MARKUP_MARKERS = (b"<html", b"<!doctype", b"<svg", b"<script", b"<?xml", b"<body")
NAME_MAX_LENGTH = 120
# Characters a text file may hold besides printable ones.
TEXT_CONTROLS = {"\t", "\n", "\r", "\f"}


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed the checks: its clean name, content and type."""

    name: str
    content: bytes
    content_type: str


def clean_file_name(name: str) -> str:
    """The sender's file name without path parts, control and bidi
    characters (U+202E would show "exe.pdf" for "fdp.exe"), limited in
    length with its extension kept; never empty."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        char
        for char in name
        if unicodedata.category(char) not in {"Cc", "Cf", "Cs", "Co", "Cn"}
    )
    name = " ".join(name.split()).strip(" .")
    if len(name) > NAME_MAX_LENGTH:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            name = f"{stem[: NAME_MAX_LENGTH - len(extension) - 1]}.{extension}"
        else:
            name = name[:NAME_MAX_LENGTH]
    return name or "file"


def _zip_type(content: bytes) -> str | None:
    """The office type of a ZIP container; "" for an office file of another
    kind (such as a macro-enabled one); None for any other ZIP (an archive).
    Reads only the listing and two small entries."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
            if len(entries) > ZIP_MAX_ENTRIES:
                return None
            by_name = {entry.filename: entry for entry in entries}

            def read(entry_name: str) -> bytes:
                entry = by_name.get(entry_name)
                if entry is None or entry.file_size > ZIP_MAX_ENTRY_READ:
                    return b""
                return archive.read(entry)

            listing = read("[Content_Types].xml")
            if listing:
                for content_type, main_part in OFFICE_MAIN_PARTS.items():
                    if main_part in listing:
                        return content_type
                return ""
            mimetype = read("mimetype").strip().decode("ascii", "replace")
            if not mimetype:
                return None
            return mimetype if mimetype in OPENDOCUMENT_TYPES else ""
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        return None


def _is_plain_text(content: bytes) -> bool:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return all(
        char in TEXT_CONTROLS or unicodedata.category(char) != "Cc" for char in text
    )


def _looks_like_markup(content: bytes) -> bool:
    start = content[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith(b"<") and any(
        marker in content[:65536].lower() for marker in MARKUP_MARKERS
    )


def _magic_type(content: bytes) -> str:
    """The type puremagic names from the file's signature, or ""."""
    try:
        matches = puremagic.magic_string(content)
    except (puremagic.PureError, ValueError):
        return ""
    return matches[0].mime_type if matches else ""


def detect_content_type(*, name: str, content: bytes) -> str:
    """The allowed type of the content; ValidationError, naming the file,
    for anything else. The name's extension plays no part."""
    office_type = _zip_type(content) if content.startswith(b"PK") else None
    if office_type:
        return office_type
    if content.startswith(PROGRAM_SIGNATURES):
        raise ValidationError(
            _("“%(name)s” is a program. Programs cannot be attached."),
            params={"name": name},
            code="program",
        )
    if office_type is None and content.startswith(ARCHIVE_SIGNATURES):
        raise ValidationError(
            _(
                "“%(name)s” is an archive (such as ZIP). Attach the files "
                "themselves instead."
            ),
            params={"name": name},
            code="archive",
        )
    magic_type = _magic_type(content)
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(b"\xff\xd8\xff") and magic_type == JPEG:
        return JPEG
    if _looks_like_markup(content) or magic_type in {"text/html", "image/svg+xml"}:
        raise ValidationError(
            _(
                "“%(name)s” is a web page or an SVG image, which cannot be "
                "attached. Save it as PDF and attach that."
            ),
            params={"name": name},
            code="markup",
        )
    if _is_plain_text(content):
        return TEXT
    raise ValidationError(
        _(
            "“%(name)s” is not a type of file we accept. Accepted: PDF, Word "
            "(DOCX), Excel (XLSX), PowerPoint (PPTX), OpenDocument text and "
            "spreadsheet, PNG and JPEG images, and plain text."
        ),
        params={"name": name},
        code="type",
    )


def _read(upload) -> bytes:
    """The content of an uploaded file (Django's UploadedFile) or bytes,
    reading at most one byte past the limit."""
    if isinstance(upload, bytes | bytearray):
        return bytes(upload)
    upload.seek(0)
    return upload.read(settings.ATTACHMENT_MAX_BYTES + 1)


def attachment_check(*, name: str, content) -> CheckedFile:
    """Every check on one file: not empty, within ATTACHMENT_MAX_BYTES, of
    an allowed type detected from the content. The message names the file
    as the sender called it (cleaned)."""
    name = clean_file_name(name)
    data = _read(content)
    if not data:
        raise ValidationError(
            _("“%(name)s” is empty."), params={"name": name}, code="empty"
        )
    if len(data) > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            _("“%(name)s” is larger than %(limit)s, the most a file may be."),
            params={
                "name": name,
                "limit": filesizeformat(settings.ATTACHMENT_MAX_BYTES),
            },
            code="too_large",
        )
    content_type = detect_content_type(name=name, content=data)
    return CheckedFile(name=name, content=data, content_type=content_type)


def attachments_check(files: Iterable) -> list[CheckedFile]:
    """The checks on one submission's files (uploaded files, or (name,
    content) pairs): at most ATTACHMENT_MAX_FILES, each checked; every
    refusal is reported at once."""
    pairs = [item if isinstance(item, tuple) else (item.name, item) for item in files]
    if len(pairs) > settings.ATTACHMENT_MAX_FILES:
        raise ValidationError(
            _("Attach at most %(count)s files at a time."),
            params={"count": settings.ATTACHMENT_MAX_FILES},
            code="too_many",
        )
    checked, errors = [], []
    for name, content in pairs:
        try:
            checked.append(attachment_check(name=name, content=content))
        except ValidationError as error:
            errors.append(error)
    if errors:
        raise ValidationError(errors)
    return checked


def sender_for(*, user, consultation: Consultation) -> str:
    if user is None:
        return Attachment.Sender.ORGANIZATION
    if consultation.advisor_id == user.pk:
        return Attachment.Sender.ADVISOR
    return Attachment.Sender.STAFF


@transaction.atomic
def attachments_add(
    *,
    consultation: Consultation,
    files: Iterable,
    sender: str,
    sender_user=None,
    message: Message | None = None,
) -> list[Attachment]:
    """Check one submission's files and store them on the request (and the
    message they came with). Refuses them all if one is refused.

    If the transaction rolls back after the files were written, they are
    removed again, so the storage holds no file without its row.
    """
    if consultation.anonymized_at is not None:
        raise ValidationError(_("This request is no longer available."))
    checked = attachments_check(files)
    created = []
    try:
        for item in checked:
            attachment = Attachment(
                consultation=consultation,
                message=message,
                sender=sender,
                sender_user=sender_user,
                name=item.name,
                size=len(item.content),
                content_type=item.content_type,
                sha256=hashlib.sha256(item.content).hexdigest(),
            )
            attachment.file.save("upload", ContentFile(item.content), save=False)
            created.append(attachment)
            attachment.save()
    except BaseException:
        _delete_stored([attachment.file.name for attachment in created])
        raise
    return created


def _delete_stored(names: Iterable[str]) -> None:
    storage = Attachment._meta.get_field("file").storage
    for name in names:
        if name:
            storage.delete(name)


def attachments_delete_for(*, consultation: Consultation) -> int:
    """Delete a request's files: the rows now, the stored files once the
    transaction commits (a rollback keeps both)."""
    rows = Attachment.objects.filter(consultation=consultation)
    names = list(rows.values_list("file", flat=True))
    count = len(names)
    rows.delete()
    transaction.on_commit(lambda: _delete_stored(names))
    return count


def consultation_submit_with_files(
    *,
    files: Iterable = (),
    checklist_answers: Sequence[ToolAnswer] = (),
    **arguments,
):
    """The request form's submission with its files and, when the
    organization filled in the optional checklist, its first taking, in one
    transaction (the submission's own: the response policies are read before
    it opens, from the cache). A repeat of a submission already received
    (same key) adds nothing."""
    files = list(files)
    checklist_answers = list(checklist_answers)

    def add_files_and_checklist(consultation: Consultation) -> None:
        if checklist_answers:
            checklist_take(
                consultation=consultation,
                answers=checklist_answers,
                source=ChecklistAssessment.Source.REQUEST_FORM,
            )
        if files:
            attachments_add(
                consultation=consultation,
                files=files,
                sender=Attachment.Sender.ORGANIZATION,
            )

    return consultation_submit(
        **arguments,
        also=add_files_and_checklist if files or checklist_answers else None,
    )


@transaction.atomic
def message_from_organization_with_files(
    *, consultation: Consultation, body: str, files: Iterable = ()
) -> Message:
    """The status page's message with its files."""
    message = consultation_message_from_organization(
        consultation=consultation, body=body
    )
    if files:
        attachments_add(
            consultation=consultation,
            files=files,
            sender=Attachment.Sender.ORGANIZATION,
            message=message,
        )
    return message


@transaction.atomic
def message_to_organization_with_files(
    *, consultation: Consultation, author, body: str, files: Iterable = ()
) -> Message:
    """The workspace's message to the organization with its files (the
    message service checks that the author may work on the request)."""
    message = consultation_message_organization(
        consultation=consultation, author=author, body=body
    )
    if files:
        attachments_add(
            consultation=consultation,
            files=files,
            sender=sender_for(user=author, consultation=consultation),
            sender_user=author,
            message=message,
        )
    return message
