"""The shared factories keep the promises their docstrings make."""

import pytest

from consultations.models import Consultation, StatusChange
from tests.factories import ConsultationFactory

pytestmark = pytest.mark.django_db


def test_a_request_comes_with_its_first_history_row_as_intake_writes_it():
    consultation = ConsultationFactory()

    rows = StatusChange.objects.filter(consultation=consultation)
    assert [(row.from_status, row.to_status) for row in rows] == [
        ("", Consultation.Status.NEW)
    ]


def test_history_false_leaves_the_history_to_the_test():
    consultation = ConsultationFactory(history=False)

    assert not StatusChange.objects.filter(consultation=consultation).exists()
