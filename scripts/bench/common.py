"""What every part of the benchmark shares: where things are, the database
and Redis it uses, the pages it measures, and how it runs commands."""

import os
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
BENCH_DIR = Path(__file__).resolve().parent
BIN = BASE_DIR / ".venv" / "bin"
PYTHON = str(BIN / "python")
DOC = BASE_DIR / "docs" / "BENCHMARKS.md"

PG_URL = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
DB_NAME = os.environ.get("BENCH_DB", "shatil_bench")
# Each database keeps its own seed file, so a 1,000,000-request database can
# be kept (--reuse-db) beside the default one.
VAR = BASE_DIR / "var" / ("bench" if DB_NAME == "shatil_bench" else f"bench-{DB_NAME}")
RESULTS = VAR / "results.json"
# A Redis database of its own, so the run never touches local or test data.
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")


@dataclass
class Page:
    key: str
    label: str
    path: str
    user: str = ""  # "", "staff" or "advisor"
    method: str = "GET"
    expect: int = 200
    target: str = ""
    # (kind, value): ("share", 0.70) of the ceiling, or ("p99_ms", 100); or
    # several such pairs, all to hold
    goal: tuple = ()
    extra: bool = False
    skip_reason: str = ""
    result: dict = field(default_factory=dict)


def goals(page: Page) -> list[tuple[str, float]]:
    """The page's targets as (kind, value) pairs (none, one or several)."""
    if not page.goal:
        return []
    if isinstance(page.goal[0], (list, tuple)):
        return [tuple(goal) for goal in page.goal]
    return [tuple(page.goal)]


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


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
