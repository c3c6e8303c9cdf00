"""`make bench`: run every benchmark and print its figures next to its target."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main() -> int:
    failed = []
    for info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda m: m.name):
        module = importlib.import_module(f"benchmarks.{info.name}")
        if not hasattr(module, "measure"):
            continue
        result = module.measure()
        print(f"{info.name}: {result}", flush=True)
        if result.get("meets_target") is False or (
            "target_ratio" in result and result["ratio"] > result["target_ratio"]
        ):
            failed.append(info.name)
    if failed:
        print("below target: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
