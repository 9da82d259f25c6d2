"""trustsim: a game-theoretic trust simulator of industrial symbiosis."""

__version__ = "0.1.0"

__all__ = [
    "PARAMETERS",
    "SymbiosisPark",
    "__version__",
    "load_results",
    "load_timeseries",
    "run_sweep",
    "simulate",
]

#: Exports loaded on first use, so ``import trustsim`` (and the CLI) stays fast.
_LAZY = {
    "PARAMETERS": "trustsim.park.params",
    "SymbiosisPark": "trustsim.park.model",
    "simulate": "trustsim.park.model",
    "load_results": "trustsim.sweep.results",
    "load_timeseries": "trustsim.sweep.results",
    "run_sweep": "trustsim.sweep.runner",
}


def __getattr__(name: str):
    """Import a lazily exported function on first use."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'trustsim' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The exports too, loaded or not, so that tab completion shows them."""
    return sorted({*globals(), *__all__})
