"""Property: any text written through the connector reads back unchanged."""

from __future__ import annotations

import tempfile
from pathlib import Path

from connector_helpers import create, csv_connector, records
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contactsync.models import Kind
from contactsync_csv.cells import neutralise, unneutralise

TRICKY = ["=", "+86", "-", "@", "\t", "\r", "\n", "\r\n", '"', "'", "''=", ",", ";", "张", "，"]
cell_text = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=12),
    st.lists(st.sampled_from(TRICKY), max_size=5).map("".join),
)
# The xlsx format cannot hold these control characters (a push refuses them).
XML_ILLEGAL = "".join(chr(c) for c in [*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
xlsx_text = st.text(
    st.characters(exclude_categories=("Cs",), exclude_characters=XML_ILLEGAL), max_size=12
) | st.lists(st.sampled_from(TRICKY), max_size=5).map("".join)
keys = st.lists(
    st.from_regex(r"[a-z0-9][a-z0-9-]{0,8}", fullmatch=True), min_size=1, max_size=4, unique=True
)


@given(st.text())
def test_unneutralise_undoes_neutralise(text: str) -> None:
    assert unneutralise(neutralise(text)) == text
    written = neutralise(text)
    assert written[:1] not in ("=", "+", "-", "@", "\t", "\r")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    keys,
    st.data(),
    st.sampled_from(["utf-8", "gb18030", "auto"]),
    st.sampled_from([",", ";", "\t"]),
)
def test_csv_round_trip(
    key_list: list[str], data: st.DataObject, encoding: str, delimiter: str
) -> None:
    rows = {key: {"a": data.draw(cell_text), "b": data.draw(cell_text)} for key in key_list}
    with tempfile.TemporaryDirectory() as folder:
        connector = csv_connector(
            Path(folder), "c.csv", "key", ["a", "b"], encoding=encoding, delimiter=delimiter
        )
        results = list(connector.push(Kind.BUSINESS, [create(k, v) for k, v in rows.items()]))
        assert all(r.ok for r in results), results
        fresh = csv_connector(
            Path(folder), "c.csv", "key", ["a", "b"], encoding=encoding, delimiter=delimiter
        )
        got = {r.record_id: dict(r.values) for r in records(fresh.pull(Kind.BUSINESS))}
    assert got == {key: {"key": key, **values} for key, values in rows.items()}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(keys, st.data())
def test_xlsx_round_trip(key_list: list[str], data: st.DataObject) -> None:
    rows = {key: {"a": data.draw(xlsx_text), "b": data.draw(xlsx_text)} for key in key_list}
    with tempfile.TemporaryDirectory() as folder:
        connector = csv_connector(Path(folder), "c.xlsx", "key", ["a", "b"])
        results = list(connector.push(Kind.BUSINESS, [create(k, v) for k, v in rows.items()]))
        assert all(r.ok for r in results), results
        got = {r.record_id: dict(r.values) for r in records(connector.pull(Kind.BUSINESS))}
    expected = {
        key: {"key": key, **{name: value or None for name, value in values.items()}}
        for key, values in rows.items()
    }
    assert got == expected
