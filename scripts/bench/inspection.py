"""Inside each page, in-process (inspect_pages.py): queries, time in SQL,
where Python spends the rest, and EXPLAIN (ANALYZE) of every query the list
pages make, under every filter, search and sort staff and advisors use."""

import json
import urllib.parse
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from common import BENCH_DIR, PYTHON, VAR, Page, log, run
from drive import ADMIN_LIST


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


def inspect_in_process(pages: list[Page], seed: dict, body, env: dict) -> dict:
    """Run inspect_pages.py on the measured pages and the filters; each
    page's figures go to page.result["inspect"]."""
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
                # The dashboard as its first visitor after the per-filter
                # cache expires gets it: every figure computed.
                {
                    "key": "dashboard-fresh",
                    "path": p.path,
                    "user": p.user,
                    "method": "GET",
                    "uncached": True,
                }
                for p in pages
                if p.key == "dashboard" and not p.skip_reason
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
    return inspection
