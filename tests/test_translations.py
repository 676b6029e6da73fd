"""Every user-facing string has a Hebrew and an Arabic translation, and the
committed catalogs hold every string the code and templates mark."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
SOURCE_DIRS = ["shatil_portal", "accounts", "tracks", "consultations", "templates"]


def _catalog(language: str) -> polib.POFile:
    return polib.pofile(
        str(BASE_DIR / "locale" / language / "LC_MESSAGES" / "django.po")
    )


@pytest.mark.parametrize("language", ["he", "ar"])
def test_every_entry_is_translated_and_none_is_fuzzy(language):
    catalog = _catalog(language)
    active = [entry for entry in catalog if not entry.obsolete]

    untranslated = [entry.msgid for entry in active if not entry.translated()]
    fuzzy = [entry.msgid for entry in active if entry.fuzzy]

    assert active, f"the {language} catalog is empty"
    # A fuzzy header is dropped by msgfmt, and with it the plural rules.
    assert not catalog.metadata_is_fuzzy
    assert catalog.metadata["Language"] == language
    assert not untranslated, f"{len(untranslated)} untranslated: {untranslated[:10]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy: {fuzzy[:10]}"


def test_translations_keep_their_placeholders():
    """A translation that drops %(name)s would crash or mislead at run time."""
    import re

    placeholder = re.compile(r"%\(\w+\)[sd]|\{\{ *\w+ *\}\}")
    problems = []
    for language in ("he", "ar"):
        for entry in _catalog(language):
            if entry.obsolete or not entry.msgstr:
                continue
            expected = sorted(placeholder.findall(entry.msgid))
            found = sorted(placeholder.findall(entry.msgstr))
            if expected != found:
                problems.append((language, entry.msgid[:60]))
    assert not problems, problems[:10]


def test_the_catalogs_hold_every_string_marked_in_the_source(tmp_path):
    """makemessages on a copy of the source finds nothing missing."""
    for name in SOURCE_DIRS:
        shutil.copytree(BASE_DIR / name, tmp_path / name)
    shutil.copy(BASE_DIR / "manage.py", tmp_path / "manage.py")
    (tmp_path / "locale").mkdir()
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "--locale=he",
            "--no-location",
            "--no-obsolete",
        ],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "shatil_portal.test_settings",
            "PYTHONPATH": str(tmp_path),
        },
    )
    extracted = {
        entry.msgid
        for entry in polib.pofile(str(tmp_path / "locale/he/LC_MESSAGES/django.po"))
    }
    committed = {entry.msgid for entry in _catalog("he") if not entry.obsolete}

    missing = sorted(extracted - committed)
    assert not missing, (
        f"run `make messages-update`: {len(missing)} new: {missing[:10]}"
    )
