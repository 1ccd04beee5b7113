"""The org's API credits (``X-RATELIMIT-*``): the run stops cleanly at ``quota_share``."""

from __future__ import annotations

from typing import Any

import pytest
from requests.structures import CaseInsensitiveDict
from zoho_helpers import records, seed

from contactsync.errors import QuotaExhausted
from contactsync.models import Kind
from contactsync.quota import ApiUsage, BudgetSpent
from contactsync_zoho.client import rate_limit_usage
from contactsync_zoho.emulator import RunningOrg


@pytest.mark.parametrize(
    ("headers", "usage"),
    [
        ({"X-RATELIMIT-LIMIT": "5000", "X-RATELIMIT-REMAINING": "4200"}, ApiUsage(800, 5000)),
        ({"x-ratelimit-limit": " 10 ", "x-ratelimit-remaining": "0"}, ApiUsage(10, 10)),
        ({"X-RATELIMIT-LIMIT": "5000"}, None),
        ({"X-RATELIMIT-LIMIT": "lots", "X-RATELIMIT-REMAINING": "1"}, None),
        ({"X-RATELIMIT-LIMIT": "10", "X-RATELIMIT-REMAINING": "11"}, None),
        ({"X-RATELIMIT-LIMIT": "0", "X-RATELIMIT-REMAINING": "0"}, None),
        ({}, None),
    ],
)
def test_credits_are_read_only_from_figures_that_make_sense(
    headers: dict[str, str], usage: ApiUsage | None
) -> None:
    assert rate_limit_usage(CaseInsensitiveDict(headers)) == usage


def test_every_emulated_answer_carries_the_org_figures(org: RunningOrg, connect: Any) -> None:
    connector = connect()
    seed(connector, Kind.EMERGENCY, 2)
    used = org.crm.credits_used
    assert connector.client.quota.usage == ApiUsage(used, org.crm.credit_limit)


def test_a_pull_stops_before_the_call_past_the_share(org: RunningOrg, connect: Any) -> None:
    writer = connect()
    seed(writer, Kind.EMERGENCY, 9)
    org.crm.credit_limit = org.crm.credits_used + 10
    reader = connect(page_size=2, quota_share=0.5)
    before = org.crm.credits_used
    pages = []
    with pytest.raises(BudgetSpent) as stopped:
        for page in reader.pull(Kind.EMERGENCY):
            pages.append(page)
    error = stopped.value
    assert isinstance(error, QuotaExhausted)
    assert error.usage is not None and error.usage.share >= 0.5
    assert "quota_share" in str(error) and "API credits" in str(error)
    # Stopped at the share, well before the org's own limit refused anything.
    assert org.crm.credits_used < org.crm.credit_limit
    assert org.crm.credits_used - before >= 1
    assert all(status != 429 for _, status in ((r.path, r.status)
                                                 for r in org.crm_server.requests))
    assert len(records(pages)) < 9


def test_with_credits_left_the_whole_pull_goes_through(org: RunningOrg, connect: Any) -> None:
    writer = connect()
    seed(writer, Kind.EMERGENCY, 9)
    org.crm.credit_limit = org.crm.credits_used + 100
    reader = connect(page_size=2, quota_share=0.9)
    assert len(records(list(reader.pull(Kind.EMERGENCY)))) == 9


def test_spent_credits_answer_429_and_stop_the_run(org: RunningOrg, connect: Any) -> None:
    connector = connect(quota_share=1.0)
    org.crm.credit_limit = org.crm.credits_used  # another integration spent them
    with pytest.raises(QuotaExhausted):
        list(connector.pull(Kind.EMERGENCY))
    assert any(r.status == 429 for r in org.crm_server.requests)
