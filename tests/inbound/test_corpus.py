"""The shared corpus of 56 real messages (../shared/mail-corpus, see its
README.md): each one parsed, classified, matched and cut as its manifest
says a person reading it would expect. The corpus is not part of the
project: without it (a clone outside CI) these tests are skipped.
MAIL_CORPUS names another copy."""

import json
import os
import re
import ssl
import uuid
from pathlib import Path

import pytest
from imap_tools import MailBox

from consultations.inbound import (
    NO_TEXT,
    ImapConfig,
    ImapSource,
    MailKind,
    classify,
    extract_reply,
    find_reply_token,
    new_reply_token,
    parse_message,
)
from tests.inbound import dovecot_support as dv

BASE_DIR = Path(__file__).resolve().parents[2]
CORPUS = Path(
    os.environ.get("MAIL_CORPUS") or BASE_DIR.parent / "shared" / "mail-corpus"
)
DOMAIN = "portal.example"

pytestmark = pytest.mark.skipif(
    not (CORPUS / "manifest.json").exists(), reason=f"no mail corpus at {CORPUS}"
)


def manifest() -> list[dict]:
    if not (CORPUS / "manifest.json").exists():
        return []
    return json.loads((CORPUS / "manifest.json").read_text())["messages"]


def addressed(entry: dict, token: str) -> bytes:
    """The message as the portal's mailbox would receive it: sent to a
    request's reply address (the wrapped files carry a TOKEN placeholder;
    a real message gets the Delivered-To line its delivery would add)."""
    if "wrapped_file" in entry:
        return (
            (CORPUS / entry["wrapped_file"])
            .read_bytes()
            .replace(b"TOKEN", token.encode())
        )
    raw = (CORPUS / entry["file"]).read_bytes()
    if raw.startswith(b"From "):  # an mbox separator line
        raw = raw.split(b"\n", 1)[1]
    delivered = f"Delivered-To: reply+{token}@{DOMAIN}\r\n".encode()
    return delivered + raw.lstrip(b"\r\n")


def outcome(raw: bytes):
    """What the next slice's intake will do: store a person's reply to a
    known reply address that says something (text or a file), else hold it
    for staff."""
    message = parse_message(raw)
    kind = classify(message).kind
    reply = extract_reply(message.body)
    stored = (
        kind is MailKind.REPLY
        and bool(message.from_address)
        and find_reply_token(message, DOMAIN) is not None
        and (reply is not NO_TEXT or bool(message.attachments))
    )
    return message, kind, ("" if reply is NO_TEXT else reply), stored


EXPECTED_KIND = {
    "reply": MailKind.REPLY,
    "forward": MailKind.REPLY,
    "bounce": MailKind.BOUNCE,
    "auto_reply": MailKind.AUTO_REPLY,
}
# The two "other" machine messages, by what they are.
EXPECTED_KIND_OF_FILE = {
    "real/flanker/disposition-notification.eml": MailKind.READ_RECEIPT,
    "real/discourse/auto_generated_precedence.eml": MailKind.AUTO_REPLY,
}


def expected_storage(disposition: str) -> set[bool]:
    if disposition.startswith("store_or_quarantine"):
        return {True, False}
    if disposition.startswith("quarantine"):
        return {False}
    return {True}  # "store", "store (…)", "store_if_lenient…": we are lenient


@pytest.mark.parametrize("entry", manifest(), ids=lambda entry: entry["file"])
def test_each_message_behaves_as_its_manifest_expects(entry):
    token = new_reply_token()
    message, kind, text, stored = outcome(addressed(entry, token))

    expected = EXPECTED_KIND_OF_FILE.get(entry["file"]) or EXPECTED_KIND.get(
        entry["kind"]
    )
    if expected is not None:
        assert kind is expected
    assert stored in expected_storage(entry["expected_disposition"])
    if stored:
        assert text.startswith(entry["expected_visible_text_startswith"])
        for needle in entry["expected_visible_text_must_not_contain"]:
            assert needle not in text
        for needle in entry.get("expected_visible_text_must_contain", []):
            assert needle in text
    for wanted in entry["attachments"]:
        found = [a for a in message.attachments if a.content_type == wanted["type"]]
        assert len(found) == 1
        name = found[0].filename
        assert not re.search(r"[/\\\x00-\x1f\u202a-\u202e\u2066-\u2069]", name)
        if not wanted["name"].startswith("("):
            assert name == wanted["name"]
    if kind is not MailKind.REPLY:
        assert not stored


def test_a_forged_token_in_the_corpus_envelope_matches_nothing():
    entry = next(e for e in manifest() if "wrapped_file" in e)
    raw = (CORPUS / entry["wrapped_file"]).read_bytes()
    assert find_reply_token(parse_message(raw), DOMAIN) is None  # "TOKEN" as is
    forged = raw.replace(b"TOKEN", b"FORGEDTOKEN0000")
    assert find_reply_token(parse_message(forged), DOMAIN) is None


def test_the_whole_corpus_through_a_real_imap_mailbox(imap_server):
    """All 56 appended to Dovecot, fetched by ImapSource, parsed as they
    were before the round trip, acknowledged; then nothing is left."""
    folder = f"C{uuid.uuid4().hex[:12]}"
    token = new_reply_token()
    raws = [addressed(entry, token) for entry in manifest()]
    context = ssl.create_default_context(cafile=imap_server.ca_file)
    port = imap_server.dovecot.imaps_port
    with MailBox("127.0.0.1", port, ssl_context=context) as box:
        box.login(dv.PASSWORD_USER, dv.PASSWORD)
        box.folder.create(folder)
        for raw in raws:
            box.append(raw, folder)
    config = ImapConfig(
        host="127.0.0.1",
        port=port,
        user=dv.PASSWORD_USER,
        password=dv.PASSWORD,
        folder=folder,
        ca_file=imap_server.ca_file,
    )
    with ImapSource(config) as source:
        fetched = list(source.fetch())
        assert len(fetched) == len(raws) == 56
        for raw, mail in zip(raws, fetched, strict=True):
            before, after = parse_message(raw), parse_message(mail.raw, size=mail.size)
            assert after.body == before.body
            assert after.subject == before.subject
            assert classify(after) == classify(before)
            if not before.message_id_synthesized:
                assert after.message_id == before.message_id
            source.ack(mail.uid)
    with ImapSource(config) as source:
        assert list(source.fetch()) == []
