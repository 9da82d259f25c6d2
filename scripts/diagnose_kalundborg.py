"""Why two Kalundborg claims fail under the full refit: prints the figures the xfail reasons of
tests/park/test_scenarios.py quote (rotation's mean trust, the broker's effect after 1996).

Same runs as the tests: six seeds from SeedSequence(1961, spawn_key=(0, s)), 62 years.

    .venv/bin/python scripts/diagnose_kalundborg.py
"""

from __future__ import annotations

import numpy as np

from trustsim import SymbiosisPark


def runs(**overrides) -> list[SymbiosisPark]:
    out = []
    for s in range(6):
        model = SymbiosisPark("kalundborg", rng=np.random.SeedSequence(1961, spawn_key=(0, s)),
                              **overrides)
        model.run_years(62)
        out.append(model)
    return out


def honour_share(models) -> float:
    shares = []
    for m in models:
        t = m.exchanges_table()
        acts = "".join(t.supplier_actions) + "".join(t.receiver_actions)
        shares.append(acts.count("C") / len(acts))
    return float(np.mean(shares))


def trust_at_end(models) -> float:
    return float(np.mean([m.summary()["mean_trust"] for m in models]))


def trust_2003_2022(models) -> float:
    return float(np.mean([m.timeseries().query("year >= 2003").mean_trust.mean()
                          for m in models]))


def new_per_year(models, start: int, end: int) -> float:
    return float(np.mean([((t.start_year >= start) & (t.start_year < end)).sum() / (end - start)
                          for t in (m.exchanges_table() for m in models)]))


def main() -> None:
    base, rotating = runs(), runs(turnover_rate=2.0)
    print("rotation at 2 a year against the posterior's turnover:")
    print(f"  mean trust at the end      {trust_at_end(rotating):.3f} against "
          f"{trust_at_end(base):.3f}")
    print(f"  mean trust over 2003-2022  {trust_2003_2022(rotating):.3f} against "
          f"{trust_2003_2022(base):.3f}")
    print(f"  share of rounds honoured   {honour_share(rotating):.3f} against "
          f"{honour_share(base):.3f}")
    print("new exchanges a year over 1996-2022, with the broker and without it:")
    for label, overrides in [("posterior", {}),
                             ("attention 1.1 deals a manager a year",
                              {"deals_per_manager_per_year": 1.1}),
                             ("byproduct_trust 0.70", {"byproduct_trust": 0.70})]:
        with_broker = new_per_year(runs(**overrides), 1996, 2023)
        alone = new_per_year(runs(broker_year=None, **overrides), 1996, 2023)
        print(f"  {label}: {with_broker:.3f} with, {alone:.3f} without "
              f"({alone / with_broker:.0%})")


if __name__ == "__main__":
    main()
