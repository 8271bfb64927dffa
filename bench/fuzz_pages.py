"""A larger hypothesis run over the query strings of every page: cases run and server errors, by page.

Runs tests/test_fuzz_pages.py with IM_FUZZ_PAGE_EXAMPLES examples in all (default 3000) and counts
every call; in this mode a server error is counted, not fatal, so one run lists them all.
Usage: DATABASE_URL=postgres://… .venv/bin/python bench/fuzz_pages.py [examples]
"""

from __future__ import annotations

import collections
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    examples = sys.argv[1] if len(sys.argv) > 1 else "3000"
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "calls.txt"
        env = {**os.environ, "IM_FUZZ_PAGE_EXAMPLES": examples, "IM_FUZZ_REPORT": str(report)}
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_fuzz_pages.py"]
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
        calls = report.read_text().splitlines() if report.exists() else []
    pages: collections.Counter[str] = collections.Counter()
    errors: list[str] = []
    for line in calls:
        status, url = line.split(" ", 1)
        pages[url.split("?", 1)[0]] += 1
        if status.startswith("5"):
            errors.append(f"{status} {url}")
    print(f"fuzz_pages: {examples} examples, {len(pages)} pages")
    print(f"  cases run: {len(calls)}, server errors: {len(errors)}")
    for error in errors:
        print(f"  {error}")
    print(result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr[-500:])
    return 0 if result.returncode == 0 and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
