"""E1 shadow of the future: cooperation over patience and temptation, with the closed form.

The ``minimal`` scenario (two managers, one heat exchange) is swept over patience (the
discount factor per period) and ``utility_temptation`` (the one-shot gain from opportunism as a
share of the period's value), in four settings: spot (no sanction, no enforcement), social
sanction, formal enforcement, and both. Each panel colours the share of honoured rounds and
draws over it the grim-trigger boundary delta* = (T' - R)/(T' - P), T' = T - pF - s, computed
by :mod:`trustsim.game.theory` from the stage game the run reports (R, T, P, sanction, penalty).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from trustsim.figures.core import Context, Finding, experiment, fmt

#: Share of honoured rounds above which a grid cell counts as cooperative.
COOPERATIVE = 0.5


def setting_game(runs: Any) -> dict[str, float]:
    """Stage-game constants of one setting, read off a run that formed the exchange.

    The game scales with the period value V: T - R = t V and S = -t V for temptation t, while
    R, P, the sanction and the expected penalty do not depend on t.
    """
    row = runs[runs.reward.notna() & (runs.utility_temptation > 0)].iloc[0]
    return {
        "reward": float(row.reward),
        "punishment": float(row.punishment),
        "value": (float(row.temptation) - float(row.reward)) / float(row.utility_temptation),
        "sanction": float(row.sanction),
        "penalty": float(row.penalty),
        "enforcement": float(row.enforcement),
    }


def closed_form(temptation: float, game: dict[str, float]) -> float:
    """Grim threshold (T' - R)/(T' - P), T' = T - pF - s, from :mod:`trustsim.game.theory`."""
    from trustsim.game.games import StageGame
    from trustsim.game.theory import enforced_temptation, grim_threshold

    gain = temptation * game["value"]
    stage = StageGame(game["reward"], -gain, game["reward"] + gain, game["punishment"])
    t_enf = enforced_temptation(stage, game["enforcement"], game["penalty"])
    enforced = StageGame(stage.reward, stage.sucker, t_enf, stage.punishment)
    return grim_threshold(enforced, sanction=game["sanction"])


def empirical_boundary(cells: Any) -> Any:
    """Per temptation: where the grid switches to cooperation, and whether theory is there.

    ``high`` is the lowest cooperative patience (inf if none), ``low`` the highest
    non-cooperative patience below it (-inf if none); the closed form agrees when
    ``low < theory <= high``; ``monotone`` says no cell above ``high`` defects.
    """
    import pandas as pd

    rows = []
    for t, part in cells.groupby("utility_temptation"):
        pat = part.patience.to_numpy(dtype=float)
        coop = part.cooperation_rate.to_numpy(dtype=float) >= COOPERATIVE
        high = float(pat[coop].min()) if coop.any() else np.inf
        below = ~coop & (pat < high)
        low = float(pat[below].max()) if below.any() else -np.inf
        theory = float(part.theory.iloc[0])
        rows.append(
            {
                "utility_temptation": t,
                "low": low,
                "high": high,
                "theory": theory,
                "monotone": not bool((~coop & (pat > high)).any()),
                "agrees": bool(low < theory <= high),
            }
        )
    return pd.DataFrame(rows)


SETTINGS = {
    (False, False): "spot",
    (True, False): "social sanction",
    (False, True): "formal contract",
    (True, True): "sanction + contract",
}


@experiment(
    "E1",
    "E01_shadow_of_the_future.toml",
    "Shadow of the future: cooperation over patience and temptation",
    ("P6", "P7", "P9"),
)
def build(ctx: Context) -> list[Finding]:
    """Run the E1 sweep, draw one phase diagram per setting, compare the boundaries."""
    import matplotlib.pyplot as plt
    import pandas as pd

    from trustsim.figures import plotting

    runs = ctx.sweep("E1")
    runs = runs[runs.status == "ok"].copy()
    # No exchange formed means no round honoured.
    runs["cooperation_rate"] = runs.cooperation_rate.fillna(0.0)
    keys = ["sanction_strength", "enforcement", "utility_temptation", "patience"]
    cells = runs.groupby(keys, as_index=False).agg(cooperation_rate=("cooperation_rate", "mean"))
    groups = list(cells.groupby(["sanction_strength", "enforcement"]))
    ncols = 2 if len(groups) > 1 else 1
    nrows = int(np.ceil(len(groups) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.4 * ncols, 2.7 * nrows), squeeze=False)
    notes, agree_all, shares = [], [], {}
    for ax, ((s, p), part) in zip(axes.flat, groups, strict=False):
        name = SETTINGS[(s > 0, p > 0)]
        mine = runs[(runs.sanction_strength == s) & (runs.enforcement == p)]
        if "reward" in mine and mine.reward.notna().any():
            game = setting_game(mine)
            part = part.assign(theory=[closed_form(t, game) for t in part.utility_temptation])
            ts = np.linspace(part.utility_temptation.min(), part.utility_temptation.max(), 200)
            curve = pd.DataFrame({"x": ts, "y": [closed_form(t, game) for t in ts]})
        else:
            part = part.assign(theory=np.nan)
            curve = None
        plotting.plot_phase_diagram(
            part,
            x="utility_temptation",
            y="patience",
            value="cooperation_rate",
            boundary=curve,
            boundary_label="(T'-R)/(T'-P)",
            colorbar_label="share of rounds honoured",
            ax=ax,
        )
        ax.set(
            xlabel="temptation (T - R) / period value",
            ylabel="patience (delta per quarter)",
            title=f"{name} (s = {fmt(s)}, p = {fmt(p)})",
        )
        emp = empirical_boundary(part)
        ok = emp.agrees & emp.monotone
        agree_all.append(bool(ok.all()) and curve is not None)
        levels = np.sort(part.patience.unique())
        step = float(np.diff(levels).max()) if levels.size > 1 else float("nan")
        shares[name] = float((part.cooperation_rate >= COOPERATIVE).mean())
        notes.append(
            f"{name}: the switch to cooperation lies in the grid cell that holds the closed form "
            f"for {int(ok.sum())} of {len(emp)} temptations (patience step {fmt(step, 2)}), "
            f"{fmt(100 * shares[name], 3)}% of cells cooperate"
        )
    for ax in list(axes.flat)[len(groups) :]:
        ax.set_visible(False)
    ctx.save(fig, "E01_shadow_of_the_future")
    widen = [shares[k] > shares["spot"] for k in shares if k != "spot" and "spot" in shares]
    holds = all(agree_all) and all(widen)
    text = "; ".join(notes) + ". "
    if widen:
        text += (
            "Sanction and enforcement widen the cooperative region, as the closed form predicts."
            if all(widen)
            else "Sanction or enforcement does not widen the cooperative region at this size."
        )
    return [ctx.finding("E1", "E01_shadow_of_the_future", text.strip(), holds)]
