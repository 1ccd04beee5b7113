"""The plugin host: built-ins as plugins, validation at load, broken plugins, the env switches."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from contactsync.connector import Capabilities, Connector, ConnectorContext, ConnectorSpec
from contactsync.models import Kind, Phone, PhoneKind
from contactsync.plugins import LOAD_ENV, TRACE_ENV, PluginHost, get_host, hookimpl
from contactsync.policies.builtin import BUILTIN_POLICIES

FakeDist = Callable[..., Path]  # the fake_dist fixture (tests/core/conftest.py)

# At least these; the vendor connectors of the contactsync distribution are built-ins too.
BUILTIN_PLUGINS = {"contactsync.normalize.plugin", "contactsync.policies.builtin", "csv", "sqlite"}

# A plugin module as a third party would write it: one connector, nothing else.
CONNECTOR_MODULE = """
from contactsync.connector import Capabilities, Connector, ConnectorContext, ConnectorSpec
from contactsync.models import Kind
from contactsync.plugins import hookimpl

__version__ = "9.9"


def build(context):
    raise NotImplementedError


@hookimpl
def contactsync_register_connectors(register):
    register(ConnectorSpec(
        name="{connector}",
        factory=build,
        capabilities=Capabilities(kinds=frozenset({{Kind.BUSINESS}}), batch_size=50),
        default_mapping="{connector}.toml",
        description="a test connector",
    ))
"""


def connector_module(connector: str) -> str:
    return CONNECTOR_MODULE.format(connector=connector)


def never_built(context: ConnectorContext) -> Connector:
    raise AssertionError("the host validates specs; it never builds a connector")


def spec(
    name: str, kinds: frozenset[Kind] = frozenset({Kind.EMERGENCY}), batch: int = 100
) -> ConnectorSpec:
    return ConnectorSpec(
        name=name,
        factory=never_built,
        capabilities=Capabilities(kinds=kinds, batch_size=batch),
        default_mapping=f"{name}.toml",
    )


class Registers:
    """An in-process plugin registering the given connector specs (or anything)."""

    def __init__(self, *items: Any) -> None:
        self.items = items

    @hookimpl
    def contactsync_register_connectors(self, register: Callable[[Any], None]) -> None:
        for item in self.items:
            register(item)


def errors_of(host: PluginHost) -> dict[str, str]:
    return {error.name: error.error for error in host.load_errors}


# ---------------------------------------------------------------------------------------
# built-ins are plugins
# ---------------------------------------------------------------------------------------


def test_builtins_are_registered_as_plugins() -> None:
    host = PluginHost()
    info = {plugin.name: plugin for plugin in host.plugins()}
    assert set(info) >= BUILTIN_PLUGINS
    for name in BUILTIN_PLUGINS:
        assert info[name].builtin
        assert info[name].distribution == "contactsync"
    assert info["contactsync.policies.builtin"].hooks == ("contactsync_register_policies",)
    assert "contactsync_normalize_phone" in info["contactsync.normalize.plugin"].hooks
    assert host.load_errors == []


def test_the_builtin_policies_come_from_their_plugin() -> None:
    host = PluginHost(entry_points=False)
    assert [policy.name for policy in host.policies()] == [p.name for p in BUILTIN_POLICIES]
    host.pm.unregister(name="contactsync.policies.builtin")
    assert PluginHost(entry_points=False).policies()  # a fresh host has them again


def test_plugins_are_listed_sorted_by_name() -> None:
    names = [plugin.name for plugin in PluginHost().plugins()]
    assert names == sorted(names)


def test_the_default_host_is_built_once() -> None:
    assert get_host() is get_host()


# ---------------------------------------------------------------------------------------
# check_pending: a misspelt hook fails loudly, the others still load
# ---------------------------------------------------------------------------------------


class Misspelt:
    """British spelling of ``contactsync_normalize_phone``, and one correct hook."""

    @hookimpl
    def contactsync_normalise_phone(self, raw: str, region: str) -> Phone:
        return Phone(raw=raw, e164="+10000000000")

    @hookimpl
    def contactsync_name_key(self, name: str) -> str:
        return "misspelt"


class GoodNames:
    @hookimpl
    def contactsync_name_key(self, name: str) -> str | None:
        return "good" if name == "x" else None


def test_a_misspelt_hook_is_reported_by_plugin_name_and_the_others_load() -> None:
    host = PluginHost(
        extra_plugins=[("misspelt", Misspelt()), ("good", GoodNames())], entry_points=False
    )
    errors = errors_of(host)
    assert set(errors) == {"misspelt"}
    assert "unknown hook 'contactsync_normalise_phone'" in errors["misspelt"]
    assert "misspelt" not in {plugin.name for plugin in host.plugins()}
    assert "good" in {plugin.name for plugin in host.plugins()}
    # Nothing of the refused plugin stays registered, not even its correctly named hook.
    assert host.name_key("x") == "good"
    assert host.name_key("张 三") == "张三"
    assert host.pm.get_plugin("misspelt") is None


class WrongArgument:
    @hookimpl
    def contactsync_normalize_phone(self, raw: str, country: str) -> Phone:
        return Phone(raw=raw, e164="+10000000000")


def test_a_hook_asking_for_an_argument_the_spec_lacks_is_reported() -> None:
    host = PluginHost(extra_plugins=[("wrong", WrongArgument())], entry_points=False)
    assert "'country'" in errors_of(host)["wrong"]
    assert host.normalize_phone("13800138000", "CN").e164 == "+8613800138000"


def test_the_load_error_is_one_line_without_the_plugins_repr() -> None:
    host = PluginHost(extra_plugins=[("misspelt", Misspelt())], entry_points=False)
    (error,) = host.load_errors
    assert "\n" not in error.error
    assert "<" not in error.error  # pluggy's "in plugin <object at 0x...>" is dropped


# ---------------------------------------------------------------------------------------
# broken third-party plugins
# ---------------------------------------------------------------------------------------


def test_a_plugin_whose_import_raises_is_reported_and_others_load(
    fake_dist: FakeDist, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_dist("acme-broken", "0.1", {"broken": "acme_broken_mod"}, {
        "acme_broken_mod": "raise RuntimeError('the vendor SDK is not installed')\n"
    })
    fake_dist("acme-fine", "2.0.1", {"fine": "acme_fine_mod"}, {
        "acme_fine_mod": connector_module("acme"),
    })
    monkeypatch.setenv(LOAD_ENV, "broken,fine")
    host = PluginHost()
    (error,) = host.load_errors
    assert (error.name, error.distribution) == ("broken", "acme-broken")
    assert error.error == "RuntimeError: the vendor SDK is not installed"
    assert {"acme", "csv", "sqlite"} <= set(host.connectors())
    info = {plugin.name: plugin for plugin in host.plugins()}
    assert (info["fine"].distribution, info["fine"].version) == ("acme-fine", "2.0.1")
    assert not info["fine"].builtin


def test_a_plugin_that_exits_at_import_does_not_stop_the_host(
    fake_dist: FakeDist, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_dist("acme-exit", "0.1", {"exits": "acme_exit_mod"}, {
        "acme_exit_mod": "import sys\nsys.exit('no licence')\n"
    })
    monkeypatch.setenv(LOAD_ENV, "exits")
    host = PluginHost()
    assert errors_of(host) == {"exits": "SystemExit: no licence"}
    assert {"csv", "sqlite"} <= set(host.connectors())


def test_an_entry_point_naming_a_missing_module_is_reported(
    fake_dist: FakeDist, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_dist("acme-typo", "0.1", {"typo": "acme_no_such_module"}, {})
    monkeypatch.setenv(LOAD_ENV, "typo")
    assert "ModuleNotFoundError" in errors_of(PluginHost())["typo"]


class RaisesWhileRegistering:
    @hookimpl
    def contactsync_register_connectors(self, register: Callable[[Any], None]) -> None:
        register(spec("half"))
        raise KeyError("vendor region")


@pytest.mark.parametrize(
    ("plugin", "message"),
    [
        (RaisesWhileRegistering(), "KeyError: 'vendor region'"),
        (Registers("not a spec"), "register() takes a ConnectorSpec, not str"),
        (Registers(spec("bad name!")), "connector name 'bad name!' must be letters, digits"),
        (Registers(spec("nokinds", kinds=frozenset())), "capabilities must name at least one kind"),
        (Registers(spec("tiny", batch=0)), "batch_size must be at least 1"),
        (
            Registers(ConnectorSpec("nofactory", None, Capabilities(frozenset(Kind)), "x")),  # type: ignore[arg-type]  # not callable: the point
            "factory is not callable",
        ),
    ],
)
def test_a_broken_register_function_is_reported_and_registers_nothing(
    plugin: object, message: str
) -> None:
    host = PluginHost(extra_plugins=[("acme", plugin), ("other", Registers(spec("other")))])
    connectors = host.connectors()
    assert message in errors_of(host)["acme"]
    assert "half" not in connectors  # nothing of a failed registration is kept
    assert {"csv", "sqlite", "other"} <= set(connectors)


class RegistersPolicies:
    def __init__(self, *policies: Any, fail: bool = False) -> None:
        self.items, self.fail = policies, fail

    @hookimpl
    def contactsync_register_policies(self, register: Callable[[Any], None]) -> None:
        for policy in self.items:
            register(policy)
        if self.fail:
            raise RuntimeError("policy store offline")


class NamedPolicy:
    codes = ()

    def __init__(self, name: str) -> None:
        self.name = name

    def evaluate(self, draft: Any, context: Any) -> None:
        """Does nothing: only its place in the order matters here."""


def test_a_broken_policy_registration_is_reported_and_the_builtins_stay() -> None:
    host = PluginHost(
        extra_plugins=[
            ("fails", RegistersPolicies(NamedPolicy("mine"), fail=True)),
            ("junk", RegistersPolicies(object())),
        ],
        entry_points=False,
    )
    names = [policy.name for policy in host.policies()]
    assert names == [policy.name for policy in BUILTIN_POLICIES]
    errors = errors_of(host)
    assert errors["fails"] == "RuntimeError: policy store offline"
    assert "policy with a name" in errors["junk"]


def test_a_plugin_policy_replaces_the_builtin_of_that_name_in_its_place() -> None:
    replaced = BUILTIN_POLICIES[1].name
    mine = NamedPolicy(replaced)
    extra = NamedPolicy("weekend_calls")
    host = PluginHost(
        extra_plugins=[("mine", RegistersPolicies(mine, extra))], entry_points=False
    )
    policies = host.policies()
    assert [p.name for p in policies] == [p.name for p in BUILTIN_POLICIES] + ["weekend_calls"]
    assert policies[1] is mine
    assert policies[-1] is extra


# ---------------------------------------------------------------------------------------
# duplicate names
# ---------------------------------------------------------------------------------------


def test_a_connector_name_registered_by_two_plugins_names_both() -> None:
    host = PluginHost(
        extra_plugins=[("first", Registers(spec("acme"))), ("second", Registers(spec("acme")))],
        entry_points=False,
    )
    assert host.connector_plugin("acme") == "first"
    message = errors_of(host)["second"]
    assert "connector 'acme' is registered by both 'first' and 'second'" in message


def test_a_plugin_cannot_take_a_builtin_connector_name() -> None:
    host = PluginHost(extra_plugins=[("impostor", Registers(spec("csv")))])
    assert host.connector_plugin("csv") == "csv"
    assert "registered by both 'csv' and 'impostor'" in errors_of(host)["impostor"]


def test_a_builtin_keeps_its_name_against_a_plugin_loaded_by_entry_point_first(
    fake_dist: FakeDist, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "aaa" sorts before "csv": entry points are still loaded built-ins first.
    fake_dist("aaa-csv", "1.0", {"aaa": "aaa_csv_mod"}, {"aaa_csv_mod": connector_module("csv")})
    monkeypatch.setenv(LOAD_ENV, "aaa")
    host = PluginHost()
    assert host.connector_plugin("csv") == "csv"
    assert host.connectors()["csv"].capabilities.batch_size == 500
    assert "registered by both 'csv' and 'aaa'" in errors_of(host)["aaa"]


def test_a_plugin_registering_one_name_twice_is_reported() -> None:
    host = PluginHost(extra_plugins=[("twice", Registers(spec("acme"), spec("acme")))])
    assert "acme" not in host.connectors()
    assert "registered twice by 'twice'" in errors_of(host)["twice"]


def test_two_plugins_with_one_name_are_reported() -> None:
    host = PluginHost(
        extra_plugins=[("acme", Registers(spec("one"))), ("acme", Registers(spec("two")))],
        entry_points=False,
    )
    assert errors_of(host) == {"acme": "a plugin named 'acme' is already loaded"}
    assert "one" in host.connectors() and "two" not in host.connectors()


def test_loading_a_builtin_again_under_another_name_keeps_the_builtin() -> None:
    import contactsync_csv

    host = PluginHost(extra_plugins=[("csv-again", contactsync_csv)])
    assert errors_of(host) == {"csv-again": "the same plugin is already loaded as 'csv'"}
    assert host.connector_plugin("csv") == "csv"


# ---------------------------------------------------------------------------------------
# CONTACTSYNC_LOAD_PLUGINS
# ---------------------------------------------------------------------------------------


@pytest.fixture
def two_dists(fake_dist: FakeDist) -> None:
    fake_dist("acme-one", "1.0", {"one": "acme_one_mod"}, {"acme_one_mod": connector_module("uno")})
    fake_dist("acme-two", "2.0", {"two": "acme_two_mod"}, {"acme_two_mod": connector_module("dos")})


def third_party(host: PluginHost) -> set[str]:
    return {plugin.name for plugin in host.plugins() if not plugin.builtin}


@pytest.mark.usefixtures("two_dists")
def test_unset_allows_every_installed_plugin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(LOAD_ENV, raising=False)
    host = PluginHost()
    assert {"one", "two"} <= third_party(host)
    assert {"uno", "dos"} <= set(host.connectors())


@pytest.mark.usefixtures("two_dists")
@pytest.mark.parametrize("value", ["", " ", ","])
def test_empty_allows_none_but_the_builtins(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(LOAD_ENV, value)
    host = PluginHost()
    assert third_party(host) == set()
    assert {"csv", "sqlite"} <= set(host.connectors())
    assert not {"uno", "dos"} & set(host.connectors())
    assert {plugin.name for plugin in host.plugins()} >= BUILTIN_PLUGINS
    assert host.load_errors == []


@pytest.mark.usefixtures("two_dists")
@pytest.mark.parametrize("value", ["two", " two ", "acme-two", "ACME_two", "two,"])
def test_names_allow_only_those(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(LOAD_ENV, value)
    host = PluginHost()
    assert third_party(host) == {"two"}
    assert "dos" in host.connectors() and "uno" not in host.connectors()


@pytest.mark.usefixtures("two_dists")
def test_a_listed_name_that_is_not_installed_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(LOAD_ENV, "one,acme-three")
    host = PluginHost()
    assert third_party(host) == {"one"}
    assert errors_of(host) == {
        "acme-three": f"{LOAD_ENV} names 'acme-three', which is not installed"
    }


def test_tests_do_not_auto_load_installed_plugins(fake_dist: FakeDist) -> None:
    # contactsync's pytest plugin (entry point pytest11) sets the allow-list to empty.
    assert os.environ.get(LOAD_ENV) == ""
    fake_dist("acme-stray", "1.0", {"stray": "acme_stray_mod"}, {
        "acme_stray_mod": connector_module("stray"),
    })
    host = PluginHost()
    assert "stray" not in host.connectors()
    assert third_party(host) == set()


# ---------------------------------------------------------------------------------------
# CONTACTSYNC_TRACE_PLUGINS
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1", "yes"])
def test_tracing_writes_hook_calls_to_stderr(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    monkeypatch.setenv(TRACE_ENV, value)
    host = PluginHost()
    host.normalize_phone("13800138000", "CN")
    host.connectors()
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "contactsync_normalize_phone" in captured.err
    assert "raw: *******8000" in captured.err  # phones masked in the trace too
    assert "13800138000" not in captured.err
    assert "finish contactsync_normalize_phone" in captured.err
    # The register hooks are called plugin by plugin, outside pm.hook: traced too.
    assert "contactsync_register_connectors [hook]" in captured.err
    assert "plugin: csv" in captured.err


@pytest.mark.parametrize("value", [None, "", "0", "false"])
def test_no_tracing_unless_asked(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], value: str | None
) -> None:
    if value is None:
        monkeypatch.delenv(TRACE_ENV, raising=False)
    else:
        monkeypatch.setenv(TRACE_ENV, value)
    host = PluginHost()
    host.normalize_phone("13800138000", "CN")
    host.connectors()
    host.policies()
    assert capsys.readouterr().err == ""


# ---------------------------------------------------------------------------------------
# a third-party plugin replacing a built-in normalizer, loaded as an installed plugin
# ---------------------------------------------------------------------------------------

SWITCHBOARD_MODULE = """
from contactsync.models import Phone, PhoneKind
from contactsync.plugins import hookimpl


@hookimpl
def contactsync_normalize_phone(raw, region):
    text = str(raw)
    if text.isdigit() and len(text) == 4:
        return Phone(raw=text, e164="+861062345678", extension=text, kind=PhoneKind.FIXED)
    return None
"""


def test_an_installed_plugin_can_replace_the_phone_normalizer(
    fake_dist: FakeDist, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_dist("acme-switchboard", "1.0", {"switchboard": "acme_switchboard_mod"}, {
        "acme_switchboard_mod": SWITCHBOARD_MODULE,
    })
    monkeypatch.setenv(LOAD_ENV, "switchboard")
    host = PluginHost()
    phone = host.normalize_phone("8001", "CN")
    assert (phone.e164, phone.extension, phone.kind) == ("+861062345678", "8001", PhoneKind.FIXED)
    # What it declines still goes to the built-in.
    assert host.normalize_phone("0086 138 0013 8000", "CN").e164 == "+8613800138000"
    # Without it, the built-in refuses a bare 4-digit number.
    monkeypatch.setenv(LOAD_ENV, "")
    assert PluginHost().normalize_phone("8001", "CN").e164 is None
