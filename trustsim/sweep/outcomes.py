"""Outcomes: named expressions over a run's summary, such as ``collapsed = "active_exchanges < 5"``.

An expression uses summary keys and parameter names as variables, numbers and quoted strings,
``+ - * / // % **``, comparisons (chained ones too), ``and``, ``or``, ``not``,
``x if cond else y`` and the functions in :data:`FUNCTIONS`. The same expression evaluates on
one run's summary (the runner adds each outcome to its row) and on whole columns of a results
table (``trustsim discover``), because every operation is a numpy one: ``and`` is
``numpy.logical_and``, a division by zero gives inf or NaN as numpy does, never an error.

Python's ``eval`` is not used: an expression is parsed with :mod:`ast` and only the nodes above
are accepted, so a spec file cannot run code; ``pandas.eval`` would need a DataFrame per run.
"""

from __future__ import annotations

import ast
import difflib
import operator
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from trustsim.errors import UserError

__all__ = ["FUNCTIONS", "Outcome", "evaluate_outcomes", "parse_outcome"]

#: Functions an expression may call.
FUNCTIONS = {
    "abs": np.abs,
    "min": np.minimum,
    "max": np.maximum,
    "log": np.log,
    "log10": np.log10,
    "exp": np.exp,
    "sqrt": np.sqrt,
    "isnan": np.isnan,
}

_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_COMPARE = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}


@dataclass(frozen=True)
class Outcome:
    """A named, parsed expression.

    Attributes:
        name: Column name of the outcome.
        expression: The expression as written.
        names: The variables it reads.
    """

    name: str
    expression: str
    names: tuple[str, ...]
    _tree: ast.Expression

    def evaluate(self, values: Mapping[str, Any]) -> Any:
        """Value of the outcome given variable values (scalars or equal-length arrays).

        Raises:
            UserError: A variable is missing from ``values``.
        """
        missing = [n for n in self.names if n not in values]
        if missing:
            hint = difflib.get_close_matches(missing[0], list(values), n=1)
            did = f"; did you mean {hint[0]!r}?" if hint else ""
            raise UserError(
                f"outcome {self.name} = {self.expression!r}: no value named {missing[0]!r}{did}"
            )
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            result = _eval(self._tree.body, values)
        result = np.asarray(result)
        return result.item() if result.ndim == 0 else result


def parse_outcome(name: str, expression: str, *, where: str = "outcome") -> Outcome:
    """Parse and check one expression.

    Raises:
        UserError: Not a string, not valid syntax, or a construct outside the allowed set.
    """
    if not isinstance(expression, str):
        raise UserError(f"{where} {name} = {expression!r} must be a string expression")
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as err:
        raise UserError(
            f"{where} {name} = {expression!r} is not an expression: {err.msg}"
        ) from None
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
                called = ast.unparse(node.func)
                raise UserError(
                    f"{where} {name}: {called}() is not allowed; functions: "
                    f"{', '.join(FUNCTIONS)}"
                )
            if node.keywords:
                raise UserError(f"{where} {name}: {node.func.id}() takes no keyword arguments")
        elif isinstance(node, ast.Name):
            if node.id not in FUNCTIONS and node.id not in names:
                names.append(node.id)
        elif not isinstance(node, _ALLOWED):
            raise UserError(
                f"{where} {name} = {expression!r}: {type(node).__name__} is not allowed "
                "(use names, numbers, arithmetic, comparisons, and/or/not, if-else)"
            )
    return Outcome(name, expression, tuple(names), tree)


def evaluate_outcomes(outcomes: Iterable[Outcome], values: Mapping[str, Any]) -> dict[str, Any]:
    """Evaluate each outcome on ``values`` (a run's summary and parameters)."""
    return {outcome.name: outcome.evaluate(values) for outcome in outcomes}


_ALLOWED = (
    ast.Expression, ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.IfExp, ast.Constant,
    ast.Load, ast.And, ast.Or, ast.Not, ast.USub, ast.UAdd, *_BINARY, *_COMPARE,
)


def _eval(node: ast.AST, values: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        value = values[node.id]
        return np.asarray(value, dtype=float) if isinstance(value, bool) else np.asarray(value)
    if isinstance(node, ast.BinOp):
        left, right = _eval(node.left, values), _eval(node.right, values)
        return _BINARY[type(node.op)](np.asarray(left, dtype=float) if _is_int(left) else left,
                                      right)
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, values)
        if isinstance(node.op, ast.Not):
            return np.logical_not(operand)
        return -operand if isinstance(node.op, ast.USub) else +operand
    if isinstance(node, ast.BoolOp):
        combine = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
        result = _eval(node.values[0], values)
        for item in node.values[1:]:
            result = combine(result, _eval(item, values))
        return result
    if isinstance(node, ast.Compare):
        left, result = _eval(node.left, values), True
        for op, comparator in zip(node.ops, node.comparators):
            right = _eval(comparator, values)
            result = np.logical_and(result, _COMPARE[type(op)](left, right))
            left = right
        return result
    if isinstance(node, ast.IfExp):
        return np.where(_eval(node.test, values), _eval(node.body, values),
                        _eval(node.orelse, values))
    if isinstance(node, ast.Call):
        return FUNCTIONS[node.func.id](*(_eval(arg, values) for arg in node.args))
    raise TypeError(type(node).__name__)  # unreachable: parse_outcome admits only the above


def _is_int(value: Any) -> bool:
    """Integers are promoted to float before arithmetic, so 1 / 0 is inf and 1 // 0 NaN."""
    return np.asarray(value).dtype.kind in "iub"
