"""Packaged matplotlib styles: ``plt.style.context("trustsim.figures.styles.paper")``.

The paper style uses the Okabe-Ito colour-blind-safe palette [OkabeIto2008], no LaTeX, and
TrueType (type 42) fonts in PDF. :data:`SAVE_METADATA` removes the creation date and producer
so that the same data give byte-identical PDF and PNG files.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

__all__ = ["OKABE_ITO", "SAVE_METADATA", "paper", "save_metadata"]

#: The Okabe-Ito palette, in the order of the paper style's colour cycle.
OKABE_ITO = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)

#: ``savefig`` metadata per format that leaves out anything that changes between runs.
SAVE_METADATA: dict[str, dict[str, Any]] = {
    "pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": "trustsim"},
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": "trustsim"},
}


def save_metadata(fmt: str) -> dict[str, Any]:
    """Return the deterministic ``savefig(metadata=...)`` for the file format ``fmt``."""
    return dict(SAVE_METADATA.get(fmt, {}))


def paper() -> AbstractContextManager[None]:
    """Return a context manager that applies the paper style (a shortcut for the dotted name)."""
    import matplotlib.pyplot as plt

    return plt.style.context("trustsim.figures.styles.paper")
