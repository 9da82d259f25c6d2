"""Paper figures: one builder per experiment E1-E12 (``trustsim figures``).

:mod:`trustsim.figures.core` holds the registry, sizes (full, quick, smoke), result caching and
the generated ``figures/README.md``; each ``eNN_*`` module registers one experiment's builder,
which gets its data through the runner (or, for E12, the kernel), draws with
:mod:`trustsim.figures.plotting` and states its finding with the numbers the run produced.
"""

from trustsim.figures import (  # noqa: F401  (each module registers its builder)
    e01_shadow,
    e02_embeddedness,
    e03_reputation,
    e04_contracts,
    e05_growth,
    e06_anchor,
    e07_scale_density,
    e08_regulation,
    e09_path_dependency,
    e10_kalundborg,
    e11_sensitivity,
    e12_validation,
)
from trustsim.figures.core import (
    EXPERIMENTS,
    SIZES,
    Context,
    Experiment,
    Finding,
    build_figures,
    load_experiment_spec,
    resolve_keys,
    write_readme,
)

__all__ = [
    "EXPERIMENTS",
    "SIZES",
    "Context",
    "Experiment",
    "Finding",
    "build_figures",
    "load_experiment_spec",
    "resolve_keys",
    "write_readme",
]
