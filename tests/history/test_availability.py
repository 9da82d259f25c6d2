"""Availability is physical: every stream and need of the Kalundborg scenario is dated by its unit.

The scenario's start years must come from what dates a plant or unit (commissioning, opening,
conversion, a regulation that required the unit), never from the year an exchange is documented
to start (``data/kalundborg/exchanges.csv``). These tests read the packaged files themselves.
"""

import csv
import tomllib
from importlib import resources

import pytest

BASES = {"existing", "opened", "commissioned", "converted", "regulation", "estimate"}


def _scenario() -> dict:
    text = resources.files("trustsim.park.scenarios").joinpath("kalundborg.toml").read_text("utf-8")
    return tomllib.loads(text)


def _csv(name: str) -> list[dict]:
    path = resources.files("trustsim.history.data").joinpath("kalundborg", name)
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _readme_keys() -> set[str]:
    text = resources.files("trustsim.history.data").joinpath("kalundborg", "README.md").read_text(
        "utf-8")
    keys = set()
    for line in text.splitlines():
        if line.startswith("| ") and not line.startswith("| key") and not line.startswith("|--"):
            for k in line.split("|")[1].split(","):
                keys.add(k.strip())
    return keys


def _rows():
    """(facility id, side, resource, effective year, basis, sources) of every stream and need."""
    doc = _scenario()
    out = []
    for f in doc["facility"]:
        for side in ("output", "need"):
            for s in f.get(side, []):
                year = max(s["start_year"], f["entry_year"])
                basis, src = (s["available_basis"], s["available_source"])
                if f["entry_year"] > s["start_year"]:
                    basis, src = f["entry_basis"], f["entry_source"]
                out.append((f["id"], side, s["resource"], year, basis, src))
    return out


def _keys(text: str) -> set[str]:
    return {k.strip() for k in text.split(";") if k.strip()}


def test_every_stream_and_need_has_an_availability_year_basis_and_source():
    doc = _scenario()
    for f in doc["facility"]:
        assert f["entry_basis"] in BASES, f["id"]
        assert f["entry_basis"] == "estimate" or f["entry_source"], f["id"]
        for side in ("output", "need"):
            for s in f.get(side, []):
                where = f"{f['id']} {side} {s['resource']}"
                assert "start_year" in s, where
                assert s["available_basis"] in BASES, where
                assert s["available_basis"] == "estimate" or s["available_source"], where
                if s["available_basis"] == "estimate":
                    said = "available:" in s.get("note", "")
                    assert said or f["entry_year"] >= s["start_year"], (
                        f"{where}: an estimate must say why in its note")


def test_availability_sources_are_listed_in_the_data_readme():
    known = _readme_keys()
    doc = _scenario()
    used = set()
    for f in doc["facility"]:
        used |= _keys(f["entry_source"])
        for side in ("output", "need"):
            for s in f.get(side, []):
                used |= _keys(s["available_source"])
    assert used - known == set()


def _violations(rows, exchanges, start):
    """Rows available in a documented exchange year of their resource without a source of
    their own (an estimate, or only the exchange's own source keys)."""
    bad = []
    for fid, side, res, year, basis, src in rows:
        if year == start and basis == "existing":
            continue  # there before the record starts, as everything at the first exchange
        for ex in exchanges:
            if ex["resource"] == res and int(ex["year"]) == year:
                if basis == "estimate" or not _keys(src) - _keys(ex["source"]):
                    bad.append(f"{fid} {side} {res} {year} ({basis}; {src or '-'})")
    return bad


def test_no_availability_year_equals_a_documented_exchange_year_without_its_own_source():
    assert _violations(_rows(), _csv("exchanges.csv"), _scenario()["start_year"]) == []


def test_the_rule_rejects_the_exchange_year_as_availability():
    exchanges = _csv("exchanges.csv")
    ash = next(e for e in exchanges if e["resource"] == "fly_ash")
    year = int(ash["year"])
    copied = ("asnaes", "output", "fly_ash", year, "commissioned", ash["source"])
    guessed = ("asnaes", "output", "fly_ash", year, "estimate", "GEM-ASNAES")
    dated = ("asnaes", "output", "fly_ash", year, "converted", "GEM-ASNAES")
    assert len(_violations([copied], exchanges, 1961)) == 1
    assert len(_violations([guessed], exchanges, 1961)) == 1
    assert _violations([dated], exchanges, 1961) == []


@pytest.mark.parametrize("name", ["energy_prices.csv", "waste_regulation.csv"])
def test_series_sources_are_listed(name):
    known = _readme_keys()
    assert {r["source"] for r in _csv(name)} <= known


def test_price_index_is_the_packaged_oil_price_series_over_1975():
    rows = {int(r["year"]): float(r["oil_usd2021_per_bbl"]) for r in _csv("energy_prices.csv")}
    index = {int(k): v for k, v in _scenario()["price_index"].items()}
    assert set(index) == set(rows)
    for y, v in rows.items():
        assert index[y] == pytest.approx(v / rows[1975], abs=5e-4)


def test_landfill_tax_is_the_danish_waste_tax_in_eur():
    tax = {int(r["year"]): float(r["value"]) for r in _csv("waste_regulation.csv")
           if r["instrument"] == "waste_tax"}
    series = {int(k): v for k, v in _scenario()["landfill_tax"].items()}
    assert set(series) == set(tax)
    for y, dkk in tax.items():
        assert series[y] == pytest.approx(dkk / 7.45, abs=0.01)
