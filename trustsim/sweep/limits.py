"""Limits on what a run or a sweep may ask for, checked before the first run starts.

Sizes have fixed bounds (a spec past them is a typo or would not end); the number of
facilities is bounded by memory. The park keeps dense N x N arrays per pair of facilities
(trust, ties, contacts, infrastructure, candidate matches and their working copies): measured
with tracemalloc at 31-32 bytes per pair for 1,000 and 2,000 firms of the ``region`` scenario
over two years (the issue that reported 9 GiB at 16,000 firms gives 38), so
:data:`BYTES_PER_PAIR` is 40. Once per-pair state is sparse, :func:`run_memory` is the one
place to change.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from trustsim.errors import UserError

#: Most replicates per design point.
MAX_REPLICATES = 100_000
#: Most samples of a sampled design (Sobol: base samples).
MAX_SAMPLES = 2**20
#: Most levels of one grid axis given as ``{low=, high=, num=}``.
MAX_LEVELS = 100_000
#: Most design points of a spec.
MAX_POINTS = 1_000_000
#: Most runs of a spec (points times replicates).
MAX_RUNS = 10_000_000
#: Peak bytes of a run per pair of facilities (see the module docstring).
BYTES_PER_PAIR = 40
#: Bytes of a run that do not grow with the facilities (interpreter, model, tables).
BYTES_PER_RUN = 200 * 2**20


def run_memory(n_facilities: int) -> int:
    """Estimated peak bytes of one run of a park of ``n_facilities`` facilities."""
    return BYTES_PER_RUN + BYTES_PER_PAIR * n_facilities**2


def available_memory() -> int | None:
    """Bytes of memory available to new processes now (MemAvailable), or None if unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def largest_park(memory: int, processes: int = 1) -> int:
    """The most facilities a run may have for ``processes`` runs at once to fit ``memory``."""
    share = memory / processes - BYTES_PER_RUN
    return max(0, int((max(share, 0) / BYTES_PER_PAIR) ** 0.5))


def check_park_memory(n_facilities: int, where: str, processes: int = 1) -> None:
    """Refuse ``n_facilities`` when ``processes`` runs of that size do not fit in memory.

    Args:
        n_facilities: Facilities of the largest run.
        where: Prefix of the message (the file and table, or the option).
        processes: Runs at once (the workers of a sweep).

    Raises:
        UserError: Naming the estimate, the memory available and the largest size that fits.
    """
    memory = available_memory()
    if memory is None:
        return
    need = processes * run_memory(n_facilities)
    if need > memory:
        runs = f"{processes} runs at once" if processes > 1 else "one run"
        raise UserError(
            f"{where} n_facilities = {n_facilities:,} needs about {need / 2**30:.1f} GiB for "
            f"{runs} (dense per-pair state), {memory / 2**30:.1f} GiB are available; allowed "
            f"here: up to {largest_park(memory, processes):,}"
            + (", or fewer workers" if processes > 1 else "")
        )


def check_run_size(scenario: str, overrides: Mapping[str, Any], *, where: str) -> None:
    """Check one run's size before it is built (the ``trustsim run`` command).

    Raises:
        UserError: The run would not fit in memory.
    """
    from trustsim.park.params import validate_overrides

    n = validate_overrides({k: v for k, v in overrides.items() if k == "n_facilities"})
    if n:
        check_park_memory(n["n_facilities"], where)


def check_bound(value: int, high: int, where: str, key: str) -> None:
    """Refuse a size above its bound, naming the allowed range.

    Raises:
        UserError: ``value`` is above ``high``.
    """
    if value > high:
        raise UserError(f"{where} {key} = {value:,} is too large; allowed: 1 to {high:,}")
