"""ABC-SMC posterior of the Kalundborg behavioural parameters, fitted on the record up to 1995.

Approximate Bayesian computation by sequential Monte Carlo (pyabc, the optional extra
``calibrate``) [Beaumont2009; Klinger2018]: particles are drawn from uniform priors over the
behavioural parameters the record cannot fix (:data:`PRIORS`), each is run once to the end of
:data:`FIT_UNTIL`, and a particle is accepted when its run's distance to the fitted milestones
(:func:`fitted_milestones`, every weighted milestone up to 1995) is below the generation's
epsilon (the median of the previous generation's distances). The distance is the weighted root
mean square of each milestone's relative distance to its band (0 inside the band), so the
posterior is the set of parameters whose single runs land in the historical bands. The
milestones from 1996 on are never seen by the fit: they are the out-of-sample validation
(:func:`trustsim.history.validation.validate`).

The simulations run on the sweep runner's local workers (:mod:`trustsim.sweep.workers`: forked,
model preloaded) or on a Dask cluster, through :class:`SeededMappingSampler`: task ``i`` of
generation ``t`` (``t = -1``: the calibration sample) seeds pyabc's proposal with
``SeedSequence(root_seed, spawn_key=(t + 1, i))`` and each run's model seed comes from the root
seed and the particle's values, so the posterior is the same whatever the number of workers or
the backend.

pyabc draws its proposals from numpy's global ``RandomState`` (scipy's ``rvs`` and
``np.random.choice`` without a generator; pyABC has no local random state, its issue 400).
Each task therefore runs inside :func:`seeded_global_random`: numpy's global state seeded from
the task's SeedSequence and the caller's state restored after, under a lock so that threads
sharing the state (Dask worker threads) never interleave; :func:`run_abc` does the same around
pyabc's own work in the calling process. The fit neither leaks into nor depends on the
caller's global state.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import math
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from trustsim.errors import UserError
from trustsim.history.validation import FIT_UNTIL, Milestone, milestones, run_observations

__all__ = [
    "FIT_UNTIL",
    "MARGINS",
    "PRIORS",
    "ABCResult",
    "band_distance",
    "fitted_milestones",
    "held_out_milestones",
    "particle_parameters",
    "run_abc",
    "seeded_global_random",
    "simulate_particle",
    "weighted_quantiles",
]

#: Uniform priors (low, high) of the fitted behavioural parameters.
PRIORS: dict[str, tuple[float, float]] = {
    "trust_prior": (0.2, 0.8),
    "trust_gain": (0.02, 0.4),
    "search_rate": (0.02, 1.0),
    "search_distance_cost": (0.0, 1.0),
    "tie_discovery_rate": (0.05, 3.0),
    "gossip_weight": (0.0, 1.0),
    "broker_rate": (0.1, 5.0),
    "deals_per_manager_per_year": (0.25, 4.0),
    "broker_deals_per_year": (0.0, 8.0),
    "byproduct_trust_margin": (0.05, 0.4),
}

#: Parameters given as a margin above another: prior name -> (parameter, base parameter). A
#: by-product deal always needs more trust than a stranger starts with, the mechanism of P3.
MARGINS: dict[str, tuple[str, str]] = {"byproduct_trust_margin": ("byproduct_trust", "trust_prior")}


def fitted_milestones() -> tuple[Milestone, ...]:
    """The weighted milestones up to :data:`FIT_UNTIL`: what the posterior is fitted on."""
    return tuple(m for m in milestones() if m.weight > 0 and m.year <= FIT_UNTIL)


def held_out_milestones() -> tuple[Milestone, ...]:
    """The weighted milestones after :data:`FIT_UNTIL`: the out-of-sample validation."""
    return tuple(m for m in milestones() if m.weight > 0 and m.year > FIT_UNTIL)


def particle_parameters(theta: dict[str, float]) -> dict[str, float]:
    """Model parameters of a particle (margins turned into values, 4 decimals)."""
    out = {k: float(v) for k, v in theta.items() if k not in MARGINS}
    for name, (param, base) in MARGINS.items():
        if name in theta:
            out[param] = min(1.0, out[base] + float(theta[name]))
    return {k: round(v, 4) for k, v in out.items()}


def _run_seed(params: dict[str, float], root_seed: int) -> np.random.SeedSequence:
    """The run seed of a particle: the root seed and a hash of its values."""
    text = ",".join(f"{k}={params[k]:.4f}" for k in sorted(params))
    key = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
    return np.random.SeedSequence(root_seed, spawn_key=(key,))


def simulate_particle(theta: dict[str, float], *, scenario: str, root_seed: int,
                      marks: tuple[Milestone, ...]) -> dict[str, float]:
    """Run one particle to the last fitted year; its value of every fitted milestone."""
    params = particle_parameters(dict(theta))
    obs = run_observations(scenario, _run_seed(params, root_seed), [m.year for m in marks],
                           params)
    return {m.key: float(obs["at"][m.year][m.metric]) for m in marks}


def band_distance(marks: tuple[Milestone, ...], x: dict[str, float]) -> float:
    """Weighted root mean square of the relative distances of ``x`` to the milestone bands.

    A milestone's distance is ``max(low - v, 0, v - high) / |observed|`` (0 inside its band, 1
    for an undefined value).
    """
    num = den = 0.0
    for m in marks:
        v = x[m.key]
        d = 1.0 if math.isnan(v) else max(m.low - v, 0.0, v - m.high) / (abs(m.observed) or 1.0)
        num += m.weight * d * d
        den += m.weight
    return math.sqrt(num / den)


#: Held while numpy's global state is seeded for pyabc (reentrant: in-process tasks nest).
_GLOBAL_RANDOM = threading.RLock()


@contextlib.contextmanager
def seeded_global_random(seed: np.random.SeedSequence, *, lock: bool = True) -> Iterator[None]:
    """Numpy's global RandomState seeded from ``seed`` inside the block, the caller's after.

    Args:
        seed: the block's SeedSequence (four 32-bit words of its state seed the global one).
        lock: hold a process-wide lock for the block, so that threads sharing the global
            state draw one block at a time (off for the calling process, whose block waits on
            tasks that may run in other threads of the same process).
    """
    with _GLOBAL_RANDOM if lock else contextlib.nullcontext():
        saved = np.random.get_state()  # noqa: NPY002 (pyabc's draws, restored below)
        np.random.seed(seed.generate_state(4))  # noqa: NPY002, TID251 (pyabc: global state only)
        try:
            yield
        finally:
            np.random.set_state(saved)  # noqa: NPY002


def _sample_task(factory, simulate_one: bytes, seed: np.random.SeedSequence):
    """One task of :class:`SeededMappingSampler`: sample from ``seed`` until one is accepted."""
    import cloudpickle

    simulate = cloudpickle.loads(simulate_one)
    nr, sample = 0, factory()
    with seeded_global_random(seed):
        while True:
            new = simulate()
            nr += 1
            sample.append(new)
            if new.accepted:
                return sample, nr


def _seeded_sampler():
    """A pyabc MappingSampler whose tasks draw from seeds fixed by (root, generation, task)."""
    import cloudpickle
    from pyabc.sampler import MappingSampler

    class SeededMappingSampler(MappingSampler):
        """Deterministic mapping sampler: task ``i`` of generation ``t`` has its own seed."""

        def __init__(self, map_: Callable, root_seed: int):
            super().__init__(map_=map_)
            self.root_seed = root_seed

        def sample_until_n_accepted(self, n, simulate_one, t, **_):  # noqa: D102 (pyabc hook)
            seeds = [np.random.SeedSequence(self.root_seed, spawn_key=(t + 1, i))
                     for i in range(n)]
            task = functools.partial(_sample_task, self.sample_factory,
                                     cloudpickle.dumps(simulate_one))
            results = list(self.map_(task, seeds))
            self.nr_evaluations_ = sum(r[1] for r in results)
            sample = self._create_empty_sample()
            for r in results:
                sample += r[0]
            return sample

    return SeededMappingSampler


@dataclass(slots=True)
class ABCResult:
    """The final population and the fit's diagnostics.

    Attributes:
        particles: one row per particle: the prior's names, then ``weight`` (normalised).
        generations: per generation: t, epsilon, particles, simulations, acceptance rate,
            effective sample size.
        simulations: model runs in total.
        seconds: wall time of the fit.
        population: particles per generation. max_generations: the generations asked for.
        root_seed: root of every seed. workers: processes that ran the simulations.
        fitted: keys of the fitted milestones. held_out: keys of the held-out ones.
    """

    particles: pd.DataFrame
    generations: list[dict[str, float]]
    simulations: int
    seconds: float
    population: int
    max_generations: int
    root_seed: int
    workers: int
    fitted: list[str] = field(default_factory=list)
    held_out: list[str] = field(default_factory=list)


def _mapper(stack, workers: int, scheduler: Any) -> tuple[Callable, int]:
    """An order-preserving map over the runner's local workers or a Dask cluster."""
    if scheduler is not None:
        from distributed import Client

        client = scheduler if isinstance(scheduler, Client) else stack.enter_context(
            Client(scheduler))
        return (lambda f, xs: client.gather(client.map(f, list(xs), pure=False)),
                max(1, sum(client.nthreads().values())))
    if workers <= 1:
        return map, 1
    from trustsim.sweep.workers import boot, init_worker, pool_context, resolve_start_method

    method = resolve_start_method(None)
    context = pool_context(method)
    boot(context)
    pool = stack.enter_context(context.Pool(workers, initializer=init_worker,
                                            initargs=(method != "spawn",)))
    return (lambda f, xs: pool.map(f, list(xs), chunksize=1)), workers


def run_abc(
    out: Path,
    *,
    population: int = 200,
    generations: int = 8,
    root_seed: int = 1961,
    workers: int = 1,
    scheduler: Any = None,
    min_epsilon: float = 0.0,
    scenario: str = "kalundborg",
    progress: Callable[[str], None] | None = None,
) -> ABCResult:
    """Fit the posterior by ABC-SMC; pyabc's database goes to ``out/abc.db``.

    Args:
        out: directory for pyabc's history database (created).
        population: accepted particles per generation (at least 4).
        generations: most generations (at least 1).
        root_seed: root of the proposal and model seeds.
        workers: local worker processes (1: in this process); ignored with ``scheduler``.
        scheduler: a Dask scheduler address or ``distributed.Client`` instead of local workers.
        min_epsilon: stop once epsilon falls to this distance.
        scenario: the scenario fitted (a kalundborg variant).
        progress: called with one line per generation.

    Raises:
        UserError: for bad sizes, or when pyabc is not installed.
    """
    for name, value, low in (("population", population, 4), ("generations", generations, 1),
                             ("workers", workers, 1)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise UserError(f"{name} must be an integer >= {low}, got {value!r}")
    try:
        import pyabc
    except ImportError:
        raise UserError("calibration needs pyabc: pip install 'trustsim[calibrate]'") from None
    for name in ("ABC", "pyabc", "Sampler", "Epsilon", "History", "Distance", "Acceptor"):
        logging.getLogger(name).setLevel(logging.WARNING)
    marks = fitted_milestones()
    prior = pyabc.Distribution(**{k: pyabc.RV("uniform", lo, hi - lo)
                                  for k, (lo, hi) in PRIORS.items()})
    model = functools.partial(simulate_particle, scenario=scenario, root_seed=root_seed,
                              marks=marks)
    distance = functools.partial(_distance, marks)
    out.mkdir(parents=True, exist_ok=True)
    db = out / "abc.db"
    if db.exists():
        db.unlink()
    start = time.perf_counter()
    with contextlib.ExitStack() as stack:
        stack.enter_context(seeded_global_random(np.random.SeedSequence(root_seed),
                                                 lock=False))
        map_, used = _mapper(stack, workers, scheduler)
        sampler = _seeded_sampler()(map_, root_seed)
        abc = pyabc.ABCSMC(model, prior, distance, population_size=population, sampler=sampler)
        abc.new(f"sqlite:///{db}", {m.key: m.observed for m in marks})
        history = abc.run(minimum_epsilon=min_epsilon, max_nr_populations=generations)
    seconds = time.perf_counter() - start
    gens = []
    pops = history.get_all_populations()
    for row in pops[pops["t"] >= 0].itertuples():
        _, w = history.get_distribution(m=0, t=int(row.t))
        gens.append({
            "t": int(row.t), "epsilon": float(row.epsilon), "particles": int(row.particles),
            "simulations": int(row.samples),
            "acceptance_rate": float(row.particles) / max(1, int(row.samples)),
            "effective_sample_size": float(pyabc.weighted_statistics.effective_sample_size(w)),
        })
        if progress:
            g = gens[-1]
            progress(f"  generation {g['t']}: epsilon {g['epsilon']:.4f}, "
                     f"{g['simulations']} simulations, ESS {g['effective_sample_size']:.0f}")
    df, w = history.get_distribution(m=0, t=history.max_t)
    df = df[list(PRIORS)].reset_index(drop=True)
    df["weight"] = np.asarray(w, dtype=float) / float(np.sum(w))
    return ABCResult(
        particles=df, generations=gens, simulations=int(sum(g["simulations"] for g in gens)),
        seconds=seconds, population=population, max_generations=generations,
        root_seed=root_seed, workers=used, fitted=[m.key for m in marks],
        held_out=[m.key for m in held_out_milestones()],
    )


def _distance(marks: tuple[Milestone, ...], x: dict[str, float], _x0: Any) -> float:
    return band_distance(marks, x)


def weighted_quantiles(values: Iterable[float], weights: Iterable[float],
                       qs: Iterable[float]) -> list[float]:
    """Quantiles ``qs`` of weighted values (inverse of the weighted empirical CDF)."""
    v = np.asarray(list(values), dtype=float)
    w = np.asarray(list(weights), dtype=float)
    order = np.argsort(v, kind="stable")
    v, w = v[order], w[order]
    cdf = np.cumsum(w) / w.sum()
    return [float(v[min(int(np.searchsorted(cdf, q)), v.size - 1)]) for q in qs]
