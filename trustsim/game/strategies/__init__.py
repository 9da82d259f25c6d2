"""The strategy registry: every strategy family module is imported here so it registers.

Use :func:`get_strategy` to build a strategy by key and :data:`STRATEGIES` to list them.
"""

# Family modules: imported for their registrations (order = registry order).
from trustsim.game.strategies import classic, trust_based  # noqa: F401
from trustsim.game.strategies.base import (
    NONE,
    STRATEGIES,
    History,
    Param,
    Scripted,
    Strategy,
    get_strategy,
    register,
)

__all__ = [
    "NONE",
    "STRATEGIES",
    "History",
    "Param",
    "Scripted",
    "Strategy",
    "get_strategy",
    "register",
]
