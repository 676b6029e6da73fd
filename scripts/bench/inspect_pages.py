"""A look inside each page of the benchmark, in-process, on the seeded data:
how many queries it makes and how long they take, where the rest of the time
goes (a profile summed by area: templates, forms, crispy-forms, ORM...), and
EXPLAIN (ANALYZE, BUFFERS) of every SELECT it sends to the requests table.

Called by run.py with the server's environment (DEBUG off, the bench
database): inspect_pages.py PAGES_JSON OUT_JSON STAFF_USERNAME ADVISOR_USERNAME
"""

import cProfile
import json
import os
import pstats
import statistics
import sys
import time
import uuid
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shatil_portal.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

ROUNDS = 15
REQUESTS_TABLE = '"consultations_consultation"'
# Exclusive profile time, summed by where the code lives.
AREAS = [
    ("crispy-forms", ("/crispy_forms/", "/crispy_bootstrap5/")),
    ("static tag", ("/django/contrib/staticfiles/", "/django/templatetags/static")),
    ("templates", ("/django/template/", "/django/templatetags/")),
    ("forms and widgets", ("/django/forms/", "/phonenumber_field/", "/phonenumbers/")),
    ("ORM and driver", ("/django/db/", "/psycopg2/")),
    ("translation", ("/django/utils/translation/",)),
    ("URL resolving", ("/django/urls/",)),
    ("admin", ("/django/contrib/admin/",)),
    (
        "middleware, sessions, auth",
        (
            "/django/middleware/",
            "/django/contrib/sessions/",
            "/django/contrib/auth/",
            "/django/contrib/messages/",
            "/csp/",
            "/axes/",
            "/django_otp/",
            "/django_ratelimit/",
            "/django_permissions_policy/",
            "/whitenoise/",
        ),
    ),
    ("cache (Redis)", ("/django/core/cache/", "/redis/")),
    ("request handling", ("/django/core/handlers/", "/django/http/", "/django/test/")),
    ("Django utils (escaping, lazy text)", ("/django/utils/",)),
    ("project code", (str(BASE_DIR / "consultations"), str(BASE_DIR / "tracks"))),
]


class Recorder:
    """Counts and times every query (connection.execute_wrapper)."""

    def __init__(self):
        self.queries: list[tuple[str, tuple, float]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((sql, params, time.perf_counter() - started))


def area_of(filename: str, function: str) -> str:
    if filename == "~":
        # C functions: the database driver, sockets (Redis, the broker)...
        if "psycopg2" in function:
            return "ORM and driver"
        if "socket" in function or "select" in function or "poll" in function:
            return "network I/O (Redis, broker)"
        return "built-in functions"
    for name, markers in AREAS:
        if any(marker in filename for marker in markers):
            return name
    if "site-packages" not in filename and "/lib/python3" in filename:
        return "Python standard library"
    return "other"


def profile(send) -> list[tuple[str, float]]:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(5):
        send()
    profiler.disable()
    totals: dict[str, float] = {}
    for (filename, _line, function), row in pstats.Stats(profiler).stats.items():
        area = area_of(filename, function)
        totals[area] = totals.get(area, 0) + row[2]
    whole = sum(totals.values()) or 1
    return sorted(
        ((name, round(value / whole, 3)) for name, value in totals.items()),
        key=lambda item: -item[1],
    )


def explain(queries) -> list[dict]:
    plans = []
    seen = set()
    for sql, params, _seconds in queries:
        if not sql.lstrip().upper().startswith("SELECT") or REQUESTS_TABLE not in sql:
            continue
        if sql in seen:
            continue
        seen.add(sql)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            transaction.set_rollback(True)
        plans.append(
            {
                "sql": sql,
                "params": [str(p) for p in (params or ())],
                "plan": plan,
                "seq_scan": f"Seq Scan on {REQUESTS_TABLE.strip(chr(34))}" in plan,
            }
        )
    return plans


def inspect(send) -> dict:
    for _ in range(3):
        response = send()
    walls, sql_times = [], []
    recorder = Recorder()
    for _ in range(ROUNDS):
        recorder.queries.clear()
        started = time.perf_counter()
        with connection.execute_wrapper(recorder):
            response = send()
        walls.append(time.perf_counter() - started)
        sql_times.append(sum(seconds for _sql, _params, seconds in recorder.queries))
    queries = list(recorder.queries)
    return {
        "status": response.status_code,
        "wall_ms": round(statistics.median(walls) * 1000, 2),
        "sql_ms": round(statistics.median(sql_times) * 1000, 2),
        "queries": len(queries),
        "query_list": [
            {"sql": sql[:300], "ms": round(seconds * 1000, 2)}
            for sql, _params, seconds in queries
        ],
        "profile": profile(send),
        "explains": explain(queries),
    }


def _sender(client: Client, page: dict):
    """A function making the page's request: a GET, or the form's POST with
    a fresh one-time key each time."""
    if page["method"] == "GET":
        return lambda: client.get(page["path"])
    return lambda: client.post(
        page["path"],
        page["body"].replace("__SUBMISSION_KEY__", str(uuid.uuid4())),
        content_type="application/x-www-form-urlencoded",
    )


def _uncached(send):
    """The dashboard computed on every request: its per-filter cache off."""

    def send_uncached():
        with override_settings(DASHBOARD_CACHE_SECONDS=0):
            return send()

    return send_uncached


def explain_only(send) -> dict:
    """One request, and the plans of its queries on the requests table."""
    recorder = Recorder()
    with connection.execute_wrapper(recorder):
        response = send()
    plans = explain(recorder.queries)
    return {
        "status": response.status_code,
        "queries": len(recorder.queries),
        "plans": [
            {
                "seq_scan": plan["seq_scan"],
                "ms": _execution_ms(plan["plan"]),
                "sql": plan["sql"],
                "params": plan["params"],
                "plan": plan["plan"],
            }
            for plan in plans
        ],
    }


def _execution_ms(plan: str) -> float:
    for line in plan.splitlines():
        if line.startswith("Execution Time:"):
            return float(line.split(":")[1].split()[0])
    return 0.0


def main() -> None:
    spec, out, staff_username, advisor_username = sys.argv[1:5]
    users = {
        "staff": get_user_model().objects.get(username=staff_username),
        "advisor": get_user_model().objects.get(username=advisor_username),
    }
    results = {"pages": {}, "filters": {}}
    for page in json.loads(Path(spec).read_text()):
        client = Client()
        if page["user"]:
            client.force_login(users[page["user"]])
        if page.get("explain_only"):
            results["filters"][page["path"]] = explain_only(_sender(client, page))
            continue
        send = _sender(client, page)
        if page.get("uncached"):
            send = _uncached(send)
        result = results["pages"][page["key"]] = inspect(send)
        print(
            f"  {page['key']}: {result['wall_ms']} ms, {result['queries']} queries, "
            f"{result['sql_ms']} ms in SQL",
            flush=True,
        )
    Path(out).write_text(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
