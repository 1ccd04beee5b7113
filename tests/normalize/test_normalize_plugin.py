"""The normalizers as default plugins: a plugin answers first, or defers to them."""

from __future__ import annotations

from contactsync.models import Phone, PhoneKind
from contactsync.normalize import email_key, name_key, normalize_phone
from contactsync.plugins import PluginHost, hookimpl

BUILTIN = "contactsync.normalize.plugin"
SWITCHBOARD = "+861062345678"


class SwitchboardExtensions:
    """Reads a company's 4-digit internal numbers as extensions of its switchboard.

    Answers for those and defers (``None``) for everything else.
    """

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    @hookimpl
    def contactsync_normalize_phone(self, raw: str, region: str) -> Phone | None:
        self.seen.append((raw, region))
        if raw.isdigit() and len(raw) == 4:
            return Phone(raw=raw, e164=SWITCHBOARD, extension=raw, kind=PhoneKind.FIXED)
        return None


class UpperCaseNames:
    @hookimpl
    def contactsync_name_key(self, name: str) -> str | None:
        return name.upper() if name.startswith("!") else None

    @hookimpl
    def contactsync_email_key(self, email: str) -> str | None:
        return "same@example.com" if email.endswith("@alias.example") else None


def _host(*plugins: tuple[str, object]) -> PluginHost:
    return PluginHost(extra_plugins=plugins, entry_points=False)


def test_the_builtin_normalizers_are_a_registered_trylast_plugin() -> None:
    host = _host()
    info = {plugin.name: plugin for plugin in host.plugins()}
    assert BUILTIN in info
    assert {
        "contactsync_normalize_phone",
        "contactsync_name_key",
        "contactsync_email_key",
    } <= set(info[BUILTIN].hooks)
    assert not [error for error in host.load_errors if error.name == BUILTIN]
    builtin = host.pm.get_plugin(BUILTIN)
    for caller in (
        host.pm.hook.contactsync_normalize_phone,
        host.pm.hook.contactsync_name_key,
        host.pm.hook.contactsync_email_key,
    ):
        impls = [impl for impl in caller.get_hookimpls() if impl.plugin is builtin]
        assert len(impls) == 1 and impls[0].trylast


def test_without_plugins_the_host_gives_the_builtin_answers() -> None:
    host = _host()
    for raw in ("0086 138 0013 8000", "55123456", "1.38E+10", "010-62345678转123"):
        assert host.normalize_phone(raw, "CN") == normalize_phone(raw, "CN")
    assert host.name_key("张 己") == name_key("张 己") == "张己"
    assert host.email_key("Wang@Example.COM") == email_key("Wang@Example.COM")


def test_a_plugin_replaces_the_builtin_for_the_numbers_it_answers() -> None:
    plugin = SwitchboardExtensions()
    host = _host(("myplug", plugin))
    assert all(error.name != "myplug" for error in host.load_errors)

    assert normalize_phone("8001", "CN").e164 is None  # the built-in refuses it
    phone = host.normalize_phone("8001", "CN")
    assert phone.e164 == SWITCHBOARD
    assert phone.extension == "8001"
    assert ("8001", "CN") in plugin.seen


def test_a_plugin_that_returns_none_falls_back_to_the_builtin() -> None:
    plugin = SwitchboardExtensions()
    host = _host(("myplug", plugin))
    phone = host.normalize_phone("+86 138 0013 8000", "US")
    assert phone.e164 == "+8613800138000"
    assert phone.kind is PhoneKind.MOBILE
    assert ("+86 138 0013 8000", "US") in plugin.seen  # it was asked first, and deferred
    refused = host.normalize_phone("55123456", "CN")
    assert refused.e164 is None and refused.problem == normalize_phone("55123456").problem


def test_name_and_email_keys_can_be_replaced_or_deferred() -> None:
    host = _host(("upper", UpperCaseNames()))
    assert host.name_key("!wang") == "!WANG"
    assert host.name_key("张 己") == "张己"
    assert host.email_key("boss@alias.example") == "same@example.com"
    assert host.email_key("Boss@Example.COM") == "boss@example.com"
