"""The benchmark's seeder (scripts/bench/seed.py), seeding 200 requests into
the test database: every history it writes follows the workflow's own table
of allowed moves, from submission to the request's status now."""

import importlib.util
from pathlib import Path

import pytest

from consultations.models import Consultation, StatusChange
from consultations.services.workflow import ALLOWED_TRANSITIONS
from tests.migration_data import restore_staff_groups

SEED_SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "bench" / "seed.py"


@pytest.fixture(scope="module")
def bench_seed():
    spec = importlib.util.spec_from_file_location("bench_seed", SEED_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_seeders_preferred_moves_are_moves_the_workflow_allows(bench_seed):
    """A preference the workflow no longer allows would silently never apply."""
    for from_status, to_status in bench_seed.MOVE_WEIGHTS:
        assert to_status in ALLOWED_TRANSITIONS[from_status]


@pytest.mark.django_db
def test_every_seeded_history_follows_the_workflow(bench_seed, catalog):
    restore_staff_groups()

    result = bench_seed.seed(requests=200)

    assert result["counts"]["consultations.Consultation"] == 200
    histories: dict[int, list[StatusChange]] = {}
    for change in StatusChange.objects.order_by("consultation_id", "created_at", "id"):
        histories.setdefault(change.consultation_id, []).append(change)
    statuses = dict(Consultation.objects.values_list("id", "status"))
    assert set(histories) == set(statuses)
    seen = set()
    for consultation_id, history in histories.items():
        first, *moves = history
        assert (first.from_status, first.to_status) == ("", Consultation.Status.NEW)
        previous = first.to_status
        for change in moves:
            assert change.from_status == previous, consultation_id
            assert change.to_status in ALLOWED_TRANSITIONS[change.from_status], (
                f"{consultation_id}: {change.from_status} -> {change.to_status}"
            )
            previous = change.to_status
            seen.add(previous)
        assert previous == statuses[consultation_id]
    # Not a trivial pass: the requests moved along the workflow.
    assert {Consultation.Status.ASSIGNED, Consultation.Status.COMPLETED} <= seen
