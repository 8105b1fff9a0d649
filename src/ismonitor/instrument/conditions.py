"""Conditions that show a section or item only for some answers (``show_if``).

A condition is a small expression over earlier answers, written like Python:

    uses_ism == 'yes'
    uses_ism == 'yes' and active_share >= 10
    'slack' in platforms            # platforms is a multiple-choice item
    not (sector in ['government', 'education'])

Names are item keys; a multiple-choice item stands for the set of chosen option keys.
Only comparisons (``== != < <= > >= in not in``), ``and``, ``or``, ``not``, literals and
lists are allowed: a condition is parsed with :mod:`ast` and never executed as code.
An unanswered item is ``None``; every comparison with ``None`` is false, so an item that
depends on an unanswered one stays hidden.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


class ConditionError(ValueError):
    """A condition that cannot be parsed or uses what is not allowed."""


_COMPARE = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}


@dataclass(frozen=True)
class Condition:
    """A parsed ``show_if`` condition."""

    source: str
    tree: ast.Expression
    names: frozenset[str]

    def __call__(self, answers: Mapping[str, Any]) -> bool:
        return bool(_eval(self.tree.body, answers))


def parse(source: str) -> Condition:
    """Parse a condition, raising :class:`ConditionError` with the reason when it is not one."""
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        raise ConditionError(f"{source!r} is not a valid condition: {exc.msg}") from None
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif not isinstance(
            node,
            (
                ast.Expression,
                ast.BoolOp,
                ast.And,
                ast.Or,
                ast.UnaryOp,
                ast.Not,
                ast.USub,
                ast.Compare,
                ast.Constant,
                ast.List,
                ast.Tuple,
                ast.Load,
                ast.In,
                ast.NotIn,
                *_COMPARE,
            ),
        ):
            raise ConditionError(
                f"{source!r} uses {type(node).__name__}, which a condition may not; "
                "expected comparisons of item keys with values, joined by and/or/not"
            )
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            if not isinstance(node.operand, ast.Constant):
                raise ConditionError(f"{source!r}: a minus sign may only stand before a number")
    return Condition(source=source, tree=tree, names=frozenset(names))


def _eval(node: ast.AST, answers: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return answers.get(node.id)
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_eval(element, answers) for element in node.elts]
    if isinstance(node, ast.UnaryOp):
        value = _eval(node.operand, answers)
        if isinstance(node.op, ast.Not):
            return not value
        return -value
    if isinstance(node, ast.BoolOp):
        values = (_eval(value, answers) for value in node.values)
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.Compare):
        left = _eval(node.left, answers)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = _eval(comparator, answers)
            if not _compare(op, left, right):
                return False
            left = right
        return True
    raise ConditionError(f"cannot evaluate {ast.dump(node)}")  # parse() prevents this


def _compare(op: ast.cmpop, left: Any, right: Any) -> bool:
    if left is None or right is None:
        return False
    if isinstance(op, (ast.In, ast.NotIn)):
        found = left in right if isinstance(right, (list, set, frozenset, tuple, str)) else False
        return found if isinstance(op, ast.In) else not found
    try:
        return bool(_COMPARE[type(op)](left, right))
    except TypeError:
        return False
