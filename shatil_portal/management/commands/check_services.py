import psycopg2
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from shatil_portal.health import broker_is_reachable


def postgres_is_reachable() -> bool:
    db = settings.DATABASES["default"]
    if "postgresql" not in db["ENGINE"]:
        return True
    try:
        psycopg2.connect(
            dbname="postgres",
            user=db["USER"],
            password=db.get("PASSWORD") or None,
            host=db["HOST"] or None,
            port=db["PORT"] or None,
            connect_timeout=3,
        ).close()
        return True
    except psycopg2.OperationalError:
        return False


class Command(BaseCommand):
    help = "Say plainly whether PostgreSQL and the Redis broker can be reached."

    def handle(self, *args, **options):
        problems = []
        if not postgres_is_reachable():
            db = settings.DATABASES["default"]
            problems.append(
                f"PostgreSQL is not reachable at {db['HOST']}:{db['PORT']}."
            )
        if not broker_is_reachable():
            problems.append(f"Redis is not reachable at {settings.CELERY_BROKER_URL}.")
        if problems:
            raise CommandError(
                " ".join(problems)
                + " Start the services (bash .ci/run does) and try again."
            )
        self.stdout.write("PostgreSQL and Redis are reachable.")
