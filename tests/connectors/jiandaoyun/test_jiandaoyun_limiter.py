"""The client-side rate limiter: never more calls in any one-second window than the
documented rate allows (per interface and in total), waiting through the injected sleep."""

from __future__ import annotations

from bisect import bisect_left

from hypothesis import given, settings
from hypothesis import strategies as st
from jiandaoyun_helpers import FakeTime

from contactsync_jiandaoyun.limiter import DOCUMENTED_RATES, GLOBAL_RATE, RateLimiter, allowance

ENDPOINTS = sorted(DOCUMENTED_RATES)


def most_in_a_window(times: list[float]) -> int:
    """The most calls any half-open one-second window (t - 1, t] holds."""
    ordered = sorted(times)
    return max(
        (i + 1 - bisect_left(ordered, t - 1.0 + 1e-9) for i, t in enumerate(ordered)), default=0
    )


@settings(max_examples=60, deadline=None)
@given(
    calls=st.lists(
        st.tuples(st.sampled_from(ENDPOINTS), st.floats(min_value=0, max_value=0.3)),
        min_size=1,
        max_size=150,
    ),
    share=st.sampled_from([0.5, 0.8, 1.0]),
)
def test_no_window_ever_holds_more_than_the_allowance(
    calls: list[tuple[str, float]], share: float
) -> None:
    time = FakeTime()
    limiter = RateLimiter(share, clock=time.clock, sleep=time.sleep)
    sent: dict[str, list[float]] = {}
    every: list[float] = []
    for endpoint, pause in calls:
        time.now += pause
        limiter.acquire(endpoint)
        sent.setdefault(endpoint, []).append(time.now)
        every.append(time.now)
    for endpoint, times in sent.items():
        assert most_in_a_window(times) <= allowance(DOCUMENTED_RATES[endpoint], share)
        assert allowance(DOCUMENTED_RATES[endpoint], share) <= DOCUMENTED_RATES[endpoint]
    assert most_in_a_window(every) <= allowance(GLOBAL_RATE, share) <= GLOBAL_RATE


def test_calls_under_the_allowance_never_wait() -> None:
    time = FakeTime()
    limiter = RateLimiter(0.8, clock=time.clock, sleep=time.sleep)
    for _ in range(8):  # batch_create: 10/s documented, 8 at 0.8
        limiter.acquire("app/entry/data/batch_create")
    assert time.slept == []
    limiter.acquire("app/entry/data/batch_create")
    assert time.slept == [1.0]  # the ninth waits until the first leaves the window
    assert limiter.waited == 1.0


def test_the_company_limit_binds_across_interfaces() -> None:
    time = FakeTime()
    limiter = RateLimiter(1.0, clock=time.clock, sleep=time.sleep)
    for endpoint in ["app/entry/data/list"] * 30 + ["app/entry/data/get"] * 20:
        limiter.acquire(endpoint)
    assert time.slept == []  # 50 calls: exactly the company's 50/s
    limiter.acquire("app/entry/widget/list")
    assert sum(time.slept) == 1.0


def test_the_documented_rates_are_those_of_the_v5_pages() -> None:
    assert DOCUMENTED_RATES["app/entry/data/list"] == 30
    assert DOCUMENTED_RATES["app/entry/data/batch_create"] == 10
    assert DOCUMENTED_RATES["app/entry/data/update"] == 20
    assert DOCUMENTED_RATES["app/entry/data/batch_delete"] == 10
    assert DOCUMENTED_RATES["app/entry/widget/list"] == 30
    assert GLOBAL_RATE == 50
