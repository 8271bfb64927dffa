"""Fail when the Japanese catalogue has untranslated or fuzzy entries (part of `make lint`)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENTRY = re.compile(r'(#, fuzzy\n)?msgid "(.*?)"\n(?:msgid_plural .*\n)?msgstr(?:\[0\])? ""\n(?!")', re.S)


def problems(po: Path) -> list[str]:
    text = po.read_text(encoding="utf-8")
    found = []
    for block in text.split("\n\n")[1:]:
        if "#, fuzzy" in block:
            found.append(f"{po}: fuzzy: {block.splitlines()[-2][:80]}")
        msgid = re.search(r'^msgid "(.*)"', block, re.M)
        msgstr = re.search(r'^msgstr(?:\[0\])? "(.*)"\n?(?!")', block + "\n", re.M)
        if (
            msgid
            and msgid.group(1) != ""
            and msgstr
            and msgstr.group(1) == ""
            and '\n"' not in block.split("msgstr", 1)[1]
        ):
            found.append(f"{po}: untranslated: {msgid.group(1)[:80]}")
    return found


def main() -> int:
    catalogs = [p for p in ROOT.glob("**/locale/ja/LC_MESSAGES/*.po") if ".venv" not in p.parts]
    issues = [issue for po in catalogs for issue in problems(po)]
    for issue in issues:
        print(issue)
    return 1 if issues else 0


if __name__ == "__main__":
    sys.exit(main())
