"""Read-only views of a park for the page: map data, a manager's details, the student's seat.

Everything here only reads the model (its managers, facility and exchange tables); the page
draws what these functions return.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from trustsim.app.park_map import Link, Node, sector_name


@dataclass(frozen=True, slots=True)
class SeatExchange:
    """One active exchange of the student's facility.

    Attributes:
        exchange_id: the exchange's id in the model.
        partner_id: the other facility's id.
        partner: the other facility's name.
        role: "supplier" or "receiver" (the student's side).
        resource: what flows.
        byproduct: whether it is a by-product exchange.
        partner_trust: the partner manager's trust in the student.
        my_trust: the student's manager's trust in the partner.
    """

    exchange_id: int
    partner_id: str
    partner: str
    role: str
    resource: str
    byproduct: bool
    partner_trust: float
    my_trust: float


def resource_name(index: int) -> str:
    """Name of resource ``index``."""
    from trustsim.park.resources import RESOURCES

    return RESOURCES[index].name.replace("_", " ")


def manager_of(park: Any, facility: int) -> Any | None:
    """The current manager agent of facility index ``facility``, or None."""
    return park.managers.get(facility)


def manager_lines(park: Any, facility_id: str) -> list[str]:
    """Plain-language lines about a facility and its manager (for tooltips and the inspector)."""
    fac = park.fac
    f = fac.index_of(facility_id)
    lines = [f"{fac.names[f]} ({sector_name(fac.sectors[f])})"]
    manager = manager_of(park, f)
    if manager is None and park.step_count == 0 and fac.entry_step[f] <= 0:
        return [*lines, "opens in the first round"]
    if manager is None or not fac.active[f]:
        return [*lines, "not operating now"]
    who = "played by you" if manager.controlled else f"strategy: {manager.strategy}"
    lines.append(f"manager: {who}, {manager.tenure_years:.1f} years in the job")
    trust = manager.trust()
    partners = _partners(park, f)
    if not partners and not trust:
        lines.append("no partners yet")
    for j in sorted(partners | {fac.index_of(k) for k in trust}):
        other = fac.ids[j]
        mine = trust.get(other, float(park.trust[f, j]))
        tag = " (partner)" if j in partners else ""
        lines.append(f"trust in {fac.names[j]}{tag}: {mine:.2f}")
    ties = manager.ties()
    if ties:
        lines.append("friends: " + ", ".join(fac.names[fac.index_of(k)] for k in sorted(ties)))
    return lines


def _partners(park: Any, f: int) -> set[int]:
    """Indices of the facilities in an active exchange with facility ``f``."""
    ex = park.ex
    ids = ex.active_ids()
    sup, rec = ex.sup[ids], ex.rec[ids]
    return set(rec[sup == f].tolist()) | set(sup[rec == f].tolist())


def map_nodes(park: Any) -> list[Node]:
    """Facilities that have opened so far, with hover text."""
    fac = park.fac
    volume = np.zeros(fac.n)
    np.add.at(volume, fac.out_fac, np.log1p(fac.out_volume))
    np.add.at(volume, fac.need_fac, np.log1p(fac.need_volume))
    opened = fac.entry_step <= park.step_count
    return [
        Node(
            id=fac.ids[f],
            name=fac.names[f],
            sector=fac.sectors[f],
            x_km=float(fac.x[f]),
            y_km=float(fac.y[f]),
            volume=float(volume[f]),
            tooltip="\n".join(manager_lines(park, fac.ids[f])),
            active=bool(fac.active[f] if park.step_count else opened[f]),
        )
        for f in range(fac.n)
        if opened[f] or fac.active[f]
    ]


def map_exchanges(park: Any) -> list[Link]:
    """Active exchanges, coloured by mutual trust (the mean of both sides' trust)."""
    fac, ex = park.fac, park.ex
    links = []
    for e in ex.active_ids().tolist():
        s, r = int(ex.sup[e]), int(ex.rec[e])
        trust = (float(park.trust[s, r]) + float(park.trust[r, s])) / 2
        kind = "by-product" if ex.byproduct[e] else "utility"
        links.append(
            Link(
                source=fac.ids[s],
                target=fac.ids[r],
                byproduct=bool(ex.byproduct[e]),
                volume=float(ex.volume[e]),
                trust=trust if math.isfinite(trust) else None,
                tooltip=f"exchange {e}: {resource_name(int(ex.res[e]))} ({kind}) "
                f"{fac.names[s]} -> {fac.names[r]}, trust {trust:.2f}",
                label=resource_name(int(ex.res[e])),
            )
        )
    return links


def map_ties(park: Any) -> list[Link]:
    """Social ties between the managers of operating facilities (from the stored pairs)."""
    fac, ties = park.fac, park.ties
    lo, hi = np.divmod(ties.keys, ties.n)
    on = (lo < hi) & fac.active[lo] & fac.active[hi]
    lo, hi = lo[on], hi[on]
    strength = np.maximum(ties.values[on], ties.flat[hi * ties.n + lo])
    links = []
    for a, b, tie in zip(lo.tolist(), hi.tolist(), strength.tolist(), strict=True):
        if tie > 0:
            links.append(
                Link(
                    source=fac.ids[a],
                    target=fac.ids[b],
                    volume=tie,
                    tooltip=f"friends: {fac.names[a]} and {fac.names[b]} "
                    f"(strength {tie:.2f})",
                )
            )
    return links


def seat_exchanges(park: Any, facility_id: str) -> list[SeatExchange]:
    """The active exchanges of ``facility_id``, with trust on both sides."""
    fac, ex = park.fac, park.ex
    f = fac.index_of(facility_id)
    rows = []
    for e in ex.active_ids().tolist():
        s, r = int(ex.sup[e]), int(ex.rec[e])
        if f not in (s, r):
            continue
        other = r if f == s else s
        rows.append(
            SeatExchange(
                exchange_id=e,
                partner_id=fac.ids[other],
                partner=fac.names[other],
                role="supplier" if f == s else "receiver",
                resource=resource_name(int(ex.res[e])),
                byproduct=bool(ex.byproduct[e]),
                partner_trust=float(park.trust[other, f]),
                my_trust=float(park.trust[f, other]),
            )
        )
    return rows


def operating_facilities(park: Any) -> dict[str, str]:
    """Operating facilities (before the first round: those open from the start): id -> name."""
    fac = park.fac
    on = fac.active if park.step_count else fac.entry_step <= 0
    return {fac.ids[f]: fac.names[f] for f in np.flatnonzero(on).tolist()}


def trust_in(park: Any, facility_id: str) -> list[tuple[str, float, str]]:
    """Who trusts ``facility_id``'s manager how much, and why they know of it.

    Returns:
        (manager's facility name, trust, relation) for every operating facility whose manager
        is a partner ("partner"), has dealt with this one ("dealt with you"), or trusts it less
        than a stranger would because news of cheating reached them through gossip or the
        broker's registry ("heard about you").
    """
    fac = park.fac
    f = fac.index_of(facility_id)
    partners = _partners(park, f)
    prior = park.params["trust_prior"]
    rows = []
    for j in np.flatnonzero(fac.active).tolist():
        if j == f:
            continue
        trust = float(park.trust[j, f])
        if j in partners:
            rows.append((fac.names[j], trust, "partner"))
        elif park.met[j, f]:
            rows.append((fac.names[j], trust, "dealt with you"))
        elif trust < prior - 1e-9:
            rows.append((fac.names[j], trust, "heard about you"))
    return rows


def ended_exchanges(park: Any, facility_id: str, last: int = 3) -> list[tuple[int, str]]:
    """The ``last`` most recently ended exchanges of ``facility_id``: (id, plain-text line)."""
    from trustsim.app.seat import END_WORDS
    from trustsim.park.exchanges import END_REASONS

    fac, ex = park.fac, park.ex
    f = fac.index_of(facility_id)
    n = ex.n
    ended = np.flatnonzero(~ex.active[:n] & (ex.end[:n] >= 0))
    mine = ended[(ex.sup[ended] == f) | (ex.rec[ended] == f)]
    running = set(ex.cand[ex.active_ids()].tolist())
    mine = [e for e in mine[np.argsort(ex.end[mine], kind="stable")].tolist()
            if int(ex.cand[e]) not in running][-last:]
    lines = []
    for e in mine[::-1]:
        other = int(ex.rec[e] if ex.sup[e] == f else ex.sup[e])
        reason = END_REASONS[int(ex.reason[e])]
        year = park.start_year + int(ex.end[e]) / park.steps_per_year
        lines.append((e, f"{resource_name(int(ex.res[e])).capitalize()} with {fac.names[other]} "
                         f"ended in {year:.2f}: {END_WORDS.get(reason, reason)}"))
    return lines
