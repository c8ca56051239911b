"""What every benchmark shares: its section of bench/README.md between two markers, the lines saying which command
produced it on which machine, and its tables' heading."""

from __future__ import annotations

import argparse
import os
import platform
from collections.abc import Sequence
from datetime import date
from importlib.metadata import version
from pathlib import Path

__all__ = ["markers", "replace_section", "write_section", "machine_facts", "provenance", "table_head", "add_out_option",
           "outputs", "DEFAULT_OUTPUTS"]

ROOT = Path(__file__).resolve().parent.parent
# Every benchmark table lives in bench/README.md; the project README repeats the ones it shows.
DEFAULT_OUTPUTS = (ROOT / "bench" / "README.md", ROOT / "README.md")


def markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}:start -->", f"<!-- {name}:end -->"


def replace_section(text: str, section: str, name: str) -> str:
    """`text` with everything between the markers of benchmark `name` replaced by `section`, the rest untouched."""
    start, end = markers(name)
    if text.count(start) != 1 or text.count(end) != 1 or text.find(start) > text.find(end):
        raise ValueError(f"the file needs one {start} followed by one {end}")
    head, rest = text.split(start)
    _, tail = rest.split(end)
    return f"{head}{start}\n{section.strip()}\n{end}{tail}"


def write_section(paths: tuple[Path, ...] | list[Path], section: str, name: str) -> list[Path]:
    """Rewrite the section in every file that has its markers; the first file must have them."""
    written = []
    for i, path in enumerate(paths):
        text = path.read_text(encoding="utf-8")
        if i and markers(name)[0] not in text:
            continue
        path.write_text(replace_section(text, section, name), encoding="utf-8")
        written.append(path)
    return written


def add_out_option(parser: argparse.ArgumentParser, default: tuple[Path, ...] = DEFAULT_OUTPUTS) -> None:
    """`--out FILE`, repeatable: the markdown files whose section the benchmark rewrites, `default` when none."""
    names = " and ".join(str(path.relative_to(ROOT)) for path in default)
    parser.add_argument("--out", type=Path, action="append", default=None,
                        help=f"markdown file whose section is rewritten; repeatable (default: {names})")
    parser.set_defaults(out_default=list(default))


def outputs(args: argparse.Namespace) -> list[Path]:
    """The files `--out` named, else the default of `add_out_option`."""
    return args.out or args.out_default


def machine_facts(load_average: float) -> str:
    cpuinfo = Path("/proc/cpuinfo")
    models = [line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
              if line.startswith("model name")] if cpuinfo.exists() else []
    cpu = models[0] if models else platform.processor() or "unknown CPU"
    ram_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{os.cpu_count()} cores ({cpu}), {ram_gib:.1f} GiB RAM, Python {platform.python_version()}, "
            f"OR-Tools {version('ortools')}; load average {load_average:.2f} when the run started")


def provenance(command: str, day: date, machine: str) -> list[str]:
    """The first lines of every section: the command that produced its figures, when, and on which machine."""
    return [f"Command: `{command}`, run on {day.isoformat()}.", f"Machine: {machine}."]


def table_head(columns: Sequence[str]) -> list[str]:
    """A markdown table's heading and rule."""
    return ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
