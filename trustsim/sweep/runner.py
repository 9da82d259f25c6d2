"""Run a sweep: the spec's runs as independent tasks, locally or on Dask, resumable.

The same picklable :func:`execute_chunk` runs everywhere: in the calling process for one
worker; in the calling process plus a pool of ``workers - 1`` processes (started once per
sweep, forked with the model already imported: :mod:`trustsim.sweep.workers`) for several; or on a
dask.distributed cluster. Runs are grouped in
chunks so the per-task overhead is small; each finished chunk becomes one part-file, written
by the calling process, so results never depend on workers, backend or order, and an
interrupted sweep keeps every finished part.
"""

from __future__ import annotations

import collections
import contextlib
import math
import os
import queue
import signal
import sys
import threading
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from trustsim.errors import UserError
from trustsim.sweep.outcomes import evaluate_outcomes, parse_outcome
from trustsim.sweep.results import SCHEMA_VERSION, ResultStore, Scan, environment, now
from trustsim.sweep.seeding import run_seed
from trustsim.sweep.spec import ExperimentSpec, load_spec, parse_spec
from trustsim.sweep.workers import boot, init_worker, pool_context, resolve_start_method

BACKENDS = ("local", "dask")
#: Most runs in one chunk (one part-file); keeps progress and resume granularity fine.
MAX_CHUNK = 50
#: Guided chunking: each chunk is the runs left over this many times the workers, so chunks
#: shrink towards the end of the sweep and the last ones balance the load.
GUIDED_FACTOR = 4

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
    """

    scenario: str
    years: int | None
    root_seed: int
    stride: int | None
    fixed: Mapping[str, Any]
    runs: tuple[tuple[int, int, Mapping[str, Any]], ...]
    outcomes: Mapping[str, str] = field(default_factory=dict)


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
        n_failed: Recorded runs that raised (this call and earlier ones).
        removed: Incomplete part-files removed before resuming.
    """

    out: Path
    n_runs: int
    n_new: int
    n_failed: int
    removed: tuple[Path, ...]


def execute_chunk(chunk: Chunk, run_fn: RunFn | None = None) -> ChunkResult:
    """Run every run of a chunk; a run that raises becomes a row with its error.

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
        row: dict[str, Any] = {
            "point": point,
            "replicate": replicate,
            "root_seed": chunk.root_seed,
            "status": "ok",
            "error": None,
            **values,
            **chunk.fixed,
        }
        try:
            output = run_fn(
                chunk.scenario,
                seed=run_seed(chunk.root_seed, point, replicate),
                years=chunk.years,
                overrides=overrides,
                timeseries_stride=chunk.stride,
            )
        except Exception as err:  # noqa: BLE001 - recorded in the row, the sweep goes on
            row.update(status="error", error=f"{type(err).__name__}: {err}")
            rows.append(row)
            continue
        for key, value in output.summary.items():
            row[f"{key}_result" if key in overrides else key] = value
        try:
            row.update(evaluate_outcomes(outcomes, {**overrides, **output.summary}))
        except UserError as err:
            row.update(status="error", error=f"UserError: {err}")
        rows.append(row)
        if chunk.stride is not None and output.timeseries is not None:
            frame = output.timeseries.reset_index(drop=True)
            frame.insert(0, "replicate", replicate)
            frame.insert(0, "point", point)
            frames.append(frame)
    if chunk.stride is None:
        return ChunkResult(rows, None)
    if not frames:  # every run failed: an empty part still marks the chunk as done
        frames = [
            pd.DataFrame({"point": pd.Series(dtype="int64"), "replicate": pd.Series(dtype="int64")})
        ]
    return ChunkResult(rows, pd.concat(frames, ignore_index=True))


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
        workers: Processes computing runs, the caller included (local), or the workers of a
            new LocalCluster (dask without a scheduler); default: the machine's cores.
        backend: ``"local"`` or ``"dask"``.
        scheduler: For dask: a scheduler address, a ``distributed.Client`` or None for a new
            LocalCluster.
        resume: Compute only the runs ``out`` does not hold yet (same spec only).
        chunk_size: Runs per task and part-file; default: guided, from at most 50 down to 1
            as the runs left shrink, so that the workers finish together.
        progress: Show a progress bar; default: when stderr is a terminal.
        run_fn: The per-run function (default :func:`trustsim.simulate`); it must be picklable
            for process pools and clusters.
        start_method: How local pool workers start: ``"fork"``, ``"forkserver"``, ``"spawn"``
            or None/``"auto"`` (fork from a single-threaded process, else a forkserver; see
            :mod:`trustsim.sweep.workers`).

    Returns:
        A :class:`SweepReport`.

    Raises:
        UserError: A bad spec, option or results directory; raised before any run.
    """
    spec = _as_spec(spec)
    workers = _check_options(workers, backend, scheduler, chunk_size)
    try:
        resolve_start_method(start_method)
    except ValueError as err:
        raise UserError(str(err)) from None
    store = ResultStore(out)
    metadata = _prepare(store, spec, resume)
    with contextlib.ExitStack() as stack:
        client = _dask_client(stack, workers, scheduler) if backend == "dask" else None
        slots = max(1, sum(client.nthreads().values())) if client is not None else workers
        store.create()
        stack.enter_context(store.lock())
        scan = store.scan(timeseries=spec.timeseries)
        chunks = _chunks(spec, scan.done, slots, chunk_size)
        n_new = sum(len(chunk.runs) for chunk in chunks)
        pooled = client is None and workers > 1 and len(chunks) > 1
        session = {
            "started": now(),
            "finished": None,
            "backend": backend,
            "workers": slots,
            # resolved here, just before the pool starts: fork only from a single thread
            "start_method": resolve_start_method(start_method) if pooled else None,
            "trustsim": metadata["versions"]["trustsim"],
            "git_commit": metadata["git_commit"],
        }
        metadata.setdefault("sessions", []).append(session)
        metadata.update(status="running", finished=None)
        store.write_metadata(metadata)
        failed = _run_chunks(
            spec,
            store,
            metadata,
            scan,
            chunks,
            workers,
            client,
            run_fn,
            progress,
            session["start_method"],
        )
    return SweepReport(Path(out), spec.n_runs, n_new, failed, tuple(scan.removed))


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
    start_method: str | None,
) -> int:
    """Execute the chunks, write a part per finished chunk; return the failed-run count."""
    show = sys.stderr.isatty() if progress is None else progress
    bar = _progress_bar()(
        total=spec.n_runs,
        initial=len(scan.done),
        unit="run",
        desc=spec.name,
        disable=not show,
        file=sys.stderr,
        dynamic_ncols=True,
    )
    task = partial(execute_chunk, run_fn=run_fn)
    failed, part, written = scan.failed, scan.next_part, 0
    status = "interrupted"
    try:
        results = _execute(task, chunks, workers, client, start_method)
        with bar, contextlib.closing(results):
            for result in results:
                store.write_part(part, result.rows, result.timeseries)
                part += 1
                written += len(result.rows)
                failed += sum(row["status"] != "ok" for row in result.rows)
                bar.update(len(result.rows))
        status = "complete"
    finally:
        metadata["sessions"][-1].update(finished=now(), status=status, new_runs=written)
        metadata.update(status=status, finished=now(), failed_runs=failed, columns=store.columns())
        store.write_metadata(metadata)
    return failed


def _as_spec(spec: ExperimentSpec | Mapping[str, Any] | str | Path) -> ExperimentSpec:
    if isinstance(spec, ExperimentSpec):
        return spec
    if isinstance(spec, Mapping):
        return parse_spec(spec)
    return load_spec(spec)


def _check_options(
    workers: int | None, backend: str, scheduler: Any, chunk_size: int | None
) -> int:
    if backend not in BACKENDS:
        raise UserError(f"backend {backend!r} is unknown; allowed: {', '.join(BACKENDS)}")
    if scheduler is not None and backend != "dask":
        raise UserError("a scheduler is for backend 'dask' only (--backend dask)")
    if workers is None:
        workers = (
            len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        )
    if workers < 1:
        raise UserError(f"workers = {workers} must be at least 1")
    if chunk_size is not None and chunk_size < 1:
        raise UserError(f"chunk size = {chunk_size} must be at least 1")
    return workers


def _prepare(store: ResultStore, spec: ExperimentSpec, resume: bool) -> dict[str, Any]:
    if store.out.exists() and not store.out.is_dir():
        raise UserError(f"{store.out}: exists and is not a directory; choose another --out")
    metadata = store.read_metadata()
    if not resume and not store.is_empty():
        raise UserError(
            f"{store.out}: directory is not empty; use --resume to continue the sweep "
            "there, or choose another --out"
        )
    if resume and metadata is None and not store.is_empty():
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


def _progress_bar() -> type:
    """The progress bar class: tqdm without its monitor thread, so a pool can still fork."""
    from tqdm import tqdm

    class ProgressBar(tqdm):
        monitor_interval = 0

    return ProgressBar


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
        from distributed import as_completed

        futures = client.map(task, list(chunks), pure=False)
        try:
            for future in as_completed(futures):
                yield future.result()
        finally:
            client.cancel(futures)
    elif workers == 1 or len(chunks) == 1:
        yield from map(task, chunks)
    else:
        yield from _execute_pool(task, chunks, min(workers, len(chunks)), start_method)


def _execute_pool(
    task: Callable[[Chunk], ChunkResult],
    chunks: Sequence[Chunk],
    workers: int,
    start_method: str | None,
) -> Iterator[ChunkResult]:
    """Run chunks on ``workers - 1`` pool processes plus the calling process.

    The pool and the caller take chunks in order (two queued per pool process, topped up as
    each finishes). When the queue is empty the caller also runs the chunks still queued or
    running in the pool, latest (and, guided, smallest) first, and keeps whichever result
    comes first. A forked pool starts at once; a forkserver boots in a background thread
    while the caller computes, and the pool is created only if runs are left by then. So
    neither a slow start nor the last chunks keep a core idle.
    """
    method = resolve_start_method(start_method)
    pending = collections.deque(enumerate(chunks))
    submitted: list[tuple[int, Chunk]] = []
    finished: queue.SimpleQueue[tuple[int, ChunkResult | BaseException]] = queue.SimpleQueue()
    lock = threading.Lock()
    pool_state: dict[str, Any] = {"pool": None, "closed": False, "creating": False, "error": None}

    def submit() -> None:
        with lock:
            pool = pool_state["pool"]
            if not pending or pool is None:
                return
            index, chunk = pending.popleft()
            submitted.append((index, chunk))
        with contextlib.suppress(ValueError):  # the pool is closing
            pool.apply_async(
                task, (chunk,), callback=partial(done, index), error_callback=partial(done, index)
            )

    def done(index: int, result: ChunkResult | BaseException) -> None:
        finished.put((index, result))
        submit()

    def start_pool() -> None:
        context = pool_context(method)
        try:
            boot(context)
            with lock:
                if pool_state["closed"]:  # the caller ran every run meanwhile
                    return
                pool_state["creating"] = True
            pool = context.Pool(workers - 1, initializer=init_worker, initargs=(method != "spawn",))
        except Exception as err:  # noqa: BLE001 - the caller computes every run instead
            pool_state["error"] = err
            return
        with lock:
            closed = pool_state["closed"]
            pool_state["pool"] = None if closed else pool
        if closed:
            pool.terminate()
            return
        for _ in range(2 * (workers - 1)):
            submit()

    starter = None
    if method == "fork":
        with _sigint_ignored():  # forked workers inherit it: a Ctrl-C in their start is quiet
            start_pool()
    else:  # not a daemon: the interpreter waits for a boot in progress before it exits
        starter = threading.Thread(target=start_pool, name="trustsim-pool-start")
        starter.start()
    try:
        completed: set[int] = set()
        taken: set[int] = set()
        while len(completed) < len(chunks):
            try:
                index, result = finished.get_nowait()
            except queue.Empty:
                with lock:
                    own = pending.popleft() if pending else None
                    if own is None:
                        queued = (s for s in reversed(submitted) if s[0] not in completed | taken)
                        own = next(queued, None)
                    if own is not None:
                        taken.add(own[0])
                if own is None:
                    index, result = finished.get()
                else:
                    index, result = own[0], task(own[1])
            if index in completed:
                continue
            if isinstance(result, BaseException):
                raise result
            completed.add(index)
            yield result
    finally:
        with lock:
            pool_state["closed"] = True
            pool, creating = pool_state["pool"], pool_state["creating"]
        if pool is not None:
            pool.terminate()
        elif creating and starter is not None:  # a pool is being made: it ends it, briefly
            starter.join()
    if pool_state["error"] is not None:
        warnings.warn(
            f"the worker pool did not start ({pool_state['error']}); this process ran every run",
            RuntimeWarning,
            stacklevel=2,
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
    try:
        return stack.enter_context(Client(scheduler))
    except (OSError, ValueError, TimeoutError) as err:
        raise UserError(f"cannot reach the Dask scheduler at {scheduler}: {err}") from None


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Ignore Ctrl-C in the block (main thread only; elsewhere signals are not ours)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
