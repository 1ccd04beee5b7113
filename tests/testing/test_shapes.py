"""Shape comparison of emulator answers with recorded vendor answers."""

from __future__ import annotations

import pytest

from contactsync.testing.shapes import assert_same_shape, shape_differences

REAL = {"records": [{"id": "a1", "fields": {"n": 1, "ok": True}, "note": None}], "next": "c"}


def test_same_shape_with_other_values() -> None:
    ours = {"records": [{"id": "z9", "fields": {"n": 2.5, "ok": False}, "note": "x"}], "next": None}
    assert shape_differences(ours, REAL) == []


def test_missing_extra_and_mistyped_keys_are_named() -> None:
    ours = {"records": [{"id": 7, "fields": {"ok": "yes"}, "note": None, "extra": 1}], "next": "c"}
    assert shape_differences(ours, REAL) == [
        "$.records[0].extra: not sent by the vendor",
        "$.records[0].fields.n: missing (the vendor sends it)",
        "$.records[0].fields.ok: string where the vendor sends boolean",
        "$.records[0].id: number where the vendor sends string",
    ]
    assert shape_differences(ours, REAL, optional=["extra", "n"])[0].startswith(
        "$.records[0].fields.ok"
    )


def test_assert_same_shape_raises_with_the_list() -> None:
    with pytest.raises(AssertionError, match=r"\$\.next: array"):
        assert_same_shape({"records": [], "next": []}, REAL)


def test_a_list_item_may_take_the_shape_of_any_recorded_item() -> None:
    real = {"results": [{"ok": True, "id": "1"}, {"ok": False, "errors": [{"code": "X"}]}]}
    ours = {"results": [{"ok": False, "errors": [{"code": "Y"}]}, {"ok": True, "id": "2"}]}
    assert shape_differences(ours, real) == []
    assert shape_differences({"results": [{"ok": True}]}, real) == [
        "$.results[0].id: missing (the vendor sends it)"
    ]
