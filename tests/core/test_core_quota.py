"""The quota gate: the vendor's org-wide figures, and the share a run may use."""

from __future__ import annotations

import pytest

from contactsync.errors import QuotaExhausted
from contactsync.quota import ApiUsage, BudgetSpent, QuotaGate


def test_no_figures_yet_lets_every_call_through() -> None:
    QuotaGate(0.5).check("GET /Contacts")


def test_the_call_at_the_share_is_refused_naming_figures_and_setting() -> None:
    gate = QuotaGate(0.8, setting="quota_share", window="a rolling 24 hours")
    gate.observe(ApiUsage(79, 100))
    gate.check("GET /Contacts")
    gate.observe(ApiUsage(80, 100))
    with pytest.raises(BudgetSpent) as caught:
        gate.check("GET /Contacts", "API credits")
    error = caught.value
    assert isinstance(error, QuotaExhausted)
    assert error.usage == ApiUsage(80, 100) and error.share == 0.8
    text = str(error)
    assert "GET /Contacts" in text and "80/100 (80%)" in text and "API credits" in text
    assert "quota_share" in text and "a rolling 24 hours" in text


def test_share_one_spends_everything_and_zero_stops_at_the_first_figures() -> None:
    full = QuotaGate(1.0)
    full.observe(ApiUsage(99, 100))
    full.check("call")
    full.observe(ApiUsage(100, 100))
    with pytest.raises(BudgetSpent):
        full.check("call")
    none = QuotaGate(0.0)
    none.observe(ApiUsage(0, 100))
    with pytest.raises(BudgetSpent):
        none.check("call")


def test_a_zero_total_says_nothing_and_a_bad_share_is_refused() -> None:
    gate = QuotaGate(0.5)
    gate.observe(ApiUsage(0, 0))
    gate.check("call")
    with pytest.raises(ValueError, match=r"0\.\.1"):
        QuotaGate(1.5)
