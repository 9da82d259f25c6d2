"""Calibration files: fitted behavioural parameters (and their posterior) a scenario runs with.

A calibration file is TOML with ``[parameters]`` (the values a run uses: the posterior's
weighted median), optionally ``[posterior]`` (one list per parameter, one entry per particle,
and ``weights``) and ``[fit]`` (how it was made). ``trustsim calibrate`` writes one
(:mod:`trustsim.history.calibration`); the packaged one (``scenarios/kalundborg_calibration.toml``)
is the default of the scenarios that take a calibration and is never written by a command. A
calibration is identified by the SHA-256 of its file's bytes, which sweep specs record
(:mod:`trustsim.sweep.spec`).
"""

from __future__ import annotations

import hashlib
import math
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from trustsim.errors import UserError

__all__ = ["PACKAGED", "Calibration", "load_calibration", "parse_calibration"]

#: The packaged default calibration file, inside ``trustsim.park.scenarios``.
PACKAGED = "kalundborg_calibration.toml"


@dataclass(frozen=True, slots=True)
class Calibration:
    """A calibration: where it came from, its hash, its parameters and its posterior sample.

    Attributes:
        source: the file's path, or ``"packaged"``.
        sha256: SHA-256 of the file's bytes.
        parameters: parameter name -> value used by a run.
        particles: parameter name -> one value per posterior particle (empty if none).
        weights: the particles' normalised importance weights (empty if none).
        fit: the ``[fit]`` table as written.
    """

    source: str
    sha256: str
    parameters: dict[str, Any]
    particles: dict[str, list[float]] = field(default_factory=dict)
    weights: list[float] = field(default_factory=list)
    fit: dict[str, Any] = field(default_factory=dict)

    def particle(self, i: int) -> dict[str, float]:
        """Parameters of particle ``i`` (the calibrated values where no posterior is stored)."""
        if not self.weights:
            return dict(self.parameters)
        return {**self.parameters, **{k: v[i] for k, v in self.particles.items()}}

    def draw(self, n: int) -> list[int]:
        """``n`` particle indices by systematic resampling of the weights (no random numbers).

        Index ``r`` is the particle whose cumulative weight first reaches ``(r + 0.5) / n``, so
        that every particle appears about ``n * weight`` times, in a fixed order.
        """
        if not self.weights:
            return [0] * n
        out, cum, i = [], 0.0, 0
        total = sum(self.weights)
        for r in range(n):
            target = (r + 0.5) / n * total
            while i < len(self.weights) - 1 and cum + self.weights[i] < target:
                cum += self.weights[i]
                i += 1
            out.append(i)
        return out


def parse_calibration(text: str, source: str) -> Calibration:
    """A :class:`Calibration` from a file's text.

    Raises:
        UserError: for invalid TOML, a missing ``[parameters]`` table, an unknown parameter or a
            value out of range, or a posterior whose lists differ in length.
    """
    from trustsim.park.params import validate_overrides

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise UserError(f"calibration {source}: not valid TOML ({err})") from None
    params = data.get("parameters")
    if not isinstance(params, dict) or not params:
        raise UserError(f"calibration {source}: no [parameters] table")
    try:
        params = validate_overrides(params)
    except UserError as err:
        raise UserError(f"calibration {source}: {err}") from None
    post = dict(data.get("posterior", {}))
    weights = [float(w) for w in post.pop("weights", [])]
    particles = {k: [float(x) for x in v] for k, v in post.items()}
    if particles and (not weights or any(len(v) != len(weights) for v in particles.values())):
        raise UserError(f"calibration {source}: [posterior] lists and weights differ in length")
    if weights and (any(w < 0 or math.isnan(w) for w in weights) or sum(weights) <= 0):
        raise UserError(f"calibration {source}: [posterior] weights must be >= 0, not all 0")
    unknown = set(particles) - set(params)
    if unknown:
        raise UserError(f"calibration {source}: [posterior] has {sorted(unknown)[0]!r}, "
                        "which [parameters] lacks")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Calibration(source, digest, params, particles, weights, dict(data.get("fit", {})))


def load_calibration(path: str | Path | None = None) -> Calibration:
    """Read a calibration file, or the packaged default for None.

    Raises:
        UserError: if the file is missing or unreadable, or as :func:`parse_calibration`.
    """
    if path is None:
        text = resources.files("trustsim.park.scenarios").joinpath(PACKAGED).read_text("utf-8")
        return parse_calibration(text, "packaged")
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as err:
        raise UserError(f"cannot read --calibration {str(path)!r}: {err.strerror}") from None
    return parse_calibration(text, str(path))
