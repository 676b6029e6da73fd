"""factory_boy factories for the portal's models, shared by every test package.

The catalog (tracks, formats, adjacent areas) is seed data loaded by a
migration or the `catalog` fixture, so factories look tracks up by slug
rather than making new ones.
"""

import hashlib
import uuid
from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from consultations.models import (
    AdvisorProfile,
    Consultation,
    Language,
    Message,
    Organization,
    OutboundEmail,
    Region,
    StatusChange,
)
from consultations.roles import ADVISORS_GROUP

PASSWORD = "correct-horse-battery-staple"


def catalog_track(slug: str = "project-consulting"):
    from tracks.models import Track

    return Track.objects.get(slug=slug)


class UserFactory(factory.django.DjangoModelFactory):
    """A user; pass groups=[name, ...] to put them in the staff groups."""

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


class ConsultationFactory(factory.django.DjangoModelFactory):
    """A request as intake leaves it. Pass `status_token="..."` to know the
    raw token of its private link (only its hash is stored), and
    `history=False` for a request without its first history row (for tests
    that count the rows their own transitions write)."""

    class Meta:
        model = Consultation
        skip_postgeneration_save = True

    class Params:
        status_token = factory.Sequence(lambda n: f"test-status-token-{n:026d}")
        crisis = factory.Trait(
            track=factory.LazyFunction(lambda: catalog_track("crisis")),
            is_crisis=True,
            urgency=Consultation.Urgency.URGENT,
        )

    reference = factory.Sequence(lambda n: f"SH-2026-{n + 1:05d}")
    organization = factory.SubFactory(OrganizationFactory)
    organization_as_submitted = factory.LazyAttribute(
        lambda c: {
            "name": c.organization.name,
            "kind": c.organization.kind,
            "registration_number": c.organization.registration_number,
            "region": c.organization.region,
            "locality": "",
            "website": "",
            "staff_size": "",
            "volunteer_size": "",
            "population_served": "",
        }
    )
    track = factory.LazyFunction(catalog_track)
    goal = "לקדם תקנה עירונית להנגשת מרחבים ציבוריים."
    background = "פנינו לוועדת התכנון ולא קיבלנו מענה."
    contact_name = "Dana Levi"
    contact_role = "Director"
    contact_email = factory.Sequence(lambda n: f"contact{n}@example.org")
    preferred_language = Language.HEBREW
    consent_given_at = factory.LazyFunction(timezone.now)
    privacy_policy_version = "2026-11"
    submission_key = factory.LazyFunction(uuid.uuid4)
    status_token_hash = factory.LazyAttribute(
        lambda c: hashlib.sha256(c.status_token.encode()).hexdigest()
    )
    submitted_at = factory.LazyFunction(timezone.now)
    first_response_due_at = factory.LazyAttribute(
        lambda c: c.submitted_at + timedelta(days=3)
    )

    @factory.post_generation
    def history(self, create, extracted, **kwargs):
        """The first history row, as intake writes it (unless history=False)."""
        if create and extracted is not False:
            StatusChange.objects.create(
                consultation=self, from_status="", to_status=Consultation.Status.NEW
            )


class StatusChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StatusChange

    consultation = factory.SubFactory(ConsultationFactory)
    from_status = Consultation.Status.NEW
    to_status = Consultation.Status.IN_TRIAGE


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    consultation = factory.SubFactory(ConsultationFactory)
    direction = Message.Direction.TO_ORGANIZATION
    body = "שלום, נשמח לקבוע פגישה."


class OutboundEmailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutboundEmail

    kind = OutboundEmail.Kind.STATUS_LINK
    dedup_key = factory.Sequence(lambda n: f"test:{n}")
    to_address = factory.Sequence(lambda n: f"recipient{n}@example.org")
    language = Language.HEBREW
    context = factory.LazyFunction(
        lambda: {
            "reference": "SH-2026-00001",
            "contact_name": "Dana Levi",
            "secret_status_url": "http://testserver/request/status/secret/",
        }
    )
    next_attempt_at = factory.LazyFunction(timezone.now)


# A registered nonprofit's number with a valid check digit.
VALID_NONPROFIT_NUMBER = "580045672"


def request_form_data(**overrides) -> dict:
    """A valid POST of the public request form; keyword arguments replace
    fields (coalition rows as members-0-name=...)."""
    data = {
        "organization_name": "עמותת שוויון בנגב",
        "organization_kind": Organization.Kind.NONPROFIT,
        "registration_number": VALID_NONPROFIT_NUMBER,
        "region": Region.SOUTH,
        "locality": "באר שבע",
        "website": "",
        "staff_size": "6-20",
        "volunteer_size": "21-50",
        "population_served": "משפחות בכפרים הלא מוכרים",
        "contact_name": "דנה לוי",
        "contact_role": 'מנכ"לית',
        "contact_email": "dana@example.org",
        "contact_phone": "050-123-4567",
        "preferred_language": Language.HEBREW,
        "preferred_contact_method": Consultation.ContactMethod.EMAIL,
        "preferred_contact_times": "בימי ראשון בבוקר",
        "track": "project-consulting",
        "track_format": "",
        "adjacent_areas": ["media"],
        "goal": "לקדם הסעות ציבוריות לבתי הספר באזור.",
        "background": "פנינו למועצה האזורית ולא קיבלנו מענה.",
        "timing": "דיון בוועדת החינוך בעוד חודש.",
        "urgency": Consultation.Urgency.NORMAL,
        "consent": "on",
        "submission_key": str(uuid.uuid4()),
        "homepage": "",
        "members-TOTAL_FORMS": "3",
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "20",
    }
    data.update(overrides)
    return data


# Follow-ups


class ResponsePolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "consultations.ResponsePolicy"

    urgency = "normal"
    track = None
    first_response_business_days = 3
    reminder_business_days_before = 1


class FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "consultations.FollowUp"

    consultation = factory.SubFactory(ConsultationFactory)
    kind = "response_reminder"
    sequence = 1
    scheduled_at = factory.LazyFunction(timezone.now)


class FeedbackFactory(factory.django.DjangoModelFactory):
    """An invitation to give feedback; pass `token="..."` to know its link."""

    class Meta:
        model = "consultations.Feedback"

    class Params:
        token = factory.Sequence(lambda n: f"test-feedback-token-{n:024d}")

    consultation = factory.SubFactory(
        ConsultationFactory,
        status=Consultation.Status.COMPLETED,
        closed_at=factory.LazyFunction(timezone.now),
    )
    token_hash = factory.LazyAttribute(
        lambda f: hashlib.sha256(f.token.encode()).hexdigest()
    )
    language = factory.SelfAttribute("consultation.preferred_language")
