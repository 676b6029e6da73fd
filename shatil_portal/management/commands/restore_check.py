from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shatil_portal import backups


def _show(value: int | None) -> str:
    return "-" if value is None else str(value)


class Command(BaseCommand):
    help = (
        "Restore drill: restore the newest dump in BACKUP_DIR (or FILE) into a "
        "scratch database, compare every table's row count with the counts "
        "recorded at backup time, and show today's live counts beside them."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", type=Path)
        parser.add_argument("--dir", type=Path, help="instead of BACKUP_DIR")

    def handle(self, *args, **options):
        try:
            dump, tables = backups.restore_check(
                dump=options["file"], directory=options["dir"]
            )
        except backups.BackupError as error:
            raise CommandError(str(error)) from None
        width = max((len(t.table) for t in tables), default=5)
        self.stdout.write(
            f"{'table':<{width}}  {'in dump':>8}  {'restored':>8}  {'live':>8}"
        )
        wrong = []
        for t in tables:
            mark = "" if t.in_dump == t.restored else "  << MISMATCH"
            if mark:
                wrong.append(t.table)
            self.stdout.write(
                f"{t.table:<{width}}  {_show(t.in_dump):>8}  "
                f"{_show(t.restored):>8}  {_show(t.live):>8}{mark}"
            )
        if wrong:
            raise CommandError(
                f"Restore drill FAILED for {dump.name}: the restored rows differ "
                f"from the dump's in {', '.join(wrong)}."
            )
        self.stdout.write(
            f"Restore drill passed: {dump.name} restores {len(tables)} tables with "
            "the rows it was taken with (live counts have moved on since)."
        )
