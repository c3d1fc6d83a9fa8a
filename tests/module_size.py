"""No product module over 500 lines: ``python -m tests.module_size`` (run by ``make lint``, and by
``make test`` through tests/core/test_module_size.py) lists every one and exits non-zero.

Product code is the packages below; migrations, the development tools, tests and benchmarks
are not checked. A long module is split along its sub-domains, not squeezed.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

MAX_LINES = 500
ROOT = Path(__file__).resolve().parents[1]
PRODUCT_PACKAGES = ("config", "sellerhub", "integrations", "documents", "inventory", "orders", "fulfilment",
                    "channels", "metrics")
SKIPPED_DIRS = frozenset({"migrations", "__pycache__", "devtools", "tests", "bench", "static", "templates"})


def line_count(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for _line in handle)


def modules(root: Path = ROOT, packages: Iterable[str] = PRODUCT_PACKAGES) -> list[Path]:
    """Every ``.py`` file under the product packages, outside the skipped folders, sorted."""
    found = []
    for package in packages:
        base = root / package
        if not base.is_dir():
            continue
        for path in base.rglob("*.py"):
            if not SKIPPED_DIRS.intersection(path.relative_to(root).parts[:-1]):
                found.append(path)
    return sorted(found)


def oversized(root: Path = ROOT, packages: Iterable[str] = PRODUCT_PACKAGES,
              limit: int = MAX_LINES) -> list[tuple[str, int]]:
    """[(path relative to root, lines)] of the modules over ``limit`` lines."""
    result = []
    for path in modules(root, packages):
        lines = line_count(path)
        if lines > limit:
            result.append((path.relative_to(root).as_posix(), lines))
    return result


def report(found: list[tuple[str, int]], limit: int = MAX_LINES) -> str:
    return "\n".join([f"{len(found)} product module(s) over {limit} lines (split them along their sub-domains):"]
                     + [f"  {path}: {lines} lines" for path, lines in found])


def main(argv: list[str] | None = None) -> int:
    found = oversized()
    if found:
        print(report(found), file=sys.stderr)
        return 1
    print(f"Every product module is at most {MAX_LINES} lines.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
