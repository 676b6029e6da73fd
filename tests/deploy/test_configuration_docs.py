"""README's configuration table and `.env.example` say what the code does:
every variable they name is read by the code, and every default they give
is the code's default (settings.py, read as source, not as run)."""

import ast
import re
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent
UNKNOWN = object()


def code_defaults() -> dict[str, object]:
    """Variable -> default, for each env(...) call of settings.py
    (UNKNOWN when the default is computed, or there is none)."""
    tree = ast.parse((BASE_DIR / "shatil_portal/settings.py").read_text())
    defaults: dict[str, object] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        is_env = (isinstance(func, ast.Name) and func.id == "env") or (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == "env"
        )
        if not (is_env and node.args and isinstance(node.args[0], ast.Constant)):
            continue
        default = UNKNOWN
        for keyword in node.keywords:
            if keyword.arg == "default":
                try:
                    default = ast.literal_eval(keyword.value)
                except ValueError:
                    default = UNKNOWN
        defaults.setdefault(node.args[0].value, default)
    return defaults


def process_variables() -> set[str]:
    """Variables the process files read: gunicorn.conf.py and the Procfile."""
    gunicorn = (BASE_DIR / "gunicorn.conf.py").read_text()
    procfile = (BASE_DIR / "Procfile").read_text()
    return set(re.findall(r'os\.environ\.get\("([A-Z_]+)"', gunicorn)) | set(
        re.findall(r"\$\{([A-Z_]+)", procfile)
    )


def as_written(value) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return ",".join(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def readme_rows() -> list[tuple[list[str], list[str]]]:
    """(variables, defaults) per row of README's configuration table."""
    text = (BASE_DIR / "README.md").read_text()
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not cells[0].startswith("`"):
            continue
        names = re.findall(r"`([A-Z_*]+)`", cells[0])
        # `ACCESSIBILITY_COORDINATOR_NAME`, `_EMAIL`: the first name's stem.
        stem = names[0].rsplit("_", 1)[0]
        names = [stem + name if name.startswith("_") else name for name in names]
        defaults = [
            item.strip("`") if item != "empty" else ""
            for item in re.findall(r"`[^`]*`|\bempty\b", cells[1])
        ]
        if len(defaults) == 1:
            # One default for the row: each of its variables has it.
            defaults = defaults * len(names)
        rows.append((names, defaults))
    return rows


def test_every_variable_in_the_readme_table_is_read_by_the_code():
    known = set(code_defaults()) | process_variables()
    missing = []
    for names, _ in readme_rows():
        for name in names:
            if name.endswith("*"):
                found = any(k.startswith(name[:-1]) for k in known)
            else:
                found = name in known
            if not found:
                missing.append(name)
    assert not missing


def test_the_readme_table_gives_the_codes_defaults():
    defaults = code_defaults()
    wrong = []
    for names, given in readme_rows():
        if len(names) != len(given):
            continue  # described in words, e.g. "SMTP on localhost"
        for name, value in zip(names, given, strict=True):
            default = defaults.get(name, UNKNOWN)
            if default is not UNKNOWN and as_written(default) != value:
                wrong.append(f"{name}: README {value!r}, code {as_written(default)!r}")
    assert not wrong


def env_example_entries() -> list[tuple[str, str | None]]:
    """(variable, the bracketed default of the comment above it, if any)."""
    entries, bracket = [], None
    for line in (BASE_DIR / ".env.example").read_text().splitlines():
        if line.startswith("#"):
            match = re.match(r"# \[(.*?)\](?: |$)", line)
            bracket = match.group(1) if match else bracket
            continue
        if "=" in line:
            entries.append((line.split("=", 1)[0], bracket))
        bracket = None
    return entries


def test_every_variable_in_env_example_is_read_by_the_code():
    known = set(code_defaults()) | process_variables()

    assert [name for name, _ in env_example_entries() if name not in known] == []


def test_env_example_gives_the_codes_defaults():
    defaults = code_defaults()
    wrong = []
    for name, bracket in env_example_entries():
        default = defaults.get(name, UNKNOWN)
        if bracket is None or default is UNKNOWN:
            continue
        expected = as_written(default) or "empty"
        if bracket != expected and not bracket.startswith(expected + " "):
            wrong.append(f"{name}: .env.example [{bracket}], code {expected!r}")
    assert not wrong
