from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from consultations.models import AdvisorProfile, Language, Region
from consultations.roles import ADVISORS_GROUP, COORDINATORS_GROUP
from tracks.models import Track

DEMO_PASSWORD = "shatil-demo-2026"


class Command(BaseCommand):
    help = "Create the demo coordinator and advisor. Only in demo mode (make run)."

    def handle(self, *args, **options):
        # These well-known credentials must never exist outside a laptop demo.
        if not (settings.DEMO_MODE and settings.DEBUG):
            raise CommandError(
                "Demo accounts are created only with DJANGO_DEMO_MODE=1 and "
                "DJANGO_DEBUG=1 (make run)."
            )
        User = get_user_model()
        coordinator, _ = User.objects.get_or_create(
            username="coordinator",
            defaults={
                "first_name": "Noa",
                "last_name": "Coordinator",
                "email": "coordinator@example.org",
                "is_staff": True,
            },
        )
        coordinator.set_password(DEMO_PASSWORD)
        coordinator.save()
        coordinator.groups.add(Group.objects.get_or_create(name=COORDINATORS_GROUP)[0])

        advisor, _ = User.objects.get_or_create(
            username="advisor",
            defaults={
                "first_name": "Yael",
                "last_name": "Advisor",
                "email": "advisor@example.org",
            },
        )
        advisor.set_password(DEMO_PASSWORD)
        advisor.save()
        advisor.groups.add(Group.objects.get_or_create(name=ADVISORS_GROUP)[0])
        # The demo advisor takes any request, so assignment works out of the
        # box; seed_demo_data then gives it a profile of its own among five
        # advisors, which a later run keeps.
        profile, created = AdvisorProfile.objects.get_or_create(
            user=advisor,
            defaults={
                "languages": list(Language.values),
                "regions": list(Region.values),
                "capacity": 5,
                "is_active": True,
            },
        )
        if created:
            profile.tracks.set(Track.objects.all())
        self.stdout.write("Demo accounts ready: coordinator and advisor.")
