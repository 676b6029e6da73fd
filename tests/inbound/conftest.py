"""Fixtures for the mail library: a real Dovecot with its OAuth 2.0
provider (one per test session: it starts in about a second)."""

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.inbound import dovecot_support


@dataclass
class ImapServer:
    dovecot: dovecot_support.Dovecot
    oauth: dovecot_support.OAuthServer
    ca_file: str


@pytest.fixture(scope="session")
def imap_server(tmp_path_factory):
    if not Path(dovecot_support.DOVECOT).exists():
        pytest.fail("Dovecot is not installed: run `make dovecot`")
    base = tmp_path_factory.mktemp("imap")
    cert, key = dovecot_support.make_certificate(base)
    oauth = dovecot_support.OAuthServer(cert, key).start()
    try:
        server = dovecot_support.Dovecot.start(
            base / "dovecot", cert, key, oauth.introspection_url
        )
    except Exception:
        oauth.stop()
        raise
    yield ImapServer(server, oauth, str(cert))
    server.stop()
    oauth.stop()
    shutil.rmtree(base / "dovecot", ignore_errors=True)
