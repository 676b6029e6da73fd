"""A real Dovecot IMAP server for the tests, and the OAuth 2.0 endpoints
that its XOAUTH2 login is checked against.

Dovecot (Debian's dovecot-imapd, `make dovecot`) runs as an unprivileged
process (``nobody`` when the tests run as root) from a temporary config, on
free loopback ports: IMAP with STARTTLS and IMAPS, with a self-signed
certificate made by openssl. Two password databases: a passwd-file with a
plain user, and ``oauth2``, which asks the tests' own token-introspection
endpoint whether an access token is live. The tests' token endpoint gives
an access token for the one refresh token it knows, over HTTPS.
"""

import http.server
import json
import os
import pwd
import secrets
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"

PASSWORD_USER = "portal@example.org"
PASSWORD = "imap-test-password"
OAUTH_USER = "oauth@example.org"
CLIENT_ID = "portal-client"
CLIENT_SECRET = "portal-secret"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def make_certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
            "-keyout", str(key), "-out", str(cert), "-days", "2",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@dataclass
class OAuthServer:
    """The identity provider's two endpoints: token (HTTPS, for the
    portal) and introspection (HTTP on loopback, for Dovecot)."""

    cert: Path
    key: Path
    refresh_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    access_tokens: dict = field(default_factory=dict)  # token -> user
    refreshes: int = 0
    # Answer each refresh with a new refresh token too, as Microsoft may.
    rotate: bool = False
    rotated: set = field(default_factory=set)
    # With rotate: a refresh token once rotated is refused after (Microsoft
    # retires the old one).
    retire_rotated: bool = False
    retired: set = field(default_factory=set)
    # How long each access token lives, as the token endpoint says.
    expires_in: int = 3600

    def start(self):
        provider = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _reply(self, status, payload):
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = urllib.parse.parse_qs(self.rfile.read(length).decode())
                value = form.get
                if self.path == "/token":
                    provider._token(self, value)
                elif self.path == "/introspect":
                    token = (value("token") or [""])[0]
                    user = provider.access_tokens.get(token)
                    if user:
                        self._reply(200, {"active": True, "username": user})
                    else:
                        self._reply(200, {"active": False})
                else:
                    self._reply(404, {})

        self.token_server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        self.token_server.socket = context.wrap_socket(
            self.token_server.socket, server_side=True
        )
        self.introspection_server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), Handler
        )
        for server in (self.token_server, self.introspection_server):
            threading.Thread(target=server.serve_forever, daemon=True).start()
        return self

    def _token(self, handler, value):
        import base64

        client_id, client_secret = (value("client_id") or [""])[0], ""
        auth = handler.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            client_id, _, client_secret = (
                base64.b64decode(auth[6:]).decode().partition(":")
            )
        client_secret = client_secret or (value("client_secret") or [""])[0]
        if (value("grant_type") or [""])[0] != "refresh_token":
            return handler._reply(400, {"error": "unsupported_grant_type"})
        if (client_id, client_secret) != (CLIENT_ID, CLIENT_SECRET):
            return handler._reply(401, {"error": "invalid_client"})
        given = (value("refresh_token") or [""])[0]
        if given != self.refresh_token and given not in self.rotated:
            return handler._reply(400, {"error": "invalid_grant"})
        if given in self.retired:
            return handler._reply(400, {"error": "invalid_grant"})
        self.refreshes += 1
        access_token = secrets.token_urlsafe(24)
        self.access_tokens[access_token] = OAUTH_USER
        answer = {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
        }
        if self.rotate:
            answer["refresh_token"] = secrets.token_urlsafe(24)
            self.rotated.add(answer["refresh_token"])
            if self.retire_rotated:
                self.retired.add(given)
        handler._reply(200, answer)

    @property
    def token_url(self) -> str:
        return f"https://127.0.0.1:{self.token_server.server_address[1]}/token"

    @property
    def introspection_url(self) -> str:
        return (
            f"http://127.0.0.1:{self.introspection_server.server_address[1]}/introspect"
        )

    def stop(self):
        for server in (self.token_server, self.introspection_server):
            server.shutdown()
            server.server_close()


CONFIG = """\
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
info_log_path = {base}/dovecot.log
protocols = imap
listen = 127.0.0.1
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = yes
auth_mechanisms = plain login xoauth2 oauthbearer
mail_location = maildir:{base}/mail/%u
mail_uid = {uid}
mail_gid = {gid}
first_valid_uid = 0
first_valid_gid = 0
auth_verbose = yes
# Failed logins are tested on purpose: answer them at once.
auth_failure_delay = 0
login_trusted_networks = 127.0.0.0/8
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {base}/users
}}
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {base}/oauth2.conf.ext
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={base}/home/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
    ssl = yes
  }}
}}
service pop3-login {{
  chroot =
}}
service submission-login {{
  chroot =
}}
service anvil {{
  chroot =
}}
service auth {{
  user = {user}
}}
service auth-worker {{
  user = {user}
}}
service stats {{
  chroot =
}}
protocol imap {{
  mail_max_userip_connections = 100
}}
"""

OAUTH2_CONFIG = """\
introspection_mode = post
introspection_url = {introspection_url}
username_attribute = username
active_attribute = active
active_value = true
tokeninfo_url =
"""


@dataclass
class Dovecot:
    base: Path
    cert: Path
    imap_port: int
    imaps_port: int
    process: subprocess.Popen | None = None

    @classmethod
    def start(cls, base: Path, cert: Path, key: Path, introspection_url: str):
        run_as = "nobody" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
        account = pwd.getpwnam(run_as)
        group = _group_name(account.pw_gid)
        server = cls(base, cert, free_port(), free_port())
        for folder in ("run", "state", "mail", "home"):
            (base / folder).mkdir(parents=True, exist_ok=True)
        # Its own copy of the key, readable by the user it runs as.
        shutil.copy(cert, base / "cert.pem")
        shutil.copy(key, base / "key.pem")
        cert, key = base / "cert.pem", base / "key.pem"
        (base / "users").write_text(f"{PASSWORD_USER}:{PASSWORD}::::::\n")
        (base / "oauth2.conf.ext").write_text(
            OAUTH2_CONFIG.format(introspection_url=introspection_url)
        )
        (base / "dovecot.conf").write_text(
            CONFIG.format(
                base=base, user=run_as, group=group, uid=account.pw_uid,
                gid=account.pw_gid, cert=cert, key=key,
                imap_port=server.imap_port, imaps_port=server.imaps_port,
            )
        )  # fmt: skip
        if os.geteuid() == 0:
            _chown_tree(base, account.pw_uid, account.pw_gid)
        server.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(base / "dovecot.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            user=account.pw_uid if os.geteuid() == 0 else None,
            group=account.pw_gid if os.geteuid() == 0 else None,
            extra_groups=[] if os.geteuid() == 0 else None,
        )
        server._wait_until_listening()
        return server

    def _wait_until_listening(self, timeout: float = 15.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                error = self.process.stderr.read().decode()
                raise RuntimeError(f"dovecot exited: {error}\n{self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.imaps_port), 0.5):
                    with socket.create_connection(("127.0.0.1", self.imap_port), 0.5):
                        return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"dovecot did not start listening\n{self.log()}")

    def log(self) -> str:
        path = self.base / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def _group_name(gid: int) -> str:
    import grp

    return grp.getgrgid(gid).gr_name


def _chown_tree(root: Path, uid: int, gid: int):
    for folder, _dirs, files in os.walk(root):
        os.chown(folder, uid, gid)
        for name in files:
            os.chown(os.path.join(folder, name), uid, gid)
    # The temporary folders above it (pytest's, mode 700) must let that user
    # in; nothing outside the temporary directory is touched.
    temporary = Path(tempfile.gettempdir()).resolve()
    for parent in root.resolve().parents:
        if parent == temporary or temporary not in parent.parents:
            break
        os.chmod(parent, os.stat(parent).st_mode | 0o005)
