"""Worker processes of the local pool: how they start, their threads and their lifetime.

A worker must start without re-importing the model: a fresh interpreter spends about 3 s of
CPU on Mesa, pandas and SciPy, longer than a short sweep's whole work. So workers are forked,
from a process already holding the imports. A fork is safe only from a single-threaded
process (a thread holding a lock at the fork leaves it locked for ever in the child), hence:

* ``fork``: a process with one thread, such as the ``trustsim`` command, which keeps BLAS and
  Arrow to the main thread (:func:`limit_native_threads`), forks its workers directly;
* ``forkserver``: any other process (a notebook, where numpy started BLAS threads) forks them
  from a forkserver, a fresh interpreter that limits its native threads, imports the model
  once per session (:mod:`trustsim.sweep.worker_boot`) and stays single-threaded;
* ``spawn`` where neither exists (Windows).

Python 3.14 makes ``forkserver`` the default on Linux for the same reason.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import sys
from multiprocessing.context import BaseContext

#: Environment keeping BLAS (OpenBLAS, OpenMP, MKL) and Arrow's allocator to the main thread.
SINGLE_THREADED = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "JE_ARROW_MALLOC_CONF": "background_thread:false",
}
START_METHODS = ("auto", "fork", "forkserver", "spawn")
#: The forkserver imports this first; it limits native threads, then imports the model.
FORKSERVER_PRELOAD = ["trustsim.sweep.worker_boot"]
#: Processes whose forkserver :func:`boot` has seen fork.
_BOOTED: set[int] = set()


def limit_native_threads() -> None:
    """Keep BLAS and Arrow to the main thread; effective only before numpy and pyarrow load.

    Variables the user has set are left alone.
    """
    for name, value in SINGLE_THREADED.items():
        os.environ.setdefault(name, value)


def thread_count() -> int | None:
    """Threads of this process, native ones included; None where the OS does not tell."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return None


def resolve_start_method(method: str | None = None) -> str:
    """The start method to use: ``method``, or for None/"auto" the safe fast one available.

    Raises:
        ValueError: ``method`` is not one of :data:`START_METHODS` or not available here.
    """
    if method not in (None, *START_METHODS):
        raise ValueError(f"start method {method!r} is unknown; allowed: {', '.join(START_METHODS)}")
    available = multiprocessing.get_all_start_methods()
    if method in (None, "auto"):
        if sys.platform == "linux" and thread_count() == 1:
            return "fork"
        return "forkserver" if "forkserver" in available else "spawn"
    if method not in available:
        raise ValueError(
            f"start method {method!r} is not available on this platform; "
            f"allowed: {', '.join(available)}"
        )
    return method


def pool_context(method: str) -> BaseContext:
    """The multiprocessing context of ``method``; a forkserver preloads the model."""
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        context.set_forkserver_preload(FORKSERVER_PRELOAD)
    return context


def boot(context: BaseContext) -> None:
    """Wait until a forkserver context's server has imported the model and forks.

    A pool created after this starts in milliseconds; one created before blocks until the
    server is up, holding queues its workers could not open if the pool were dropped then.
    """
    if context.get_start_method() != "forkserver" or os.getpid() in _BOOTED:
        return
    process = context.Process(target=_exit_at_once, daemon=True)
    process.start()
    process.join()
    _BOOTED.add(os.getpid())  # the server stays up for the session (a fork has its own)


def _exit_at_once() -> None:
    """Do nothing: the process of :func:`boot` only proves that the server forks."""


def init_worker(die_with_parent: bool) -> None:
    """Prepare a pool worker: Ctrl-C is the parent's; the worker dies with its parent.

    The parent stops the pool on Ctrl-C and keeps finished parts. With ``die_with_parent``,
    on Linux, the kernel kills the worker when the process that forked it (the sweep's process
    or its forkserver) dies, so a sweep killed outright leaves no orphan holding its files.
    Spawned workers (their parent is the thread that started them) skip it.

    The objects a worker inherits are frozen out of the garbage collector: otherwise each
    collection walks the whole inherited heap (about 0.1 s of CPU each, many per sweep), and
    touching it undoes the fork's copy-on-write sharing.
    """
    gc.freeze()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if not die_with_parent or sys.platform != "linux":
        return
    import ctypes

    parent = os.getppid()
    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)
