"""Run a sweep: the spec's runs as independent tasks, locally or on Dask, resumable.

The same :func:`execute_chunk` runs everywhere: in the calling process for one worker; in a
pool of ``workers`` processes (:mod:`trustsim.sweep.workers`; loky's executor, which pickles
a ``run_fn`` defined in a notebook by value with cloudpickle) for several; or on a
dask.distributed cluster. Runs are grouped in chunks so the per-task overhead is small; each
finished chunk becomes one part-file, written by the calling process under the directory's
lock, so results never depend on workers, backend or order, and an interrupted sweep keeps
every finished part.

A run that kills its pool process (a segfault in a native library, ``os._exit``, the OOM
killer) takes the pool down with it, and loky reports which exit code ended the worker. The
runner then starts a fresh pool and isolates the culprit: the chunks that were in flight are
rerun one run per task, and runs in flight at a second loss one at a time, alone in the
pool; a run that ends its process alone is recorded as failed with the signal, and the sweep
goes on. Runs are deterministic, so rerunning the others changes nothing.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field, replace
from functools import partial
from numbers import Integral
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from trustsim.errors import SweepStopped, UserError
from trustsim.sweep.limits import check_park_memory
from trustsim.sweep.outcomes import evaluate_outcomes, parse_outcome
from trustsim.sweep.results import (
    ID_COLUMNS,
    SCHEMA_VERSION,
    ResultStore,
    Scan,
    environment,
    now,
    part_header,
)
from trustsim.sweep.seeding import run_seed
from trustsim.sweep.spec import ExperimentSpec, largest_park, load_spec, parse_spec
from trustsim.sweep.workers import (
    boot,
    init_worker,
    pool_context,
    resolve_start_method,
    thread_count,
)

BACKENDS = ("local", "dask")
#: Most runs in one chunk (one part-file); keeps progress and resume granularity fine.
MAX_CHUNK = 50
#: Guided chunking: each chunk is the runs left over this many times the workers, so chunks
#: shrink towards the end of the sweep and the last ones balance the load.
GUIDED_FACTOR = 4
#: Most workers a local sweep may start.
MAX_WORKERS = 1024
#: Seconds between progress lines when stderr is a log, not a terminal.
LOG_EVERY = 60.0

RunFn = Callable[..., Any]


@dataclass(frozen=True)
class Chunk:
    """A batch of runs sharing the spec's scenario, years and recording options.

    Attributes:
        scenario: Scenario name.
        years: Simulated years (None: the scenario's default).
        root_seed: The experiment's seed.
        stride: Time-series stride, or None when no time series is recorded.
        fixed: Overrides held constant.
        runs: ``(point, replicate, swept values)`` for each run, in order.
        outcomes: The spec's ``[outcomes]`` (name -> expression), added to each run's row.
        isolation: 0 as planned; 1 one run rerun after a pool loss; 2 one run alone in the
            pool after a second loss (a loss then is the run's own).
    """

    scenario: str
    years: int | None
    root_seed: int
    stride: int | None
    fixed: Mapping[str, Any]
    runs: tuple[tuple[int, int, Mapping[str, Any]], ...]
    outcomes: Mapping[str, str] = field(default_factory=dict)
    isolation: int = 0


@dataclass(frozen=True)
class ChunkResult:
    """Rows of a chunk's runs and their concatenated time series (or None)."""

    rows: list[dict[str, Any]]
    timeseries: pd.DataFrame | None


@dataclass(frozen=True)
class SweepReport:
    """What a sweep did.

    Attributes:
        out: The results directory.
        n_runs: Runs in the spec.
        n_new: Runs computed by this call.
        n_failed: Recorded runs that raised or ended their process (this call and earlier).
        removed: Leftovers of an interrupted write removed before resuming.
        quarantined: ``(part, where it went, why)`` for each part that failed verification;
            its runs were redone.
    """

    out: Path
    n_runs: int
    n_new: int
    n_failed: int
    removed: tuple[Path, ...]
    quarantined: tuple[tuple[Path, Path, str], ...] = ()


def execute_chunk(chunk: Chunk, run_fn: RunFn | None = None) -> ChunkResult:
    """Run every run of a chunk; a run that raises or returns a bad output is a failed row.

    Args:
        chunk: The runs.
        run_fn: The per-run function, with the signature of :func:`trustsim.simulate`
            (default).
    """
    if run_fn is None:
        from trustsim import simulate as run_fn
    outcomes = [parse_outcome(name, text) for name, text in chunk.outcomes.items()]
    rows, frames = [], []
    for point, replicate, values in chunk.runs:
        overrides = {**chunk.fixed, **values}
        row = _base_row(chunk, point, replicate, values)
        try:
            output = run_fn(
                chunk.scenario,
                seed=run_seed(chunk.root_seed, point, replicate),
                years=chunk.years,
                overrides=overrides,
                timeseries_stride=chunk.stride,
            )
            summary, timeseries = _checked_output(output, chunk.stride)
        except Exception as err:  # noqa: BLE001 - recorded in the row, the sweep goes on
            row.update(status="error", error=f"{type(err).__name__}: {err}")
            rows.append(row)
            continue
        for key, value in summary.items():
            row[f"{key}_result" if key in overrides else key] = value
        try:
            row.update(evaluate_outcomes(outcomes, {**overrides, **output.summary}))
        except UserError as err:
            row.update(status="error", error=f"UserError: {err}")
        rows.append(row)
        if timeseries is not None:
            frame = timeseries.reset_index(drop=True)
            frame.insert(0, "replicate", replicate)
            frame.insert(0, "point", point)
            frames.append(frame)
    return ChunkResult(rows, _timeseries_part(chunk, frames))


def run_sweep(
    spec: ExperimentSpec | Mapping[str, Any] | str | Path,
    out: str | Path,
    *,
    workers: int | None = None,
    backend: str = "local",
    scheduler: Any = None,
    resume: bool = False,
    chunk_size: int | None = None,
    progress: bool | None = None,
    run_fn: RunFn | None = None,
    start_method: str | None = None,
) -> SweepReport:
    """Run a sweep and write its results to ``out`` (layout: :mod:`trustsim.sweep.results`).

    Args:
        spec: A spec, its dict or the path of its TOML file.
        out: The results directory; it must be empty or missing unless ``resume``.
        workers: Processes computing runs (local; 1 runs them in this process, where a run
            that kills its process ends the sweep, so crash isolation needs 2 or more), or the
            workers of a new LocalCluster (dask without a scheduler); default: the cores.
        backend: ``"local"`` or ``"dask"``.
        scheduler: For dask: a scheduler address, a ``distributed.Client`` or None for a new
            LocalCluster.
        resume: Compute only the runs ``out`` does not hold yet (same spec only).
        chunk_size: Runs per task and part-file; default: guided, from at most 50 down to 1
            as the runs left shrink, so that the workers finish together.
        progress: Show a progress bar (tqdm.auto: a widget in Jupyter); default: a bar when
            stderr is a terminal or in Jupyter, else a line every minute (batch-job logs).
        run_fn: The per-run function (default :func:`trustsim.simulate`); one defined in a
            notebook or script works too (pickled by value for the workers).
        start_method: How local pool workers start: ``"fork"``, ``"forkserver"``, ``"spawn"``
            or None/``"auto"`` (fork from a single-threaded process, else a forkserver; see
            :mod:`trustsim.sweep.workers`).

    Returns:
        A :class:`SweepReport`.

    Raises:
        UserError: A bad spec, option or results directory; raised before any run.
        SweepStopped: The Dask cluster lost a worker for good or its scheduler; the parts
            written so far are kept.
        KeyboardInterrupt: Ctrl-C or SIGTERM; the parts written so far are kept.
    """
    spec = _as_spec(spec)
    workers = _check_options(workers, backend, scheduler, chunk_size, progress)
    try:
        resolve_start_method(start_method)
    except ValueError as err:
        raise UserError(str(err)) from None
    n_facilities = largest_park(spec)
    if n_facilities is not None and backend == "local":
        check_park_memory(n_facilities, f"{spec.source}:", processes=workers)
    store = ResultStore(out)
    store.check_usable()
    _prepare(store, spec, resume)  # refuse early, before the lock file or a cluster exists
    with contextlib.ExitStack() as stack:
        try:
            store.out.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise UserError(f"{store.out}: cannot create it ({err.strerror})") from None
        stack.enter_context(store.lock())
        metadata = _prepare(store, spec, resume)  # again under the lock: what counts
        store.create()
        scan = store.scan(spec_hash=spec.hash, timeseries=spec.timeseries)
        stack.enter_context(_sigterm_interrupts())
        client = _dask_client(stack, workers, scheduler) if backend == "dask" else None
        slots = max(1, sum(client.nthreads().values())) if client is not None else workers
        chunks = _chunks(spec, scan.done, slots, chunk_size)
        n_new = sum(len(chunk.runs) for chunk in chunks)
        pooled = client is None and workers > 1 and bool(chunks)
        session = {
            "started": now(),
            "finished": None,
            "backend": backend,
            "workers": slots,
            # resolved here, just before the pool starts: fork only from a single thread
            "start_method": resolve_start_method(start_method) if pooled else None,
            "trustsim": metadata["versions"]["trustsim"],
            "git_commit": metadata["git_commit"],
            "quarantined": [[str(a), str(b), why] for a, b, why in scan.quarantined],
        }
        metadata.setdefault("sessions", []).append(session)
        metadata.update(status="running", finished=None)
        store.write_metadata(metadata)
        failed = _run_chunks(
            spec, store, metadata, scan, chunks, workers, client, run_fn, progress
        )
    return SweepReport(
        Path(out), spec.n_runs, n_new, failed, tuple(scan.removed), tuple(scan.quarantined)
    )


def _run_chunks(
    spec: ExperimentSpec,
    store: ResultStore,
    metadata: dict[str, Any],
    scan: Scan,
    chunks: Sequence[Chunk],
    workers: int,
    client: Any,
    run_fn: RunFn | None,
    progress: bool | None,
) -> int:
    """Execute the chunks, write a part per finished chunk; return the failed-run count."""
    task = partial(execute_chunk, run_fn=run_fn)
    header = part_header(metadata)
    failed, part, written = scan.failed, scan.next_part, 0
    status = "interrupted"
    start_method = metadata["sessions"][-1]["start_method"]
    meter = _Progress(spec, len(scan.done), progress)
    try:
        results = _execute(task, chunks, workers, client, start_method)
        with meter, contextlib.closing(results):
            for result in results:
                store.write_part(part, result.rows, result.timeseries, header)
                part += 1
                written += len(result.rows)
                new_failed = sum(row["status"] != "ok" for row in result.rows)
                failed += new_failed
                meter.update(len(result.rows), new_failed)
        status = "complete"
    except SweepStopped:
        status = "stopped"
        raise
    finally:
        metadata["sessions"][-1].update(finished=now(), status=status, new_runs=written)
        metadata.update(status=status, finished=now(), failed_runs=failed, columns=store.columns())
        store.write_metadata(metadata)
    return failed


def _base_row(
    chunk: Chunk, point: int, replicate: int, values: Mapping[str, Any]
) -> dict[str, Any]:
    return {
        "point": point,
        "replicate": replicate,
        "root_seed": chunk.root_seed,
        "status": "ok",
        "error": None,
        **values,
        **chunk.fixed,
    }


_SCALARS = (type(None), bool, int, float, str)


def _checked_output(output: Any, stride: int | None) -> tuple[dict[str, Any], Any]:
    """The summary (plain scalars) and time series of a run's output, or TypeError."""
    summary = getattr(output, "summary", None)
    if not isinstance(summary, Mapping):
        raise TypeError(
            f"run_fn returned {type(output).__name__}, not an object with .summary (a dict of "
            "scalars) and .timeseries, as trustsim.simulate's RunOutput"
        )
    plain = {}
    for key, value in summary.items():
        if not isinstance(key, str) or key in ID_COLUMNS:
            raise TypeError(f"run_fn summary key {key!r} must be a string other than {ID_COLUMNS}")
        if isinstance(value, np.generic):
            value = value.item()
        if not isinstance(value, _SCALARS):
            raise TypeError(
                f"run_fn summary {key!r} is a {type(value).__name__}; values must be numbers, "
                "strings, booleans or None"
            )
        plain[key] = value
    timeseries = getattr(output, "timeseries", None) if stride is not None else None
    if timeseries is not None and not isinstance(timeseries, pd.DataFrame):
        raise TypeError(
            f"run_fn timeseries is a {type(timeseries).__name__}, not a pandas DataFrame or None"
        )
    return plain, timeseries


def _timeseries_part(chunk: Chunk, frames: list[pd.DataFrame]) -> pd.DataFrame | None:
    if chunk.stride is None:
        return None
    if not frames:  # every run failed: an empty part still marks the chunk as done
        frames = [
            pd.DataFrame({"point": pd.Series(dtype="int64"), "replicate": pd.Series(dtype="int64")})
        ]
    return pd.concat(frames, ignore_index=True)


def _as_spec(spec: ExperimentSpec | Mapping[str, Any] | str | Path) -> ExperimentSpec:
    if isinstance(spec, ExperimentSpec):
        return spec
    if isinstance(spec, Mapping):
        return parse_spec(spec)
    if isinstance(spec, str | os.PathLike):
        return load_spec(spec)
    raise UserError(
        f"spec must be an ExperimentSpec, a dict or the path of a TOML file, got "
        f"{type(spec).__name__}"
    )


def _check_options(
    workers: Any, backend: Any, scheduler: Any, chunk_size: Any, progress: Any
) -> int:
    if backend not in BACKENDS:
        raise UserError(f"backend {backend!r} is unknown; allowed: {', '.join(BACKENDS)}")
    if scheduler is not None and backend != "dask":
        raise UserError("a scheduler is for backend 'dask' only (--backend dask)")
    if workers is None:
        workers = (
            len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        )
    for name, value, high in (("workers", workers, MAX_WORKERS), ("chunk size", chunk_size, None)):
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, Integral):
            raise UserError(f"{name} = {value!r} must be a whole number")
        if value < 1 or (high is not None and value > high):
            allowed = f"in [1, {high}]" if high is not None else "at least 1"
            raise UserError(f"{name} = {value} must be {allowed}")
    if progress is not None and not isinstance(progress, bool):
        raise UserError(f"progress = {progress!r} must be True, False or None")
    return int(workers)


def _prepare(store: ResultStore, spec: ExperimentSpec, resume: bool) -> dict[str, Any]:
    """Check ``out`` against the spec and return the metadata to write.

    Called once before the lock (to refuse early) and once holding it, where it counts:
    another sweep may have written there in between.
    """
    metadata = store.read_metadata()
    if not resume and not store.holds_only_its_own_layout():
        raise UserError(
            f"{store.out}: directory is not empty; use --resume to continue the sweep "
            "there, or choose another --out"
        )
    if resume and metadata is None and not store.holds_only_its_own_layout():
        raise UserError(f"{store.out}: not a trustsim results directory (no metadata.json)")
    if metadata is not None:
        if metadata.get("spec_hash") != spec.hash:
            raise UserError(
                f"{store.out}: holds results of a different spec "
                f"({metadata.get('spec_source')}, hash {str(metadata.get('spec_hash'))[:12]}); "
                f"resume with that spec or choose another --out"
            )
        if metadata.get("schema_version") != SCHEMA_VERSION:
            raise UserError(
                f"{store.out}: results schema version {metadata.get('schema_version')} "
                f"is not {SCHEMA_VERSION}; choose another --out"
            )
        metadata.update(environment())
        return metadata
    return {
        "schema_version": SCHEMA_VERSION,
        "experiment": spec.name,
        "spec_source": spec.source,
        "spec_hash": spec.hash,
        "spec": dict(spec.raw),
        "parameters": spec.parameters,
        "points": len(spec.points),
        "runs": spec.n_runs,
        **environment(),
        "started": now(),
    }


def _chunks(
    spec: ExperimentSpec, done: set[tuple[int, int]], workers: int, chunk_size: int | None
) -> list[Chunk]:
    missing = [
        (point, replicate, values)
        for point, values in enumerate(spec.points)
        for replicate in range(spec.replicates)
        if (point, replicate) not in done
    ]
    stride = spec.stride if spec.timeseries else None
    chunks, start = [], 0
    while start < len(missing):
        left = len(missing) - start
        size = chunk_size or min(MAX_CHUNK, math.ceil(left / (GUIDED_FACTOR * workers)))
        runs = tuple(missing[start : start + size])
        outcomes = {o.name: o.expression for o in spec.outcomes}
        chunks.append(
            Chunk(spec.scenario, spec.years, spec.seed, stride, dict(spec.fixed), runs, outcomes)
        )
        start += size
    return chunks


class _Progress:
    """Progress of a sweep: a tqdm.auto bar, periodic log lines, or nothing."""

    def __init__(self, spec: ExperimentSpec, done: int, show: bool | None) -> None:
        interactive = sys.stderr.isatty() or "ipykernel" in sys.modules
        self.name, self.total, self.done, self.failed = spec.name, spec.n_runs, done, 0
        self.start = self.last = time.monotonic()
        self.first = done
        self.log = show is None and not interactive
        self.bar = None
        if show or (show is None and interactive):
            from tqdm.auto import tqdm

            class Bar(tqdm):  # no monitor thread, so a pool started after it can still fork
                monitor_interval = 0

            self.bar = Bar(
                total=spec.n_runs,
                initial=done,
                unit="run",
                desc=spec.name,
                file=sys.stderr,
                dynamic_ncols=True,
            )

    def update(self, runs: int, failed: int) -> None:
        """Count ``runs`` more finished runs, ``failed`` of them failed."""
        self.done += runs
        self.failed += failed
        if self.bar is not None:
            self.bar.update(runs)
        elif self.log and time.monotonic() - self.last >= LOG_EVERY:
            self.last = time.monotonic()
            rate = (self.done - self.first) / max(self.last - self.start, 1e-9)
            left = (self.total - self.done) / rate if rate > 0 else math.inf
            eta = f"about {left / 60:.0f} min left" if math.isfinite(left) else ""
            print(
                f"trustsim sweep {self.name}: {self.done:,} of {self.total:,} runs "
                f"({100 * self.done / self.total:.1f} %), {self.failed} failed, "
                f"{rate:.2f} runs a second, {eta}",
                file=sys.stderr,
                flush=True,
            )

    def __enter__(self) -> _Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.close()


def _execute(
    task: Callable[[Chunk], ChunkResult],
    chunks: Sequence[Chunk],
    workers: int,
    client: Any,
    start_method: str | None,
) -> Iterator[ChunkResult]:
    if not chunks:
        return
    if client is not None:
        yield from _execute_dask(task, chunks, client)
    elif workers == 1:
        yield from map(task, chunks)
    else:
        yield from _execute_pool(task, chunks, workers, start_method)


def _execute_dask(
    task: Callable[[Chunk], ChunkResult], chunks: Sequence[Chunk], client: Any
) -> Iterator[ChunkResult]:
    """Run chunks on a Dask cluster; a lost worker or scheduler ends in :class:`SweepStopped`.

    A run's own error never reaches here (:func:`execute_chunk` records it), so whatever a
    future raises is the cluster's: a worker that died on every retry (``KilledWorker``), a
    lost scheduler, a task the workers could not unpickle.
    """
    from distributed import KilledWorker, as_completed

    futures = client.map(task, list(chunks), pure=False)
    try:
        for future in as_completed(futures):
            yield future.result()
    except KilledWorker as err:
        raise SweepStopped(
            f"Dask workers died running a chunk on every retry (last {err.last_worker}); "
            "the finished parts are kept"
        ) from None
    except Exception as err:  # noqa: BLE001 - the cluster's failure, said in one line
        first = str(err).strip().splitlines()[0] if str(err).strip() else ""
        raise SweepStopped(
            f"the Dask cluster failed ({type(err).__name__}: {first[:200]}); the finished "
            "parts are kept"
        ) from None
    finally:
        with contextlib.suppress(Exception):
            client.cancel(futures)


def _execute_pool(
    task: Callable[[Chunk], ChunkResult],
    chunks: Sequence[Chunk],
    workers: int,
    start_method: str | None,
) -> Iterator[ChunkResult]:
    """Run chunks on a loky pool of ``workers`` processes; isolate runs that kill a worker.

    Two chunks per worker are queued at a time; results come back as they finish. When the
    pool breaks, the chunks in flight come back one run per task (isolation 1), and runs in
    flight at a second loss run alone (isolation 2): a run that ends its worker alone is
    recorded as failed with the worker's exit code, in a fresh pool.
    """
    from loky.process_executor import BrokenProcessPool

    method = resolve_start_method(start_method)
    pending: deque[Chunk] = deque(chunks)
    running: dict[Future, Chunk] = {}
    executor = _pool(workers, method)
    finished_all = False
    try:
        while pending or running:
            loss = _submit(executor, task, pending, running, 2 * workers)
            if loss is None:
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    error = future.exception()
                    if isinstance(error, BrokenProcessPool):
                        loss = error  # stays in ``running``, with the others the loss took
                        continue
                    del running[future]
                    yield future.result()
            if loss is None:
                continue
            executor.shutdown(wait=True, kill_workers=True)
            for future, chunk in list(running.items()):  # lost with the pool: suspects
                if future.done() and future.exception() is None:
                    yield future.result()
                else:
                    pending.extendleft(reversed(_isolated(chunk)))
            running.clear()
            for culprit in [c for c in pending if c.isolation > 2]:
                pending.remove(culprit)
                yield _worker_died(culprit, loss)
            if method == "fork" and thread_count() != 1:
                method = "forkserver"  # a fresh pool forks from a single thread only
            executor = _pool(workers, method)
        finished_all = True
    finally:  # idle workers exit by themselves; after Ctrl-C they are killed at once
        executor.shutdown(wait=finished_all, kill_workers=not finished_all)


def _submit(
    executor: Any,
    task: Callable[[Chunk], ChunkResult],
    pending: deque[Chunk],
    running: dict[Future, Chunk],
    limit: int,
) -> BaseException | None:
    """Queue chunks up to ``limit``; a run under isolation 2 goes alone into an idle pool.

    Returns:
        The pool's error if it broke meanwhile (the chunk stays pending), else None.
    """
    from loky.process_executor import BrokenProcessPool

    while pending and len(running) < limit:
        if any(chunk.isolation == 2 for chunk in running.values()):
            return None
        if pending[0].isolation == 2 and running:
            return None
        chunk = pending.popleft()
        try:
            running[executor.submit(task, chunk)] = chunk
        except BrokenProcessPool as err:
            pending.appendleft(chunk)
            return err
    return None


def _isolated(chunk: Chunk) -> list[Chunk]:
    """The chunk's runs one per task, one isolation level up (3: the run's own loss)."""
    return [replace(chunk, runs=(run,), isolation=chunk.isolation + 1) for run in chunk.runs]


def _worker_died(chunk: Chunk, loss: BaseException) -> ChunkResult:
    """The failed row of a run that ended its worker process alone."""
    point, replicate, values = chunk.runs[0]
    codes = re.findall(r"\b(?:SIG[A-Z0-9]+|EXIT)\(-?\d+\)", str(loss))
    how = f"exit code {', '.join(codes)}" if codes else type(loss).__name__
    row = _base_row(chunk, point, replicate, values)
    row.update(status="error", error=f"WorkerDied: the run ended its worker process ({how})")
    return ChunkResult([row], _timeseries_part(chunk, []))


def _pool(workers: int, method: str) -> Any:
    """A loky process pool of ``workers`` processes started by ``method``."""
    from loky import ProcessPoolExecutor

    context = pool_context(method)
    boot(context)
    return ProcessPoolExecutor(
        max_workers=workers,
        context=context,
        initializer=init_worker,
        initargs=(method != "spawn",),
    )


def _dask_client(stack: contextlib.ExitStack, workers: int, scheduler: Any) -> Any:
    """Return a Dask client (closed by ``stack``): given, at an address, or of a LocalCluster."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise UserError(
            "backend 'dask' needs dask.distributed: pip install 'trustsim[dask]'"
        ) from None
    if isinstance(scheduler, Client):
        return scheduler
    if scheduler is None:
        scheduler = stack.enter_context(
            LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            )
        )
    elif not isinstance(scheduler, str):
        raise UserError(
            f"scheduler must be an address such as 'tcp://host:8786', a distributed.Client or "
            f"None, got {type(scheduler).__name__}"
        )
    try:
        return stack.enter_context(Client(scheduler, timeout="10s"))
    except (OSError, ValueError, TimeoutError) as err:
        raise UserError(f"cannot reach the Dask scheduler at {scheduler}: {err}") from None


class Terminated(KeyboardInterrupt):
    """SIGTERM (a batch scheduler's stop, ``kill``) received during a sweep."""


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """Turn SIGTERM into :class:`Terminated` in the block, so the session is marked.

    Main thread only, and only where SIGTERM has its default action (never over a handler
    the caller installed).
    """
    main = threading.current_thread() is threading.main_thread()
    if not main or signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise Terminated("SIGTERM")

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)

