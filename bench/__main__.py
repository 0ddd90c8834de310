"""`python -m bench [name ...]`: run the ``main()`` of each bench/bench_<name>.py (all of them by default).

Options after a single bench's name are passed to its ``main(argv)`` (``python -m bench scale --cases 100000``).
Each bench sets up Django and its own throwaway database itself, so modules stay independent of each other.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path


def available() -> list[str]:
    return sorted(p.stem.removeprefix("bench_") for p in Path(__file__).parent.glob("bench_*.py"))


def main(argv: list[str]) -> int:
    """Bench names first; options after them (``scale --cases 1000000``) go to the one bench named."""
    names = available()
    first_option = next((i for i, a in enumerate(argv) if a.startswith("-")), len(argv))
    argv, options = argv[:first_option], argv[first_option:]
    wanted = [a.removeprefix("bench_").removesuffix(".py") for a in argv] or names
    if options and len(wanted) != 1:
        print("options are for one bench: python -m bench <name> --option …", file=sys.stderr)
        return 2
    unknown = [w for w in wanted if w not in names]
    if unknown:
        print(f"unknown bench: {', '.join(unknown)}; available: {', '.join(names) or 'none'}", file=sys.stderr)
        return 2
    for name in wanted:
        print(f"== bench_{name}", flush=True)
        module = importlib.import_module(f"bench.bench_{name}")
        module.main(options) if options else module.main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
