from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shatil_portal import backups


class Command(BaseCommand):
    help = (
        "Dump the database into BACKUP_DIR (mode 600), PostgreSQL or SQLite, "
        "and print the dump's path. A failed backup leaves no file."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, help="instead of BACKUP_DIR")
        parser.add_argument(
            "--keep-days",
            type=int,
            help="delete this folder's dumps older than this many days",
        )

    def handle(self, *args, **options):
        try:
            dump = backups.backup(
                directory=options["dir"], keep_days=options["keep_days"]
            )
        except backups.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(str(dump))
