"""Fixtures for the triage and workspace tests: staff and advisors, a
request without its first history row, an eager Celery. The factories are
tests/factories.py's."""

import pytest

from consultations.roles import ADVISORS_GROUP, COORDINATORS_GROUP
from tests.factories import AdvisorProfileFactory, ConsultationFactory, UserFactory
from tests.migration_data import restore_staff_groups

# Browser tests import it under this name.
create_staff_groups = restore_staff_groups


@pytest.fixture(scope="session", autouse=True)
def staff_groups_present(request, django_db_blocker):
    """With --reuse-db, a previous run's flushes (live-server tests) may have
    removed the groups the migration created. A run of tests that need no
    database (test_validators.py alone, say) sets none up: nothing to do."""
    if not any(
        item.get_closest_marker("django_db")
        or {"db", "transactional_db"} & set(item.fixturenames)
        for item in request.session.items
    ):
        return
    request.getfixturevalue("django_db_setup")
    with django_db_blocker.unblock():
        create_staff_groups()


@pytest.fixture
def make_advisor(db):
    """An advisor with a profile; keyword arguments go to the profile."""

    def make(*, tracks=None, first_name=None, **profile_fields):
        user_fields = {"groups": [ADVISORS_GROUP]}
        if first_name:
            user_fields["first_name"] = first_name
        user = UserFactory(**user_fields)
        profile = AdvisorProfileFactory(user=user, tracks=tracks, **profile_fields)
        return profile.user

    return make


@pytest.fixture
def advisor(make_advisor):
    return make_advisor(first_name="Yael", languages=["he", "ar"])


@pytest.fixture
def other_advisor(make_advisor):
    return make_advisor(first_name="Omar", languages=["ar"])


@pytest.fixture
def coordinator(db):
    """Staff in the Coordinators group: sees everything, crisis included."""
    return UserFactory(
        username="coordinator", is_staff=True, groups=[COORDINATORS_GROUP]
    )


@pytest.fixture
def staff_member(db):
    """Staff in no group: enough for the services that only record who
    acted (and safe in transactional tests, whose flush drops the groups)."""
    return UserFactory(username="staff-member", is_staff=True)


@pytest.fixture
def plain_staff(db):
    """Staff without the Coordinators group's crisis permission."""
    from django.contrib.auth.models import Permission

    user = UserFactory(username="staff-no-crisis", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="consultations",
            codename__in=["view_consultation", "change_consultation"],
        )
    )
    return user


@pytest.fixture
def consultation(db):
    return ConsultationFactory(history=False)


@pytest.fixture
def eager_celery():
    """Deliver outbox rows in-process, so mail.outbox shows what was sent."""
    from shatil_portal.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous
