"""Factories and fixtures for the triage and workspace tests.

They move to tests/factories.py once that module settles; until then they
live here so that both can grow without stepping on each other.
"""

import hashlib
from datetime import timedelta

import factory
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from consultations.models import (
    AdvisorProfile,
    Consultation,
    Language,
    Organization,
    Region,
)
from consultations.roles import ADVISORS_GROUP, COORDINATORS_GROUP
from tests.migration_data import restore_staff_groups

PASSWORD = "correct-horse-battery-staple"


# Browser tests import it under this name.
create_staff_groups = restore_staff_groups


@pytest.fixture(scope="session", autouse=True)
def staff_groups_present(django_db_setup, django_db_blocker):
    """With --reuse-db, a previous run's flushes (live-server tests) may have
    removed the groups the migration created."""
    with django_db_blocker.unblock():
        create_staff_groups()


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = "Person"
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            for name in extracted:
                self.groups.add(Group.objects.get(name=name))


class AdvisorProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdvisorProfile
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory, groups=[ADVISORS_GROUP])
    languages = factory.LazyFunction(lambda: [Language.HEBREW.value])
    regions = factory.LazyFunction(lambda: [Region.NATIONWIDE.value])
    capacity = 5

    @factory.post_generation
    def tracks(self, create, extracted, **kwargs):
        """Pass tracks=[...]; by default the advisor covers every track."""
        from tracks.models import Track

        if create:
            self.tracks.set(extracted if extracted is not None else Track.objects.all())


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"עמותת בדיקה {n}")
    kind = Organization.Kind.NONPROFIT
    region = Region.HAIFA


def _track(slug: str = "project-consulting"):
    from tracks.models import Track

    return Track.objects.get(slug=slug)


class ConsultationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consultation

    reference = factory.Sequence(lambda n: f"SH-2026-{n + 1:05d}")
    organization = factory.SubFactory(OrganizationFactory)
    track = factory.LazyFunction(_track)
    goal = "לקדם תקנה עירונית להנגשת מרחבים ציבוריים."
    background = "פנינו לוועדת התכנון ולא קיבלנו מענה."
    contact_name = "Dana Levi"
    contact_role = "Director"
    contact_email = factory.Sequence(lambda n: f"contact{n}@example.org")
    preferred_language = Language.HEBREW
    consent_given_at = factory.LazyFunction(timezone.now)
    privacy_policy_version = "2026-11"
    status_token_hash = factory.Sequence(
        lambda n: hashlib.sha256(f"token-{n}".encode()).hexdigest()
    )
    submitted_at = factory.LazyFunction(timezone.now)
    first_response_due_at = factory.LazyAttribute(
        lambda c: c.submitted_at + timedelta(days=3)
    )

    class Params:
        crisis = factory.Trait(
            track=factory.LazyFunction(lambda: _track("crisis")),
            is_crisis=True,
            urgency=Consultation.Urgency.URGENT,
        )


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
    return ConsultationFactory()


@pytest.fixture
def eager_celery():
    """Deliver outbox rows in-process, so mail.outbox shows what was sent."""
    from shatil_portal.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous
