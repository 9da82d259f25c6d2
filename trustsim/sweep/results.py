"""Sweep results on disk: Parquet part-files, ``metadata.json`` and :func:`load_results`.

A results directory holds::

    runs/part-00000.parquet        one row per run (ids, parameters, summary, status, error)
    timeseries/part-00000.parquet  the same runs' time series, when the spec records them
    metadata.json                  schema version, spec and hash, versions, git commit, times
    sweep.lock                     held (an OS file lock) while a sweep writes
    quarantine/                    parts that failed verification on resume, kept for a look

Each part is written to a temporary file and renamed into place, the time series before the
runs, so a run counts as done exactly when its ``runs`` part is complete. Every part is
written with page checksums and carries, in its Parquet key-value metadata under
``trustsim``, the spec hash, the ``(point, replicate)`` pairs it holds, the SHA-256 of its
content and the design and provenance of the sweep (readable by pyarrow or polars alone).
Resume and :func:`load_results` verify every part against all of these: on resume a part that
fails is moved to ``quarantine/`` and its runs are redone; loading refuses it. A file in
``runs/`` or ``timeseries/`` that the runner did not name, or a part holding runs another part
holds (a copy), is refused with its name.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from trustsim.errors import UserError

SCHEMA_VERSION = 2
RUNS_DIR = "runs"
TIMESERIES_DIR = "timeseries"
QUARANTINE_DIR = "quarantine"
METADATA = "metadata.json"
LOCK = "sweep.lock"
#: Key of a part's Parquet key-value metadata that holds its header.
PART_KEY = b"trustsim"
#: Names of part-files; nothing else may live in ``runs/`` or ``timeseries/``.
PART_NAME = re.compile(r"part-(\d{5,})\.parquet")
#: Columns every run row starts with, in this order.
ID_COLUMNS = ("point", "replicate", "root_seed", "status", "error")
_ID_TYPES = {
    "point": pa.int64(),
    "replicate": pa.int64(),
    "root_seed": pa.int64(),
    "status": pa.string(),
    "error": pa.string(),
}


class IncompleteResultsWarning(UserWarning):
    """The results directory holds fewer runs than its spec, or its sweep did not finish."""


class DamagedPart(Exception):
    """A part-file that fails verification; the message says how."""


@dataclass
class Scan:
    """What a results directory already holds, after verifying every part.

    Attributes:
        done: ``(point, replicate)`` of every recorded run.
        failed: How many recorded runs failed.
        next_part: Number for the next part-file.
        removed: Leftovers of an interrupted write that were removed (temporary files, time
            series whose runs part was never written).
        quarantined: ``(original path, new path, reason)`` of each part moved to
            ``quarantine/`` because it failed verification; its runs are redone.
    """

    done: set[tuple[int, int]] = field(default_factory=set)
    failed: int = 0
    next_part: int = 0
    removed: list[Path] = field(default_factory=list)
    quarantined: list[tuple[Path, Path, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Part:
    """A verified part-file: its path, header and table."""

    path: Path
    header: dict[str, Any]
    table: pa.Table

    @property
    def runs(self) -> list[tuple[int, int]]:
        """The ``(point, replicate)`` pairs the part holds."""
        return [tuple(pair) for pair in self.header["runs"]]


class ResultStore:
    """Reads, writes and verifies the part-files and metadata of one results directory."""

    def __init__(self, out: str | Path) -> None:
        """Open (without creating) the results directory ``out``."""
        self.out = Path(out)
        self.runs_dir = self.out / RUNS_DIR
        self.timeseries_dir = self.out / TIMESERIES_DIR

    def check_usable(self) -> None:
        """Check that ``out`` is, or can become, a writable directory.

        Raises:
            UserError: ``out`` (or a parent) is a file, or the directory cannot be written.
        """
        existing = self.out
        while not existing.exists():
            if existing.parent == existing:
                break
            existing = existing.parent
        if not existing.is_dir():
            raise UserError(f"{self.out}: {existing} is not a directory; choose another --out")
        try:
            with tempfile.TemporaryFile(dir=existing):
                pass
        except OSError as err:
            raise UserError(
                f"{self.out}: cannot write in {existing} ({err.strerror}); choose another --out"
            ) from None
        for name in (RUNS_DIR, TIMESERIES_DIR):
            if (self.out / name).exists() and not (self.out / name).is_dir():
                raise UserError(f"{self.out / name}: is not a directory; choose another --out")

    def holds_only_its_own_layout(self) -> bool:
        """Whether the directory is missing or holds nothing but the lock and empty folders."""
        if not self.out.exists():
            return True
        for entry in self.out.iterdir():
            if entry.name == LOCK:
                continue
            if entry.name in (RUNS_DIR, TIMESERIES_DIR) and entry.is_dir():
                if not any(entry.iterdir()):
                    continue
            return False
        return True

    def create(self) -> None:
        """Create the directory layout.

        Raises:
            UserError: The directory cannot be created there.
        """
        try:
            self.runs_dir.mkdir(parents=True, exist_ok=True)
            self.timeseries_dir.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise UserError(
                f"{self.out}: cannot create the results directory: {err.strerror}"
            ) from None

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold ``sweep.lock`` while writing, so two sweeps never write the same directory.

        The lock is an OS file lock: it goes with the process, even one killed outright.

        Raises:
            UserError: Another process holds the lock, or the lock file cannot be opened.
        """
        try:
            import fcntl
        except ImportError:  # no POSIX file locks (Windows): run unguarded
            yield
            return
        try:
            handle = open(self.out / LOCK, "a+")  # noqa: SIM115 - closed below
        except OSError as err:
            raise UserError(
                f"{self.out / LOCK}: cannot open the sweep's lock file ({err.strerror}); "
                "remove it if it is not a file"
            ) from None
        with handle:
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

    def is_locked(self) -> bool:
        """Whether another process holds ``sweep.lock`` now (a sweep is writing)."""
        try:
            import fcntl
        except ImportError:
            return False
        try:
            with open(self.out / LOCK) as handle:
                try:
                    fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
                except BlockingIOError:
                    return True
                fcntl.flock(handle, fcntl.LOCK_UN)
        except OSError:
            return False
        return False

    def scan(self, *, spec_hash: str, timeseries: bool) -> Scan:
        """List the finished runs after verifying every part; call it holding the lock.

        Temporary files and time-series parts without their runs part (an interrupted
        write) are removed; a part that fails verification goes to ``quarantine/``.

        Args:
            spec_hash: The hash every part must carry.
            timeseries: Whether each runs part must have its time-series part.

        Raises:
            UserError: A file the runner did not write, or a part duplicating another's runs.
        """
        scan = Scan()
        for folder in (self.runs_dir, self.timeseries_dir):
            for tmp in sorted(folder.glob("*.tmp")):
                tmp.unlink()
                scan.removed.append(tmp)
        runs_parts = _part_paths(self.runs_dir)
        ts_parts = _part_paths(self.timeseries_dir)
        owner: dict[tuple[int, int], Path] = {}
        for number, path in runs_parts.items():
            ts_path = ts_parts.pop(number, None)
            try:
                part = read_part(path, spec_hash=spec_hash, table="runs")
            except DamagedPart as err:
                self._quarantine_part(scan, path, ts_path, str(err))
                continue
            _refuse_duplicates(part, owner)
            try:
                if timeseries:
                    _check_timeseries(part, ts_path, spec_hash)
            except DamagedPart as err:
                for run in part.runs:
                    del owner[run]
                self._quarantine_part(scan, path, ts_path, str(err))
                continue
            scan.done.update(part.runs)
            statuses = part.table.column("status").to_pylist()
            scan.failed += sum(status != "ok" for status in statuses)
        for ts_path in ts_parts.values():  # its runs part was never written: a crash between
            ts_path.unlink()
            scan.removed.append(ts_path)
        numbers = [*runs_parts, *(_part_number(q[0]) for q in scan.quarantined)]
        scan.next_part = max(numbers, default=-1) + 1
        return scan

    def write_part(
        self,
        number: int,
        rows: list[dict[str, Any]],
        timeseries: pd.DataFrame | None,
        header: Mapping[str, Any],
    ) -> None:
        """Write one part atomically: the time series (if any) first, then the runs.

        Args:
            number: The part number.
            rows: One row per run.
            timeseries: The runs' time series, or None when none is recorded.
            header: The sweep's ``spec_hash``, design and provenance, stored in each part.
        """
        runs = [[row["point"], row["replicate"]] for row in rows]
        if timeseries is not None:
            ts_table = pa.Table.from_pandas(timeseries, preserve_index=False)
            path = self._part_path(self.timeseries_dir, number)
            _write_atomic(_with_header(ts_table, header, runs, "timeseries"), path)
        table = _with_header(_rows_table(rows), header, runs, "runs")
        _write_atomic(table, self._part_path(self.runs_dir, number))

    def columns(self) -> dict[str, str]:
        """The run table's columns and their Arrow types, unified over every part."""
        schemas = [pq.read_schema(path) for path in _part_paths(self.runs_dir).values()]
        if not schemas:
            return {}
        schema = pa.unify_schemas(schemas, promote_options="permissive")
        return {field.name: str(field.type) for field in schema}

    def read_metadata(self) -> dict[str, Any] | None:
        """Return ``metadata.json`` as a dict, or None when there is none.

        Raises:
            UserError: The file is not a JSON object (damaged or not trustsim's).
        """
        path = self.out / METADATA
        if not path.exists():
            return None
        try:
            metadata = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as err:
            raise UserError(
                f"{path}: unreadable ({type(err).__name__}: {err}); this is not a results "
                "directory trustsim can use: choose another --out"
            ) from None
        if not isinstance(metadata, dict):
            raise UserError(
                f"{path}: holds a {type(metadata).__name__}, not trustsim's metadata object; "
                "choose another --out"
            )
        return metadata

    def write_metadata(self, metadata: Mapping[str, Any]) -> None:
        """Write ``metadata.json`` atomically."""
        path = self.out / METADATA
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(metadata, indent=2, sort_keys=False) + "\n", encoding="utf-8")
        os.replace(tmp, path)

    def _quarantine_part(self, scan: Scan, path: Path, ts_path: Path | None, why: str) -> None:
        """Quarantine a runs part and its time-series part, noting why in ``scan``."""
        for damaged in (path, ts_path):
            if damaged is not None:
                scan.quarantined.append((damaged, self._quarantine(damaged), why))

    def _quarantine(self, path: Path) -> Path:
        """Move a part that failed verification to ``quarantine/``; return its new path."""
        folder = self.out / QUARANTINE_DIR
        folder.mkdir(exist_ok=True)
        target = folder / f"{path.parent.name}-{path.name}"
        copy = 1
        while target.exists():
            target = folder / f"{path.parent.name}-{path.stem}.{copy}{path.suffix}"
            copy += 1
        os.replace(path, target)
        return target

    @staticmethod
    def _part_path(folder: Path, number: int) -> Path:
        return folder / f"part-{number:05d}.parquet"


def read_part(path: Path, *, spec_hash: str, table: str) -> Part:
    """Read a part-file fully and verify it.

    Checks the page checksums, the header (schema version, spec hash, kind of table), the
    content hash and that the ids in the table are the runs the header names.

    Raises:
        DamagedPart: Any check fails; the message says which.
    """
    try:
        data = pq.read_table(path, use_threads=False, page_checksum_verification=True)
        names = data.schema.names  # a flipped byte can leave a name that is not UTF-8
    except (OSError, pa.ArrowException, UnicodeDecodeError) as err:
        raise DamagedPart(f"unreadable ({err})") from None
    raw = (data.schema.metadata or {}).get(PART_KEY)
    try:
        header = json.loads(raw)
        runs = [tuple(pair) for pair in header["runs"]]
        expected = (header["schema_version"], header["spec_hash"], header["table"])
        digest = header["content_sha256"]
    except (TypeError, ValueError, KeyError):
        raise DamagedPart("no readable trustsim header") from None
    if expected != (SCHEMA_VERSION, spec_hash, table):
        if header["spec_hash"] != spec_hash:
            raise DamagedPart(f"written for another spec (hash {str(header['spec_hash'])[:12]})")
        raise DamagedPart(f"header says {expected[2]!r}, schema {expected[0]}")
    if content_hash(data) != digest:
        raise DamagedPart("content does not match its recorded SHA-256")
    if len(set(runs)) != len(runs):
        raise DamagedPart("header lists a run twice")
    if {"point", "replicate"} - set(names):
        raise DamagedPart("no point and replicate columns")
    ids = list(zip(data.column("point").to_pylist(), data.column("replicate").to_pylist()))
    if (table == "runs" and ids != runs) or (table == "timeseries" and not set(ids) <= set(runs)):
        raise DamagedPart("its point and replicate columns are not the runs its header lists")
    return Part(path, header, data)


def _check_timeseries(part: Part, ts_path: Path | None, spec_hash: str) -> None:
    """The time-series part of a runs part must exist, verify and hold the same runs."""
    if ts_path is None:
        raise DamagedPart("its time-series part is missing")
    if read_part(ts_path, spec_hash=spec_hash, table="timeseries").runs != part.runs:
        raise DamagedPart("its time-series part holds other runs")


def content_hash(table: pa.Table) -> str:
    """SHA-256 of a table's column names, types, null masks and values.

    Computed from values, not buffers: the bytes behind a null slot are undefined in Arrow,
    so the same table read back may differ there.
    """
    digest = hashlib.sha256()
    digest.update(json.dumps([[f.name, str(f.type)] for f in table.schema]).encode())
    digest.update(str(table.num_rows).encode())
    for column in table.columns:
        values = column.combine_chunks()
        if values.null_count:  # most columns have none: skip two compute calls, same bytes
            digest.update(np.asarray(values.is_null()).tobytes())
        else:
            digest.update(bytes(len(values)))
        kind = values.type
        if pa.types.is_integer(kind) or pa.types.is_floating(kind):
            filled = values.fill_null(0) if values.null_count else values
            digest.update(filled.to_numpy(zero_copy_only=False).tobytes())
        elif pa.types.is_boolean(kind):
            filled = values.fill_null(False) if values.null_count else values
            digest.update(filled.to_numpy(zero_copy_only=False).tobytes())
        elif not pa.types.is_null(kind):
            digest.update(json.dumps(values.to_pylist(), default=str).encode())
    return digest.hexdigest()


def part_header(metadata: Mapping[str, Any]) -> dict[str, Any]:
    """The header every part of a sweep carries: spec hash, design and provenance."""
    spec = metadata["spec"]
    experiment = spec["experiment"]
    return {
        "schema_version": SCHEMA_VERSION,
        "spec_hash": metadata["spec_hash"],
        "experiment": experiment["name"],
        "scenario": experiment["scenario"],
        "design": experiment.get("design", "grid"),
        "second_order": experiment.get("second_order", False),
        "root_seed": experiment["seed"],
        "parameters": list(metadata["parameters"]),
        "fixed": dict(spec.get("fixed", {})),
        "spec": spec,
        "trustsim": metadata["versions"]["trustsim"],
        "git_commit": metadata["git_commit"],
    }


def load_results(out: str | Path) -> pd.DataFrame:
    """Load a sweep's run table: one row per run, sorted by point then replicate.

    Columns are ``point, replicate, root_seed, status, error``, the parameters (swept, then
    fixed), then the summary metrics. A run's seed is
    ``SeedSequence(root_seed, spawn_key=(point, replicate))``. ``df.attrs`` holds
    ``parameters`` (swept names), ``fixed``, ``metrics``, ``design``, ``second_order``,
    ``spec_hash`` and ``spec`` (the spec as parsed) from the metadata. Every part is verified
    first.

    Warns:
        IncompleteResultsWarning: Runs are missing or the sweep did not finish; the message
            says how to resume it.

    Raises:
        UserError: ``out`` is not a results directory, or a part is damaged, foreign or a
            duplicate (the message names it).
    """
    out = Path(out)
    metadata = _require_metadata(out)
    parts = _verified_parts(out, RUNS_DIR, metadata)
    swept = list(metadata["parameters"])
    fixed = dict(metadata["spec"].get("fixed", {}))
    if not parts:
        df = pd.DataFrame({name: pd.Series(dtype=_pandas_type(t)) for name, t in _ID_TYPES.items()})
    else:
        tables = [part.table.replace_schema_metadata(None) for part in parts]
        df = pa.concat_tables(tables, promote_options="permissive").to_pandas()
    df = df.sort_values(["point", "replicate"], kind="stable", ignore_index=True)
    _warn_if_incomplete(out, metadata, len(df))
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
        UserError: ``out`` is not a results directory, recorded no time series, or holds a
            damaged, foreign or duplicate part.
    """
    out = Path(out)
    metadata = _require_metadata(out)
    if not metadata["spec"].get("record", {}).get("timeseries", False):
        raise UserError(f"{out}: this sweep recorded no time series ([record] timeseries = true)")
    parts = _verified_parts(out, TIMESERIES_DIR, metadata)
    if not parts:
        return pd.DataFrame(
            {"point": pd.Series(dtype="int64"), "replicate": pd.Series(dtype="int64")}
        )
    tables = [part.table.replace_schema_metadata(None) for part in parts]
    df = pa.concat_tables(tables, promote_options="permissive").to_pandas()
    df = df.sort_values(["point", "replicate"], kind="stable", ignore_index=True)
    if with_parameters and metadata["parameters"]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", IncompleteResultsWarning)
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


def resume_hint(out: Path, metadata: Mapping[str, Any]) -> str:
    """How to continue the sweep of ``out``: its command, or the Python call for a dict spec."""
    source = str(metadata.get("spec_source"))
    if source.startswith("<"):
        return f"run_sweep(spec, {str(out)!r}, resume=True)"
    return f"trustsim sweep {source} --out {out} --resume"


def _require_metadata(out: Path) -> dict[str, Any]:
    metadata = ResultStore(out).read_metadata()
    if metadata is None:
        raise UserError(f"{out}: not a trustsim results directory (no {METADATA})")
    if metadata.get("schema_version") != SCHEMA_VERSION:
        raise UserError(
            f"{out}: results schema version {metadata.get('schema_version')} is not "
            f"{SCHEMA_VERSION}; rerun the sweep with this trustsim"
        )
    missing = [k for k in ("spec", "spec_hash", "parameters", "runs") if k not in metadata]
    if missing or not isinstance(metadata["spec"], dict):
        raise UserError(f"{out / METADATA}: lacks {', '.join(missing) or 'spec'}; damaged")
    return metadata


def _verified_parts(out: Path, folder: str, metadata: Mapping[str, Any]) -> list[Part]:
    """Every part of ``out/folder``, verified; foreign, damaged or duplicate ones refused."""
    table = "runs" if folder == RUNS_DIR else "timeseries"
    parts, owner = [], {}
    resume = f"resume the sweep ({resume_hint(out, metadata)})"
    for path in _part_paths(out / folder).values():
        try:
            part = read_part(path, spec_hash=metadata["spec_hash"], table=table)
        except DamagedPart as err:
            raise UserError(f"{path}: damaged part ({err}); {resume} to redo its runs") from None
        _refuse_duplicates(part, owner)
        parts.append(part)
    return parts


def _warn_if_incomplete(out: Path, metadata: Mapping[str, Any], n_rows: int) -> None:
    expected, status = metadata["runs"], metadata.get("status")
    resume = resume_hint(out, metadata)
    if n_rows < expected:
        if status == "running" and ResultStore(out).is_locked():
            why = "a sweep is still writing there"
        elif status == "running":
            why = "its sweep was killed"
        else:
            why = f"its sweep was {status or 'not finished'}"
        message = f"{out}: {n_rows} of {expected} runs ({why}); continue with {resume}"
        warnings.warn(message, IncompleteResultsWarning, stacklevel=3)


def _refuse_duplicates(part: Part, owner: dict[tuple[int, int], Path]) -> None:
    for run in part.runs:
        if run in owner:
            raise UserError(
                f"{part.path}: holds runs that {owner[run]} holds too (point {run[0]}, "
                f"replicate {run[1]}), a copy? Move one of them out of {part.path.parent}"
            )
        owner[run] = part.path


def _part_paths(folder: Path) -> dict[int, Path]:
    """Part-files of ``folder`` by number; anything else there is refused.

    Raises:
        UserError: A file whose name the runner never writes (a copy, a stray file).
    """
    if not folder.is_dir():
        if folder.exists():
            raise UserError(f"{folder}: is not a directory; this is not a results directory")
        return {}
    parts = {}
    for path in sorted(folder.iterdir()):
        match = PART_NAME.fullmatch(path.name)
        if path.name.endswith(".tmp"):
            continue
        if match is None or not path.is_file():
            raise UserError(
                f"{path}: not a part-file trustsim wrote (names are part-NNNNN.parquet); "
                f"move it out of {folder}"
            )
        parts[int(match.group(1))] = path
    return parts


def _with_header(
    table: pa.Table, header: Mapping[str, Any], runs: list[list[int]], kind: str
) -> pa.Table:
    meta = {
        **(table.schema.metadata or {}),
        PART_KEY: json.dumps(
            {**header, "table": kind, "runs": runs, "content_sha256": content_hash(table)}
        ).encode(),
    }
    return table.replace_schema_metadata(meta)


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
    """Write with page checksums to a temporary file, then rename it into place.

    No fsync: a part torn by a power cut fails verification, so :meth:`ResultStore.scan`
    quarantines it and its runs are redone.
    """
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(table, tmp, write_page_checksum=True)
    os.replace(tmp, path)


def _part_number(path: Path) -> int:
    return int(PART_NAME.fullmatch(path.name).group(1))


def _pandas_type(arrow_type: pa.DataType) -> str:
    return "int64" if pa.types.is_integer(arrow_type) else "str"
