"""Digest of every scenario's tables: the proof that a refactor is bit-identical.

Runs each registered scenario at two seeds (and the noisy settings the model tests use) and
hashes the time series, the exchanges table and the summary. ``--write`` stores the digest in
``tests/park/digest.json``; ``tests/park/test_digest.py`` recomputes it and compares. Rewrite it
only in a commit that changes the model's behaviour on purpose, and say so in the message.

Floats are hashed at 10 significant digits: numpy's SIMD kernels for exp, power and hypot
differ in the last bit between CPUs (AVX-512 against AVX2), so full precision would tie the
digest to one machine; any change of behaviour moves far more than 1e-10.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
from pathlib import Path

import pandas as pd

DIGEST = Path(__file__).resolve().parents[1] / "tests" / "park" / "digest.json"
YEARS = {"kalundborg": 64, "kalundborg_no_anchor": 30, "minimal": 20, "holdup": 15,
         "planned_eip": 15, "facilitated": 10, "region": 10}
NOISY = {"noise": 0.05, "misperception": 0.05, "turnover_rate": 0.3, "patience_spread": 0.05,
         "broker_year": 1975}


SIGNIFICANT = 10


def _float_text(v: float) -> str:
    return f"{v:.{SIGNIFICANT}g}"


def _hash_frame(df: pd.DataFrame) -> str:
    text = df.copy()
    for c in df.columns:
        if pd.api.types.is_float_dtype(df[c]):
            text[c] = df[c].map(_float_text)
    h = hashlib.sha256()
    h.update(",".join(map(str, df.columns)).encode())
    h.update(pd.util.hash_pandas_object(text.astype(str), index=True).values.tobytes())
    return h.hexdigest()[:16]


def _hash_summary(s: dict) -> str:
    clean = {k: (None if isinstance(v, float) and math.isnan(v)
                 else _float_text(v) if isinstance(v, float) else v) for k, v in s.items()}
    return hashlib.sha256(json.dumps(clean, sort_keys=True, default=str).encode()).hexdigest()[:16]


def cases() -> list[tuple[str, int, dict]]:
    """(scenario, seed, overrides) of every digest entry."""
    out = []
    for name in YEARS:
        for seed in (1, 2):
            out.append((name, seed, {}))
        out.append((name, 3, {k: v for k, v in NOISY.items()
                              if name.startswith("kalundborg") or k != "broker_year"}))
    return out


def digest_of(name: str, seed: int, overrides: dict) -> dict[str, str]:
    """The three hashes of one run."""
    from trustsim import SymbiosisPark

    model = SymbiosisPark(name, rng=seed, **overrides)
    model.run_years(YEARS[name])
    return {"timeseries": _hash_frame(model.timeseries()),
            "exchanges": _hash_frame(model.exchanges_table()),
            "summary": _hash_summary(model.summary())}


def compute() -> dict[str, dict[str, str]]:
    """The digest of every case, keyed by ``scenario/seed``."""
    return {f"{n}/{s}": digest_of(n, s, o) for n, s, o in cases()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="store the digest in tests/park/")
    args = ap.parse_args()
    d = compute()
    if args.write:
        DIGEST.parent.mkdir(parents=True, exist_ok=True)
        DIGEST.write_text(json.dumps(d, indent=1, sort_keys=True) + "\n")
        print(f"wrote {DIGEST}")
    else:
        print(json.dumps(d, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
