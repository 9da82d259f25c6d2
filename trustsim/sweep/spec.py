"""Experiment specs: a TOML file naming a scenario, fixed overrides and a design over parameters.

A spec has five tables::

    [experiment]
    name = "shadow_of_the_future"
    scenario = "minimal"
    years = 25                # optional: the scenario's default when left out
    replicates = 20
    seed = 20261128
    design = "grid"           # grid | random | lhs | sobol | morris
    n = 64                    # samples (sobol: base samples; morris: trajectories)
    second_order = false      # sobol only: also sample for second-order indices
    levels = 4                # morris only: grid levels of each parameter (even)
    [fixed]
    noise = 0.02
    [sweep]
    patience = [0.3, 0.5, 0.7, 0.9]
    [record]
    timeseries = true         # optional; the summary is always recorded
    stride = 4                # steps between recorded time-series rows
    [outcomes]                # optional: extra columns computed from each run's summary
    collapsed = "active_exchanges < 5"
    byproduct_share = "byproduct_exchanges / active_exchanges"

An optional ``[claim]`` table (the claim the experiment tests, its mechanism, rivals and
verdict rule) is read by :mod:`trustsim.figures.ablation`, never by the runner.

A grid sweeps lists (or ``{low=, high=, num=}`` evenly spaced values) as a full factorial, the
first key varying slowest. The samplers draw ``n`` points on the unit hypercube (plain random,
Latin hypercube or Saltelli's Sobol scheme from ``scipy.stats.qmc``, scrambled from the spec's
seed; Morris trajectories from ``SALib.sample.morris``) and map each axis through a range
``{low=, high=}``, a ``scipy.stats`` distribution ``{dist="beta", a=2, b=5}`` or a list of
choices. An outcome is a summary key or an expression over summary keys and parameters
(:mod:`trustsim.sweep.outcomes`); the runner adds it to every run's row. Everything is
checked before any run starts; a mistake raises :class:`~trustsim.errors.UserError` naming the
file, the key and what is allowed.
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import json
import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from trustsim.errors import UserError
from trustsim.sweep import limits
from trustsim.sweep.outcomes import Outcome, parse_outcome
from trustsim.sweep.seeding import design_rng

DESIGNS = ("grid", "random", "lhs", "sobol", "morris")
SECTIONS = ("experiment", "fixed", "sweep", "record", "outcomes", "claim", "calibration")
EXPERIMENT_KEYS = (
    "name", "scenario", "years", "replicates", "seed", "design", "n", "second_order", "levels",
)
RECORD_KEYS = ("timeseries", "stride")


@dataclass(frozen=True)
class Axis:
    """One swept parameter and how its values are produced.

    Attributes:
        name: Parameter name (a key of ``trustsim.park.params.PARAMETERS``).
        kind: ``"values"`` (listed values: grid levels or sampled choices), ``"range"``
            (uniform between ``low`` and ``high``) or ``"dist"`` (a scipy.stats distribution).
        values: The listed values for ``"values"``.
        low: Lower bound for ``"range"``.
        high: Upper bound for ``"range"``.
        dist: Name of the scipy.stats distribution for ``"dist"``.
        dist_args: Its shape, ``loc`` and ``scale`` arguments.
        integer: Whether sampled values are rounded to integers.
    """

    name: str
    kind: str
    values: tuple[Any, ...] = ()
    low: float | None = None
    high: float | None = None
    dist: str | None = None
    dist_args: Mapping[str, float] = field(default_factory=dict)
    integer: bool = False

    def from_unit(self, u: NDArray[np.float64]) -> list[Any]:
        """Map unit-interval samples to parameter values (inverse CDF)."""
        if self.kind == "values":
            idx = np.minimum((u * len(self.values)).astype(np.int64), len(self.values) - 1)
            return [self.values[i] for i in idx]
        if self.kind == "range":
            if self.integer:
                span = int(self.high) - int(self.low) + 1
                ints = np.minimum(np.floor(self.low + u * span), self.high)
                return [int(v) for v in ints]
            return [float(v) for v in self.low + u * (self.high - self.low)]
        values = _frozen_dist(self.dist, self.dist_args).ppf(u)
        if self.integer:
            return [int(round(v)) for v in values]
        return [float(v) for v in values]


@dataclass(frozen=True)
class ExperimentSpec:
    """A validated experiment spec; ``points`` is its design.

    Attributes:
        name: Experiment name.
        scenario: Scenario every run starts from.
        years: Simulated years per run (None: the scenario's default).
        replicates: Runs per design point.
        seed: Root seed; run seeds are ``SeedSequence(seed, spawn_key=(point, replicate))``.
        design: One of :data:`DESIGNS`.
        n: Number of samples (Sobol: base samples) for the samplers; None for a grid.
        second_order: Sobol design laid out for second-order indices too.
        levels: Grid levels per parameter of a Morris design (None for other designs).
        fixed: Overrides held constant in every run.
        sweep: The swept axes in spec order.
        timeseries: Whether each run's time series is recorded.
        stride: Steps between recorded time-series rows.
        outcomes: Named expressions over each run's summary, added to its row.
        source: Where the spec came from (a path or ``"<dict>"``), for messages.
        raw: The spec as parsed, which its hash is computed from.
    """

    name: str
    scenario: str
    years: int | None
    replicates: int
    seed: int
    design: str
    n: int | None
    second_order: bool
    levels: int | None
    fixed: Mapping[str, Any]
    sweep: tuple[Axis, ...]
    timeseries: bool
    stride: int
    outcomes: tuple[Outcome, ...]
    source: str
    raw: Mapping[str, Any]

    @property
    def parameters(self) -> list[str]:
        """Names of the swept parameters, in spec order."""
        return [axis.name for axis in self.sweep]

    @cached_property
    def hash(self) -> str:
        """SHA-256 of the spec's canonical JSON (comments and layout do not count)."""
        text = json.dumps(self.raw, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    @cached_property
    def points(self) -> list[dict[str, Any]]:
        """The design points: swept parameter values, one dict per point, in point order."""
        return _design_points(self)

    @property
    def n_runs(self) -> int:
        """Total number of runs: points times replicates."""
        return len(self.points) * self.replicates


def load_spec(path: str | Path) -> ExperimentSpec:
    """Read and validate a TOML spec file.

    Raises:
        UserError: The file is missing, is not valid TOML or breaks a rule of the spec.
    """
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: no such spec file")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise UserError(f"{path}: not valid TOML: {err}") from None
    except UnicodeDecodeError as err:
        raise UserError(f"{path}: not UTF-8 text (byte {err.start}); save it as UTF-8") from None
    except OSError as err:
        raise UserError(f"{path}: cannot read it ({err.strerror})") from None
    return parse_spec(raw, source=str(path))


def parse_spec(raw: Mapping[str, Any], *, source: str = "<dict>") -> ExperimentSpec:
    """Validate a spec given as a dict (the parsed TOML) and return it.

    Raises:
        UserError: A rule of the spec is broken; the message names ``source`` and the key.
    """
    from trustsim.park import params

    try:
        raw = json.loads(json.dumps(raw))  # a plain copy, hashed and stored in metadata.json
    except (TypeError, ValueError) as err:
        raise UserError(
            f"{source}: values must be numbers, strings, booleans, lists or tables ({err})"
        ) from None
    _check_keys(raw, SECTIONS, source, "top level")
    exp = raw.get("experiment")
    if not isinstance(exp, dict):
        raise UserError(f"{source}: missing [experiment] table (with name, scenario, seed)")
    _check_keys(exp, EXPERIMENT_KEYS, source, "[experiment]")
    name = _get(exp, "name", str, source, "[experiment]")
    scenario = _get(exp, "scenario", str, source, "[experiment]")
    _check_scenario(scenario, source)
    seed = _get(exp, "seed", int, source, "[experiment]", low=0)
    if seed >= 2**63:
        raise UserError(f"{source}: [experiment] seed = {seed} must be below 2**63")
    years = _get(exp, "years", int, source, "[experiment]", low=1, default=None)
    if years is not None:
        from trustsim.park.model import MAX_YEARS

        limits.check_bound(years, MAX_YEARS, f"{source}: [experiment]", "years")
    replicates = _get(exp, "replicates", int, source, "[experiment]", low=1, default=1)
    limits.check_bound(replicates, limits.MAX_REPLICATES, f"{source}: [experiment]", "replicates")
    design = _get(exp, "design", str, source, "[experiment]", default="grid")
    if design not in DESIGNS:
        raise UserError(
            f"{source}: [experiment] design = {design!r} is unknown; allowed: {', '.join(DESIGNS)}"
        )
    n = _get(exp, "n", int, source, "[experiment]", low=1, default=None)
    if n is not None:
        limits.check_bound(n, limits.MAX_SAMPLES, f"{source}: [experiment]", "n")
    second_order = _get(exp, "second_order", bool, source, "[experiment]", default=False)
    if design == "grid" and n is not None:
        raise UserError(f"{source}: [experiment] n is for sampled designs, not design = 'grid'")
    if design != "grid" and n is None:
        raise UserError(f"{source}: [experiment] design = {design!r} needs n (number of samples)")
    if design == "sobol" and n & (n - 1):
        raise UserError(
            f"{source}: [experiment] n = {n} must be a power of 2 for a Sobol design "
            f"(try {1 << n.bit_length()})"
        )
    if second_order and design != "sobol":
        raise UserError(f"{source}: [experiment] second_order applies to design = 'sobol' only")
    levels = _get(exp, "levels", int, source, "[experiment]", low=2, default=None)
    if levels is not None and design != "morris":
        raise UserError(f"{source}: [experiment] levels applies to design = 'morris' only")
    if design == "morris":
        levels = 4 if levels is None else levels
        if levels % 2:
            raise UserError(
                f"{source}: [experiment] levels = {levels} must be even for a Morris design "
                f"(try {levels + 1})"
            )
        if n < 2:
            raise UserError(f"{source}: [experiment] n = {n}: a Morris design needs n >= 2 "
                            "trajectories (10-50 is usual)")

    fixed = raw.get("fixed", {})
    sweep_raw = raw.get("sweep", {})
    record = raw.get("record", {})
    outcomes_raw = raw.get("outcomes", {})
    tables = (("fixed", fixed), ("sweep", sweep_raw), ("record", record),
              ("outcomes", outcomes_raw))
    for table, value in tables:
        if not isinstance(value, dict):
            raise UserError(f"{source}: [{table}] must be a table")
    for key, value in fixed.items():
        _check_name(key, source, "[fixed]", params.PARAMETERS)
        if isinstance(value, list | dict):
            raise UserError(
                f"{source}: [fixed] {key} = {value!r} must be a single value; sweep it in [sweep]"
            )
    fixed = {key: _coerce(key, value, source, "[fixed]") for key, value in fixed.items()}
    overlap = sorted(set(fixed) & set(sweep_raw))
    if overlap:
        raise UserError(f"{source}: {overlap[0]!r} is both in [fixed] and [sweep]; keep one")
    if not sweep_raw and design != "grid":
        raise UserError(f"{source}: [sweep] is empty; design = {design!r} needs parameters to vary")
    sweep = tuple(
        _parse_axis(key, value, design, source, params.PARAMETERS)
        for key, value in sweep_raw.items()
    )

    # a calibrated scenario's calibration (the packaged one, or [calibration] file = PATH) is
    # resolved into the spec: its hash and parameters are hashed and stored in metadata.json,
    # and its parameters run as fixed overrides under the spec's own
    calibration = _resolve_calibration(scenario, raw.get("calibration"), source)
    if calibration is not None:
        raw["calibration"] = calibration
        fixed = {**{k: v for k, v in calibration["parameters"].items() if k not in sweep_raw},
                 **fixed}

    _check_keys(record, RECORD_KEYS, source, "[record]")
    timeseries = _get(record, "timeseries", bool, source, "[record]", default=False)
    stride = _get(record, "stride", int, source, "[record]", low=1, default=1)

    outcomes = _parse_outcomes(outcomes_raw, source, params.PARAMETERS)

    spec = ExperimentSpec(
        name=name,
        scenario=scenario,
        years=years,
        replicates=replicates,
        seed=seed,
        design=design,
        n=n,
        second_order=second_order,
        levels=levels,
        fixed=fixed,
        sweep=sweep,
        timeseries=timeseries,
        stride=stride,
        outcomes=outcomes,
        source=source,
        raw=raw,
    )
    _check_size(spec)
    _check_points(spec)
    return spec


def unit_design(spec: ExperimentSpec) -> NDArray[np.float64]:
    """Return the sampled design on the unit hypercube, one row per point.

    ``random`` draws uniforms, ``lhs`` a scrambled Latin hypercube and ``sobol`` Saltelli's
    layout of a scrambled Sobol sequence (rows A, AB_1..AB_D, [BA_1..BA_D,] B per base sample,
    as ``SALib.sample.sobol.sample`` lays it out, which ``SALib.analyze.sobol`` expects).
    ``morris`` is ``n`` trajectories of D + 1 points on a grid of ``levels`` levels, each step
    moving one parameter (:func:`morris_trajectories`), which ``SALib.analyze.morris`` reads.
    """
    from scipy.stats import qmc

    d = len(spec.sweep)
    rng = design_rng(spec.seed)
    if spec.design == "random":
        return rng.random((spec.n, d))
    if spec.design == "lhs":
        return qmc.LatinHypercube(d=d, rng=rng).random(spec.n)
    if spec.design == "sobol":
        base = qmc.Sobol(d=2 * d, scramble=True, rng=rng).random(spec.n)
        return saltelli_layout(base[:, :d], base[:, d:], second_order=spec.second_order)
    if spec.design == "morris":
        return morris_trajectories(rng, spec.n, d, spec.levels)
    raise ValueError(f"design {spec.design!r} is not sampled")


def morris_trajectories(
    rng: np.random.Generator, n: int, d: int, levels: int
) -> NDArray[np.float64]:
    """Morris's randomised one-at-a-time trajectories on the unit hypercube (Morris 1991).

    Each trajectory starts at a random grid point x* whose coordinates leave room for a step
    of Delta = levels / (2 (levels - 1)), and moves one parameter at a time, in a random order
    and direction, by Delta: B* = (J x* + Delta/2 ((2B - J) D* + J)) P*, with B the strictly
    lower-triangular (d+1) x d matrix of ones, D* a random diagonal of +-1 and P* a random
    permutation (Saltelli et al. 2008, section 3.3). Rows are laid out trajectory by trajectory,
    as ``SALib.analyze.morris`` reads them. Written here rather than taken from
    ``SALib.sample.morris``: SALib before 1.6 seeds NumPy's global generator, and 1.6 needs
    NumPy 2; this draws from the spec's own generator and keeps both floors.
    """
    delta = levels / (2 * (levels - 1))
    b = np.tril(np.ones((d + 1, d)), k=-1)
    out = np.empty((n, d + 1, d))
    for t in range(n):
        start = rng.integers(0, levels // 2, d) / (levels - 1)
        signs = rng.choice([-1.0, 1.0], d)
        order = rng.permutation(d)
        steps = ((2 * b - 1) * signs + 1) * (delta / 2)  # (2B - J) D* + J, times Delta/2
        out[t] = (start + steps)[:, order]  # times P*: parameter k moves at a random step
    return out.reshape(-1, d)


def unit_problem(spec: ExperimentSpec) -> dict[str, Any]:
    """SALib's problem dict of a sampled spec: its parameters, each on [0, 1]."""
    names = spec.parameters
    return {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}


def saltelli_layout(
    a: NDArray[np.float64], b: NDArray[np.float64], *, second_order: bool
) -> NDArray[np.float64]:
    """Interleave two sample matrices in Saltelli's scheme (Saltelli 2002).

    For each base row i: ``A_i``, then ``A_i`` with column k taken from ``B_i`` for each k, then
    (second order) ``B_i`` with column k taken from ``A_i``, then ``B_i``.
    """
    n, d = a.shape
    blocks = [a[:, None, :]]
    cross = np.repeat(a[:, None, :], d, axis=1)
    cross[:, np.arange(d), np.arange(d)] = b
    blocks.append(cross)
    if second_order:
        back = np.repeat(b[:, None, :], d, axis=1)
        back[:, np.arange(d), np.arange(d)] = a
        blocks.append(back)
    blocks.append(b[:, None, :])
    return np.concatenate(blocks, axis=1).reshape(-1, d)


def _design_points(spec: ExperimentSpec) -> list[dict[str, Any]]:
    if spec.design == "grid":
        names = spec.parameters
        levels = [axis.values for axis in spec.sweep]
        return [dict(zip(names, combo)) for combo in itertools.product(*levels)]
    unit = unit_design(spec)
    columns = [axis.from_unit(unit[:, j]) for j, axis in enumerate(spec.sweep)]
    return [dict(zip(spec.parameters, row)) for row in zip(*columns)]


def _parse_axis(
    key: str, value: Any, design: str, source: str, parameters: Mapping[str, Any]
) -> Axis:
    where = "[sweep]"
    _check_name(key, source, where, parameters)
    integer = _is_integer_parameter(parameters[key])
    if isinstance(value, list):
        if not value:
            raise UserError(f"{source}: {where} {key} = [] is empty; list at least one value")
        return Axis(
            key, "values", values=tuple(_coerce(key, item, source, where) for item in value)
        )
    if not isinstance(value, dict):
        allowed = "a list of values" if design == "grid" else "a list, {low=, high=} or {dist=...}"
        raise UserError(
            f"{source}: {where} {key} = {value!r} is a single value; give {allowed}, "
            "or move it to [fixed]"
        )
    if parameters[key].kind in ("choice", "bool"):
        raise UserError(
            f"{source}: {where} {key} takes {parameters[key].allowed()}; list the values to sweep"
        )
    if design == "grid":
        _check_keys(value, ("low", "high", "num"), source, f"{where} {key}")
        missing = [k for k in ("low", "high", "num") if k not in value]
        if missing:
            raise UserError(
                f"{source}: {where} {key} needs a list or {{low=, high=, num=}} on a grid "
                f"(missing {', '.join(missing)})"
            )
        num = _get(value, "num", int, source, f"{where} {key}", low=1)
        limits.check_bound(num, limits.MAX_LEVELS, f"{source}: {where} {key}:", "num")
        low, high = _bounds(key, value, source, where)
        values = np.linspace(low, high, num)
        levels = [int(round(v)) for v in values] if integer else [float(v) for v in values]
        levels = [_coerce(key, item, source, where) for item in dict.fromkeys(levels)]
        return Axis(key, "values", values=tuple(levels))
    if "dist" in value:
        return _parse_dist(key, value, source, where, integer)
    _check_keys(value, ("low", "high"), source, f"{where} {key}")
    if "low" not in value or "high" not in value:
        raise UserError(
            f"{source}: {where} {key} needs {{low=, high=}}, {{dist=...}} or a list of choices"
        )
    low, high = _bounds(key, value, source, where)
    for bound in (low, high):
        _coerce(key, bound, source, where)
    return Axis(key, "range", low=low, high=high, integer=integer)


@cache
def summary_keys() -> tuple[str, ...]:
    """Keys of a run's summary, read from a fresh two-firm park (its two-manager keys too)."""
    from trustsim.park.model import SymbiosisPark

    return tuple(SymbiosisPark("minimal", rng=0).summary())


def _parse_outcomes(
    table: Mapping[str, Any], source: str, parameters: Mapping[str, Any]
) -> tuple[Outcome, ...]:
    """Parse ``[outcomes]``; every variable must be a summary key or a parameter."""
    if not table:
        return ()
    known = set(summary_keys()) | set(parameters)
    outcomes = []
    for name, expression in table.items():
        where = "[outcomes]"
        if not name.isidentifier():
            raise UserError(f"{source}: {where} {name!r} must be a snake_case name")
        if name in known:
            raise UserError(
                f"{source}: {where} {name} is already a summary key or parameter; name the "
                "outcome differently"
            )
        outcome = parse_outcome(name, expression, where=f"{source}: {where}")
        for var in outcome.names:
            if var not in known:
                hint = difflib.get_close_matches(var, sorted(known), n=1)
                did = f"did you mean {hint[0]!r}? " if hint else ""
                raise UserError(
                    f"{source}: {where} {name}: {var!r} is no summary key or parameter; {did}"
                    "(summary keys: docs/ODD.md, Observation; parameters: `trustsim params`)"
                )
        outcomes.append(outcome)
    return tuple(outcomes)


def _parse_dist(key: str, value: dict, source: str, where: str, integer: bool) -> Axis:
    import scipy.stats

    name = value["dist"]
    dist = getattr(scipy.stats, name, None) if isinstance(name, str) else None
    kinds = scipy.stats.rv_continuous | scipy.stats.rv_discrete
    if not isinstance(dist, kinds):
        known = [n for n in dir(scipy.stats) if isinstance(getattr(scipy.stats, n), kinds)]
        hint = difflib.get_close_matches(str(name), known, n=1) if dist is None else []
        suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
        raise UserError(
            f"{source}: {where} {key}: dist = {name!r} is not a scipy.stats distribution"
            f"{suggestion}"
        )
    args = {k: v for k, v in value.items() if k != "dist"}
    for arg, number in args.items():
        if isinstance(number, bool) or not isinstance(number, int | float):
            raise UserError(f"{source}: {where} {key}: {arg} = {number!r} must be a number")
    try:
        frozen = _frozen_dist(name, args)
    except (TypeError, ValueError) as err:
        raise UserError(
            f"{source}: {where} {key}: bad arguments for dist {name!r}: {err}"
        ) from None
    if not np.all(np.isfinite(frozen.ppf([0.25, 0.5, 0.75]))):
        raise UserError(f"{source}: {where} {key}: dist {name!r} has invalid arguments {args}")
    return Axis(key, "dist", dist=name, dist_args=args, integer=integer)


def _frozen_dist(name: str, args: Mapping[str, float]) -> Any:
    import scipy.stats

    return getattr(scipy.stats, name)(**args)


def _bounds(key: str, value: dict, source: str, where: str) -> tuple[float, float]:
    low, high = value["low"], value["high"]
    for label, number in (("low", low), ("high", high)):
        if isinstance(number, bool) or not isinstance(number, int | float):
            raise UserError(f"{source}: {where} {key}: {label} = {number!r} must be a number")
    if not low < high:
        raise UserError(f"{source}: {where} {key}: low = {low} must be below high = {high}")
    return float(low), float(high)


def _resolve_calibration(scenario: str, value: Any, source: str) -> dict[str, Any] | None:
    """``{"sha256", "parameters"}`` of the calibration a spec's runs use; None for none.

    ``value`` is the spec's ``[calibration]`` table: ``file = PATH`` reads that file; an already
    resolved table (``sha256`` and ``parameters``, as stored in metadata.json) is kept; none
    means the packaged calibration of a calibrated scenario.
    """
    from trustsim.park.scenarios import get_scenario
    from trustsim.park.scenarios.calibration import load_calibration

    calibrated = get_scenario(scenario).calibrated
    if value is None and not calibrated:
        return None
    if value is not None and (not isinstance(value, dict) or not calibrated):
        raise UserError(f"{source}: [calibration] must be a table and applies only to the "
                        f"calibrated scenarios (kalundborg, kalundborg_no_anchor)")
    value = value or {}
    if "file" not in value and {"sha256", "parameters"} <= set(value):
        return {"sha256": str(value["sha256"]), "parameters": dict(value["parameters"])}
    cal = load_calibration(value.get("file"))
    return {"sha256": cal.sha256, "parameters": dict(cal.parameters)}


def _check_size(spec: ExperimentSpec) -> None:
    """Refuse a design too large to list, before its points are made."""
    d = len(spec.sweep)
    if spec.design == "grid":
        points = math.prod(len(axis.values) for axis in spec.sweep)
    elif spec.design == "sobol":
        points = spec.n * ((2 * d + 2) if spec.second_order else (d + 2))
    elif spec.design == "morris":
        points = spec.n * (d + 1)
    else:
        points = spec.n
    where = f"{spec.source}: [experiment]"
    if points > limits.MAX_POINTS:
        raise UserError(
            f"{where} design = {spec.design!r} has {points:,} points; allowed: up to "
            f"{limits.MAX_POINTS:,} (fewer levels or samples)"
        )
    if points * spec.replicates > limits.MAX_RUNS:
        raise UserError(
            f"{where} {points:,} points x {spec.replicates:,} replicates = "
            f"{points * spec.replicates:,} runs; allowed: up to {limits.MAX_RUNS:,}"
        )


def largest_park(spec: ExperimentSpec) -> int | None:
    """The most facilities any run of the spec sets with ``n_facilities``, or None."""
    if "n_facilities" in spec.fixed:
        return int(spec.fixed["n_facilities"])
    if "n_facilities" in spec.parameters:
        return max(int(point["n_facilities"]) for point in spec.points)
    return None


def _check_points(spec: ExperimentSpec) -> None:
    from trustsim.park import params

    for axis in spec.sweep:
        if axis.kind != "dist":
            continue
        values = [point[axis.name] for point in spec.points]
        for value in (min(values), max(values)):
            if not math.isfinite(value):
                raise UserError(
                    f"{spec.source}: [sweep] {axis.name}: dist {axis.dist!r} gave {value}"
                )
            _coerce(axis.name, value, spec.source, "[sweep]", note=f"dist {axis.dist!r} gave")
    for point in spec.points:
        try:
            params.validate_overrides({**spec.fixed, **point})
        except UserError as err:
            raise UserError(f"{spec.source}: [sweep] point {point}: {err}") from None
    n_facilities = largest_park(spec)
    if n_facilities is not None:
        table = "[fixed]" if "n_facilities" in spec.fixed else "[sweep]"
        limits.check_park_memory(n_facilities, f"{spec.source}: {table}")


def _check_scenario(scenario: str, source: str) -> None:
    from trustsim.park.scenarios import SCENARIOS

    if scenario not in SCENARIOS:
        hint = difflib.get_close_matches(scenario, list(SCENARIOS), n=1)
        suggestion = f"did you mean {hint[0]!r}? " if hint else ""
        raise UserError(
            f"{source}: [experiment] scenario = {scenario!r} is unknown; {suggestion}"
            f"allowed: {', '.join(sorted(SCENARIOS))}"
        )


def _check_name(key: str, source: str, where: str, parameters: Mapping[str, Any]) -> None:
    if key not in parameters:
        hint = difflib.get_close_matches(key, list(parameters), n=1)
        suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
        raise UserError(f"{source}: {where} {key}: unknown parameter{suggestion}")


def _coerce(key: str, value: Any, source: str, where: str, note: str = "") -> Any:
    """Return ``value`` typed for parameter ``key``; strings only where the kind takes them."""
    from trustsim.park import params

    kind = params.PARAMETERS[key].kind
    prefix = f"{note} {value!r}: " if note else ""
    if isinstance(value, str) and kind != "choice":
        if not (kind == "year" and value.strip().lower() in _NONE_WORDS):
            allowed = params.PARAMETERS[key].allowed()
            raise UserError(
                f"{source}: {where} {key}: {prefix}got the string {value!r}; allowed: {allowed}"
            )
    try:
        return params.validate_overrides({key: value})[key]
    except UserError as err:
        message = str(err).removeprefix(f"{key} ")
        raise UserError(f"{source}: {where} {key}: {prefix}{message}") from None


def _is_integer_parameter(parameter: Any) -> bool:
    return parameter.kind in ("int", "year")


def _check_keys(table: Mapping[str, Any], allowed: Sequence[str], source: str, where: str) -> None:
    for key in table:
        if key not in allowed:
            hint = difflib.get_close_matches(key, allowed, n=1)
            suggestion = f"did you mean {hint[0]!r}? " if hint else ""
            raise UserError(
                f"{source}: {where}: unknown key {key!r}; {suggestion}allowed: {', '.join(allowed)}"
            )


def _get(
    table: Mapping[str, Any],
    key: str,
    kind: type,
    source: str,
    where: str,
    *,
    low: int | None = None,
    **default: Any,
) -> Any:
    if key not in table:
        if "default" in default:
            return default["default"]
        raise UserError(f"{source}: {where} is missing {key!r}")
    value = table[key]
    wrong = not isinstance(value, kind) or (kind is int and isinstance(value, bool))
    if wrong:
        raise UserError(f"{source}: {where} {key} = {value!r} must be {_KIND_NAMES[kind]}")
    if low is not None and value < low:
        raise UserError(f"{source}: {where} {key} = {value} must be at least {low}")
    return value


_KIND_NAMES = {int: "an integer", str: "a string", bool: "true or false"}
_NONE_WORDS = ("none", "never", "off", "")
