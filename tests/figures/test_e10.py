"""E10: the posterior predictive replay of Kalundborg and a verdict the record itself passes."""

import pandas as pd

from trustsim.figures import build_figures
from trustsim.figures.e10_kalundborg import HELD_OUT_SHARE, historical, verdict
from trustsim.history.validation import FIT_UNTIL


def test_history_passes_its_own_verdict():
    starts, miles = historical()
    held = miles[miles.year > FIT_UNTIL]
    # the record as a model: every published count is inside a band made of itself
    inside = [bool(v <= v <= v) for v in held.value]
    rate = len(starts) / (int(starts.year.max()) - 1961 + 1)
    assert 0.4 < rate < 0.5  # the old 0.5-1 a year criterion rejected it
    assert verdict(inside, rate, (rate, rate))
    assert not verdict(inside, rate, (0.5, 1.0))
    share = int(HELD_OUT_SHARE * len(inside))
    assert not verdict([True] * (share - 1) + [False] * (len(inside) - share + 1), rate,
                       (0.0, 1.0))
    assert not verdict([], rate, (0.0, 1.0))


def test_e10_smoke_build_draws_the_replicates_from_the_posterior(tmp_path):
    findings = build_figures(["E10"], size="smoke", results=tmp_path / "r",
                             figures=tmp_path / "f", workers=1)
    assert [f.experiment for f in findings] == ["E10"]
    assert "held-out published counts" in findings[0].text
    assert (tmp_path / "f" / "E10_kalundborg_replay.png").stat().st_size > 0
    runs = pd.concat([pd.read_parquet(p) for p in (tmp_path / "r").rglob("runs/*.parquet")])
    assert len(runs) == 2 and runs["status"].eq("ok").all()
