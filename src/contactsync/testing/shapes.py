"""Comparing an emulator's answers with the vendor's real ones, by shape.

An emulator must speak the vendor's true shapes: the same keys, the same JSON types,
the same status codes and error bodies. ``shape_differences(actual, recorded)`` lists
where an emulator's JSON differs from a recorded real response; values themselves are
not compared (ids, dates and names differ by nature).

Rules: objects must have the same keys (``optional`` keys may be missing from either
side); each item of a list must have the shape of one of the recorded list's items (a
list of results may mix successes and errors); ``int`` and ``float`` are both numbers;
``null`` on either side matches anything (a field the example happened to leave empty).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def _type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def shape_differences(
    actual: Any, recorded: Any, *, optional: Iterable[str] = (), path: str = "$"
) -> list[str]:
    """Where ``actual`` (the emulator's JSON) differs in shape from ``recorded`` (real)."""
    optional = frozenset(optional)
    kinds = _type(actual), _type(recorded)
    if "null" in kinds:
        return []
    if kinds[0] != kinds[1]:
        return [f"{path}: {kinds[0]} where the vendor sends {kinds[1]}"]
    if isinstance(recorded, dict):
        found: list[str] = []
        for key in sorted(set(recorded) - set(actual) - optional):
            found.append(f"{path}.{key}: missing (the vendor sends it)")
        for key in sorted(set(actual) - set(recorded) - optional):
            found.append(f"{path}.{key}: not sent by the vendor")
        for key in sorted(set(actual) & set(recorded)):
            found += shape_differences(
                actual[key], recorded[key], optional=optional, path=f"{path}.{key}"
            )
        return found
    if isinstance(recorded, list) and recorded:
        found = []
        for index, item in enumerate(actual):
            here = f"{path}[{index}]"
            options: list[list[str]] = [
                shape_differences(item, r, optional=optional, path=here) for r in recorded
            ]
            closest: list[str] = min(options, key=len)
            found += closest
        return found
    return []


def assert_same_shape(actual: Any, recorded: Any, *, optional: Iterable[str] = ()) -> None:
    """Raise ``AssertionError`` listing every shape difference."""
    found = shape_differences(actual, recorded, optional=optional)
    if found:
        raise AssertionError(
            "the emulator's answer differs from the vendor's:\n" + "\n".join(found)
        )


__all__ = ["assert_same_shape", "shape_differences"]
