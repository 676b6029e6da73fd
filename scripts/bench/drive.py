"""The load: sign in as staff and as an advisor, read the request form, then
drive each page with wrk next to the trivial view (the ceiling for a dynamic
page on this machine), with gunicorn's CPU time per request."""

import contextlib
import gzip
import json
import os
import re
import secrets
import statistics
import subprocess
import time
import urllib.parse
from pathlib import Path

from common import BENCH_DIR, DB_NAME, Page, goals, log, psql
from serve import Client

# Issue 20's targets, as shares of the trivial view in the same run.
PUBLIC_SHARE_TARGET = 0.85
FORM_SHARE_TARGET = 0.80
SUBMIT_SHARE_TARGET = 0.10
STATUS_SHARE_TARGET = 0.15
ADMIN_LIST = "/admin/consultations/consultation/"


def bench_pages(seed: dict, wanted: str = "") -> list[Page]:
    """The pages measured, the trivial view first; `wanted`: comma-separated
    keys (the trivial view is always measured)."""
    slug = seed["track_slug"]
    pages = [
        Page("trivial", "Trivial view (ceiling)", "/bench/trivial"),
        Page(
            "home",
            "Home",
            "/",
            target="≥ 85% of ceiling",
            goal=("share", PUBLIC_SHARE_TARGET),
        ),
        Page(
            "track",
            "Track page",
            f"/tracks/{slug}/",
            target="≥ 85% of ceiling",
            goal=("share", PUBLIC_SHARE_TARGET),
        ),
        Page(
            "form",
            "Request form (GET)",
            f"/request/?track={slug}",
            target="≥ 80% of ceiling",
            goal=("share", FORM_SHARE_TARGET),
        ),
        Page(
            "submit",
            "Submission (POST)",
            "/request/",
            method="POST",
            expect=302,
            target="≥ 10% of ceiling, p99 < 60 ms",
            goal=(("share", SUBMIT_SHARE_TARGET), ("p99_ms", 60)),
        ),
        Page(
            "status",
            "Status page",
            f"/request/status/{seed['status_token']}/",
            target="≥ 15% of ceiling",
            goal=("share", STATUS_SHARE_TARGET),
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
            ADMIN_LIST,
            user="staff",
            target="p99 < 300 ms",
            goal=("p99_ms", 300),
        ),
        Page(
            "admin_filtered",
            "Admin list, filtered (completed, one track)",
            f"{ADMIN_LIST}?status__exact=completed&track__id__exact={seed['track_id']}",
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
            f"{ADMIN_LIST}?q=contact1%40org17.example.org",
            user="staff",
            extra=True,
        ),
    ]
    if wanted:
        keys = {"trivial", *wanted.split(",")}
        pages = [page for page in pages if page.key in keys]
    return pages


CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


HIDDEN_INPUT = re.compile(
    r'<input type="hidden" name="([^"]+)" value="([^"]*)"[^>]*>', re.IGNORECASE
)


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


def sign_in(client: Client, seed: dict) -> dict[str, list[str]]:
    """Four sessions per role (one per wrk connection pair), by role; a role
    that cannot sign in gets none, and its pages are skipped."""
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
    return sessions


def prepare_submission(client: Client, track_slug: str, body_file: Path):
    """The form's post in `body_file` for wrk: (body, CSRF cookie), or
    (None, "") when the form cannot be read (the submission is skipped)."""
    try:
        body, csrf_cookie = submission_body(client, track_slug)
    except Exception as error:  # noqa: BLE001
        log(f"cannot prepare the submission: {error}")
        return None, ""
    body_file.write_text(body)
    return body, csrf_cookie


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


class Driver:
    """Measures pages against one running gunicorn."""

    def __init__(self, *, port: int, server, wrk_binary: str, args, worker=None):
        self.port = port
        self.server = server
        # The Celery worker, whose CPU per delivered email is measured with
        # the submission.
        self.worker = worker
        self.wrk_binary = wrk_binary
        self.args = args
        self.client = Client(port)

    def url(self, page: Page) -> str:
        return f"http://127.0.0.1:{self.port}{page.path}"

    def measured(self, page, cookies, page_body, seconds) -> dict:
        """A wrk run, with gunicorn's CPU time per request."""
        cpu_before = server_cpu_seconds(self.server.pid)
        figures = wrk(
            self.wrk_binary,
            self.url(page),
            page,
            cookies,
            page_body,
            seconds,
            self.args,
        )
        figures["cpu_us"] = (
            (server_cpu_seconds(self.server.pid) - cpu_before)
            / max(figures["requests"], 1)
            * 1e6
        )
        return figures

    def ceiling(self, trivial: Page) -> dict:
        """The trivial view just before or after a page: the machine is
        shared, so each page is compared with its own ceiling."""
        return self.measured(trivial, [], None, self.args.ceiling_seconds)

    def drive(self, pages, sessions, body, csrf_cookie, body_file) -> None:
        """Measure every page in turn (results in page.result); a page that
        does not answer as expected is skipped with its reason."""
        trivial = pages[0]
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
                    self.client, page, cookies, body if page.method == "POST" else None
                )
            if page.skip_reason:
                log(f"SKIPPED {page.label} ({page.path}): {page.skip_reason}")
                continue
            page_body = body_file if page.method == "POST" else None
            self.measure(page, trivial, cookies, page_body)

    def measure(self, page, trivial, cookies, page_body) -> None:
        args = self.args
        wrk(
            self.wrk_binary,
            self.url(page),
            page,
            cookies,
            page_body,
            args.warmup,
            args,
        )
        ceilings = [] if page.key == "trivial" else [self.ceiling(trivial)]
        before = count_requests() if page.method == "POST" else 0
        worker_before = self.worker_cpu_and_sent() if page.method == "POST" else None
        page.result.update(self.measured(page, cookies, page_body, args.seconds))
        if page.method == "POST":
            page.result["created"] = count_requests() - before
        if page.key != "trivial":
            ceilings.append(self.ceiling(trivial))
        r = page.result
        if ceilings:
            r["ceiling_rps"] = statistics.mean(c["rps"] for c in ceilings)
            r["ceiling_cpu_us"] = statistics.mean(c["cpu_us"] for c in ceilings)
        else:
            r["ceiling_rps"], r["ceiling_cpu_us"] = r["rps"], r["cpu_us"]
        ratios = [r["rps"] / r["ceiling_rps"]]
        if any(kind == "share" for kind, _value in goals(page)):
            # A share target: more short rounds, page then ceiling, and
            # the median, as the load of the machine drifts.
            for _ in range(args.share_rounds - 1):
                again = self.measured(page, cookies, page_body, args.ceiling_seconds)
                ratios.append(again["rps"] / self.ceiling(trivial)["rps"])
        if worker_before is not None:
            r.update(self.worker_per_email(worker_before))
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
            + (
                f", worker {r['worker_cpu_per_email_us'] / 1000:.2f} ms CPU per "
                f"email ({r['emails_delivered']} delivered, "
                f"{r['outbox_left']} left after {r['drain_seconds']:.0f} s)"
                if "worker_cpu_per_email_us" in r
                else ""
            )
        )

    def worker_cpu_and_sent(self) -> tuple[float, int]:
        """The Celery worker's CPU time so far (/proc) and the outbox rows
        sent so far."""
        cpu = server_cpu_seconds(self.worker.pid) if self.worker else 0.0
        return cpu, outbox_sent()

    def worker_per_email(self, before: tuple[float, int]) -> dict:
        """Once the worker has delivered what the submissions queued (or a
        minute has passed): its CPU per email delivered since `before`."""
        started = time.monotonic()
        left = int(outbox_pending())
        while left and time.monotonic() - started < 60:
            time.sleep(0.5)
            left = int(outbox_pending())
        cpu, sent = self.worker_cpu_and_sent()
        delivered = sent - before[1]
        return {
            "emails_delivered": delivered,
            "outbox_left": left,
            "drain_seconds": time.monotonic() - started,
            "worker_cpu_per_email_us": (cpu - before[0]) / max(delivered, 1) * 1e6,
        }


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


def outbox_sent() -> int:
    return int(
        psql(
            "SELECT count(*) FROM consultations_outboundemail WHERE status = 'sent'",
            DB_NAME,
        )
    )


def outbox_pending() -> str:
    """Emails the worker has not delivered by the end of the run."""
    return psql(
        "SELECT count(*) FROM consultations_outboundemail "
        "WHERE status IN ('pending', 'sending')",
        DB_NAME,
    )
