from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shatil_portal import backups


class Command(BaseCommand):
    help = (
        "Put the attachments archived next to a dump (<dump>.attachments.tar) "
        "back into ATTACHMENTS_ROOT. `make restore` runs it after the database."
    )

    def add_arguments(self, parser):
        parser.add_argument("dump", type=Path)

    def handle(self, *args, **options):
        try:
            count = backups.restore_attachments(dump=options["dump"])
        except backups.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Restored {count} attachment files")
