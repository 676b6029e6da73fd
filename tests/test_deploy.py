"""The production path of deploy/, run here: Debian's nginx (and Caddy) with the example
configuration (only its names, ports and certificate paths replaced) in front
of gunicorn and a Celery worker started with the systemd units' own command
lines, with production settings against the test database. A visitor sends
the form over HTTPS and gets the confirmation email; plain HTTP is redirected;
Django sees HTTPS and the visitor's address that nginx appended, not nginx's
own address and not one the visitor forged. The units pass
`systemd-analyze verify`."""

import http.client
import os
import re
import secrets
import shlex
import shutil
import socket
import ssl
import subprocess
import time
from email import message_from_bytes
from email.policy import default as default_policy
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import connection

from tests.factories import request_form_data

BASE_DIR = Path(__file__).resolve().parent.parent
DEPLOY = BASE_DIR / "deploy"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
CADDY = shutil.which("caddy") or "/usr/bin/caddy"
INSTALL_DIR = "/srv/shatil-portal"
HOST = "portal.test"
# The visitor's own loopback address: nginx sees it, gunicorn sees nginx's.
VISITOR = "127.0.0.2"

pytestmark = pytest.mark.django_db(transaction=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def unit_service(name: str) -> tuple[dict, list[str]]:
    """A unit's [Service] Environment= values and its ExecStart lines."""
    environment, exec_starts, section = {}, [], ""
    for raw in (DEPLOY / "systemd" / name).read_text().splitlines():
        line = raw.strip()
        if line.startswith("["):
            section = line
        elif section == "[Service]" and "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            if key == "Environment":
                variable, _, setting = value.partition("=")
                environment[variable] = setting
            elif key == "ExecStart":
                exec_starts.append(value)
    return environment, exec_starts


def unit_command(name: str, env: dict) -> list[str]:
    """The unit's ExecStart as systemd would run it here: ${VAR} expanded from
    the unit's Environment= overridden by the env file (`env`), and the
    install folder replaced by this checkout."""
    defaults, (exec_start,) = unit_service(name)
    values = {**defaults, **env}
    expanded = re.sub(r"\$\{(\w+)\}", lambda m: values[m.group(1)], exec_start)
    return [part.replace(INSTALL_DIR, str(BASE_DIR)) for part in shlex.split(expanded)]


def _wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"exited at start-up:\n{log.read_text()[-3000:]}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    pytest.fail(f"nothing listens on {port}:\n{log.read_text()[-3000:]}")


def _start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        command,
        cwd=BASE_DIR,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def render_nginx(*, http_port: int, https_port: int, app_port: int, tls: Path) -> str:
    """deploy/nginx/shatil-portal.conf with the names, ports and certificate
    paths of this test; every other line, the proxy headers first of all, is
    the example's own."""
    text = (DEPLOY / "nginx" / "shatil-portal.conf").read_text()
    replacements = [
        ("listen [::]:80;", ""),
        ("listen [::]:443 ssl http2;", ""),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("/etc/letsencrypt/live/portal.example.org/fullchain.pem", str(tls / "cert")),
        ("/etc/letsencrypt/live/portal.example.org/privkey.pem", str(tls / "key")),
        (
            "proxy_pass http://127.0.0.1:8000;",
            f"proxy_pass http://127.0.0.1:{app_port};",
        ),
        ("portal.example.org", HOST),
    ]
    for old, new in replacements:
        assert old in text, f"deploy/nginx/shatil-portal.conf lost {old!r}"
        text = text.replace(old, new)
    return text


class Visitor:
    """A browser in miniature: HTTPS to nginx from its own loopback address,
    with cookies and a forged X-Forwarded-For on every request."""

    def __init__(self, port: int):
        self.port = port
        self.cookies = SimpleCookie()
        self.context = ssl.create_default_context()
        self.context.check_hostname = False
        self.context.verify_mode = ssl.CERT_NONE

    def request(self, method: str, path: str, data: dict | None = None):
        conn = http.client.HTTPSConnection(
            "127.0.0.1",
            self.port,
            context=self.context,
            source_address=(VISITOR, 0),
            timeout=30,
        )
        headers = {
            "Host": HOST,
            "X-Forwarded-For": "203.0.113.66",
            "X-Forwarded-Proto": "http",
            "Referer": f"https://{HOST}:{self.port}{path}",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(
                f"{k}={m.value}" for k, m in self.cookies.items()
            )
        body = None
        if data is not None:
            body = urlencode(data, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        content = response.read().decode()
        set_cookies = response.headers.get_all("Set-Cookie") or []
        for header in set_cookies:
            self.cookies.load(header)
        conn.close()
        return response, content, set_cookies


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    """Static files collected as the release step does, with production
    storage (hashed, compressed, with its manifest)."""
    root = tmp_path_factory.mktemp("static")
    subprocess.run(
        [str(BASE_DIR / ".venv/bin/python"), "manage.py", "collectstatic", "-v0"],
        cwd=BASE_DIR,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "shatil_portal.settings",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_STATIC_ROOT": str(root),
        },
        check=True,
        capture_output=True,
    )
    return root


@pytest.fixture(scope="module")
def stack(tmp_path_factory, static_root, django_db_setup):
    """nginx, gunicorn and a worker, as deployed, on free loopback ports, for
    the tests of this module (each loads the catalog it needs)."""
    tmp_path = tmp_path_factory.mktemp("stack")
    if not os.access(NGINX, os.X_OK):
        pytest.fail("nginx is missing: `make proxies` installs Debian's package")
    http_port, https_port, app_port = _free_port(), _free_port(), _free_port()
    caddy_ports = _free_port(), _free_port()
    tls = tmp_path / "tls"
    tls.mkdir()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-keyout", str(tls / "key"), "-out", str(tls / "cert")]
        + ["-subj", f"/CN={HOST}", "-addext", f"subjectAltName=DNS:{HOST}"],
        check=True,
        capture_output=True,
    )
    nginx_dir = tmp_path / "nginx"
    (nginx_dir / "logs").mkdir(parents=True)
    (nginx_dir / "shatil-portal.conf").write_text(
        render_nginx(
            http_port=http_port, https_port=https_port, app_port=app_port, tls=tls
        )
    )
    # What Debian's /etc/nginx/nginx.conf provides around a site's file.
    temp = " ".join(
        f"{kind}_temp_path {nginx_dir}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (nginx_dir / "nginx.conf").write_text(
        f"pid {nginx_dir}/nginx.pid;\nerror_log {nginx_dir}/logs/error.log;\n"
        "events {}\n"
        f"http {{ access_log {nginx_dir}/logs/access.log; {temp}\n"
        f"include {nginx_dir}/shatil-portal.conf; }}\n"
    )

    mail = tmp_path / "mail"
    db = connection.settings_dict
    env_file = {
        "DJANGO_SETTINGS_MODULE": "shatil_portal.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_CSRF_TRUSTED_ORIGINS": (
            f"https://{HOST}:{https_port},https://{HOST}:{caddy_ports[1]}"
        ),
        "PORTAL_BASE_URL": f"https://{HOST}:{https_port}",
        "DJANGO_HTTPS": "true",
        "DJANGO_TRUSTED_PROXY_HOPS": "1",
        "DJANGO_TRUSTED_PROXIES": "127.0.0.1",
        "DATABASE_URL": (
            f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        ),
        "REDIS_URL": settings.REDIS_URL,
        "DJANGO_STATIC_ROOT": str(static_root),
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "DJANGO_EMAIL_FILE_PATH": str(mail),
        # Raised explicitly: the visitor's address keeps its counter in
        # Redis for an hour, across runs of this test.
        "RATELIMIT_SUBMIT": "1000/h",
        "WEB_CONCURRENCY": "2",
        "CELERY_CONCURRENCY": "1",
        # Moves gunicorn off its loopback default (gunicorn.conf.py), as on
        # a host behind a load balancer.
        "GUNICORN_BIND": f"127.0.0.1:{app_port}",
    }
    env = {**os.environ, **env_file}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

    web_command = unit_command("shatil-portal-web.service", env_file)
    processes = []
    try:
        web = _start(web_command, env, tmp_path / "gunicorn.log")
        processes.append(web)
        worker = _start(
            unit_command("shatil-portal-worker.service", env_file),
            env,
            tmp_path / "worker.log",
        )
        processes.append(worker)
        nginx = _start(
            [NGINX, "-p", str(nginx_dir), "-c", str(nginx_dir / "nginx.conf")]
            + ["-e", str(nginx_dir / "logs" / "error.log"), "-g", "daemon off;"],
            env,
            tmp_path / "nginx.log",
        )
        processes.append(nginx)
        _wait_for_port(app_port, web, tmp_path / "gunicorn.log")
        _wait_for_port(https_port, nginx, nginx_dir / "logs" / "error.log")
        yield {
            "app_port": app_port,
            "caddy_ports": caddy_ports,
            "http_port": http_port,
            "https_port": https_port,
            "mail": mail,
            "logs": tmp_path,
        }
    finally:
        for process in reversed(processes):
            _stop(process)


def _csrf_token(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def test_a_request_sent_over_https_through_nginx_gets_its_confirmation(stack, catalog):
    from consultations.models import Consultation, OutboundEmail

    visitor = Visitor(stack["https_port"])
    response, page, set_cookies = visitor.request("GET", "/request/")
    assert response.status == 200
    assert response.getheader("Strict-Transport-Security")
    csrf_cookie = next(c for c in set_cookies if c.startswith("csrftoken="))
    assert "Secure" in csrf_cookie

    email = f"nginx-{secrets.token_hex(4)}@example.org"
    data = request_form_data(contact_email=email)
    data["csrfmiddlewaretoken"] = _csrf_token(page)
    response, page, _ = visitor.request("POST", "/request/", data)
    assert response.status == 302, page[:2000]
    confirmation = response.getheader("Location")
    assert not confirmation.startswith("http://")
    consultation = Consultation.objects.get(contact_email=email)

    # The real worker delivers the outbox row into the file backend's folder.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        rows = OutboundEmail.objects.filter(to_address=email)
        if rows and all(row.status == OutboundEmail.Status.SENT for row in rows):
            break
        time.sleep(0.5)
    else:
        pytest.fail((stack["logs"] / "worker.log").read_text()[-3000:])
    messages = [
        message_from_bytes(path.read_bytes(), policy=default_policy)
        for path in stack["mail"].iterdir()
    ]
    to_visitor = [m for m in messages if email in m["To"]]
    assert len(to_visitor) == 1
    body = to_visitor[0].get_body(("plain",)).get_content()
    assert consultation.reference in body
    # Links in the email point at the HTTPS address the visitor used.
    assert f"https://{HOST}:{stack['https_port']}/" in body


def test_plain_http_on_nginx_is_redirected_to_https(stack, catalog):
    conn = http.client.HTTPConnection("127.0.0.1", stack["http_port"], timeout=10)
    conn.request("GET", "/request/?track=x", headers={"Host": HOST})
    response = conn.getresponse()

    assert response.status == 301
    assert response.getheader("Location") == f"https://{HOST}/request/?track=x"


def test_django_counts_the_visitors_address_not_nginxs_nor_a_forged_one(stack, catalog):
    """A wrong password through nginx is recorded against the visitor's own
    address (127.0.0.2): nginx appended it to X-Forwarded-For and overwrote
    the X-Forwarded-Proto the visitor sent."""
    from axes.models import AccessAttempt

    visitor = Visitor(stack["https_port"])
    response, page, _ = visitor.request("GET", "/accounts/login/")
    assert response.status == 200
    response, _, _ = visitor.request(
        "POST",
        "/accounts/login/",
        {
            "csrfmiddlewaretoken": _csrf_token(page),
            "username": "nobody",
            "password": "wrong-password-1",
        },
    )

    assert response.status == 200  # the form again, over HTTPS (no redirect)
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [VISITOR]


def test_static_files_are_served_through_nginx_hashed_and_cached(stack, catalog):
    visitor = Visitor(stack["https_port"])
    _, page, _ = visitor.request("GET", "/request/")
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', page).group(1)

    response, _, _ = visitor.request("GET", stylesheet)

    assert response.status == 200
    assert re.search(r"\.[0-9a-f]{12}\.css$", stylesheet)
    assert "immutable" in response.getheader("Cache-Control")


def render_caddy(*, http_port: int, https_port: int, app_port: int) -> str:
    """deploy/caddy/Caddyfile with this test's host name and ports, and a
    local certificate authority instead of Let's Encrypt."""
    text = (DEPLOY / "caddy" / "Caddyfile").read_text()
    test_options = (
        "\temail sysadmin@example.org\n"
        f"\tadmin off\n\thttp_port {http_port}\n\thttps_port {https_port}\n"
        f"\tlocal_certs\n\tskip_install_trust\n\tdefault_sni {HOST}\n"
    )
    replacements = [
        ("\temail sysadmin@example.org\n", test_options),
        ("reverse_proxy 127.0.0.1:8000", f"reverse_proxy 127.0.0.1:{app_port}"),
        ("portal.example.org {", f"{HOST} {{"),
    ]
    for old, new in replacements:
        assert old in text, f"deploy/caddy/Caddyfile lost {old!r}"
        text = text.replace(old, new)
    return text


@pytest.fixture(scope="module")
def caddy(stack, tmp_path_factory):
    """Caddy with the example Caddyfile in front of the same gunicorn."""
    if not os.access(CADDY, os.X_OK):
        pytest.fail("caddy is missing: `make proxies` installs Debian's package")
    folder = tmp_path_factory.mktemp("caddy")
    http_port, https_port = stack["caddy_ports"]
    config = folder / "Caddyfile"
    config.write_text(
        render_caddy(
            http_port=http_port, https_port=https_port, app_port=stack["app_port"]
        )
    )
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(folder),
        "XDG_DATA_HOME": str(folder / "data"),
        "XDG_CONFIG_HOME": str(folder / "config"),
    }
    process = _start(
        [CADDY, "run", "--config", str(config), "--adapter", "caddyfile"],
        env,
        folder / "caddy.log",
    )
    try:
        _wait_for_port(https_port, process, folder / "caddy.log")
        yield {"http_port": http_port, "https_port": https_port}
    finally:
        _stop(process)


def test_caddy_serves_the_form_over_https_with_the_visitors_address(caddy, catalog):
    """The Caddyfile example: Django sees HTTPS (no redirect of its own, a
    Secure cookie) and counts the visitor's address, not a forged one."""
    from axes.models import AccessAttempt

    visitor = Visitor(caddy["https_port"])
    response, page, set_cookies = visitor.request("GET", "/accounts/login/")
    assert response.status == 200
    assert any(c.startswith("csrftoken=") and "Secure" in c for c in set_cookies)
    visitor.request(
        "POST",
        "/accounts/login/",
        {
            "csrfmiddlewaretoken": _csrf_token(page),
            "username": "nobody",
            "password": "wrong-password-1",
        },
    )

    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [VISITOR]
    conn = http.client.HTTPConnection("127.0.0.1", caddy["http_port"], timeout=10)
    conn.request("GET", "/request/", headers={"Host": HOST})
    redirect = conn.getresponse()
    assert redirect.status in (301, 308)
    assert redirect.getheader("Location").startswith(f"https://{HOST}")


def test_the_web_unit_runs_the_procfiles_web_command():
    """The systemd unit and the Procfile start gunicorn the same way, so the
    bind, the access-log format and the token-masking logger that the
    Procfile's tests check hold under systemd too."""
    _, (exec_start,) = unit_service("shatil-portal-web.service")
    procfile = dict(
        line.split(": ", 1) for line in (BASE_DIR / "Procfile").read_text().splitlines()
    )

    unit_args = shlex.split(exec_start)
    assert unit_args[0] == f"{INSTALL_DIR}/.venv/bin/gunicorn"
    assert unit_args[1:] == shlex.split(procfile["web"])[1:]


@pytest.mark.skipif(
    shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed"
)
def test_the_systemd_units_verify(tmp_path):
    """Every unit of deploy/systemd, with the install folder replaced by this
    checkout so the commands exist, passes `systemd-analyze verify` with no
    complaint at all."""
    units = []
    for source in sorted((DEPLOY / "systemd").iterdir()):
        target = tmp_path / source.name
        target.write_text(source.read_text().replace(INSTALL_DIR, str(BASE_DIR)))
        units.append(str(target))

    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *units],
        capture_output=True,
        text=True,
    )

    assert done.returncode == 0
    assert done.stdout + done.stderr == ""


def test_shatil_manage_runs_manage_py_with_the_env_file(tmp_path):
    """deploy/shatil-manage, with the install folder, the env file and the
    user switch replaced: manage.py runs in the install folder and sees the
    env file's values (here: a backup of a SQLite database into BACKUP_DIR)."""
    import sqlite3

    database = tmp_path / "portal.sqlite3"
    sqlite3.connect(database).close()
    env_file = tmp_path / "env"
    env_file.write_text(
        "# comments on their own lines\n"
        "DJANGO_DEBUG=true\n"
        "DJANGO_LOCAL_CACHE=true\n"
        f"DATABASE_URL=sqlite:///{database}\n"
        f"BACKUP_DIR={tmp_path / 'backups'}\n"
        'DJANGO_DEFAULT_FROM_EMAIL="Shatil <policy-center@shatil.org.il>"\n'
    )
    script = (
        (DEPLOY / "shatil-manage")
        .read_text()
        .replace(INSTALL_DIR, str(BASE_DIR))
        .replace("/etc/shatil-portal/env", str(env_file))
        .replace("sudo -u shatil ", "")
    )
    (tmp_path / "shatil-manage").write_text(script)
    clean_env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "BACKUP_"))
    }

    done = subprocess.run(
        ["sh", str(tmp_path / "shatil-manage"), "backup"],
        cwd=tmp_path,
        env=clean_env,
        capture_output=True,
        text=True,
    )

    assert done.returncode == 0, done.stderr
    dump = Path(done.stdout.strip().splitlines()[-1])
    assert dump.parent == tmp_path / "backups" and dump.is_file()
