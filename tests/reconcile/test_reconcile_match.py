"""Matching records across systems (DESIGN §3 step 2; issue 3, item 2).

Evidence, strongest first: the contactsync key a record carries or a stored link, then
the E.164 phone with its extension, then the e-mail key, then the name key within the
customer, then keys from ``contactsync_match_keys`` plugins. A record that could be two
people is ``AMBIGUOUS_MATCH`` and is never merged; one person twice in one system is
``DUPLICATE_IN_SYSTEM``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from contactsync.findings import Code
from contactsync.models import Kind
from contactsync.plugins import PluginHost, hookimpl
from contactsync.reconcile.match import KnownPerson, match_customer
from contactsync.reconcile.records import Group
from reconcile_helpers import (
    Scenario,
    business,
    codes,
    contact,
    emergency,
    findings,
    ops,
    system_record,
)

PRIORITY = {"hub": 0, "branch": 1, "legacy": 2}


def match(
    host: PluginHost,
    records: list[Any],
    links: dict[tuple[str, str, str], str] | None = None,
    known: list[KnownPerson] | None = None,
) -> tuple[list[Group], list[Any], list[Any]]:
    return match_customer("C1", records, host, PRIORITY, links or {}, known or [])


def people(groups: list[Group]) -> list[set[str]]:
    """Each group as the set of its members' record ids, sorted for comparison."""
    return sorted(({m.record_id for m in g.members.values()} for g in groups), key=sorted)


# -- keys and links -----------------------------------------------------------------------


def test_a_carried_key_wins_over_every_other_evidence(host: PluginHost) -> None:
    hub = system_record("hub", contact(key="K1", name="张一", phones=["13800138001"]))
    # Another number, another e-mail, another name: but the same key.
    branch = system_record(
        "branch", contact(key="K1", name="张先生", phones=["13900139001"]), record_id="b1"
    )

    groups, notes, left = match(host, [hub, branch])

    assert [g.key for g in groups] == ["K1"]
    assert set(groups[0].members) == {"hub", "branch"}
    assert notes == [] and left == []


def test_a_stored_link_joins_a_record_that_lost_its_key(host: PluginHost) -> None:
    hub = system_record("hub", contact(key="K1", phones=["13800138001"]))
    branch = system_record("branch", contact(name="张先生", phones=["13900139001"]), record_id="b7")
    links = {("branch", "branch.emergency", "b7"): "K1"}

    groups, _, _ = match(host, [hub, branch], links)

    assert [(g.key, sorted(g.members)) for g in groups] == [("K1", ["branch", "hub"])]


def test_a_row_number_is_never_taken_as_a_link(host: PluginHost) -> None:
    hub = system_record("hub", contact(key="K1", name="张一", phones=["13800138001"]))
    row = system_record("legacy", contact(name="李二", phones=["13800138002"]), record_id="row:2")
    links = {("legacy", "legacy.emergency", "row:2"): "K1"}  # rows move: this says nothing

    groups, _, _ = match(host, [hub, row], links)

    assert len(groups) == 2


def test_two_keys_are_two_people_even_with_one_phone(host: PluginHost) -> None:
    one = system_record("hub", contact(key="K1", phones=["13800138001"]))
    two = system_record("branch", contact(key="K2", phones=["13800138001"]), record_id="b1")

    groups, _, _ = match(host, [one, two])

    assert [g.key for g in groups] == ["K1", "K2"]


# -- deterministic keys -------------------------------------------------------------------


@pytest.mark.parametrize(
    "written", ["+86 138 0013 8001", "0086-138-0013-8001", "138 0013 8001", "(+86)13800138001"]
)
def test_one_phone_written_differently_is_one_person(host: PluginHost, written: str) -> None:
    hub = system_record("hub", contact(key="K1", name="张一", phones=["+8613800138001"]))
    branch = system_record("branch", contact(name="张总", phones=[written]), record_id="b1")

    groups, notes, _ = match(host, [hub, branch])

    assert [(g.key, sorted(g.members)) for g in groups] == [("K1", ["branch", "hub"])]
    assert notes == []


def test_the_extension_is_part_of_the_phone_key(host: PluginHost) -> None:
    hub = system_record("hub", contact(key="K1", name="张一", phones=["021-5555 0003 转 12"]))
    same = system_record("branch", contact(name="张总", phones=["+86 21 5555 0003 ext 12"]),
                         record_id="b1")
    other = system_record("legacy", contact(name="李工", phones=["021 5555 0003 ext 13"]),
                          record_id="l1")

    groups, _, _ = match(host, [hub, same, other])

    assert people(groups) == [{"K1", "b1"}, {"l1"}]


def test_the_email_key_matches_when_no_phone_does(host: PluginHost) -> None:
    hub = system_record(
        "hub", contact(key="K1", phones=["13800138001"], email="Zhang.Yi@Example.com")
    )
    branch = system_record(
        "branch", contact(name="张总", phones=["13900139001"], email="zhang.yi@example.com"),
        record_id="b1",
    )

    groups, _, _ = match(host, [hub, branch])

    assert people(groups) == [{"K1", "b1"}]


def test_the_name_key_matches_within_the_customer_only(host: PluginHost) -> None:
    hub = system_record("hub", contact(key="K1", name="张 一", phones=["13800138001"]))
    branch = system_record("branch", contact(name="张一", phones=["13900139001"]), record_id="b1")
    elsewhere = system_record(
        "branch", contact(customer="C2", name="张一", phones=["13700137001"]), record_id="b2"
    )

    groups, _, _ = match(host, [hub, branch])
    assert people(groups) == [{"K1", "b1"}]

    groups_c2, _, _ = match_customer("C2", [elsewhere], host, PRIORITY, {})
    assert people(groups_c2) == [{"b2"}]  # never joined to C1's 张一


def test_an_earlier_tier_decides_before_a_later_one_is_looked_at(host: PluginHost) -> None:
    by_phone = system_record("hub", contact(key="K1", name="张一", phones=["13800138001"]))
    by_email = system_record(
        "hub", contact(key="K2", name="李二", phones=["13800138002"], email="x@example.com")
    )
    # Its phone says K1, its e-mail says K2: the phone is the stronger evidence.
    record = system_record(
        "branch", contact(name="王三", phones=["13800138001"], email="x@example.com"),
        record_id="b1",
    )

    groups, notes, left = match(host, [by_phone, by_email, record])

    assert people(groups) == [{"K1", "b1"}, {"K2"}]
    assert notes == [] and left == []


def test_emergency_and_business_contacts_never_match_each_other(host: PluginHost) -> None:
    urgent = system_record("hub", contact(key="K1", phones=["13800138001"]))
    daily = system_record("branch", contact(Kind.BUSINESS, phones=["13800138001"]), record_id="b1")

    groups, _, _ = match(host, [urgent, daily])

    assert sorted((g.kind.value, g.key) for g in groups)[1][0] == "emergency"
    assert len(groups) == 2


class WechatKey:
    """A plugin match key: the WeChat id."""

    @hookimpl
    def contactsync_match_keys(self, contact: Any) -> list[str]:
        return [f"wechat:{contact.wechat_id}"] if contact.wechat_id else []


def test_a_plugin_match_key_joins_what_the_built_in_keys_do_not() -> None:
    host = PluginHost(extra_plugins=[("wechat", WechatKey())])
    hub = system_record("hub", contact(key="K1", name="张一", phones=["13800138001"],
                                       wechat_id="zhangyi88"))
    branch = system_record("branch", contact(name="张总", phones=["13900139001"],
                                             wechat_id="zhangyi88"), record_id="b1")

    groups, _, _ = match(host, [hub, branch])
    assert people(groups) == [{"K1", "b1"}]

    plain, _, _ = match(PluginHost(), [hub, branch])
    assert people(plain) == [{"K1"}, {"b1"}]


# -- ambiguity and duplicates -------------------------------------------------------------


def test_a_record_that_could_be_two_people_is_ambiguous_and_never_merged(
    host: PluginHost,
) -> None:
    one = system_record("hub", contact(key="K1", name="张一", phones=["13800138001"]))
    two = system_record("hub", contact(key="K2", name="李二", phones=["13800138002"]))
    both = system_record(
        "branch", contact(name="王三", phones=["13800138001", "13800138002"]), record_id="b1"
    )

    groups, notes, left = match(host, [one, two, both])

    assert people(groups) == [{"K1"}, {"K2"}]
    (ambiguous,) = notes
    assert ambiguous.code is Code.AMBIGUOUS_MATCH
    assert ambiguous.details["candidates"] == ["K1", "K2"]
    assert ambiguous.records == ("branch/branch.emergency/b1", "hub/hub.emergency/K1",
                                 "hub/hub.emergency/K2")
    assert left == [both]


def test_one_person_twice_in_one_system_is_reported_and_the_first_kept(host: PluginHost) -> None:
    hub = system_record("hub", contact(key="K1", phones=["13800138001"]))
    first = system_record("branch", contact(name="张一", phones=["138 0013 8001"]), record_id="b1")
    again = system_record("branch", contact(name="张一", phones=["13800138001"]), record_id="b2")

    groups, notes, left = match(host, [hub, again, first])

    assert people(groups) == [{"K1", "b1"}]
    (duplicate,) = notes
    assert duplicate.code is Code.DUPLICATE_IN_SYSTEM
    assert duplicate.records == ("branch/branch.emergency/b1", "branch/branch.emergency/b2")
    assert left == [again]


def test_the_grouping_does_not_depend_on_the_order_records_come_in(host: PluginHost) -> None:
    records = [
        system_record("hub", contact(key="K1", name="张一", phones=["13800138001"])),
        system_record("branch", contact(name="张一", phones=["13900139001"]), record_id="b1"),
        system_record("legacy", contact(name="张总", phones=["13900139001"]), record_id="row:3"),
        system_record("legacy", contact(name="李二", phones=["13700137001"]), record_id="row:4"),
    ]

    forward, _, _ = match(host, records)
    backward, _, _ = match(host, list(reversed(records)))

    assert [(g.key, people([g])) for g in forward] == [(g.key, people([g])) for g in backward]


def test_an_unkeyed_record_of_a_quarantined_person_joins_it(host: PluginHost) -> None:
    held = contact(key="Q1", name="赵六", phones=["13800138006"])
    row = system_record("legacy", contact(name="赵六", phones=["138-0013-8006"]), record_id="row:5")

    groups, _, _ = match(host, [row], known=[KnownPerson.of("Q1", held)])

    assert [(g.key, sorted(g.members)) for g in groups] == [("Q1", ["legacy"])]
    # A quarantined person no system holds is no group at all.
    alone, _, _ = match(host, [], known=[KnownPerson.of("Q1", held)])
    assert alone == []


# -- end to end ---------------------------------------------------------------------------


def test_across_three_systems_one_person_is_synced_once_everywhere(
    scenario: Callable[..., Scenario],
) -> None:
    built: Scenario = scenario()
    built.hub([emergency("C1", "张一", "+8613800138001", key="h1", priority=1)])
    built.csv("branch", [emergency("C1", "张一", "138 0013 8001", priority=1,
                                   email="Zhang@Example.com")])
    built.legacy("legacy", [emergency("C1", "张总", "0086 138-0013-8001", priority=1)])

    result, _ = built.sync()

    assert [sorted(g.members) for g in result.groups] == [["branch", "hub", "legacy"]]
    assert ops(result, action="create") == []
    assert [row["contactsync_key"] for row in built.raw_rows("branch", Kind.EMERGENCY)] == ["h1"]
    assert built.plan().plan.empty


def test_an_ambiguous_record_is_written_nowhere_and_accounted_as_reported(
    scenario: Callable[..., Scenario],
) -> None:
    built: Scenario = scenario()
    built.hub([
        emergency("C1", "张一", "13800138001", key="h1", priority=1),
        emergency("C1", "李二", "13800138002", key="h2", priority=2),
    ])
    built.csv("branch", [emergency("C1", "王三", "13800138001", priority=3).but(
        phones=("13800138001", "13800138002"))])

    result = built.plan()

    assert "AMBIGUOUS_MATCH" in codes(result)
    assert ops(result, system="hub", action="create") == []
    assert all(op.values.get("name") != "王三" for op in result.plan.operations)
    accounting = result.plan.accounting
    assert accounting["reported"] == 1 and accounting["synced"] == 2


def test_a_duplicate_within_a_system_is_reported_and_not_copied(
    scenario: Callable[..., Scenario],
) -> None:
    built: Scenario = scenario()
    built.hub([emergency("C1", "张一", "13800138001", key="h1", priority=1)])
    built.csv("branch", [
        business("C1", "王五", "13900139000", email="wang@example.com"),
        business("C1", "王五", "139 0013 9000", email="WANG@example.com"),
    ])

    result, _ = built.sync()

    (duplicate,) = findings(result, "DUPLICATE_IN_SYSTEM")
    assert duplicate.records == ("branch/branch/business.csv/row 2",
                                 "branch/branch/business.csv/row 3")
    assert [row["name"] for row in built.raw_rows("hub", Kind.BUSINESS)] == ["王五"]
    assert result.plan.accounting["reported"] == 1
