"""Fail when a Japanese catalogue has untranslated or fuzzy entries (part of `make lint`)."""

from __future__ import annotations

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[2]


def problems(path: Path) -> list[str]:
    catalog = polib.pofile(str(path))
    found = [f"{path}: untranslated: {e.msgid[:70]!r}" for e in catalog.untranslated_entries()]
    found += [f"{path}: fuzzy: {e.msgid[:70]!r}" for e in catalog.fuzzy_entries()]
    return found


def main() -> int:
    catalogs = sorted(p for p in ROOT.glob("**/locale/ja/LC_MESSAGES/*.po") if ".venv" not in p.parts)
    issues = [issue for path in catalogs for issue in problems(path)]
    print("\n".join(issues) or f"{len(catalogs)} Japanese catalogues complete")
    return 1 if issues else 0


if __name__ == "__main__":
    sys.exit(main())
