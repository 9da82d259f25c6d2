"""trustsim: a game-theoretic trust simulator of industrial symbiosis."""

__version__ = "0.1.0"

__all__ = ["__version__"]
