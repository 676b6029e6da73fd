"""`make mutation`: mutation testing of the modules that carry the guarantees,
each against its own tests only, so that a run takes minutes (docs/MUTATION.md).

For each module this builds a scratch copy of the project in
var/mutation/<name>/ whose pyproject.toml tells mutmut to mutate that one
file and to run that module's tests, runs mutmut there, and prints the
score and the surviving mutants. The project's own files are never changed.

    var/mutation/venv/bin/python scripts/mutation.py [name ...]

`make mutation MUTATION_MODULES="business_time validators"` picks modules;
`mutmut show <mutant>` inside var/mutation/<name>/ shows one mutant's diff.
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
WORK = BASE_DIR / "var" / "mutation"

# name: (the module, its own tests)
MODULES = {
    "business_time": (
        "consultations/business_time.py",
        ["tests/consultations/test_business_time.py"],
    ),
    "validators": (
        "consultations/validators.py",
        ["tests/consultations/test_validators.py"],
    ),
    "outbox": (
        "consultations/services/outbox.py",
        [
            "tests/consultations/test_outbox_guarantees.py",
            "tests/consultations/test_outbox_delivery.py",
            "tests/consultations/test_outbox_races.py",
        ],
    ),
    "transitions": (
        "consultations/services/transitions.py",
        [
            "tests/consultations/test_transitions.py",
            "tests/consultations/test_transition_emails.py",
        ],
    ),
    "permissions": (
        "consultations/permissions.py",
        [
            "tests/consultations/test_crisis_permission_callers.py",
            "tests/consultations/test_permissions.py",
            "tests/consultations/test_crisis_visibility.py",
        ],
    ),
}

# Not copied into the scratch project.
SKIP = {".git", ".venv", "node_modules", "var", "staticfiles", "mutants"}

# Loaded by pytest from the scratch project's root: mutmut forks a child per
# mutant after its first runs, so no database connection may outlive a run.
ROOT_CONFTEST = '''"""Written by scripts/mutation.py for mutmut's runs."""


def pytest_sessionfinish(session, exitstatus):
    from django.db import connections

    connections.close_all()
'''


def scratch_project(name: str, module: str, tests: list[str]) -> Path:
    """A copy of the project with mutmut's settings for `module`."""
    target = WORK / name
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for entry in BASE_DIR.iterdir():
        if entry.name in SKIP or entry.name.startswith("."):
            continue
        if entry.is_dir():
            shutil.copytree(
                entry,
                target / entry.name,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
            )
        else:
            shutil.copy2(entry, target / entry.name)
    (target / "conftest.py").write_text(ROOT_CONFTEST)
    # mutmut copies the Python packages to mutants/ (mutating only the
    # module) and the rest as they are, then runs the tests there.
    packages = sorted(
        entry.name for entry in target.iterdir() if (entry / "__init__.py").exists()
    )
    others = sorted(
        entry.name
        for entry in target.iterdir()
        if entry.name not in packages and entry.name != "pyproject.toml"
    )
    settings = (
        "\n[tool.mutmut]\n"
        f"source_paths = {packages!r}\n"
        f"only_mutate = [{module!r}]\n"
        f"tests_dir = {tests!r}\n"
        f"also_copy = {others!r}\n"
    ).replace("'", '"')
    pyproject = target / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + settings)
    return target


def run_module(name: str, *, max_children: int, timeout: int) -> dict:
    module, tests = MODULES[name]
    folder = scratch_project(name, module, tests)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shatil_portal.test_settings",
        "DJANGO_ALLOW_ASYNC_UNSAFE": "true",
        "TEST_DATABASE_NAME": os.environ.get(
            "MUTATION_DATABASE_NAME", "test_shatil_mutation"
        ),
    }
    mutmut = str(Path(sys.executable).with_name("mutmut"))
    started = time.monotonic()
    print(f"[mutation] {name}: {module} against {' '.join(tests)}", flush=True)
    log_file = folder / "mutmut-run.log"
    with log_file.open("w") as log:
        run = subprocess.Popen(
            [mutmut, "run", "--max-children", str(max_children)],
            cwd=folder,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            run.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            # mutmut and the children it forked; the mutants it has not
            # reached are reported as not counted.
            os.killpg(run.pid, signal.SIGTERM)
            run.wait()
            print(f"[mutation] {name}: stopped after {timeout} s", flush=True)
    listing = subprocess.run(
        [mutmut, "results", "--all", "true"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    statuses = dict(re.findall(r"^\s+(\S+): (.+)$", listing, re.MULTILINE))
    killed = sum(status == "killed" for status in statuses.values())
    survived = sorted(m for m, status in statuses.items() if status == "survived")
    others = {m: s for m, s in statuses.items() if s not in ("killed", "survived")}
    tested = killed + len(survived)
    score = killed / tested if tested else 0.0
    print(
        f"[mutation] {name}: {killed} of {tested} mutants killed ({score:.0%}), "
        f"{len(others)} not counted {sorted(set(others.values()))}, "
        f"{time.monotonic() - started:.0f} s",
        flush=True,
    )
    for mutant in survived:
        print(f"    survived: {mutant}")
    if not statuses:
        print(log_file.read_text()[-3000:])
    return {"killed": killed, "tested": tested, "survived": survived}


def main() -> None:
    parser = argparse.ArgumentParser(description="make mutation")
    parser.add_argument("names", nargs="*", help=f"of {', '.join(MODULES)}")
    parser.add_argument("--max-children", type=int, default=2)
    parser.add_argument("--timeout", type=int, default=1800, help="per module")
    args = parser.parse_args()
    unknown = set(args.names) - set(MODULES)
    if unknown:
        parser.error(f"unknown modules: {', '.join(sorted(unknown))}")
    for name in args.names or MODULES:
        run_module(name, max_children=args.max_children, timeout=args.timeout)


if __name__ == "__main__":
    main()
