"""Facilities, their output streams and input needs, as arrays built from a scenario.

Facilities are sorted by id, and streams and needs by facility, resource and grade, so the
order in which a scenario lists them never changes a result (ODD: Entities).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from trustsim.errors import UserError
from trustsim.park.resources import resource_index
from trustsim.park.scenarios import ScenarioSpec

__all__ = ["NEVER", "FacilityTable"]

#: Step number standing for "never" (no exit, no end of a stream).
NEVER = np.iinfo(np.int64).max // 4


def _step(year: int | None, start_year: int, steps_per_year: int, default: int) -> int:
    if year is None:
        return default
    return max(0, (int(year) - start_year) * steps_per_year)


@dataclass(slots=True)
class FacilityTable:
    """Facilities (index f), output streams (index o) and input needs (index n) as arrays.

    Attributes:
        ids: facility ids (sorted). names, sectors: display name and sector per facility.
        x, y: location in km. offsite: extra transport km to an off-site buyer's gate.
        entry_step, exit_step: first active step and first inactive step (NEVER: no exit).
        fragility: yearly closing probability. active: whether the facility operates now.
        out_fac, out_res, out_grade, out_volume, out_var, out_disposal, out_start, out_end:
            per output stream: facility, resource, grade, volume per year, relative standard
            deviation of volume, disposal cost per unit (EUR), first and first-inactive step.
        out_supply: per output stream, the supplier's cost of supplying one unit (EUR, before
            the energy price index).
        out_committed: volume per year promised in active exchanges.
        need_fac, need_res, need_grade, need_volume, need_price, need_start, need_end:
            per input need: facility, resource, minimum grade, volume per year, price of the
            virgin input per unit (EUR, before the energy price index), active steps.
        need_met: volume per year received in active exchanges.
    """

    ids: list[str]
    names: list[str]
    sectors: list[str]
    x: NDArray[np.float64]
    y: NDArray[np.float64]
    offsite: NDArray[np.float64]
    entry_step: NDArray[np.int64]
    exit_step: NDArray[np.int64]
    fragility: NDArray[np.float64]
    active: NDArray[np.bool_]
    out_fac: NDArray[np.int64]
    out_res: NDArray[np.int64]
    out_grade: NDArray[np.int64]
    out_volume: NDArray[np.float64]
    out_var: NDArray[np.float64]
    out_disposal: NDArray[np.float64]
    out_start: NDArray[np.int64]
    out_end: NDArray[np.int64]
    out_supply: NDArray[np.float64]
    out_committed: NDArray[np.float64]
    need_fac: NDArray[np.int64]
    need_res: NDArray[np.int64]
    need_grade: NDArray[np.int64]
    need_volume: NDArray[np.float64]
    need_price: NDArray[np.float64]
    need_start: NDArray[np.int64]
    need_end: NDArray[np.int64]
    need_met: NDArray[np.float64]

    @property
    def n(self) -> int:
        """Number of facilities."""
        return len(self.ids)

    @classmethod
    def from_spec(cls, spec: ScenarioSpec, steps_per_year: int) -> FacilityTable:
        """Build the arrays from a scenario, in canonical (sorted) order.

        Raises:
            UserError: for a negative volume or price, or an unknown resource.
        """
        facs = sorted(spec.facilities, key=lambda f: f.id)
        index = {f.id: i for i, f in enumerate(facs)}
        s0, spy = spec.start_year, steps_per_year
        outs, needs = [], []
        for f in facs:
            fi = index[f.id]
            for s in f.outputs:
                if min(s.volume, s.variability, s.disposal_cost, s.supply_cost) < 0:
                    raise UserError(f"facility {f.id!r}: stream {s.resource} has a negative value")
                start = max(_step(s.start_year, s0, spy, 0), _step(f.entry_year, s0, spy, 0))
                outs.append((fi, resource_index(s.resource), s.grade, s.volume, s.variability,
                             s.disposal_cost, start, _step(s.end_year, s0, spy, NEVER),
                             s.supply_cost))
            for d in f.needs:
                if d.volume < 0 or d.virgin_price < 0:
                    raise UserError(f"facility {f.id!r}: need {d.resource} has a negative value")
                start = max(_step(d.start_year, s0, spy, 0), _step(f.entry_year, s0, spy, 0))
                needs.append((fi, resource_index(d.resource), d.min_grade, d.volume,
                              d.virgin_price, start, _step(d.end_year, s0, spy, NEVER)))
        outs.sort(key=lambda r: r[:3] + (r[6],))
        needs.sort(key=lambda r: r[:3] + (r[5],))
        o = np.array(outs, dtype=np.float64).reshape(-1, 9)
        d = np.array(needs, dtype=np.float64).reshape(-1, 7)
        as_int = lambda a: a.astype(np.int64)  # noqa: E731
        n = len(facs)
        return cls(
            ids=[f.id for f in facs],
            names=[f.name for f in facs],
            sectors=[f.sector for f in facs],
            x=np.array([f.x_km for f in facs], dtype=np.float64),
            y=np.array([f.y_km for f in facs], dtype=np.float64),
            offsite=np.array([f.offsite_km for f in facs], dtype=np.float64),
            entry_step=np.array([_step(f.entry_year, s0, spy, 0) for f in facs], dtype=np.int64),
            exit_step=np.array([_step(f.exit_year, s0, spy, NEVER) for f in facs],
                               dtype=np.int64),
            fragility=np.array([f.fragility for f in facs], dtype=np.float64),
            active=np.zeros(n, dtype=np.bool_),
            out_fac=as_int(o[:, 0]),
            out_res=as_int(o[:, 1]),
            out_grade=as_int(o[:, 2]),
            out_volume=o[:, 3].copy(),
            out_var=o[:, 4].copy(),
            out_disposal=o[:, 5].copy(),
            out_start=as_int(o[:, 6]),
            out_end=as_int(o[:, 7]),
            out_supply=o[:, 8].copy(),
            out_committed=np.zeros(len(o)),
            need_fac=as_int(d[:, 0]),
            need_res=as_int(d[:, 1]),
            need_grade=as_int(d[:, 2]),
            need_volume=d[:, 3].copy(),
            need_price=d[:, 4].copy(),
            need_start=as_int(d[:, 5]),
            need_end=as_int(d[:, 6]),
            need_met=np.zeros(len(d)),
        )

    def need_active_volume(self, resource: str, step: int) -> float:
        """Total yearly need for ``resource`` of the operating facilities at ``step``."""
        live = ((self.need_res == resource_index(resource)) & (self.need_start <= step)
                & (self.need_end > step) & self.active[self.need_fac])
        return float(self.need_volume[live].sum())

    def index_of(self, facility_id: str) -> int:
        """Return the index of ``facility_id``.

        Raises:
            UserError: for an unknown id (lists a few valid ones).
        """
        try:
            return self.ids.index(facility_id)
        except ValueError:
            some = ", ".join(self.ids[:8])
            msg = f"unknown facility {facility_id!r}; facilities include {some}"
            raise UserError(msg) from None
