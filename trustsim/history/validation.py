"""The Kalundborg scenario against the historical record, milestone by milestone.

Each :class:`Milestone` pairs a row of the packaged ``data/kalundborg/milestones.csv`` (or a
value derived in that folder's README) with a model metric at a year and an acceptance band.
:func:`validate` runs the scenario over an ensemble of seeds and reports, per milestone, the
ensemble mean and 90% band (5th-95th percentile) of the metric, whether the mean lies in the
historical band (``held``) and whether the model's 90% band covers the observed value
(``covered``). It also reports the seed's qualitative patterns over the ensemble: the share of
runs in which the power station is the hub (P2), the share of utilities among the first ten
exchanges against the rest (P3), new exchanges per year by decade and the largest one-year
burst (P1), and the exchanges that ended, by reason (P14).

Milestones with weight 0 are alternative sources kept for comparison (the seed's benefit
figures differ from other published ones); they are reported but not used by calibration.
Each milestone is marked ``sample = "in"`` (up to :data:`FIT_UNTIL`, fitted by the calibration)
or ``"out"`` (held out: the validation proper). With a calibration that carries a posterior,
each run of the ensemble draws its behavioural parameters from it (systematic resampling of the
weights, :meth:`trustsim.park.scenarios.calibration.Calibration.draw`), so the model's band is
the posterior predictive 90% band; ``inside`` says whether the observed value lies in it (for
the hub milestone, a share of runs, whether the share lies in the historical band).

Counting conventions: "exchanges" are the model's active exchanges at the end of the year
(several per facility pair allowed, as in the data); the hub is the facility with strictly the
most active exchanges; degree centralization is Freeman's on the undirected simple graph over
facilities with at least one exchange (:mod:`trustsim.park.metrics`); realized/potential is the
model's ``realized_share`` (active exchanges over live matches that would pay, trust aside).
"""

from __future__ import annotations

import csv
import functools
import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from trustsim.errors import UserError
from trustsim.park.metrics import degree_centralization, degrees
from trustsim.park.scenarios.calibration import Calibration

__all__ = [
    "ANCHOR",
    "FIT_UNTIL",
    "Milestone",
    "MilestoneResult",
    "ValidationReport",
    "load_milestone_data",
    "milestones",
    "ensemble",
    "pattern_stats",
    "posterior_simulate",
    "run_observations",
    "summarize",
    "validate",
]

#: The power station, the anchor tenant and expected hub of the Kalundborg scenario.
ANCHOR = "asnaes"

#: Last year whose milestones the calibration fits; later milestones are held out.
FIT_UNTIL = 1995

#: Year of the early-growth pattern (at most two active exchanges before 1972).
EARLY_YEAR = 1971

#: Metrics that are 0/1 per run and whose milestone is a share of runs (judged by the mean).
SHARE_METRICS = ("anchor_is_hub",)

#: Decades over which growth is reported (first year of each).
DECADES = (1961, 1971, 1981, 1991, 2001, 2011)


@dataclass(frozen=True, slots=True)
class Milestone:
    """A historical milestone and the band a model run's metric must fall in.

    Attributes:
        key: short unique name, e.g. ``exchanges_1994``.
        year: calendar year; the metric is read at the end of that year.
        metric: model metric (a key of :func:`run_observations`' per-year values).
        observed: the historical value (from milestones.csv unless derived).
        low: lower end of the acceptance band.
        high: upper end of the acceptance band.
        source: source key(s) of the observation (data/kalundborg/README.md).
        weight: weight in the calibration objective (0: reported only).
        note: what the band means.
    """

    key: str
    year: int
    metric: str
    observed: float
    low: float
    high: float
    source: str
    weight: float = 1.0
    note: str = ""


# (key, csv year, csv metric, model year, model metric, band low, band high, weight, note);
# csv year None: a value derived in data/kalundborg/README.md, observed given in the note slot.
_SPEC: tuple[tuple, ...] = (
    ("exchanges_1961", "1961", "active_exchanges", 1961, "active_exchanges", 1, 2, 1.0,
     "the first exchange (surface water to the refinery)"),
    ("exchanges_1994", "1994", "contracts", 1994, "active_exchanges", 14, 19, 1.0,
     "16 contracts; counts differ by definition, 16-19 by the mid/late 1990s"),
    ("exchanges_2000", "2000", "streams", 2000, "active_exchanges", 19, 22, 1.0,
     "19 streams in Saikku's 2000 diagram; 19-22 around 2000"),
    ("exchanges_2019", "2019", "resource_agreements", 2019, "active_exchanges", 22, 32, 0.5,
     "22 resource agreements; 22-30+ by 2019-2022"),
    ("exchanges_2022", "2022", "streams", 2022, "active_exchanges", 30, 40, 1.0,
     "more than 30 streams"),
    ("realized_share_2015", "2015", "potential_symbioses_selected", 2015, "realized_share",
     0.15, 0.35, 0.25, "5 selected of 20 potential symbioses found: realized << potential "
     "(weight 1/4: the model's potential counts only the scenario's listed streams)"),
    ("tonnes_diverted", "seed", "material_diverted", 2022, "tonnes_diverted_per_year",
     476_250, 793_750, 1.0, "the seed's 635,000 t/yr, +-25%"),
    ("savings", "seed", "savings", 2022, "savings_meur_per_year", 18, 30, 1.0,
     "the seed's EUR 24 M/yr (also EMF / Danielsson et al. 2018), +-25%"),
    ("co2_avoided", "seed", "co2_avoided", 2022, "co2_avoided_t_per_year", 180_000, 300_000,
     1.0, "the seed's 240,000 t/yr, +-25%"),
)

# Values derived in data/kalundborg/README.md from rows 1-17 of exchanges.csv (not published).
_DERIVED: tuple[Milestone, ...] = (
    Milestone("centralization_1995", 1995, "degree_centralization", 0.55, 0.5, 0.6,
              "README (derived)", 1.0, "Freeman degree centralization about 0.5-0.6 by 1995"),
    Milestone("power_station_hub_1985", 1985, "anchor_is_hub", 1.0, 0.5, 1.0,
              "README (derived)", 1.0,
              "the power station is the hub from the early 1980s (share of runs)"),
    Milestone("co2_avoided_alt", 2022, "co2_avoided_t_per_year", 610_500, 586_000, 635_000,
              "seed note (EMF)", 0.0, "other sources: 586-635 kt CO2/yr (not the seed's)"),
    Milestone("tonnes_diverted_alt", 2022, "tonnes_diverted_per_year", 87_000, 65_250, 108_750,
              "seed note (EMF)", 0.0, "EMF case: 87 kt materials, +-25% (not the seed's)"),
)


def load_milestone_data() -> pd.DataFrame:
    """Read the packaged ``trustsim/history/data/kalundborg/milestones.csv`` (year kept as text)."""
    path = resources.files("trustsim.history.data").joinpath("kalundborg", "milestones.csv")
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return pd.DataFrame(rows)


def milestones() -> tuple[Milestone, ...]:
    """Every milestone, with observed values read from the packaged milestones.csv.

    Raises:
        UserError: if a milestone's row is missing from the data.
    """
    data = load_milestone_data()
    out = []
    for key, cyear, cmetric, year, metric, low, high, weight, note in _SPEC:
        row = data[(data["year"] == cyear) & (data["metric"] == cmetric)]
        if row.empty:
            raise UserError(f"milestones.csv has no row year={cyear} metric={cmetric}")
        observed = float(row["value"].iloc[0])
        if key.startswith("realized_share"):
            found = data[(data["year"] == cyear) & (data["metric"] == "potential_symbioses_found")]
            observed /= float(found["value"].iloc[0])
        out.append(Milestone(key, year, metric, observed, float(low), float(high),
                             str(row["source"].iloc[0]), weight, note))
    return (*out, *_DERIVED)


def _active_at(table: pd.DataFrame, year: float) -> pd.DataFrame:
    """Exchanges active at the start of calendar time ``year`` (i.e. end of ``year - 1``)."""
    started = table["start_year"] < year
    alive = table["end_year"].isna() | (table["end_year"] >= year)
    return table[started & alive]


def _exchange_counts(active: pd.DataFrame) -> pd.Series:
    return pd.concat([active["supplier"], active["receiver"]]).value_counts()


def _anchor_is_hub(active: pd.DataFrame, anchor: str) -> float:
    counts = _exchange_counts(active)
    if anchor not in counts.index:
        return 0.0
    others = counts.drop(anchor)
    return float(others.empty or counts[anchor] > others.max())


def run_observations(
    scenario: str,
    seed: Any,
    years: Iterable[int],
    overrides: dict[str, Any] | None = None,
    anchor: str = ANCHOR,
) -> dict[str, Any]:
    """Run one model and return its metrics at the end of each year in ``years``.

    The model runs from its start year to the end of the last of ``years``.

    Args:
        scenario: registered scenario name.
        seed: the run's seed (int or SeedSequence).
        years: calendar years at whose end the metrics are read.
        overrides: parameters by name.
        anchor: facility id whose hub status is recorded.

    Returns:
        ``{"at": {year: {metric: value}}, "patterns": {...}}`` with per-year metrics
        ``active_exchanges``, ``degree_centralization``, ``anchor_is_hub``,
        ``realized_share``, ``potential_matches``, ``tonnes_diverted_per_year``,
        ``savings_meur_per_year``, ``co2_avoided_t_per_year``, and patterns
        ``utility_share_first10``, ``utility_share_rest``, ``new_per_year_<decade>``,
        ``max_new_in_a_year``, ``exchanges_formed``, ``exchanges_ended`` and
        ``ended_<reason>``.
    """
    from trustsim.park.model import SymbiosisPark

    model = SymbiosisPark(scenario, rng=seed, **(overrides or {}))
    wanted = sorted(set(int(y) for y in years))
    snaps: dict[int, dict[str, Any]] = {}
    last = wanted[-1] + 1
    pending = list(wanted)
    while model.year < last:
        model.step()
        while pending and model.year >= pending[0] + 1:
            snaps[pending.pop(0)] = model.summary()
    table = model.exchanges_table()
    at: dict[int, dict[str, Any]] = {}
    for y in wanted:
        s = snaps.get(y, {})
        active = _active_at(table, y + 1)
        ids = pd.Index(sorted(set(active["supplier"]) | set(active["receiver"])))
        sup = ids.get_indexer(active["supplier"])
        rec = ids.get_indexer(active["receiver"])
        deg = degrees(np.asarray(sup, np.int64), np.asarray(rec, np.int64), len(ids))
        at[y] = {
            "active_exchanges": float(len(active)),
            "degree_centralization": degree_centralization(deg),
            "anchor_is_hub": _anchor_is_hub(active, anchor),
            "realized_share": float(s.get("realized_share", math.nan)),
            "potential_matches": float(s.get("potential_matches", math.nan)),
            "tonnes_diverted_per_year": float(s.get("tonnes_diverted_per_year", math.nan)),
            "savings_meur_per_year": float(s.get("savings_eur_per_year", math.nan)) / 1e6,
            "co2_avoided_t_per_year": float(s.get("co2_avoided_t_per_year", math.nan)),
        }
    return {"at": at, "patterns": _patterns(table, model.start_year, last)}


def _patterns(table: pd.DataFrame, start_year: int, end_year: int) -> dict[str, float]:
    """P1, P3 and P14 statistics of one run's exchange table."""
    order = table.sort_values(["start_step", "exchange_id"], kind="stable")
    utility = (order["kind"] == "utility").to_numpy()
    out: dict[str, float] = {
        "utility_share_first10": float(utility[:10].mean()) if utility.size else math.nan,
        "utility_share_rest": float(utility[10:].mean()) if utility.size > 10 else math.nan,
        "exchanges_formed": float(len(table)),
        "exchanges_ended": float(table["end_year"].notna().sum()),
        "first_byproduct_year": (float(table.loc[table["kind"] == "byproduct", "start_year"].min())
                                 if (table["kind"] == "byproduct").any() else math.nan),
    }
    start = np.floor(table["start_year"].to_numpy()).astype(int)
    for d in (d for d in DECADES if d < end_year):
        span = min(d + 10, end_year) - d
        out[f"new_per_year_{d}s"] = float(((start >= d) & (start < d + 10)).sum() / span)
    per_year = np.bincount(start - start_year, minlength=1) if start.size else np.zeros(1)
    out["max_new_in_a_year"] = float(per_year.max())
    for reason, n in table.loc[table["end_year"].notna(), "end_reason"].value_counts().items():
        out[f"ended_{reason}"] = float(n)
    return out


@dataclass(frozen=True, slots=True)
class MilestoneResult:
    """One milestone's model-against-history line."""

    key: str
    year: int
    metric: str
    observed: float
    low: float
    high: float
    model_mean: float
    model_low: float
    model_high: float
    held: bool
    covered: bool
    source: str
    weight: float
    sample: str = "in"
    inside: bool = False


@dataclass(slots=True)
class ValidationReport:
    """Milestone results and pattern statistics of an ensemble of runs."""

    scenario: str
    seeds: int
    root_seed: int
    overrides: dict[str, Any]
    milestones: list[MilestoneResult]
    patterns: dict[str, dict[str, float]] = field(default_factory=dict)
    calibration: dict[str, Any] = field(default_factory=dict)

    def inside_share(self, sample: str) -> tuple[int, int]:
        """(inside, total) of the weighted milestones of ``sample`` ("in" or "out")."""
        rows = [m for m in self.milestones if m.weight > 0 and m.sample == sample]
        return sum(m.inside for m in rows), len(rows)

    def closer_source(self) -> dict[str, str]:
        """For each benefit with an alternative source, the source whose band the mean is nearer.

        Distances are relative to each band's observed value; "both" if the mean is in both.
        """
        rows = {m.key: m for m in self.milestones}
        out = {}
        for key in ("tonnes_diverted", "co2_avoided"):
            seed, alt = rows.get(key), rows.get(f"{key}_alt")
            if seed is None or alt is None or math.isnan(seed.model_mean):
                continue
            d = [max(m.low - m.model_mean, 0.0, m.model_mean - m.high) / m.observed
                 for m in (seed, alt)]
            out[key] = ("both" if d[0] == d[1] == 0.0 else
                        "seed essay" if d[0] <= d[1] else f"alternative ({alt.source})")
        return out

    def to_dict(self) -> dict[str, Any]:
        """One JSON-ready object (NaN as None)."""
        return _clean({
            "scenario": self.scenario,
            "seeds": self.seeds,
            "root_seed": self.root_seed,
            "overrides": self.overrides,
            "milestones": [asdict(m) for m in self.milestones],
            "held": sum(m.held for m in self.milestones if m.weight > 0),
            "targets": sum(m.weight > 0 for m in self.milestones),
            "inside_in_sample": list(self.inside_share("in")),
            "inside_out_of_sample": list(self.inside_share("out")),
            "calibration": self.calibration,
            "patterns": self.patterns,
            "closer_source": self.closer_source(),
        })

    def format(self) -> str:
        """The report as a plain-text table followed by the pattern statistics."""
        head = (f"{'milestone':<24}{'year':>5} {'sample':>6}  {'observed':>10}  {'band':>19}  "
                f"{'model mean':>10}  {'predictive 90% band':>21}  inside  held")
        cal = self.calibration.get("source", "none")
        lines = [f"{self.scenario}: {self.seeds} seeds (root seed {self.root_seed}), "
                 f"calibration {cal}", head]
        for m in self.milestones:
            band = f"{_num(m.low)}-{_num(m.high)}"
            mband = f"{_num(m.model_low)}-{_num(m.model_high)}"
            mark = ("yes" if m.inside else "no").ljust(6) + "  " + ("yes" if m.held else "no")
            if m.weight == 0:
                mark += " (alt)"
            lines.append(f"{m.key:<24}{m.year:>5} {m.sample:>6}  {_num(m.observed):>10}  "
                         f"{band:>19}  {_num(m.model_mean):>10}  {mband:>21}  {mark}")
        held = sum(m.held for m in self.milestones if m.weight > 0)
        total = sum(m.weight > 0 for m in self.milestones)
        for sample, what in (("in", "fitted"), ("out", "held out")):
            k, n = self.inside_share(sample)
            lines.append(f"inside the predictive band, {what} (sample {sample}): {k} of {n}")
        lines.append(f"mean in the historical band: {held} of {total} milestones "
                     "(alt rows not counted)")
        for key, src in self.closer_source().items():
            lines.append(f"{key}: the model is nearer the {src} figure")
        lines.append("patterns over the seeds (mean [5%, 95%]):")
        for name, st in self.patterns.items():
            centre = st.get("median", st["mean"])
            lines.append(f"  {name:<30} {_num(centre)} [{_num(st['low'])}, "
                         f"{_num(st['high'])}]" + (" (median)" if "median" in st else ""))
        return "\n".join(lines)


def _num(x: float) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "nan"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.3g}"


def _clean(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if isinstance(obj, float | np.floating):
        return None if not math.isfinite(obj) else float(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    return obj


def _stats(values: list[float]) -> dict[str, float]:
    a = np.asarray(values, dtype=float)
    a = a[~np.isnan(a)]
    if a.size == 0:
        return {"mean": math.nan, "low": math.nan, "high": math.nan, "n": 0}
    lo, hi = np.quantile(a, [0.05, 0.95])
    return {"mean": float(a.mean()), "low": float(lo), "high": float(hi), "n": int(a.size)}


def ensemble(
    scenario: str,
    seeds: int,
    root_seed: int,
    overrides: dict[str, Any] | None = None,
    years: Iterable[int] | None = None,
    per_run: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Observations of ``seeds`` runs, seeded ``SeedSequence(root_seed, spawn_key=(0, r))``.

    The same ``root_seed`` gives every parameter set the same seeds (common random numbers).
    Run ``r`` uses ``{**per_run[r], **overrides}`` when ``per_run`` (one parameter set per
    run, such as posterior draws) is given.
    """
    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise UserError(f"seeds must be an integer >= 1, got {seeds!r}")
    ys = sorted({m.year for m in milestones()} | {EARLY_YEAR} | set(years or ()))
    return [
        run_observations(scenario, np.random.SeedSequence(root_seed, spawn_key=(0, r)), ys,
                         {**(per_run[r] if per_run else {}), **(overrides or {})})
        for r in range(seeds)
    ]


def summarize(runs: list[dict[str, Any]], marks: Iterable[Milestone]) -> list[MilestoneResult]:
    """Milestone results (mean, 90% band, held, covered) of an ensemble's observations."""
    out = []
    for m in marks:
        st = _stats([r["at"][m.year][m.metric] for r in runs])
        held = bool(m.low <= st["mean"] <= m.high) if not math.isnan(st["mean"]) else False
        covered = (bool(st["low"] <= m.observed <= st["high"])
                   if not math.isnan(st["mean"]) else False)
        inside = held if m.metric in SHARE_METRICS else covered
        out.append(MilestoneResult(m.key, m.year, m.metric, m.observed, m.low, m.high,
                                   st["mean"], st["low"], st["high"], held, covered, m.source,
                                   m.weight, "in" if m.year <= FIT_UNTIL else "out", inside))
    return out


def pattern_stats(runs: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Mean and 90% band over the runs of each pattern statistic and each hub share."""
    out: dict[str, dict[str, float]] = {}
    for y in (1985, 1995, 2022):
        if all(y in r["at"] for r in runs):
            out[f"power_station_hub_share_{y}"] = _stats(
                [r["at"][y]["anchor_is_hub"] for r in runs])
    if all(EARLY_YEAR in r["at"] for r in runs):
        out[f"active_exchanges_{EARLY_YEAR}"] = _stats(
            [r["at"][EARLY_YEAR]["active_exchanges"] for r in runs])
    names = sorted({k for r in runs for k in r["patterns"]},
                   key=lambda k: (k.startswith("ended_"), k))
    for name in names:
        default = 0.0 if name.startswith("ended_") else math.nan
        out[name] = _stats([r["patterns"].get(name, default) for r in runs])
    if "first_byproduct_year" in out:
        # a year: the median over the runs (runs that never trade a by-product count as late)
        years = [r["patterns"].get("first_byproduct_year", math.nan) for r in runs]
        out["first_byproduct_year"] = _year_stats(years)
    return out


def _year_stats(values: list[float]) -> dict[str, float]:
    """Median and 90% band of years, NaN (never) ranked after every year."""
    a = np.asarray(values, dtype=float)
    ranked = np.where(np.isnan(a), np.inf, a)
    lo, med, hi = np.quantile(ranked, [0.05, 0.5, 0.95], method="inverted_cdf")
    finite = a[~np.isnan(a)]
    return {"median": float(med), "low": float(lo), "high": float(hi),
            "mean": float(finite.mean()) if finite.size else math.nan,
            "never": int(np.isnan(a).sum()), "n": int(a.size)}


@functools.lru_cache(maxsize=4)
def _parsed(text: str) -> Calibration:
    from trustsim.park.scenarios.calibration import parse_calibration

    return parse_calibration(text, "posterior")


def posterior_simulate(
    scenario: str,
    *,
    seed: Any,
    years: float | None = None,
    overrides: dict[str, Any] | None = None,
    timeseries_stride: int | None = None,
    calibration_text: str,
    replicates: int,
    switch: dict[str, Any] | None = None,
) -> Any:
    """One posterior predictive run for the sweep runner (a ``run_fn``).

    Replicate ``r`` (the last entry of the run seed's spawn key) runs with particle
    ``draw(replicates)[r]`` of the calibration, whose values replace the calibration's point
    values among ``overrides`` (a calibrated spec carries them as fixed overrides). A
    mechanism ``switch`` (an ablation's settings) replaces the particle's values in turn, so
    the mechanism is off in every draw.
    """
    from trustsim.park.simulate import simulate

    cal = _parsed(calibration_text)
    r = int(seed.spawn_key[-1])
    particle = cal.particle(cal.draw(replicates)[r])
    return simulate(scenario, seed=seed, years=years,
                    overrides={**(overrides or {}), **particle, **(switch or {})},
                    timeseries_stride=timeseries_stride)


def validate(
    scenario: str = "kalundborg",
    *,
    seeds: int = 20,
    root_seed: int = 1961,
    overrides: dict[str, Any] | None = None,
    calibration: Calibration | None = None,
) -> ValidationReport:
    """Run ``seeds`` replicates of the Kalundborg scenario and compare them with history.

    Args:
        scenario: ``kalundborg`` or a scenario built on its facilities (same ids).
        seeds: number of replicate runs.
        root_seed: root of the replicates' SeedSequences.
        overrides: parameters by name, on top of the calibration's and the scenario's.
        calibration: the calibration whose posterior the runs draw from (default: the
            packaged one); each run takes one particle (systematic resampling).

    Raises:
        UserError: for a scenario without the Kalundborg power station, or bad arguments.
    """
    from trustsim.park.scenarios import get_scenario
    from trustsim.park.scenarios.calibration import load_calibration

    if not scenario.startswith("kalundborg"):
        raise UserError(f"scenario must be kalundborg (or a kalundborg variant), got {scenario!r}")
    if calibration is None and get_scenario(scenario).calibrated:
        calibration = load_calibration()
    per_run = None
    info: dict[str, Any] = {}
    if calibration is not None and isinstance(seeds, int) and seeds >= 1:
        per_run = [calibration.particle(i) for i in calibration.draw(seeds)]
        info = {"source": calibration.source, "sha256": calibration.sha256,
                "particles": len(calibration.weights), "parameters": calibration.parameters}
    runs = ensemble(scenario, seeds, root_seed, overrides, per_run=per_run)
    return ValidationReport(scenario, seeds, root_seed, dict(overrides or {}),
                            summarize(runs, milestones()), pattern_stats(runs), info)
