from django.core.management.base import BaseCommand, CommandError

from shatil_portal.caching import NAMESPACES, cache_versions_move_on


class Command(BaseCommand):
    help = (
        "Move the page cache's versions on (the catalog, the response "
        "policies, the dashboard), so that nothing cached before is served "
        "again. `make restore` runs it after restoring a database."
    )

    def handle(self, *args, **options):
        if not cache_versions_move_on():
            raise CommandError(
                "The cache did not answer: its entries expire on their own "
                "within 15 minutes, or run this command again."
            )
        self.stdout.write(f"Cache versions moved on: {', '.join(NAMESPACES)}")
