"""Sweep results on disk: Parquet part-files, ``metadata.json`` and :func:`load_results`.

A results directory holds::

    runs/part-00000.parquet        one row per run (ids, parameters, summary, status, error)
    timeseries/part-00000.parquet  the same runs' time series, when the spec records them
    metadata.json                  schema version, spec and hash, versions, git commit, times
    sweep.lock                     held (an OS file lock) while a sweep writes

Each part is written to a temporary file and renamed into place, the time series before the
runs, so a run counts as done exactly when its ``runs`` part is complete. A part that cannot
be read (cut short by a crash or a copy) is removed on resume and its runs are redone.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import subprocess
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from trustsim.errors import UserError

SCHEMA_VERSION = 1
RUNS_DIR = "runs"
TIMESERIES_DIR = "timeseries"
METADATA = "metadata.json"
LOCK = "sweep.lock"
#: Columns every run row starts with, in this order.
ID_COLUMNS = ("point", "replicate", "root_seed", "status", "error")
_ID_TYPES = {
    "point": pa.int64(),
    "replicate": pa.int64(),
    "root_seed": pa.int64(),
    "status": pa.string(),
    "error": pa.string(),
}


@dataclass
class Scan:
    """What a results directory already holds.

    Attributes:
        done: ``(point, replicate)`` of every recorded run.
        failed: How many recorded runs failed.
        next_part: Number for the next part-file.
        removed: Files removed because they were incomplete or orphaned.
    """

    done: set[tuple[int, int]] = field(default_factory=set)
    failed: int = 0
    next_part: int = 0
    removed: list[Path] = field(default_factory=list)


class ResultStore:
    """Reads and writes the part-files and metadata of one results directory."""

    def __init__(self, out: str | Path) -> None:
        """Open (without creating) the results directory ``out``."""
        self.out = Path(out)
        self.runs_dir = self.out / RUNS_DIR
        self.timeseries_dir = self.out / TIMESERIES_DIR

    def is_empty(self) -> bool:
        """Whether the directory is missing or holds nothing."""
        return not self.out.exists() or not any(self.out.iterdir())

    def create(self) -> None:
        """Create the directory layout."""
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        self.timeseries_dir.mkdir(parents=True, exist_ok=True)

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold ``sweep.lock`` while writing, so two sweeps never write the same directory.

        The lock is an OS file lock: it goes with the process, even one killed outright.

        Raises:
            UserError: Another process holds the lock.
        """
        try:
            import fcntl
        except ImportError:  # no POSIX file locks (Windows): run unguarded
            yield
            return
        with open(self.out / LOCK, "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise UserError(
                    f"{self.out}: another sweep is writing there; wait for it to end or "
                    "choose another --out"
                ) from None
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def scan(self, *, timeseries: bool) -> Scan:
        """List the finished runs, removing temporary, unreadable and orphaned part-files.

        Args:
            timeseries: Whether each runs part must have a readable time-series part.
        """
        scan = Scan()
        for folder in (self.runs_dir, self.timeseries_dir):
            for tmp in sorted(folder.glob("*.tmp")):
                tmp.unlink()
                scan.removed.append(tmp)
        numbers = []
        for path in sorted(self.runs_dir.glob("part-*.parquet")):
            number = _part_number(path)
            ts_path = self._part_path(self.timeseries_dir, number)
            try:
                # no Arrow threads: a pool forked after the scan must start from a single thread
                table = pq.read_table(
                    path, columns=["point", "replicate", "status"], use_threads=False
                )
                if timeseries:
                    pq.read_metadata(ts_path)
            except (OSError, pa.ArrowException):
                for broken in (path, ts_path):
                    if broken.exists():
                        broken.unlink()
                        scan.removed.append(broken)
                continue
            numbers.append(number)
            ids = table.to_pydict()
            scan.done.update(zip(ids["point"], ids["replicate"]))
            scan.failed += sum(status != "ok" for status in ids["status"])
        for ts_path in sorted(self.timeseries_dir.glob("part-*.parquet")):
            if _part_number(ts_path) not in numbers:
                ts_path.unlink()
                scan.removed.append(ts_path)
        scan.next_part = max(numbers, default=-1) + 1
        return scan

    def write_part(
        self, number: int, rows: list[dict[str, Any]], timeseries: pd.DataFrame | None
    ) -> None:
        """Write one part atomically: the time series (if any) first, then the runs."""
        if timeseries is not None:
            ts_table = pa.Table.from_pandas(timeseries, preserve_index=False)
            _write_atomic(ts_table, self._part_path(self.timeseries_dir, number))
        _write_atomic(_rows_table(rows), self._part_path(self.runs_dir, number))

    def columns(self) -> dict[str, str]:
        """The run table's columns and their Arrow types, unified over every part."""
        schemas = [pq.read_schema(path) for path in sorted(self.runs_dir.glob("part-*.parquet"))]
        if not schemas:
            return {}
        schema = pa.unify_schemas(schemas, promote_options="permissive")
        return {field.name: str(field.type) for field in schema}

    def read_metadata(self) -> dict[str, Any] | None:
        """Return ``metadata.json`` as a dict, or None when there is none."""
        path = self.out / METADATA
        if not path.is_file():
            return None
        return json.loads(path.read_text(encoding="utf-8"))

    def write_metadata(self, metadata: Mapping[str, Any]) -> None:
        """Write ``metadata.json`` atomically."""
        path = self.out / METADATA
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(metadata, indent=2, sort_keys=False) + "\n", encoding="utf-8")
        os.replace(tmp, path)

    @staticmethod
    def _part_path(folder: Path, number: int) -> Path:
        return folder / f"part-{number:05d}.parquet"


def load_results(out: str | Path) -> pd.DataFrame:
    """Load a sweep's run table: one row per run, sorted by point then replicate.

    Columns are ``point, replicate, root_seed, status, error``, the parameters (swept, then
    fixed), then the summary metrics. A run's seed is
    ``SeedSequence(root_seed, spawn_key=(point, replicate))``. ``df.attrs`` holds
    ``parameters`` (swept names), ``fixed``, ``metrics``, ``design``, ``second_order``,
    ``spec_hash`` and ``spec`` (the spec as parsed) from the metadata.

    Raises:
        UserError: ``out`` is not a results directory.
    """
    out = Path(out)
    metadata = _require_metadata(out)
    table = _concat(sorted((out / RUNS_DIR).glob("part-*.parquet")))
    swept = list(metadata["parameters"])
    fixed = dict(metadata["spec"].get("fixed", {}))
    if table is None:
        df = pd.DataFrame({name: pd.Series(dtype=_pandas_type(t)) for name, t in _ID_TYPES.items()})
    else:
        df = table.to_pandas()
    df = df.sort_values(["point", "replicate"], kind="stable", ignore_index=True)
    params = [c for c in (*swept, *fixed) if c in df.columns]
    metrics = [c for c in df.columns if c not in ID_COLUMNS and c not in params]
    df = df[[*ID_COLUMNS, *params, *metrics]]
    df.attrs.update(
        parameters=swept,
        fixed=fixed,
        metrics=metrics,
        design=metadata["spec"]["experiment"].get("design", "grid"),
        second_order=metadata["spec"]["experiment"].get("second_order", False),
        spec_hash=metadata["spec_hash"],
        spec=metadata["spec"],
    )
    return df


def load_timeseries(out: str | Path, *, with_parameters: bool = True) -> pd.DataFrame:
    """Load a sweep's time series, sorted by point, replicate and then time.

    Args:
        out: The results directory.
        with_parameters: Add each run's swept parameters as columns after the ids.

    Raises:
        UserError: ``out`` is not a results directory or recorded no time series.
    """
    out = Path(out)
    metadata = _require_metadata(out)
    if not metadata["spec"].get("record", {}).get("timeseries", False):
        raise UserError(f"{out}: this sweep recorded no time series ([record] timeseries = true)")
    table = _concat(sorted((out / TIMESERIES_DIR).glob("part-*.parquet")))
    if table is None:
        return pd.DataFrame(
            {"point": pd.Series(dtype="int64"), "replicate": pd.Series(dtype="int64")}
        )
    df = table.to_pandas().sort_values(["point", "replicate"], kind="stable", ignore_index=True)
    if with_parameters and metadata["parameters"]:
        runs = load_results(out)[["point", "replicate", *metadata["parameters"]]]
        df = runs.merge(df, on=["point", "replicate"], how="right", validate="one_to_many")
        metrics = [c for c in df.columns if c not in runs.columns]
        df = df[[*runs.columns, *metrics]]
    return df


def environment() -> dict[str, Any]:
    """Versions of trustsim and its main dependencies, and the git commit when known."""
    versions = {"python": platform.python_version()}
    for package in ("trustsim", "mesa", "numpy", "scipy", "pandas", "pyarrow"):
        loaded = getattr(sys.modules.get(package), "__version__", None)
        try:
            versions[package] = loaded or version(package)
        except PackageNotFoundError:
            versions[package] = None
    return {"versions": versions, "git_commit": git_commit()}


def git_commit() -> str | None:
    """The commit of the trustsim source tree, or None when trustsim is not a git checkout."""
    package = Path(__file__).resolve().parents[1]
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--show-toplevel", "HEAD"],
            cwd=package,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    lines = done.stdout.split()
    if done.returncode != 0 or len(lines) != 2:
        return None
    top, commit = lines
    # A venv inside some other repository is not a trustsim checkout.
    return commit if Path(top).resolve() / "trustsim" == package else None


def now() -> str:
    """The current UTC time as ISO 8601."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def _require_metadata(out: Path) -> dict[str, Any]:
    metadata = ResultStore(out).read_metadata()
    if metadata is None:
        raise UserError(f"{out}: not a trustsim results directory (no {METADATA})")
    if metadata.get("schema_version") != SCHEMA_VERSION:
        raise UserError(
            f"{out}: results schema version {metadata.get('schema_version')} is not "
            f"{SCHEMA_VERSION}; rerun the sweep with this trustsim"
        )
    return metadata


def _concat(paths: Iterable[Path]) -> pa.Table | None:
    tables = [pq.read_table(path) for path in paths]
    if not tables:
        return None
    return pa.concat_tables(tables, promote_options="permissive")


def _rows_table(rows: list[dict[str, Any]]) -> pa.Table:
    columns = list(dict.fromkeys(key for row in rows for key in row))
    arrays, fields = [], []
    for name in columns:
        values = [row.get(name) for row in rows]
        array = pa.array(values, type=_ID_TYPES.get(name))
        arrays.append(array)
        fields.append(pa.field(name, array.type))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def _write_atomic(table: pa.Table, path: Path) -> None:
    """Write to a temporary file, then rename it into place.

    No fsync: a part torn by a power cut is unreadable, so :meth:`ResultStore.scan` removes it
    and its runs are redone.
    """
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(table, tmp)
    os.replace(tmp, path)


def _part_number(path: Path) -> int:
    return int(path.name.removeprefix("part-").removesuffix(".parquet"))


def _pandas_type(arrow_type: pa.DataType) -> str:
    return "int64" if pa.types.is_integer(arrow_type) else "str"
