"""docs/architecture.md stays true: every path and dotted name it gives exists, its package map
lists every sharing module, and the README's "Where things are" points to it."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "architecture.md"
NAMED = re.compile(r"`([^`\s]+)`")
TOP_LEVEL = {"hub", "accounts", "sharing", "hubctl", "tests", "docs", "scripts", "benchmarks"}
DOTTED = re.compile(r"(?:hub|accounts|sharing)(?:\.\w+)+")


def named_paths(text: str) -> set[str]:
    """Backticked file and folder paths: `sharing/urls.py`, `accounts/api/urls.py`, `docs/`."""
    return {
        name
        for name in NAMED.findall(text)
        if "/" in name and not name.startswith("/") and re.fullmatch(r"[\w./]+", name)
    }


def named_dotted(text: str) -> set[str]:
    """Backticked dotted names of our packages: modules, or a module's function or class."""
    return {name for name in NAMED.findall(text) if DOTTED.fullmatch(name)}


def missing_dotted(names: set[str]) -> list[str]:
    missing = []
    for name in sorted(names):
        parts = name.split(".")
        for cut in range(len(parts), 0, -1):
            try:
                found: object = importlib.import_module(".".join(parts[:cut]))
            except ImportError:
                continue
            try:
                for attribute in parts[cut:]:
                    found = getattr(found, attribute)
            except AttributeError:
                missing.append(name)
            break
        else:
            missing.append(name)
    return missing


def package_map_sections(text: str) -> dict[str, str]:
    """The package map's text under each `sharing/<sub>/` line (and "" for sharing/ itself)."""
    block = text.split("## Package map", 1)[1].split("```", 2)[1]
    in_sharing, current, sections = False, "", {"": ""}
    for line in block.splitlines():
        if re.match(r"^\w+/", line):
            in_sharing = line.startswith("sharing/")
            continue
        if not in_sharing:
            continue
        header = re.match(r"^  (\w+)/", line)
        if header:
            current = header.group(1)
            sections[current] = line[len(header.group(0)) :]
            continue
        sections[current] += "\n" + line
    return sections


def test_the_doc_names_only_paths_that_exist():
    paths = named_paths(DOC.read_text())
    assert len(paths) >= 5, "the extraction found almost nothing: has the page's format changed?"
    assert [path for path in sorted(paths) if not (ROOT / path).exists()] == []


def test_the_doc_names_only_modules_and_functions_that_exist():
    names = named_dotted(DOC.read_text())
    assert len(names) >= 20, "the extraction found almost nothing: has the page's format changed?"
    assert missing_dotted(names) == []


def test_a_wrong_name_is_reported():
    assert missing_dotted({"sharing.checks.services.checks.no_such_function", "sharing.no_such_module"}) == [
        "sharing.checks.services.checks.no_such_function",
        "sharing.no_such_module",
    ]
    assert missing_dotted({"sharing.checks.services.checks.check_run"}) == []


def sharing_modules() -> list[Path]:
    return sorted(
        path.relative_to(ROOT / "sharing")
        for path in (ROOT / "sharing").rglob("*.py")
        if path.name != "__init__.py" and "migrations" not in path.parts
    )


@pytest.mark.parametrize("module", sharing_modules(), ids=str)
def test_the_package_map_lists_every_sharing_module(module: Path):
    sections = package_map_sections(DOC.read_text())
    if module.parts[0] == "identifiers":
        return  # the normalisers are one entry: their modules are the identifier types
    if len(module.parts) == 1:
        section, wanted = sections[""], module.name
    elif module.parts[0] == "management":
        section, wanted = sections["management"], module.stem
    else:
        section, wanted = sections.get(module.parts[0], ""), "/".join(module.parts[1:])
    assert re.search(rf"(?<![\w/]){re.escape(wanted)}\b", section), f"{module} is not on the package map"


def test_the_readme_points_to_the_architecture_page_and_names_real_paths():
    readme = (ROOT / "README.md").read_text()
    where = readme.split("## Where things are", 1)[1].split("\n## ", 1)[0]
    assert "docs/architecture.md" in where
    # The README also names folders relative to the one just named (`audit/` under `accounts/`):
    # only paths from the repository's root are checked here.
    rooted = {path for path in named_paths(where) if path.split("/")[0] in TOP_LEVEL}
    assert {"hub/celery.py", "accounts/web_audit.py", "docs/architecture.md"} <= rooted
    assert [path for path in sorted(rooted) if not (ROOT / path).exists()] == []
