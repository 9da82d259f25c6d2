"""Mechanism ablations: does the mechanism a claim names carry the pattern the figure shows?

An experiment spec states its claim in a ``[claim]`` table, written before the run:

.. code-block:: toml

    [claim]
    statement = "More exchanges survive where more managers share social ties."
    metric = "active_exchanges"        # a summary key of the runs
    factor = "social_cohesion"         # the swept parameter the claim is about ("spec":
    low = 0.0                          #   the experiment's spec files, by index)
    high = 1.0
    sign = 1                           # +1: the metric rises from low to high; -1: falls
    min_effect = 1.0                   # smallest difference that counts as "shows"
    at = { turnover_rate = 0.0 }       # the other swept axes at the scenario's defaults
    by_construction = ""               # why the rule holds by code, if it does

    [claim.mechanism]                  # what the claim says produces the pattern
    name = "gossip over ties"
    set = { gossip_reach = 0 }         # the parameters that switch it off

    [[claim.rivals]]                   # other mechanisms that could produce it
    name = "ties reveal matches"
    set = { tie_discovery_rate = 0.0 }

A spec may state several claims as ``[[claim]]`` tables. A claim without ``factor`` is about
a level: the pattern shows when the mean of ``metric`` has the sign and size asked for, with
its 95% interval excluding zero. A mechanism without ``set`` is removed by the factor itself
(its ``low`` level is the model without it, e.g. a scenario without the anchor), and only
the rivals are switched off.

The pattern *shows* in a set of runs when the difference of ``metric`` between ``factor`` at
``high`` and at ``low`` has the predicted sign, is at least ``min_effect`` in size and its
95% interval excludes zero: at the defaults (``at``; a region-blocked interval when the spec
sweeps ``region_seed``) and across the sweep (every other swept level pooled). Each switch
(the mechanism and every rival) is run as the same spec with its parameters fixed at their
"off" values and the factor at ``low`` and ``high`` only (:func:`ablation_spec`). A switch
*removes* the pattern when, with it off, the pattern no longer shows at the defaults and less
than half of the effect with everything on is left (so an interval that merely widens does
not count). The claim holds when the pattern shows with everything on, the mechanism removes
it and no rival does. A rule that
holds by construction is no verdict: ``by_construction`` says why, and a metric that is zero
in every run with the mechanism off (the outcome needs the parameter, by code or by the
managers' valuation: a zero cannot tell which) is flagged the same way.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from trustsim.errors import UserError
from trustsim.figures.common import Contrast, contrast, is_none, region_blocks
from trustsim.figures.core import fmt

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from trustsim.figures.core import Context

__all__ = ["Ablation", "Claim", "Effect", "Switch", "ablate", "ablation_spec", "axis_levels",
           "draw"]

#: The pseudo-factor of experiments that compare spec files (one scenario each).
SPEC_FACTOR = "spec"

#: A switch removes the pattern only if less than this share of the effect is left.
REMOVED_SHARE = 0.5

CLAIM_KEYS = ("statement", "metric", "factor", "low", "high", "sign", "min_effect", "at",
              "by_construction", "mechanism", "rivals", "unit")


@dataclass(frozen=True)
class Switch:
    """A mechanism and the parameter values that switch it off."""

    name: str
    settings: Mapping[str, Any]
    role: str  # "mechanism" or "rival"

    @property
    def slug(self) -> str:
        """The switch's name as a folder-safe word."""
        return re.sub(r"[^a-z0-9]+", "_", self.name.lower()).strip("_")

    def describe(self) -> str:
        """``'name (a = 0, b = 0)'``."""
        return f"{self.name} ({', '.join(f'{k} = {v}' for k, v in self.settings.items())})"


def _switch(table: Any, role: str, source: str) -> Switch:
    settings = table.get("set", {}) if isinstance(table, Mapping) else None
    if not isinstance(table, Mapping) or not isinstance(table.get("name"), str) or not (
        isinstance(settings, Mapping) and (settings or role == "mechanism")
    ):
        raise UserError(f"{source}: [claim] {role}: give name = \"...\" and set = {{param = off}}")
    from trustsim.park.params import validate_overrides

    try:
        validate_overrides(dict(settings))
    except UserError as err:
        raise UserError(f"{source}: [claim] {role} {table['name']!r}: {err}") from None
    return Switch(table["name"], dict(settings), role)


@dataclass(frozen=True)
class Claim:
    """A claim, its mechanism, its rivals and its verdict rule (a spec's ``[claim]`` table)."""

    statement: str
    metric: str
    factor: str
    low: Any
    high: Any
    sign: int
    min_effect: float
    at: Mapping[str, Any]
    mechanism: Switch
    rivals: tuple[Switch, ...]
    by_construction: str = ""
    unit: str = ""

    @classmethod
    def from_table(cls, table: Mapping[str, Any], source: str) -> Claim:
        """Validate a ``[claim]`` table.

        Raises:
            UserError: naming the file and the bad key.
        """
        for key in table:
            if key not in CLAIM_KEYS:
                raise UserError(f"{source}: [claim]: unknown key {key!r}; allowed: "
                                f"{', '.join(CLAIM_KEYS)}")
        for key in ("statement", "metric", "mechanism"):
            if key not in table:
                raise UserError(f"{source}: [claim] needs {key!r}")
        if "factor" in table and not ("low" in table and "high" in table):
            raise UserError(f"{source}: [claim] with a factor needs 'low' and 'high'")
        sign = table.get("sign", 1)
        if sign not in (1, -1):
            raise UserError(f"{source}: [claim] sign must be 1 or -1, got {sign!r}")
        min_effect = table.get("min_effect", 0.0)
        if not isinstance(min_effect, int | float) or min_effect < 0:
            raise UserError(f"{source}: [claim] min_effect must be a number >= 0, "
                            f"got {min_effect!r}")
        mechanism = _switch(table["mechanism"], "mechanism", source)
        rivals = tuple(_switch(r, "rival", source) for r in table.get("rivals", []))
        for s in (mechanism, *rivals):
            if table.get("factor") in s.settings:
                raise UserError(f"{source}: [claim] {s.name!r} switches off the factor "
                                f"{table['factor']!r} itself")
        return cls(table["statement"], table["metric"], table.get("factor", ""),
                   table.get("low"), table.get("high"), int(sign), float(min_effect),
                   dict(table.get("at", {})),
                   mechanism, rivals, str(table.get("by_construction", "")),
                   str(table.get("unit", "")))

    @property
    def mechanism_is_factor(self) -> bool:
        """Whether the factor itself removes the mechanism (no ``set``).

        Its ``low`` level is then the model without it (e.g. a scenario without the anchor),
        and only the rivals are ablated.
        """
        return not self.mechanism.settings

    @property
    def switches(self) -> tuple[Switch, ...]:
        """The switches to run: the mechanism (unless it is the factor), then the rivals."""
        return self.rivals if self.mechanism_is_factor else (self.mechanism, *self.rivals)

    def effect(self, runs: pd.DataFrame, label: str) -> Effect:
        """The claim's effect in ``runs``: at the defaults and across the sweep."""
        if self.metric not in runs:
            raise UserError(f"[claim] metric {self.metric!r} is not a result column")
        block = region_blocks(runs)
        at = {k: _snap(runs, k, v) for k, v in self.at.items() if k in runs}
        values = runs[self.metric].to_numpy(dtype=float)
        if not self.factor:
            return Effect(label=label, default=level(runs, self.metric, at),
                          across=level(runs, self.metric, {}),
                          all_zero=bool(np.all(np.nan_to_num(values) == 0.0)))
        low, high = _snap(runs, self.factor, self.low), _snap(runs, self.factor, self.high)
        return Effect(
            label=label,
            default=contrast(runs, self.metric, {**at, self.factor: low},
                             {**at, self.factor: high}, block=block),
            across=contrast(runs, self.metric, {self.factor: low}, {self.factor: high},
                            block=block),
            all_zero=bool(np.all(np.nan_to_num(values) == 0.0)),
        )

    def shows(self, c: Contrast) -> bool:
        """Whether a contrast shows the pattern (sign, size and interval)."""
        return bool(c.significant and np.sign(c.diff) == self.sign
                    and abs(c.diff) >= self.min_effect)

    def rule(self) -> str:
        """The verdict rule in words."""
        side = "rise" if self.sign > 0 else "fall"
        if not self.factor:
            at = ", ".join(f"{k} = {v}" for k, v in self.at.items())
            return (
                f"the mean of {self.metric} must be {'above' if self.sign > 0 else 'below'} "
                f"zero by at least {fmt(self.min_effect)}{self.unit}, its 95% interval "
                f"excluding zero, at the defaults{f' ({at})' if at else ''} and across the sweep"
            )
        if self.factor == SPEC_FACTOR:
            return (
                f"{self.metric} must {side} from the experiment's spec file {self.low} to "
                f"spec file {self.high} (counted from 0) by at least {fmt(self.min_effect)}"
                f"{self.unit}, its 95% interval excluding zero"
            )
        at = ", ".join(f"{k} = {v}" for k, v in self.at.items())
        return (
            f"{self.metric} must {side} from {self.factor} = {self.low} to {self.high} by at "
            f"least {fmt(self.min_effect)}{self.unit}, its 95% interval excluding zero, at the "
            f"defaults{f' ({at})' if at else ''} and across the sweep"
        )


def level(runs: pd.DataFrame, metric: str, where: Mapping[str, Any]) -> Contrast:
    """The mean of ``metric`` over the runs matching ``where``, with a 95% t interval.

    For claims about a level rather than a difference (no factor): ``a`` is 0, ``b`` and
    ``diff`` the mean.
    """
    from scipy import stats

    keep = np.ones(len(runs), dtype=bool)
    for key, value in where.items():
        column = runs[key].to_numpy(dtype=float)
        keep &= np.isnan(column) if is_none(value) else np.isclose(column, float(value))
    y = runs.loc[keep, metric].dropna().to_numpy(dtype=float)
    if y.size == 0:
        return Contrast(0.0, np.nan, np.nan, np.nan, np.nan)
    mean = float(y.mean())
    if y.size < 2:
        return Contrast(0.0, mean, mean, np.nan, np.nan)
    half = float(stats.t.ppf(0.975, y.size - 1) * y.std(ddof=1) / np.sqrt(y.size))
    return Contrast(0.0, mean, mean, mean - half, mean + half)


def _snap(runs: pd.DataFrame, column: str, value: Any) -> Any:
    """The level of ``column`` in the runs nearest ``value`` (the value if none is numeric)."""
    if column not in runs or is_none(value) or isinstance(value, bool):
        return value
    levels = np.unique(runs[column].dropna().to_numpy(dtype=float))
    if levels.size == 0:
        return value
    return float(levels[np.argmin(np.abs(levels - float(value)))])


@dataclass(frozen=True)
class Effect:
    """The claim's effect in one condition (everything on, or one switch off)."""

    label: str
    default: Contrast
    across: Contrast
    all_zero: bool


@dataclass(frozen=True)
class Ablation:
    """The claim's effect with everything on and with each switch off."""

    claim: Claim
    on: Effect
    off: tuple[Effect, ...]  # aligned with claim.switches

    @property
    def mechanism_off(self) -> Effect | None:
        """The effect with the mechanism switched off (None when the factor is the switch)."""
        return None if self.claim.mechanism_is_factor else self.off[0]

    @property
    def rivals_off(self) -> tuple[Effect, ...]:
        """The effects with each rival switched off."""
        return self.off if self.claim.mechanism_is_factor else self.off[1:]

    @property
    def by_construction(self) -> str:
        """Why the rule holds by construction ('' if it does not)."""
        if self.claim.by_construction:
            return self.claim.by_construction
        mech = self.mechanism_off
        if mech is not None and mech.all_zero and not self.on.all_zero:
            return (f"with {self.claim.mechanism.describe()} no run has any "
                    f"{self.claim.metric}: the outcome needs that parameter, by code or by "
                    "the managers' own valuation, and a zero cannot tell which")
        return ""

    def removes(self, e: Effect) -> bool:
        """Whether switching off leaves the pattern not showing and under half the effect."""
        c = self.claim
        left = c.sign * e.default.diff
        return bool(not c.shows(e.default)
                    and not left >= REMOVED_SHARE * c.sign * self.on.default.diff)

    @property
    def carriers(self) -> list[Switch]:
        """Switches whose removal removes the pattern at the defaults (see :meth:`removes`)."""
        return [s for s, e in zip(self.claim.switches, self.off, strict=True)
                if self.removes(e)]

    def verdict(self) -> bool | None:
        """Whether the claim holds by its rule (None: the rule holds by construction).

        A pattern that does not show with everything on fails whatever the construction: a
        rule that holds by construction cannot fail, so this one did not.
        """
        c, mech = self.claim, self.mechanism_off
        if self.by_construction:
            return None if c.shows(self.on.default) and c.shows(self.on.across) else False
        return bool(c.shows(self.on.default) and c.shows(self.on.across)
                    and (mech is None or self.removes(mech))
                    and not any(self.removes(e) for e in self.rivals_off))

    def describe(self) -> str:
        """The finding's ablation paragraph, with the numbers."""
        c = self.claim
        base = self.on.default.diff

        def share(e: Effect) -> str:
            if not np.isfinite(base) or base == 0 or not np.isfinite(e.default.diff):
                return ""
            return f", {100 * e.default.diff / base:.0f}% of the effect with all on"

        def says(x: Contrast) -> str:
            return "shows" if c.shows(x) else "does not show"

        def value(x: Contrast) -> str:
            if c.factor:
                return x.describe(c.unit)
            return f"mean {fmt(x.b)}{c.unit} (95% CI [{fmt(x.low)}, {fmt(x.high)}])"

        parts = [
            f"Claim (written in the spec before the run): {c.statement} Rule: {c.rule()}.",
            *([f"The factor itself removes the mechanism ({c.mechanism.name}); the rivals are "
               "switched off one at a time."] if c.mechanism_is_factor else []),
            f"Everything on: at the defaults {value(self.on.default)} "
            f"({says(self.on.default)}); across the sweep {value(self.on.across)} "
            f"({says(self.on.across)}).",
        ]
        for s, e in zip(c.switches, self.off, strict=True):
            role = "the claim's mechanism" if s.role == "mechanism" else "a rival"
            parts.append(
                f"Without {s.describe()}, {role}: at the defaults {value(e.default)}"
                f"{share(e)} ({says(e.default)}); across the sweep {fmt(e.across.diff)}."
            )
        carriers = self.carriers
        shown = c.shows(self.on.default)
        if not shown:
            carriers = []
            parts.append("The pattern does not show with everything on, so nothing carries it.")
        elif carriers:
            parts.append("The pattern is carried by " + ", ".join(
                f"{s.name} ({'the claim' if s.role == 'mechanism' else 'rival'})"
                for s in carriers) + ": without it the pattern no longer shows and less than "
                f"{100 * REMOVED_SHARE:.0f}% of the effect is left.")
        else:
            parts.append("No single switch removes the pattern (none leaves it not showing "
                         f"with less than {100 * REMOVED_SHARE:.0f}% of the effect).")
        construction = self.by_construction
        verdict = self.verdict()
        if construction and verdict is None:
            parts.append(f"Not a verdict: the rule holds by construction ({construction}).")
        elif verdict:
            parts.append("Verdict: the claim holds, carried by its own mechanism.")
        else:
            why = []
            if not (shown and c.shows(self.on.across)):
                why.append("the pattern does not show with everything on"
                           + (" across the sweep" if shown else ""))
            if shown and self.mechanism_off is not None and not self.removes(self.mechanism_off):
                why.append(f"it survives without {c.mechanism.name}")
            why += [f"it needs {s.name}, a rival" for s in carriers if s.role == "rival"]
            parts.append("Verdict: the claim does not hold as stated (" + "; ".join(why) + ").")
        return " ".join(parts)

    def table(self) -> pd.DataFrame:
        """Tidy effects (condition, where, estimate, lo, hi) for :func:`draw`."""
        import pandas as pd

        rows = []
        labels = ["everything on"] + [f"no {s.name}" + (" (claim)" if s.role == "mechanism"
                                                        else "")
                                      for s in self.claim.switches]
        for label, e in zip(labels, (self.on, *self.off), strict=True):
            for where, x in (("at the defaults", e.default), ("across the sweep", e.across)):
                rows.append({"condition": label, "where": where, "estimate": x.diff,
                             "lo": x.low, "hi": x.high})
        return pd.DataFrame(rows)


def axis_levels(axis: Any) -> list[Any]:
    """The levels of a ``[sweep]`` axis: a list as given, ``{low, high, num}`` as its grid."""
    if isinstance(axis, list):
        return axis
    if isinstance(axis, Mapping) and {"low", "high", "num"} <= set(axis):
        grid = np.linspace(float(axis["low"]), float(axis["high"]), int(axis["num"]))
        return [float(x) for x in grid]
    return []


def ablation_spec(raw: Mapping[str, Any], claim: Claim, switch: Switch) -> dict[str, Any]:
    """Return the spec ``raw`` with ``switch`` off and the factor at ``low`` and ``high`` only.

    The switch's parameters move from ``[sweep]`` to ``[fixed]`` at their off values; a grid
    factor (a list or ``{low, high, num}``) keeps its two levels nearest ``low`` and ``high``;
    the time series are not recorded (the ablation reads summaries only).
    """
    out = copy.deepcopy(dict(raw))
    out["experiment"] = {**out["experiment"],
                         "name": f"{out['experiment']['name']}-without-{switch.slug}"}
    sweep, fixed = dict(out.get("sweep", {})), dict(out.get("fixed", {}))
    for key, value in switch.settings.items():
        sweep.pop(key, None)
        fixed[key] = value
    levels = axis_levels(sweep.get(claim.factor))
    if levels:
        def nearest(v: Any) -> Any:
            nums = [a for a in levels if isinstance(a, int | float) and not isinstance(a, bool)]
            if not nums or not isinstance(v, int | float) or isinstance(v, bool):
                return v
            return min(nums, key=lambda a: abs(a - v))

        ends = [nearest(claim.low), nearest(claim.high)]
        sweep[claim.factor] = list(dict.fromkeys(ends))
    out["sweep"], out["fixed"] = sweep, fixed
    if not out["sweep"]:
        out.pop("sweep")
    out.pop("record", None)
    return out


def ablate(
    ctx: Context,
    key: str,
    runs: pd.DataFrame,
    which: Sequence[int] = (0,),
    derive: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
    index: int = 0,
    run_fn: Callable[[Switch], Any] | None = None,
) -> Ablation:
    """Run experiment ``key``'s ablations and return its claim's effects.

    Args:
        ctx: The build's context.
        key: Experiment key.
        runs: The experiment's ok runs (with a ``spec`` column holding the spec index when
            the claim's factor is ``"spec"``), with any derived metric column already added.
        which: The spec files the experiment's runs come from (each is ablated).
        derive: Adds derived columns (the claim's metric, if not a summary key) to a
            table of ablation runs, as the builder did to ``runs``.
        index: Which of the spec's claims (``[[claim]]`` tables), in order.
        run_fn: Given a switch, the run function its runs use in place of
            :func:`trustsim.simulate` (as the experiment's own runs do, e.g. E10's posterior
            draws).

    Raises:
        UserError: if the spec has no ``[claim]`` table or a bad one.
    """
    import pandas as pd

    tables = ctx.claims(key, which[0])
    if len(tables) <= index:
        raise UserError(f"{ctx.source(key, which[0])}: no [claim] table number {index + 1}")
    claim = Claim.from_table(tables[index], ctx.source(key, which[0]))
    off = []
    for switch in claim.switches:
        parts = []
        for w in which:
            raw = ablation_spec(ctx.raw_spec(key, w), claim, switch)
            fn = run_fn(switch) if run_fn is not None else None
            r = ctx.run(key, raw, ctx.source(key, w), run_fn=fn)
            r = r[r.status == "ok"].assign(spec=float(w))
            parts.append(derive(r) if derive is not None else r)
        off.append(claim.effect(pd.concat(parts, ignore_index=True), switch.name))
    return Ablation(claim, claim.effect(runs, "everything on"), tuple(off))


def draw(ablation: Ablation, ax: Axes, title: str) -> Axes:
    """Draw the ablation panel: the claim's effect with everything on and each switch off."""
    from trustsim.figures import plotting

    c = ablation.claim
    plotting.plot_effects(ablation.table(), threshold=c.sign * c.min_effect, ax=ax)
    what = c.metric.replace("_", " ")
    ax.set(title=title, xlabel=f"change in {what}\n{c.factor} {c.low} -> {c.high}"
           if c.factor else f"mean {what}")
    return ax
