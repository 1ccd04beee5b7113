"""The connector replaying cassettes recorded against the emulator (``record_mode="none"``).

Replaying (the default) no emulator runs and nothing leaves the process: every answer
comes from ``cassettes/jiandaoyun/``. To record them afresh against the emulator, run::

    CONTACTSYNC_RECORD=1 .venv/bin/python -m pytest \
        tests/connectors/jiandaoyun/test_jiandaoyun_cassettes.py

Cassettes keep no Authorization header, no API key and only fake people (the kit's
scrubbers and guard); the last test checks that of these files.
"""

from __future__ import annotations

from jiandaoyun_helpers import (
    CASSETTES,
    FakeTime,
    create,
    emergency_values,
    keys,
    make_connector,
    seeded_emulator,
)

from contactsync.connector import WriteOp
from contactsync.models import Kind
from contactsync.testing.cassettes import (
    Scrubber,
    emulator_cassette,
    find_cassettes,
    scan_cassette,
)
from contactsync.testing.cassettes.pii import NAME_KEYS
from contactsync_jiandaoyun.emulator import TEST_API_KEY, JiandaoyunEmulator

# In widget/list "name" is a field's name (its alias or widget id), not a person's: the
# default scrubber would rename the fields. The people in these cassettes are fakes.
SCRUBBER = Scrubber(name_keys=NAME_KEYS - {"name"})


def failing_emulator() -> JiandaoyunEmulator:
    app = seeded_emulator()
    app.fail_next("data/batch_create", 8303, 8304)
    app.fail_next("data/list", 9007)
    return app


def test_a_sync_round_replays_from_its_cassette() -> None:
    time = FakeTime()
    with emulator_cassette(
        CASSETTES / "sync_round.yaml", seeded_emulator, scrubber=SCRUBBER
    ) as url:
        connector = make_connector(f"{url}/api", time, page_size=2)
        made = list(connector.push(Kind.EMERGENCY, [
            create(f"k{i}", emergency_values(i, name=name))
            for i, name in enumerate(["测试甲", "张示例", "李样例"])
        ]))  # fmt: skip
        assert all(r.ok for r in made)
        full = list(connector.pull(Kind.EMERGENCY))
        assert keys(full) == ["k0", "k1", "k2"] and full[-1].complete
        unchanged = list(connector.pull(Kind.EMERGENCY, full[-1].cursor))
        assert [len(p.records) for p in unchanged] == [0]  # dataModifyTime: skipped
        update = WriteOp("update", "k1", {"role": "董事长"}, made[1].record_id, "update:k1")
        assert next(iter(connector.push(Kind.EMERGENCY, [update]))).ok
        changed = list(connector.pull(Kind.EMERGENCY, full[-1].cursor))
        by_key = {r.values["contactsync_key"]: r.values for p in changed for r in p.records}
        assert by_key["k1"]["role"] == "董事长" and by_key["k1"]["name"] == "张示例"
        gone = WriteOp("archive", "k2", {}, made[2].record_id, "archive:k2")
        assert next(iter(connector.push(Kind.EMERGENCY, [gone]))).ok
        assert keys(list(connector.pull(Kind.EMERGENCY))) == ["k0", "k1"]
    assert time.slept == []


def test_rate_limit_errors_replay_and_are_retried() -> None:
    time = FakeTime()
    with emulator_cassette(
        CASSETTES / "rate_limited.yaml", failing_emulator, scrubber=SCRUBBER
    ) as url:
        connector = make_connector(f"{url}/api", time)
        results = list(connector.push(Kind.BUSINESS, [
            create("b1", {"customer": "C002", "name": "王测试", "phone": "+8613800138123",
                          "title": "采购经理", "department": "采购部", "contact_type": "采购",
                          "tags": "重点客户,华东"}),
        ]))  # fmt: skip
        assert [r.ok for r in results] == [True]
        [record] = [r for p in connector.pull(Kind.BUSINESS) for r in p.records]
        assert record.values["name"] == "王测试" and record.values["customer"] == "C002"
    assert len(time.slept) == 3 and min(time.slept) >= 1.0  # 9007, 8303, 8304


def test_the_cassettes_hold_no_secret_and_no_real_person() -> None:
    files = find_cassettes([CASSETTES])
    assert {f.name for f in files} >= {"sync_round.yaml", "rate_limited.yaml"}
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert TEST_API_KEY not in text
        assert "Bearer" not in text
        assert scan_cassette(path) == []
