"""The portal's Bootstrap is built with only the components its templates
use (static_src/bootstrap/bootstrap.scss): a class that Bootstrap defines and
a template uses must be in the build, left to right and right to left."""

import re
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
# Bootstrap's own builds of everything, left to right and right to left.
FULL = BASE_DIR / "node_modules" / "bootstrap" / "dist" / "css"
BUILT = BASE_DIR / "build" / "bootstrap"
# Where the portal writes classes: its templates, and the Python that writes
# HTML (format_html in the admin and the forms).
SOURCES = ["templates", "consultations", "tracks", "accounts", "shatil_portal"]
CLASS_ATTRIBUTE = re.compile(r'class="([^"]*)"')
CLASS_SELECTOR = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")


def _classes_used() -> set[str]:
    used = set()
    for folder in SOURCES:
        for path in (BASE_DIR / folder).rglob("*"):
            if path.suffix not in {".html", ".py"} or "migrations" in path.parts:
                continue
            for value in CLASS_ATTRIBUTE.findall(path.read_text(encoding="utf-8")):
                # Template tags inside the attribute are left out; their
                # literal words still count.
                value = re.sub(r"{[{%].*?[%}]}", " ", value)
                used.update(
                    word for word in value.split() if re.fullmatch(r"[\w-]+", word)
                )
    return used


def _classes_defined(css: Path) -> set[str]:
    return set(CLASS_SELECTOR.findall(css.read_text(encoding="utf-8")))


@pytest.mark.parametrize("name", ["bootstrap.min.css", "bootstrap.rtl.min.css"])
def test_every_bootstrap_class_the_templates_use_is_built(name):
    assert (BUILT / name).exists(), "run `make install` (npm run build:css)"
    # Bootstrap's own right-to-left build leaves out a few left-to-right
    # utilities (text-break): compared direction by direction.
    bootstrap_classes = _classes_defined(FULL / name)
    used = _classes_used() & bootstrap_classes

    missing = used - _classes_defined(BUILT / name)

    assert used, "no Bootstrap class found in the templates"
    assert missing == set(), (
        f"{sorted(missing)}: add their component to static_src/bootstrap/bootstrap.scss"
    )


def test_the_build_is_smaller_than_bootstrap_whole():
    whole = (FULL / "bootstrap.min.css").stat().st_size
    assert (BUILT / "bootstrap.min.css").stat().st_size < whole * 0.7
