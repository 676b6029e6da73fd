"""`make bench`: the portal under load on this machine, measured and written up.

1. Creates a fresh PostgreSQL database (shatil_bench), migrates it and seeds
   it (seed.py: 100,000 requests over three years, 40 advisors...).
2. Serves it as in production: gunicorn with DEBUG off, whitenoise, Redis as
   cache and broker, and a Celery worker, all on 127.0.0.1. The rate limits
   are raised for the run (they are settings), and said so in the report.
3. Logs in through the login page as a coordinator and as an advisor.
4. Drives each page with wrk (8 connections, 2 threads, a short warm-up,
   then a bounded run), next to a trivial view through the same middleware:
   the ceiling for a dynamic page here.
5. Looks inside each page in-process (inspect.py): queries, time in SQL,
   where Python spends the rest, and EXPLAIN (ANALYZE) of every query the
   list pages make.
6. Writes docs/BENCHMARKS.md and prints the table.

Servers are stopped on every exit path, failures included. A page that does
not answer as expected (404, 500, a form that does not validate) is skipped
with a line in the report rather than failing the run.
"""

import argparse
import contextlib
import gzip
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

BASE_DIR = Path(__file__).resolve().parents[2]
BENCH_DIR = Path(__file__).resolve().parent
VAR = BASE_DIR / "var" / "bench"
BIN = BASE_DIR / ".venv" / "bin"
PYTHON = str(BIN / "python")
DOC = BASE_DIR / "docs" / "BENCHMARKS.md"
RESULTS = VAR / "results.json"

PG_URL = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
DB_NAME = os.environ.get("BENCH_DB", "shatil_bench")
# A Redis database of its own, so the run never touches local or test data.
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
# Raised for the run only: one client address sends thousands of requests.
BENCH_RATE_LIMIT = "1000000/m"

PUBLIC_SHARE_TARGET = 0.70


@dataclass
class Page:
    key: str
    label: str
    path: str
    user: str = ""  # "", "staff" or "advisor"
    method: str = "GET"
    expect: int = 200
    target: str = ""
    # (kind, value): ("share", 0.70) of the ceiling, or ("p99_ms", 100)
    goal: tuple = ()
    extra: bool = False
    skip_reason: str = ""
    result: dict = field(default_factory=dict)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# Processes


class Processes:
    """Children started by this run, each in its own process group, all
    stopped by `stop_all` (called on every exit path)."""

    def __init__(self):
        self.children: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, command: list[str], env: dict, logfile: Path):
        handle = logfile.open("ab")
        process = subprocess.Popen(
            command,
            cwd=BASE_DIR,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.children.append((name, process))
        return process

    def stop_all(self) -> None:
        for name, process in reversed(self.children):
            if process.poll() is not None:
                continue
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
            log(f"stopped {name} (pid {process.pid})")
        self.children.clear()


def run(command: list[str], env: dict | None = None, timeout: int = 600, **kwargs):
    return subprocess.run(
        command, cwd=BASE_DIR, env=env, check=True, timeout=timeout, **kwargs
    )


def psql(sql: str, database: str = "postgres") -> str:
    result = run(
        ["psql", f"{PG_URL}/{database}", "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", sql],
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()


# Preparation


def ensure_wrk() -> str:
    status = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", "wrk"], capture_output=True, text=True
    ).stdout
    if "install ok installed" not in status:
        log("installing wrk (apt-get)")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        installed = subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], env=env)
        if installed.returncode != 0:
            run(["apt-get", "update", "-qq"], env=env)
            run(["apt-get", "install", "-y", "-qq", "wrk"], env=env)
    return shutil.which("wrk") or "/usr/bin/wrk"


def check_services() -> None:
    host = urllib.parse.urlparse(PG_URL).hostname or "127.0.0.1"
    if subprocess.run(["pg_isready", "-q", "-h", host]).returncode != 0:
        sys.exit(f"PostgreSQL does not answer on {host}: start it first.")
    redis = urllib.parse.urlparse(REDIS_URL)
    ping = subprocess.run(
        ["redis-cli", "-h", redis.hostname, "-p", str(redis.port or 6379), "ping"],
        capture_output=True,
        text=True,
    )
    if "PONG" not in ping.stdout:
        sys.exit(f"Redis does not answer on {redis.hostname}: start it first.")


def server_env(port: int, secret_key: str, settings_module: str) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "CELERY_"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": settings_module,
            # --settings proposed_settings (scripts/bench/proposals/).
            "PYTHONPATH": os.pathsep.join(
                filter(
                    None,
                    [str(BENCH_DIR / "proposals"), os.environ.get("PYTHONPATH", "")],
                )
            ),
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secret_key,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "DATABASE_URL": f"{PG_URL}/{DB_NAME}",
            "REDIS_URL": REDIS_URL,
            "DJANGO_ADMIN_REQUIRE_OTP": "false",
            "DJANGO_BENCHMARK_VIEW": "true",
            "DJANGO_STATIC_ROOT": str(VAR / "static"),
            "RATELIMIT_SUBMIT": BENCH_RATE_LIMIT,
            "RATELIMIT_SUBMIT_INVALID": BENCH_RATE_LIMIT,
            "RATELIMIT_LOOKUP": BENCH_RATE_LIMIT,
            "PORTAL_BASE_URL": f"http://127.0.0.1:{port}",
            # The Celery worker delivers the outbox; nothing leaves the machine.
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "DJANGO_LOG_LEVEL": "WARNING",
        }
    )
    return env


def prepare_database(env: dict, reuse: bool) -> dict:
    seed_file = VAR / "seed.json"
    exists = psql(f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}'") == "1"
    if reuse and exists and seed_file.exists():
        log(f"reusing {DB_NAME} (--reuse-db)")
        run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env=env)
        return json.loads(seed_file.read_text())
    log(f"creating {DB_NAME}")
    psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    psql(f"CREATE DATABASE {DB_NAME}")
    started = time.monotonic()
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env=env)
    log(f"migrated in {time.monotonic() - started:.0f} s; seeding")
    run([PYTHON, str(BENCH_DIR / "seed.py"), "--out", str(seed_file)], env=env)
    return json.loads(seed_file.read_text())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# HTTP


class Client:
    """A bare HTTP client for loopback: no redirects followed, cookies by hand."""

    def __init__(self, port: int):
        self.port = port

    def request(self, method, path, headers=None, body=None, timeout=30):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            connection.close()

    @staticmethod
    def cookies(headers) -> dict:
        jar = {}
        for name, value in headers:
            if name.lower() == "set-cookie":
                pair = value.split(";", 1)[0]
                key, _, val = pair.partition("=")
                jar[key.strip()] = val.strip()
        return jar

    @staticmethod
    def header(headers, wanted: str) -> str:
        for name, value in headers:
            if name.lower() == wanted.lower():
                return value
        return ""


CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
HIDDEN_INPUT = re.compile(
    r'<input type="hidden" name="([^"]+)" value="([^"]*)"[^>]*>', re.IGNORECASE
)


def wait_until_up(client: Client, process: subprocess.Popen, seconds=60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit("gunicorn exited at start-up: see var/bench/gunicorn.log")
        with contextlib.suppress(OSError):
            status, _, _ = client.request("GET", "/healthz/web", timeout=5)
            if status == 200:
                return
        time.sleep(0.3)
    sys.exit("gunicorn did not answer /healthz/web within a minute.")


def login(client: Client, username: str, password: str) -> str:
    """Sign in through the login page; the session's Cookie header value."""
    status, headers, body = client.request("GET", "/accounts/login/")
    if status != 200:
        raise RuntimeError(f"login page answered {status}")
    jar = client.cookies(headers)
    token = CSRF_INPUT.search(body.decode()).group(1)
    form = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token}
    )
    status, headers, _ = client.request(
        "POST",
        "/accounts/login/",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={jar['csrftoken']}",
        },
        body=form,
    )
    jar.update(client.cookies(headers))
    if status != 302 or "sessionid" not in jar:
        raise RuntimeError(f"login as {username} failed ({status})")
    return f"csrftoken={jar['csrftoken']}; sessionid={jar['sessionid']}"


def submission_body(client: Client, track_slug: str) -> tuple[str, str]:
    """A valid request-form post, with the CSRF pair of one GET of the form
    and "__SUBMISSION_KEY__" where each post puts its own one-time key."""
    status, headers, body = client.request("GET", f"/request/?track={track_slug}")
    if status != 200:
        raise RuntimeError(f"the form answered {status}")
    html = body.decode()
    fields = {
        name: value
        for name, value in HIDDEN_INPUT.findall(html)
        if name != "submission_key"
    }
    fields.update(
        {
            "organization_name": "יוזמת שכונה ירוקה",
            "organization_kind": "grassroots",
            "registration_number": "",
            "region": "haifa",
            "locality": "חיפה",
            "contact_name": "דנה לוי",
            "contact_role": "רכזת",
            "contact_email": "dana@bench.example.org",
            "contact_phone": "050-123-4567",
            "preferred_language": "he",
            "preferred_contact_method": "email",
            "track": track_slug,
            "goal": "לקדם תקנה עירונית להנגשת מרחבים ציבוריים לאנשים עם מוגבלות.",
            "background": "פנינו לוועדת התכנון ולא קיבלנו מענה.",
            "urgency": "normal",
            "consent": "on",
            "homepage": "",
        }
    )
    encoded = urllib.parse.urlencode(fields) + "&submission_key=__SUBMISSION_KEY__"
    cookie = f"csrftoken={client.cookies(headers)['csrftoken']}"
    return encoded, cookie


# Load


def wrk(binary, url, page: Page, cookies: list[str], body_file, seconds, args):
    env = {
        **os.environ,
        "BENCH_METHOD": page.method,
        "BENCH_COOKIES": "|".join(cookies),
        "BENCH_BODY_FILE": str(body_file) if body_file else "",
        "BENCH_NONCE": secrets.token_hex(4),
        "BENCH_EXPECT": str(page.expect),
    }
    command = [
        binary,
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{seconds}s",
        "--timeout",
        "5s",
        "--latency",
        "-s",
        str(BENCH_DIR / "wrk.lua"),
        url,
    ]
    output = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=seconds + 30
    ).stdout
    line = next(
        (line for line in output.splitlines() if line.startswith("BENCH_JSON ")), None
    )
    if line is None:
        raise RuntimeError(f"wrk printed no summary:\n{output}")
    figures = json.loads(line.removeprefix("BENCH_JSON "))
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    return figures


def probe(client: Client, page: Page, cookies: list[str], body: str | None) -> str:
    """Why the page cannot be measured, or "" when it answers as expected."""
    headers = {"Cookie": cookies[0]} if cookies else {}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        body = body.replace("__SUBMISSION_KEY__", str(uuid4()))
    try:
        status, response_headers, content = client.request(
            page.method, page.path, headers=headers, body=body
        )
    except OSError as error:
        return f"no answer ({error})"
    if status != page.expect:
        if status == 200 and page.method == "POST":
            errors = re.findall(
                r'class="invalid-feedback[^"]*"[^>]*>\s*<strong>([^<]+)',
                content.decode(),
            )
            return f"the form did not validate: {errors[:3] or 'see the page'}"
        location = Client.header(response_headers, "Location")
        return f"answered {status}{' → ' + location if location else ''}"
    if page.method == "GET":
        page.result["html_bytes"] = len(content)
        page.result["html_gzip_bytes"] = len(gzip.compress(content, 9))
        page.result["other_hosts"] = sorted(
            set(
                re.findall(
                    r'(?:href|src|action)="((?:https?:)?//[^"/]+)', content.decode()
                )
            )
        )
    return ""


def uuid4() -> str:
    import uuid

    return str(uuid.uuid4())


def server_cpu_seconds(master_pid: int) -> float:
    """CPU time used so far by gunicorn's master and workers (/proc)."""
    children = subprocess.run(
        ["pgrep", "-P", str(master_pid)], capture_output=True, text=True
    ).stdout.split()
    total = 0
    for pid in [master_pid, *map(int, children)]:
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def count_requests() -> int:
    return int(psql("SELECT count(*) FROM consultations_consultation", DB_NAME))


def static_check(client: Client) -> list[dict]:
    """Every stylesheet and script the public pages link: hashed, compressed,
    cached for a year."""
    assets = set()
    for path in ("/", "/en/", "/request/"):
        _, _, body = client.request("GET", path)
        assets.update(re.findall(r'(?:href|src)="(/static/[^"]+)"', body.decode()))
    rows = []
    for asset in sorted(assets):
        row = {"path": asset}
        for encoding in ("br", "gzip", "identity"):
            status, headers, content = client.request(
                "GET", asset, headers={"Accept-Encoding": encoding}
            )
            row[encoding] = len(content)
            if encoding == "br":
                row["status"] = status
                row["content_encoding"] = Client.header(headers, "Content-Encoding")
                row["cache_control"] = Client.header(headers, "Cache-Control")
        row["hashed"] = bool(re.search(r"\.[0-9a-f]{12}\.\w+$", asset))
        max_age = re.search(r"max-age=(\d+)", row["cache_control"])
        row["year"] = bool(max_age) and int(max_age.group(1)) >= 365 * 86400
        rows.append(row)
    return rows


# Report


def machine() -> dict:
    cpu = ""
    with contextlib.suppress(Exception):
        for line in run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                cpu = line.split(":", 1)[1].strip()
    memory = run(["free", "-h"], capture_output=True, text=True).stdout.splitlines()[1]
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "nproc": run(["nproc"], capture_output=True, text=True).stdout.strip(),
        "memory": memory.split()[1],
        "load": os.getloadavg(),
        "python": platform.python_version(),
        "postgres": psql("SHOW server_version"),
        "wrk": subprocess.run(
            ["wrk", "--version"], capture_output=True, text=True
        ).stdout.split(" [")[0],
    }


def verdict(page: Page) -> str:
    if page.skip_reason or not page.goal:
        return ""
    kind, value = page.goal
    if kind == "share":
        return "yes" if share(page) >= value else "**no**"
    return "yes" if page.result["p99_us"] / 1000 < value else "**no**"


def share(page: Page) -> float:
    return page.result["share"]


def table(pages: list[Page]) -> str:
    lines = [
        "| Page | Requests/s | p50 ms | p99 ms | Share of ceiling | "
        "Server CPU ms/request | CPU share | Queries | HTML KB gzip | Target | "
        "Holds |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for page in pages:
        r = page.result
        label = page.label + (" *(extra)*" if page.extra else "")
        if page.skip_reason:
            lines.append(
                f"| {label} | skipped: {page.skip_reason} | | | | | | | | "
                f"{page.target} | |"
            )
            continue
        html = r.get("html_gzip_bytes")
        cells = [
            label,
            f"{r['rps']:.0f}",
            f"{r['p50_us'] / 1000:.1f}",
            f"{r['p99_us'] / 1000:.1f}",
            f"{share(page):.0%}",
            f"{r['cpu_us'] / 1000:.2f}",
            f"{r['cpu_share']:.0%}",
            str(r.get("inspect", {}).get("queries", "")),
            f"{html / 1024:.1f}" if html is not None else "",
            page.target,
            verdict(page),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


ADMIN_LIST = "/admin/consultations/consultation/"


def filter_variants(seed: dict) -> list[tuple[str, str]]:
    """Every filter, search and sort staff and advisors use on the lists, for
    EXPLAIN: alone on the default view (open requests), and over all
    requests."""
    # As the admin's date filter writes them: midnight, Israel time.
    israel = ZoneInfo("Asia/Jerusalem")
    now = datetime.now(israel)

    def midnight(day) -> str:
        moment = datetime(day.year, day.month, day.day, tzinfo=israel)
        return urllib.parse.quote(moment.isoformat(sep=" "))

    today = midnight(now)
    week_ago = midnight(now - timedelta(days=7))
    first_of_year = midnight(now.replace(month=1, day=1))
    variants = [
        "",
        "state=all",
        "state=closed",
        "status__exact=new",
        "status__exact=completed",
        f"track__id__exact={seed['track_id']}",
        f"state=all&track__id__exact={seed['track_id']}",
        f"status__exact=completed&track__id__exact={seed['track_id']}",
        "urgency__exact=urgent",
        "state=all&urgency__exact=urgent",
        "is_crisis__exact=1",
        f"advisor={seed['advisor_id']}",
        f"state=all&advisor={seed['advisor_id']}",
        "advisor=none",
        "reassign=yes",
        "organization__region__exact=north",
        "state=all&organization__region__exact=north",
        f"submitted_at__gte={week_ago}&submitted_at__lt={today}",
        f"state=all&submitted_at__gte={first_of_year}",
        "q=SH-2026-01234",
        "state=all&q=SH-2026-01234",
        "q=contact1%40org17.example.org",
        "state=all&q=contact1%40org17.example.org",
        "q=%D7%A6%D7%93%D7%A7",
        "o=2",
        "state=all&o=2",
        "state=all&o=7",
    ]
    paths = [(f"{ADMIN_LIST}?{query}".rstrip("?"), "staff") for query in variants]
    paths += [("/workspace/", "advisor"), ("/workspace/?show=closed", "advisor")]
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description="make bench")
    parser.add_argument("--seconds", type=int, default=10, help="per page")
    parser.add_argument("--warmup", type=int, default=2, help="seconds per page")
    parser.add_argument(
        "--ceiling-seconds",
        type=int,
        default=3,
        help="trivial view run before and after each page",
    )
    parser.add_argument(
        "--share-rounds",
        type=int,
        default=3,
        help="page/ceiling rounds for the pages with a share target",
    )
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="0: as the Procfile runs gunicorn, $WEB_CONCURRENCY or 3",
    )
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--worker-threads", type=int, default=2)
    parser.add_argument("--pages", default="", help="comma-separated keys")
    parser.add_argument("--reuse-db", action="store_true", help="keep a seeded DB")
    parser.add_argument(
        "--settings",
        default="shatil_portal.settings",
        help="another settings module, to measure a proposed change, e.g. "
        "proposed_settings (scripts/bench/proposals/)",
    )
    parser.add_argument("--no-inspect", action="store_true")
    parser.add_argument("--no-docs", action="store_true", help="print only")
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="rewrite docs/BENCHMARKS.md from the last run's results "
        "(after editing scripts/bench/NOTES.md, say)",
    )
    args = parser.parse_args()

    if args.report_only:
        publish(json.loads(RESULTS.read_text()), write_docs=True)
        return
    started = time.monotonic()
    VAR.mkdir(parents=True, exist_ok=True)
    check_services()
    wrk_binary = ensure_wrk()
    workers = args.workers or int(os.environ.get("WEB_CONCURRENCY") or 3)

    port = free_port()
    env = server_env(port, secrets.token_urlsafe(50), args.settings)
    processes = Processes()

    def stop(signum, frame):
        raise SystemExit(f"stopped by signal {signum}")

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop)

    try:
        seed = prepare_database(env, args.reuse_db)
        log("collectstatic")
        run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env=env)

        for name in ("gunicorn.log", "celery.log"):
            (VAR / name).write_text("")
        processes.start(
            "celery",
            [
                str(BIN / "celery"),
                "-A",
                "shatil_portal",
                "worker",
                "--pool=solo",
                "--loglevel=WARNING",
                "--without-gossip",
                "--without-mingle",
            ],
            env,
            VAR / "celery.log",
        )
        gunicorn_command = [
            str(BIN / "gunicorn"),
            "shatil_portal.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            args.worker_class,
            "--error-logfile",
            "-",
        ]
        if args.worker_class == "gthread":
            gunicorn_command += ["--threads", str(args.worker_threads)]
        server = processes.start(
            "gunicorn", gunicorn_command, env, VAR / "gunicorn.log"
        )
        client = Client(port)
        wait_until_up(client, server)
        log(f"gunicorn up on 127.0.0.1:{port}: {' '.join(gunicorn_command[2:])}")

        slug = seed["track_slug"]
        admin_list = "/admin/consultations/consultation/"
        pages = [
            Page("trivial", "Trivial view (ceiling)", "/bench/trivial"),
            Page(
                "home",
                "Home",
                "/",
                target="≥ 70% of ceiling",
                goal=("share", PUBLIC_SHARE_TARGET),
            ),
            Page(
                "track",
                "Track page",
                f"/tracks/{slug}/",
                target="≥ 70% of ceiling",
                goal=("share", PUBLIC_SHARE_TARGET),
            ),
            Page(
                "form",
                "Request form (GET)",
                f"/request/?track={slug}",
                target="≥ 70% of ceiling",
                goal=("share", PUBLIC_SHARE_TARGET),
            ),
            Page(
                "submit",
                "Submission (POST)",
                "/request/",
                method="POST",
                expect=302,
                target="p99 < 100 ms",
                goal=("p99_ms", 100),
            ),
            Page(
                "status",
                "Status page",
                f"/request/status/{seed['status_token']}/",
                target="p99 < 300 ms",
                goal=("p99_ms", 300),
            ),
            Page(
                "advisor",
                "Advisor's list",
                "/workspace/",
                user="advisor",
                target="p99 < 300 ms",
                goal=("p99_ms", 300),
            ),
            Page(
                "admin",
                "Admin list, first page",
                admin_list,
                user="staff",
                target="p99 < 300 ms",
                goal=("p99_ms", 300),
            ),
            Page(
                "admin_filtered",
                "Admin list, filtered (completed, one track)",
                f"{admin_list}?status__exact=completed&track__id__exact={seed['track_id']}",
                user="staff",
                target="p99 < 300 ms",
                goal=("p99_ms", 300),
            ),
            Page(
                "dashboard",
                "Staff dashboard (issue 8)",
                "/workspace/dashboard/",
                user="staff",
                target="p99 < 500 ms",
                goal=("p99_ms", 500),
            ),
            Page(
                "admin_search",
                "Admin list, search by email",
                f"{admin_list}?q=contact1%40org17.example.org",
                user="staff",
                extra=True,
            ),
        ]
        if args.pages:
            wanted = {"trivial", *args.pages.split(",")}
            pages = [page for page in pages if page.key in wanted]

        sessions = {"": []}
        for role, username in (
            ("staff", seed["staff_username"]),
            ("advisor", seed["advisor_username"]),
        ):
            try:
                sessions[role] = [
                    login(client, username, seed["password"]) for _ in range(4)
                ]
            except Exception as error:  # noqa: BLE001 - reported, page skipped
                sessions[role] = []
                log(f"cannot log in as {role}: {error}")

        body_file = VAR / "submission.txt"
        try:
            body, csrf_cookie = submission_body(client, slug)
            body_file.write_text(body)
        except Exception as error:  # noqa: BLE001
            body, csrf_cookie = None, ""
            log(f"cannot prepare the submission: {error}")

        trivial = pages[0]

        def measured(url, page, cookies, page_body, seconds) -> dict:
            """A wrk run, with gunicorn's CPU time per request."""
            cpu_before = server_cpu_seconds(server.pid)
            figures = wrk(wrk_binary, url, page, cookies, page_body, seconds, args)
            figures["cpu_us"] = (
                (server_cpu_seconds(server.pid) - cpu_before)
                / max(figures["requests"], 1)
                * 1e6
            )
            return figures

        def run_ceiling() -> dict:
            """The trivial view just before or after a page: the machine is
            shared, so each page is compared with its own ceiling."""
            url = f"http://127.0.0.1:{port}{trivial.path}"
            return measured(url, trivial, [], None, args.ceiling_seconds)

        for page in pages:
            cookies = sessions.get(page.user, [])
            if page.user and not cookies:
                page.skip_reason = f"cannot log in as {page.user}"
            elif page.method == "POST" and body is None:
                page.skip_reason = "the form could not be read"
            else:
                if page.method == "POST":
                    cookies = [csrf_cookie]
                page.skip_reason = probe(
                    client, page, cookies, body if page.method == "POST" else None
                )
            if page.skip_reason:
                log(f"SKIPPED {page.label} ({page.path}): {page.skip_reason}")
                continue
            url = f"http://127.0.0.1:{port}{page.path}"
            page_body = body_file if page.method == "POST" else None
            wrk(wrk_binary, url, page, cookies, page_body, args.warmup, args)
            ceilings = [] if page.key == "trivial" else [run_ceiling()]
            before = count_requests() if page.method == "POST" else 0
            page.result.update(measured(url, page, cookies, page_body, args.seconds))
            if page.method == "POST":
                page.result["created"] = count_requests() - before
            if page.key != "trivial":
                ceilings.append(run_ceiling())
            r = page.result
            if ceilings:
                r["ceiling_rps"] = statistics.mean(c["rps"] for c in ceilings)
                r["ceiling_cpu_us"] = statistics.mean(c["cpu_us"] for c in ceilings)
            else:
                r["ceiling_rps"], r["ceiling_cpu_us"] = r["rps"], r["cpu_us"]
            ratios = [r["rps"] / r["ceiling_rps"]]
            if page.goal and page.goal[0] == "share":
                # A share target: more short rounds, page then ceiling, and
                # the median, as the load of the machine drifts.
                for _ in range(args.share_rounds - 1):
                    again = measured(url, page, cookies, None, args.ceiling_seconds)
                    ratios.append(again["rps"] / run_ceiling()["rps"])
            r["share_rounds"] = ratios
            r["share"] = statistics.median(ratios)
            r["cpu_share"] = r["ceiling_cpu_us"] / r["cpu_us"]
            log(
                f"{page.label}: {r['rps']:.0f} req/s, "
                f"{r['share']:.0%} of the ceiling "
                f"({', '.join(f'{ratio:.0%}' for ratio in ratios)}), "
                f"p50 {r['p50_us'] / 1000:.1f} ms, p99 {r['p99_us'] / 1000:.1f} ms, "
                f"{r['cpu_us'] / 1000:.2f} ms CPU ({r['cpu_share']:.0%} of the "
                "ceiling's)"
                + (
                    f", {r['unexpected']} unexpected ({r['unexpected_status']})"
                    if r["unexpected"]
                    else ""
                )
                + (f", {r['created']} requests created" if "created" in r else "")
            )

        assets = static_check(client)
        outbox_pending = psql(
            "SELECT count(*) FROM consultations_outboundemail "
            "WHERE status IN ('pending', 'sending')",
            DB_NAME,
        )
    finally:
        processes.stop_all()

    inspection = {}
    if not args.no_inspect:
        log("inspecting the pages in-process (queries, SQL time, EXPLAIN)")
        spec = VAR / "pages.json"
        spec.write_text(
            json.dumps(
                [
                    {
                        "key": p.key,
                        "path": p.path,
                        "user": p.user,
                        "method": p.method,
                        "body": body if p.method == "POST" else None,
                    }
                    for p in pages
                    if not p.skip_reason
                ]
                + [
                    {
                        "key": "filter",
                        "path": path,
                        "user": user,
                        "method": "GET",
                        "explain_only": True,
                    }
                    for path, user in filter_variants(seed)
                ]
            )
        )
        out = VAR / "inspect.json"
        run(
            [
                PYTHON,
                str(BENCH_DIR / "inspect_pages.py"),
                str(spec),
                str(out),
                seed["staff_username"],
                seed["advisor_username"],
            ],
            env=env,
            timeout=600,
        )
        inspection = json.loads(out.read_text())
        for page in pages:
            if page.key in inspection["pages"]:
                page.result["inspect"] = inspection["pages"][page.key]

    config = {
        "workers": workers,
        "worker_class": args.worker_class,
        "worker_threads": args.worker_threads if args.worker_class == "gthread" else 1,
        "connections": args.connections,
        "threads": args.threads,
        "seconds": args.seconds,
        "warmup": args.warmup,
        "ceiling_seconds": args.ceiling_seconds,
        "share_rounds": args.share_rounds,
        "seed": seed,
        "outbox_pending_after_run": outbox_pending,
        "minutes": (time.monotonic() - started) / 60,
    }
    results = {
        "pages": [asdict(page) for page in pages],
        "filters": inspection.get("filters", {}),
        "config": config,
        "machine": machine(),
        "assets": assets,
    }
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    publish(results, write_docs=not args.no_docs)
    log(f"done in {(time.monotonic() - started) / 60:.1f} minutes")


def publish(results: dict, *, write_docs: bool) -> None:
    """Print the table and write docs/BENCHMARKS.md from a run's results."""
    from report import write_report  # scripts/bench/report.py

    pages = [Page(**page) for page in results["pages"]]
    summary = table(pages)
    print(f"\n{summary}\n")
    if write_docs:
        write_report(
            DOC,
            pages=pages,
            filters=results["filters"],
            table=summary,
            config=results["config"],
            machine=results["machine"],
            assets=results["assets"],
        )
        log(f"wrote {DOC.relative_to(BASE_DIR)}")


if __name__ == "__main__":
    main()
