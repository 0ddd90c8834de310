"""`python -m bench [name ...]`: run the ``main()`` of each bench/bench_<name>.py (all of them by default).

Each bench sets up Django and its own throwaway database itself, so modules stay independent of each other.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path


def available() -> list[str]:
    return sorted(p.stem.removeprefix("bench_") for p in Path(__file__).parent.glob("bench_*.py"))


def main(argv: list[str]) -> int:
    names = available()
    wanted = [a.removeprefix("bench_").removesuffix(".py") for a in argv] or names
    unknown = [w for w in wanted if w not in names]
    if unknown:
        print(f"unknown bench: {', '.join(unknown)}; available: {', '.join(names) or 'none'}", file=sys.stderr)
        return 2
    for name in wanted:
        print(f"== bench_{name}", flush=True)
        importlib.import_module(f"bench.bench_{name}").main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
