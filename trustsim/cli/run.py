"""``trustsim run [SCENARIO]``: one run of a scenario, written as Parquet and JSON."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

from trustsim.errors import UserError


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the ``run`` subcommand."""
    p = sub.add_parser(
        "run",
        help="run one scenario and write its time series, exchanges and summary",
        description=(
            "Run one scenario of the industrial-symbiosis model. Writes timeseries.parquet, "
            "exchanges.parquet and summary.json to --out and prints a short summary. "
            "Parameters are set by name with --set (see docs/ODD.md for the list)."
        ),
    )
    p.add_argument("scenario", nargs="?", default="kalundborg",
                   help="scenario name (default: kalundborg)")
    p.add_argument("--set", dest="assign", action="extend", nargs="+", default=[],
                   metavar="NAME=VALUE",
                   help="set parameters, e.g. --set patience=0.9 noise=0.05 (repeatable)")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default 0)")
    p.add_argument("--years", type=float, default=None, metavar="N",
                   help="years to run (default: the scenario's)")
    p.add_argument("--out", type=Path, default=Path("run"), metavar="DIR",
                   help="output directory (default: ./run)")
    p.add_argument("--calibration", type=Path, default=None, metavar="PATH",
                   help="calibration file of a calibrated scenario (kalundborg), from "
                        "`trustsim calibrate --out DIR`; default: the packaged one")
    p.add_argument("--force", action="store_true",
                   help="write into a --out directory that already holds files")
    p.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    return p


def calibrated_overrides(scenario: str, path: Path | None) -> tuple[dict, dict]:
    """The calibration's parameters for ``scenario`` and its identity ({} and {} for none).

    Raises:
        UserError: for ``path`` given with a scenario that takes no calibration, or a bad file.
    """
    from trustsim.park.scenarios import get_scenario
    from trustsim.park.scenarios.calibration import load_calibration

    calibrated = get_scenario(scenario).calibrated
    if path is None:
        # the packaged calibration is already the scenario's defaults: record which it is
        return {}, ({"source": "packaged", "sha256": load_calibration().sha256}
                    if calibrated else {})
    if not calibrated:
        raise UserError(f"--calibration: scenario {scenario!r} takes no calibration "
                        "(only kalundborg and kalundborg_no_anchor do)")
    cal = load_calibration(path)
    return dict(cal.parameters), {"source": cal.source, "sha256": cal.sha256}


def parse_assignments(items: list[str]) -> dict[str, str]:
    """Turn ``["a=1", "b=x"]`` into ``{"a": "1", "b": "x"}``.

    Raises:
        UserError: for an item without ``=`` or with an empty name.
    """
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UserError(f"--set expects NAME=VALUE, got {item!r}")
        out[name.strip()] = value.strip()
    return out


def _jsonable(value: object) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def run(args: argparse.Namespace) -> int:
    """Run the scenario, write the outputs, print the summary."""
    from trustsim.cli.paths import check_output_dir
    from trustsim.park.model import SymbiosisPark
    from trustsim.sweep.limits import check_run_size

    if not 0 <= args.seed < 2**63:
        raise UserError(f"--seed must be in [0, 2**63 - 1], got {args.seed}")
    if args.years is not None and not 0 <= args.years <= 1000:
        raise UserError(f"--years must be in [0, 1000], got {args.years:g}")
    out: Path = args.out
    check_output_dir(out, force=args.force)  # before the run, so that it is never lost
    fitted, calibration = calibrated_overrides(args.scenario, args.calibration)
    overrides = {**fitted, **parse_assignments(args.assign)}
    check_run_size(args.scenario, overrides, where="--set")
    model = SymbiosisPark(args.scenario, rng=args.seed, **overrides)
    model.run_years(model.default_years if args.years is None else args.years)
    summary = {k: _jsonable(v) for k, v in model.summary().items()}
    summary["seed"] = args.seed
    summary["parameters"] = {k: v for k, v in model.params.items()}
    if calibration:
        summary["calibration"] = calibration
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UserError(f"cannot create --out directory {str(out)!r}: {err.strerror}") from None
    model.timeseries().to_parquet(out / "timeseries.parquet", index=False)
    model.exchanges_table().to_parquet(out / "exchanges.parquet", index=False)
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps(summary))
        return 0
    s = summary
    print(f"{s['scenario']}: {s['steps']} steps to {s['year']:.0f}, seed {args.seed}")
    print(f"  facilities {s['facilities']}, exchanges active {s['active_exchanges']} "
          f"({s['utility_exchanges']} utility, {s['byproduct_exchanges']} by-product), "
          f"formed {s['exchanges_formed']}, ended {s['exchanges_ended']}")
    coop = s["cooperation_rate"]
    trust = s["mean_trust"]
    print(f"  cooperation {'-' if coop is None else f'{coop:.1%}'}, mean trust "
          f"{'-' if trust is None else f'{trust:.2f}'}, degree centralization "
          f"{s['degree_centralization']:.2f}, hub {s['hub'] or '-'}")
    print(f"  {s['tonnes_diverted_per_year']:,.0f} t/yr diverted, "
          f"EUR {s['savings_eur_per_year'] / 1e6:,.1f} M/yr saved, "
          f"{s['co2_avoided_t_per_year']:,.0f} t/yr CO2 avoided, water used "
          f"{s['water_uses']:.2f} times")
    print(f"  wrote {out / 'timeseries.parquet'}, {out / 'exchanges.parquet'}, "
          f"{out / 'summary.json'}")
    return 0
