"""A larger schemathesis run over the whole API: cases run and server errors, per operation.

Runs tests/test_fuzz_api.py with IM_FUZZ_EXAMPLES examples per operation (default 50) and counts
every call. Usage: DATABASE_URL=postgres://… .venv/bin/python bench/fuzz_api.py [examples]
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
    examples = sys.argv[1] if len(sys.argv) > 1 else "50"
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "calls.txt"
        env = {**os.environ, "IM_FUZZ_EXAMPLES": examples, "IM_FUZZ_REPORT": str(report)}
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_fuzz_api.py"]
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
        calls = report.read_text().splitlines() if report.exists() else []
    by_operation: collections.Counter[str] = collections.Counter()
    errors: collections.Counter[str] = collections.Counter()
    for line in calls:
        operation, status = line.rsplit(" ", 1)
        by_operation[operation] += 1
        if status.startswith("5"):
            errors[operation] += 1
    print(f"fuzz_api: {examples} examples per operation, {len(by_operation)} operations")
    print(f"  cases run: {len(calls)}, server errors: {sum(errors.values())}")
    for operation, count in errors.most_common():
        print(f"  5xx {count:4d}  {operation}")
    print(result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr[-500:])
    return 0 if result.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
