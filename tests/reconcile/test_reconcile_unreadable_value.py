"""A required value that is there but cannot be read is reported as such, not as missing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reconcile_helpers import Scenario, emergency, findings


def test_an_unreadable_time_limit_is_named_with_its_value_not_called_missing(
    scenario: Callable[..., Scenario],
) -> None:
    built: Scenario = scenario()
    built.hub([])
    minutes: Any = "abc"
    built.csv("branch", [emergency("C1", "张一", "13800138001", response_minutes=minutes)])

    result = built.plan()

    assert findings(result, "MISSING_FIELD") == []
    (invalid,) = [f for f in findings(result, "INVALID_RECORD")
                  if "response_time_limit" in f.message]
    assert "'abc' is not a number of minutes" in invalid.message
    assert "branch/" in invalid.message and "row 2" in invalid.message


def test_a_value_truly_missing_is_still_called_missing(
    scenario: Callable[..., Scenario],
) -> None:
    built: Scenario = scenario()
    built.hub([])
    built.csv("branch", [emergency("C1", "张一", "13800138001", response_minutes=None)])

    (missing,) = findings(built.plan(), "MISSING_FIELD")
    assert "response_time_limit" in missing.message
    assert "required field is missing" in missing.message
