"""`make bench`: the portal under load on this machine, measured and written up.

1. Creates a fresh PostgreSQL database (shatil_bench), migrates it and seeds
   it (prepare.py; seed.py: 100,000 requests over three years, 40 advisors...).
2. Serves it as in production: gunicorn with DEBUG off, whitenoise, Redis as
   cache and broker, and a Celery worker, all on 127.0.0.1 (serve.py). The
   rate limits are raised for the run (they are settings), and said so in
   the report.
3. Logs in through the login page as a coordinator and as an advisor.
4. Drives each page with wrk (8 connections, 2 threads, a short warm-up,
   then a bounded run), next to a trivial view through the same middleware:
   the ceiling for a dynamic page here (drive.py).
5. Looks inside each page in-process (inspection.py, inspect_pages.py):
   queries, time in SQL,
   where Python spends the rest, and EXPLAIN (ANALYZE) of every query the
   list pages make.
6. Writes docs/BENCHMARKS.md and prints the table (report.py).

Servers are stopped on every exit path, failures included. A page that does
not answer as expected (404, 500, a form that does not validate) is skipped
with a line in the report rather than failing the run.
"""

import argparse
import json
import os
import secrets
import signal
import time
from dataclasses import asdict

from common import PYTHON, RESULTS, VAR, log, run
from drive import Driver, bench_pages, outbox_pending, prepare_submission, sign_in
from drive import static_check as check_static_assets
from inspection import inspect_in_process
from prepare import check_services, ensure_wrk, free_port, prepare_database, server_env
from report import machine, publish, record_scale
from serve import Processes, start_servers


def parse_args() -> argparse.Namespace:
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
        "--scale",
        "--requests",
        dest="scale",
        type=int,
        default=100_000,
        help="requests seeded (make bench SCALE=10000, 100000 (default), "
        "1000000); each scale's figures are kept in docs/bench-scales.json and "
        "shown side by side in the report",
    )
    parser.add_argument(
        "--settings",
        default="shatil_portal.settings",
        help="another settings module (importable, e.g. through PYTHONPATH), "
        "to measure a proposed change on the same data",
    )
    parser.add_argument("--no-inspect", action="store_true")
    parser.add_argument("--no-docs", action="store_true", help="print only")
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="rewrite docs/BENCHMARKS.md from the last run's results "
        "(after editing scripts/bench/NOTES.md, say)",
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
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

    def stop(signum, frame):
        raise SystemExit(f"stopped by signal {signum}")

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop)

    processes = Processes()
    try:
        seed = prepare_database(env, args.reuse_db, args.scale)
        log("collectstatic")
        run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env=env)
        server, worker = start_servers(
            processes, env=env, port=port, args=args, workers=workers
        )
        driver = Driver(
            port=port, server=server, wrk_binary=wrk_binary, args=args, worker=worker
        )
        pages = bench_pages(seed, args.pages)
        sessions = sign_in(driver.client, seed)
        body_file = VAR / "submission.txt"
        body, csrf_cookie = prepare_submission(
            driver.client, seed["track_slug"], body_file
        )
        driver.drive(pages, sessions, body, csrf_cookie, body_file)
        assets = check_static_assets(driver.client)
        pending = outbox_pending()
    finally:
        processes.stop_all()

    inspection = {}
    if not args.no_inspect:
        inspection = inspect_in_process(pages, seed, body, env)

    results = {
        "pages": [asdict(page) for page in pages],
        "filters": inspection.get("filters", {}),
        "dashboard_fresh": inspection.get("pages", {}).get("dashboard-fresh"),
        "config": run_config(
            args, workers, seed, pending, (time.monotonic() - started) / 60
        ),
        "machine": machine(),
        "assets": assets,
    }
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    if not args.no_docs and not args.pages:
        record_scale(results)
    publish(results, write_docs=not args.no_docs)
    log(f"done in {(time.monotonic() - started) / 60:.1f} minutes")


def run_config(args, workers, seed, outbox_pending_after_run, minutes) -> dict:
    """How the run was made, for the report."""
    return {
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
        "scale": args.scale,
        "outbox_pending_after_run": outbox_pending_after_run,
        "minutes": minutes,
    }


if __name__ == "__main__":
    main()
