"""A real mail server on loopback, for the tests of what the outbox does when
the mail server is silent or slow. It speaks just enough SMTP for Django's
SMTP backend (no extensions, no TLS), counts the connections, and keeps the
messages it accepted."""

import socket
import threading
from collections.abc import Callable

import pytest


class LoopbackSMTPServer:
    """`silent`: accepts connections and never says a word.
    `before_answering(data)`: called with each message's data before the
    server answers 250 to it (a slow server, or one that lets a test act
    while the message is in flight).
    `on_connect(count)`: called as each connection is accepted, with how many
    there have been."""

    def __init__(
        self,
        *,
        silent: bool = False,
        before_answering: Callable[[bytes], None] | None = None,
        on_connect: Callable[[int], None] | None = None,
    ):
        self.silent = silent
        self.before_answering = before_answering
        self.on_connect = on_connect
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        self.messages: list[bytes] = []
        self.connected = threading.Event()
        self._clients: list[socket.socket] = []
        self._stopped = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            self._clients.append(client)
            self.connected.set()
            if self.on_connect:
                self.on_connect(self.connections)
            if not self.silent:
                threading.Thread(
                    target=self._converse, args=(client,), daemon=True
                ).start()

    def _converse(self, client: socket.socket) -> None:
        stream = client.makefile("rb")
        try:
            client.sendall(b"220 loopback ESMTP\r\n")
            for line in stream:
                verb = line[:4].upper()
                if verb == b"DATA":
                    client.sendall(b"354 go ahead\r\n")
                    data = b""
                    for data_line in stream:
                        if data_line == b".\r\n":
                            break
                        data += data_line
                    if self.before_answering:
                        self.before_answering(data)
                    self.messages.append(data)
                    client.sendall(b"250 queued\r\n")
                elif verb == b"QUIT":
                    client.sendall(b"221 bye\r\n")
                    return
                else:  # EHLO, HELO, MAIL, RCPT, RSET, NOOP
                    client.sendall(b"250 loopback\r\n")
        except OSError:
            return
        finally:
            stream.close()
            client.close()

    def stop(self) -> None:
        self._stopped.set()
        self.listener.close()
        for client in self._clients:
            try:
                client.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            client.close()


def use_smtp_server(settings, server: LoopbackSMTPServer, *, timeout: float = 1):
    """Point Django's SMTP backend at `server`, with a short timeout."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = timeout


@pytest.fixture
def smtp_server_factory(settings):
    """Start loopback mail servers (stopped after the test); the last one
    started is the one Django sends to."""
    servers = []

    def start(**options) -> LoopbackSMTPServer:
        server = LoopbackSMTPServer(**options)
        servers.append(server)
        use_smtp_server(settings, server)
        return server

    yield start
    for server in servers:
        server.stop()


class XOAuth2SMTPServer:
    """A real SMTP server on loopback (aiosmtpd) that accepts mail only
    after AUTH XOAUTH2, checking the bearer token with the identity
    provider's introspection endpoint, as Dovecot does for IMAP
    (tests/inbound/dovecot_support.py). A refused token gets Google's
    answer: a 334 challenge with a JSON error, then 535.

    `logins`: (user, accepted) per AUTH attempt; `messages`: the data of
    each message accepted."""

    def __init__(self, *, introspection_url: str):
        from aiosmtpd.controller import Controller

        from tests.inbound.dovecot_support import free_port

        self.introspection_url = introspection_url
        self.logins: list[tuple[str, bool]] = []
        self.messages: list[bytes] = []
        self.port = free_port()
        self.controller = Controller(
            self,
            hostname="127.0.0.1",
            port=self.port,
            auth_require_tls=False,
            auth_required=True,
            auth_exclude_mechanism=["PLAIN", "LOGIN"],
        )
        self.controller.start()

    def _token_is_live(self, token: str) -> tuple[str, bool]:
        import json
        import urllib.parse
        import urllib.request

        request = urllib.request.Request(
            self.introspection_url,
            data=urllib.parse.urlencode({"token": token}).encode(),
        )
        with urllib.request.urlopen(request, timeout=5) as answer:
            payload = json.load(answer)
        return payload.get("username", ""), bool(payload.get("active"))

    async def auth_XOAUTH2(self, server, args):
        import base64

        from aiosmtpd.smtp import AuthResult

        if len(args) == 2:
            blob = base64.b64decode(args[1])
        else:
            blob = await server.challenge_auth("")
        fields = dict(
            part.split("=", 1) for part in blob.decode().split("\x01") if "=" in part
        )
        user = fields.get("user", "")
        token = fields.get("auth", "").removeprefix("Bearer ")
        owner, live = self._token_is_live(token)
        accepted = live and owner == user
        self.logins.append((user, accepted))
        if accepted:
            return AuthResult(success=True, auth_data=user)
        await server.challenge_auth('{"status":"401","schemes":"Bearer"}')
        return AuthResult(success=False, handled=False)

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content)
        return "250 queued"

    def stop(self) -> None:
        self.controller.stop()
