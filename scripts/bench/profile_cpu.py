"""CPU per request and per email, in-process, with the top functions: the
steady figures on a shared machine (wall-clock throughput is not).

    .venv/bin/python scripts/bench/profile_cpu.py [--requests 200] [--top 25]
        [--pages submit,status,status-fresh,form,trivial] [--emails]

Runs against the bench database (`make bench` seeds it; BENCH_DB, as
run.py) with the bench's environment (DEBUG off, Redis database 7). Each
page is requested through Django's WSGI handler as gunicorn calls it, the
CPU time of this process (time.process_time) divided by the requests; then
once more under cProfile for the top functions. `--emails` then delivers the
outbox rows the submissions queued (Django's dummy email backend, as in the
bench) and gives the worker's CPU per email the same way. The submissions'
Celery tasks are queued on the bench's Redis database and dropped at the end.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import re
import secrets
import sys
import time
import uuid
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parents[1]))

from common import VAR  # noqa: E402
from drive import HIDDEN_INPUT  # noqa: E402
from prepare import server_env  # noqa: E402


def environment() -> None:
    env = server_env(8000, secrets.token_urlsafe(50), "shatil_portal.settings")
    for key in [k for k in os.environ if k.startswith(("DJANGO_", "DATABASE_"))]:
        del os.environ[key]
    os.environ.update(env)


def wsgi_call(handler, method, path, body=b"", cookie=""):
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path.split("?", 1)[0],
        "QUERY_STRING": path.split("?", 1)[1] if "?" in path else "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_COOKIE": cookie,
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    if method == "POST":
        environ["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
        environ["CONTENT_LENGTH"] = str(len(body))
    status = []
    result = handler(environ, lambda s, h, exc=None: status.append((s, h)))
    content = b"".join(result)
    if hasattr(result, "close"):
        result.close()
    return int(status[0][0].split()[0]), dict(status[0][1]), content


def top(profiler, count: int) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(count)
    stats.sort_stats("cumulative").print_stats(count)
    return out.getvalue()


def measure(send, requests: int, top_count: int) -> dict:
    for _ in range(20):
        send()
    started_cpu, started_wall = time.process_time(), time.perf_counter()
    for _ in range(requests):
        send()
    cpu_ms = (time.process_time() - started_cpu) / requests * 1000
    wall_ms = (time.perf_counter() - started_wall) / requests * 1000
    # The CPU clock: time spent waiting on PostgreSQL or Redis is not ours.
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    profiled = max(requests // 4, 10)
    for _ in range(profiled):
        send()
    profiler.disable()
    return {
        "cpu_ms": cpu_ms,
        "wall_ms": wall_ms,
        # Python function calls per request: a count that, unlike time, does
        # not move with the machine's load.
        "calls": pstats.Stats(profiler).total_calls / profiled,
        "profile": top(profiler, top_count),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--pages", default="trivial,form,submit,status")
    parser.add_argument("--emails", action="store_true")
    parser.add_argument("--out", default=str(VAR / "profile_cpu.txt"))
    args = parser.parse_args()
    environment()
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler

    from consultations.models import OutboundEmail

    handler = WSGIHandler()
    seed = json.loads((VAR / "seed.json").read_text())
    slug = seed["track_slug"]
    status, headers, content = wsgi_call(handler, "GET", f"/request/?track={slug}")
    assert status == 200, status
    # The CSRF pair of one GET, as the bench's wrk posts.
    csrf_cookie = re.search(r"csrftoken=([^;]+)", headers["Set-Cookie"]).group(1)

    body_template = (VAR / "submission.txt").read_text()
    token = dict(HIDDEN_INPUT.findall(content.decode()))["csrfmiddlewaretoken"]
    body_template = re.sub(
        r"csrfmiddlewaretoken=[^&]*", f"csrfmiddlewaretoken={token}", body_template
    )
    pages = {
        "trivial": lambda: wsgi_call(handler, "GET", "/bench/trivial"),
        "home": lambda: wsgi_call(handler, "GET", "/"),
        "form": lambda: wsgi_call(handler, "GET", f"/request/?track={slug}"),
        "submit": lambda: wsgi_call(
            handler,
            "POST",
            "/request/",
            body_template.replace("__SUBMISSION_KEY__", str(uuid.uuid4())).encode(),
            cookie=f"csrftoken={csrf_cookie}",
        ),
        "status": lambda: wsgi_call(
            handler, "GET", f"/request/status/{seed['status_token']}/"
        ),
        # The status page rendered afresh (a query string is never served
        # from the cache): what every visit cost before the page was cached,
        # and what a visit after a change costs.
        "status-fresh": lambda: wsgi_call(
            handler, "GET", f"/request/status/{seed['status_token']}/?fresh=1"
        ),
    }
    report = []
    first_email = OutboundEmail.objects.order_by("-pk").values_list("pk", flat=True)
    first_email = (first_email.first() or 0) + 1
    for key in args.pages.split(","):
        expected = 302 if key == "submit" else 200
        got = pages[key]()[0]
        assert got == expected, f"{key} answered {got}"
        result = measure(pages[key], args.requests, args.top)
        line = (
            f"{key}: {result['cpu_ms']:.3f} ms CPU, {result['wall_ms']:.3f} ms wall, "
            f"{result['calls']:.0f} function calls"
        )
        print(line, flush=True)
        report.append(f"== {line}\n{result['profile']}")
    if args.emails:
        from consultations.services.outbox import outbound_emails_deliver

        ids = list(
            OutboundEmail.objects.filter(
                pk__gte=first_email, status=OutboundEmail.Status.PENDING
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        # As the worker gets them: one task per submission, two emails each.
        batches = [ids[i : i + 2] for i in range(0, len(ids), 2)]
        half = len(batches) // 2
        started = time.process_time()
        for batch in batches[:half]:
            outbound_emails_deliver(email_ids=batch)
        count = sum(len(batch) for batch in batches[:half])
        cpu_ms = (time.process_time() - started) / max(count, 1) * 1000
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        for batch in batches[half:]:
            outbound_emails_deliver(email_ids=batch)
        profiler.disable()
        calls = pstats.Stats(profiler).total_calls / max(len(ids) - count, 1)
        line = (
            f"email: {cpu_ms:.3f} ms CPU per email ({count} emails), "
            f"{calls:.0f} function calls"
        )
        print(line, flush=True)
        report.append(f"== {line}\n{top(profiler, args.top)}")
    Path(args.out).write_text("\n".join(report))
    print(f"profiles in {args.out}")


if __name__ == "__main__":
    main()
