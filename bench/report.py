"""Printing and recording benchmark figures in one shape, so runs can be compared."""

from __future__ import annotations

import json
import platform
import shlex
import sys
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Figure:
    metric: str
    value: float
    unit: str
    target: str = ""  # e.g. ">= 50000", "" when the figure is informative only
    met: bool | None = None


def invocation() -> list[str]:
    """How this process was started: `python -m bench.x ...` when run as a module."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if spec is not None and spec.name:
        return ["python", "-m", spec.name, *sys.argv[1:]]
    return ["python", *sys.argv]


def record(name: str, figures: list[Figure]) -> Path:
    """Print `figures`; write them with the command and date to results/<name>.json."""
    command = " ".join(shlex.quote(part) for part in invocation())
    document = {
        "name": name,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": command,
        "machine": f"{platform.machine()} {platform.python_implementation()} "
        f"{platform.python_version()}",
        "figures": [asdict(figure) for figure in figures],
    }
    for figure in figures:
        verdict = (
            "" if figure.met is None else ("  [met]" if figure.met else "  [MISSED]")
        )
        target = f"  target {figure.target}" if figure.target else ""
        amount = f"{figure.value:,.2f} {figure.unit}"
        print(f"{name}: {figure.metric} = {amount}{target}{verdict}")
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(json.dumps(document, indent=2) + "\n")
    return path
