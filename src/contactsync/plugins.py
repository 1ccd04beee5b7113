"""The plugin host: loads built-in and installed plugins and calls hooks with types.

Core code never calls ``pm.hook.x(**kw)`` directly: it calls a typed method of
``PluginHost``, so the hook contract is checked by mypy at every call site.

Loading rules:

* Built-in plugins (``contactsync.normalize.plugin``, ``contactsync.policies.builtin`` and
  the entry points of the ``contactsync`` distribution itself) always load, first.
* Third-party entry points in the ``contactsync`` group load unless
  ``CONTACTSYNC_LOAD_PLUGINS`` is set; then only the comma-separated names it lists load
  (an entry-point name or a distribution name; empty means none). A listed name that is
  not installed is reported. The pytest plugin sets it to empty, so tests never pick up
  whatever happens to be installed.
* ``CONTACTSYNC_TRACE_PLUGINS=1`` writes every hook call to stderr.
* A plugin that fails to import, uses an unknown hook name, or fails while registering
  is reported by name (``PluginHost.load_errors``) and the others still load.
* Registrations (connectors, policies) are collected in load order, built-ins first: a
  connector name registered twice is an error naming both plugins (the first keeps it);
  a policy with a built-in's name replaces the built-in in its place.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib import metadata
from typing import TYPE_CHECKING, Any

import pluggy

from contactsync import hookspecs
from contactsync.connector import Capabilities, ConnectorSpec
from contactsync.errors import ConfigError
from contactsync.redact import mask_text

if TYPE_CHECKING:
    import requests

    from contactsync.config import Config, SystemConfig
    from contactsync.models import BusinessContact, EmergencyContact, Phone
    from contactsync.plan import Plan
    from contactsync.policies import Policy
    from contactsync.reconcile.merge import Candidate
    from contactsync.report import ApplySummary
    from contactsync.review import ReviewDue

PROJECT = "contactsync"
ENTRY_POINT_GROUP = "contactsync"
LOAD_ENV = "CONTACTSYNC_LOAD_PLUGINS"
TRACE_ENV = "CONTACTSYNC_TRACE_PLUGINS"

hookimpl = pluggy.HookimplMarker(PROJECT)
_CACHE_LIMIT = 200_000

BUILTIN_MODULES = (
    "contactsync.normalize.plugin",
    "contactsync.policies.builtin",
)


@dataclass(frozen=True)
class PluginInfo:
    """One loaded plugin, as ``contactsync connectors --json`` shows it."""

    name: str
    distribution: str
    version: str
    builtin: bool
    hooks: tuple[str, ...]


@dataclass(frozen=True)
class PluginLoadError:
    """A plugin that could not be loaded, and why."""

    name: str
    distribution: str
    error: str


def allowed_third_party() -> set[str] | None:
    """Names allowed by ``CONTACTSYNC_LOAD_PLUGINS``; ``None`` when it is unset (all)."""
    raw = os.environ.get(LOAD_ENV)
    if raw is None:
        return None
    return {part.strip() for part in raw.split(",") if part.strip()}


def tracing_enabled() -> bool:
    """Whether ``CONTACTSYNC_TRACE_PLUGINS`` asks for hook calls on stderr."""
    return os.environ.get(TRACE_ENV, "").strip().lower() not in ("", "0", "false", "no", "off")


def _dist_key(name: str) -> str:
    """A distribution name as pip compares them (PEP 503): ``Acme_Plugin`` is ``acme-plugin``."""
    return re.sub(r"[-_.]+", "-", name).lower()


class PluginHost:
    """Typed façade over the pluggy manager."""

    def __init__(
        self, *, extra_plugins: Iterable[tuple[str, object]] = (), entry_points: bool = True
    ) -> None:
        self.pm = pluggy.PluginManager(PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.load_errors: list[PluginLoadError] = []
        self._info: dict[str, PluginInfo] = {}
        self._connectors: dict[str, tuple[ConnectorSpec, str]] | None = None
        self._policies: list[Policy] | None = None
        # Normalizer hooks are pure functions of their arguments (see hookspecs), so
        # their answers are cached: the same phone is often in several systems.
        self._phone_cache: dict[tuple[type, str | int | float, str], Phone] = {}
        self._name_cache: dict[str, str] = {}
        self._email_cache: dict[str, str] = {}
        self._order: dict[str, int] = {}
        # Calls made outside pm.hook (the register hooks) are traced through this too.
        self._hooktrace = self.pm.trace.root.get("hook")
        if tracing_enabled():
            # Hook arguments are contacts: their phones and e-mails are masked here too.
            self.pm.trace.root.setwriter(lambda text: sys.stderr.write(mask_text(text)))
            self.pm.enable_tracing()
        for module_name in BUILTIN_MODULES:
            self._register(module_name, importlib.import_module(module_name), PROJECT, True)
        if entry_points:
            self._load_entry_points()
        for name, plugin in extra_plugins:
            self._register(name, plugin, "(in-process)", False)

    # -- loading --------------------------------------------------------------------

    def _load_entry_points(self) -> None:
        allowed = allowed_third_party()
        found = list(metadata.entry_points(group=ENTRY_POINT_GROUP))

        def dist_of(ep: metadata.EntryPoint) -> str:
            return ep.dist.name if ep.dist is not None else "(unknown)"

        # Built-ins first, so a third-party plugin cannot take a built-in connector's name.
        found.sort(key=lambda ep: (dist_of(ep) != PROJECT, ep.name, ep.value))
        wanted = None if allowed is None else {_dist_key(name): name for name in allowed}
        for ep in found:
            dist = dist_of(ep)
            builtin = dist == PROJECT
            if not builtin and wanted is not None and not (
                {_dist_key(ep.name), _dist_key(dist)} & set(wanted)
            ):
                continue
            try:
                plugin = ep.load()
            except (Exception, SystemExit) as exc:  # a broken plugin must not stop the others
                self.load_errors.append(PluginLoadError(ep.name, dist, _one_line(exc)))
                continue
            self._register(ep.name, plugin, dist, builtin)
        if wanted is not None:
            installed = {_dist_key(ep.name) for ep in found}
            installed |= {_dist_key(dist_of(ep)) for ep in found}
            for key in sorted(set(wanted) - installed):
                name = wanted[key]
                self.load_errors.append(
                    PluginLoadError(name, "?", f"{LOAD_ENV} names {name!r}, which is not installed")
                )

    def _register(self, name: str, plugin: object, dist: str, builtin: bool) -> None:
        if self.pm.has_plugin(name):
            self.load_errors.append(
                PluginLoadError(name, dist, f"a plugin named {name!r} is already loaded")
            )
            return
        if self.pm.is_registered(plugin):
            other = self.pm.get_name(plugin)
            self.load_errors.append(
                PluginLoadError(name, dist, f"the same plugin is already loaded as {other!r}")
            )
            return
        try:
            self.pm.register(plugin, name=name)
            self.pm.check_pending()
        except Exception as exc:  # unknown hook names, bad signatures
            # Undo this registration only (pluggy may have added some of its hooks).
            if self.pm.get_plugin(name) is plugin:
                self.pm.unregister(name=name)
            self.load_errors.append(PluginLoadError(name, dist, _one_line(exc)))
            return
        self._order[name] = len(self._order)
        hooks = tuple(sorted(caller.name for caller in self.pm.get_hookcallers(plugin) or ()))
        self._info[name] = PluginInfo(name, dist, _version(dist, plugin), builtin, hooks)

    def _report(self, plugin_name: str, exc: BaseException) -> None:
        info = self._info.get(plugin_name)
        self.load_errors.append(
            PluginLoadError(plugin_name, info.distribution if info else "?", _one_line(exc))
        )

    def _registrations(
        self, caller: pluggy.HookCaller, check: Callable[[Any], None]
    ) -> Iterator[tuple[str, list[Any]]]:
        """What each plugin registers through a ``register`` hook, in load order.

        A plugin whose hook raises, or registers something ``check`` refuses, is reported
        and contributes nothing.
        """
        impls = sorted(
            caller.get_hookimpls(), key=lambda impl: self._order.get(impl.plugin_name, -1)
        )
        for impl in impls:
            collected: list[Any] = []
            self._hooktrace.root.indent += 1
            self._hooktrace(caller.name, {"plugin": impl.plugin_name})
            try:
                impl.function(register=collected.append)
                for item in collected:
                    check(item)
            except Exception as exc:  # a broken plugin must not stop the others
                self._report(impl.plugin_name, exc)
                continue
            finally:
                self._hooktrace.root.indent -= 1
            yield impl.plugin_name, collected

    def plugins(self) -> list[PluginInfo]:
        """Every loaded plugin, sorted by name."""
        return [self._info[name] for name in sorted(self._info)]

    # -- register ---------------------------------------------------------------------

    def connectors(self) -> dict[str, ConnectorSpec]:
        """Every registered connector by name."""
        return {name: spec for name, (spec, _) in self._connector_table().items()}

    def connector_plugin(self, name: str) -> str:
        """The name of the plugin that registered connector ``name``."""
        return self._connector_table()[name][1]

    def connector(self, name: str) -> ConnectorSpec:
        """The connector registered as ``name``.

        Raises:
            ConfigError: when no plugin registered it; the message lists those that did.
        """
        table = self.connectors()
        if name not in table:
            known = ", ".join(sorted(table)) or "none"
            raise ConfigError(f"no connector named {name!r} is installed (installed: {known})")
        return table[name]

    def _connector_table(self) -> dict[str, tuple[ConnectorSpec, str]]:
        if self._connectors is not None:
            return self._connectors
        table: dict[str, tuple[ConnectorSpec, str]] = {}
        caller = self.pm.hook.contactsync_register_connectors
        for plugin_name, specs in self._registrations(caller, _validate_spec):
            names = [spec.name for spec in specs]
            try:
                for spec in specs:
                    if names.count(spec.name) > 1:
                        raise ConfigError(
                            f"connector {spec.name!r} is registered twice by {plugin_name!r}"
                        )
                    if spec.name in table:
                        raise ConfigError(
                            f"connector {spec.name!r} is registered by both "
                            f"{table[spec.name][1]!r} and {plugin_name!r}"
                        )
            except ConfigError as exc:
                self._report(plugin_name, exc)
                continue
            for spec in specs:
                table[spec.name] = (spec, plugin_name)
        self._connectors = table
        return table

    def policies(self) -> list[Policy]:
        """Reconcile policies in run order: built-ins first, then each plugin's in load order.

        A policy with the ``name`` of one registered before it replaces that one in its
        place in the order.
        """
        if self._policies is not None:
            return self._policies
        ordered: dict[str, Policy] = {}
        caller = self.pm.hook.contactsync_register_policies
        for _plugin, policies in self._registrations(caller, _validate_policy):
            for policy in policies:
                ordered[policy.name] = policy
        self._policies = list(ordered.values())
        return self._policies

    # -- configure ----------------------------------------------------------------------

    def http_session(self, system: SystemConfig) -> requests.Session | None:
        """A plugin's session for ``system``, or ``None`` (the caller makes a fresh one)."""
        session: requests.Session | None = self.pm.hook.contactsync_http_session(system=system)
        return session

    def configure(self, config: Config) -> None:
        """Let every plugin inspect ``config``; one raising ``ConfigError`` refuses it."""
        self.pm.hook.contactsync_configure(config=config)

    # -- normalize ----------------------------------------------------------------------

    def normalize_phone(self, raw: str | int | float, region: str) -> Phone:
        cache_key = (type(raw), raw, region)
        cached = self._phone_cache.get(cache_key)
        if cached is None:
            cached = self._normalize_phone(raw, region)
            self._remember(self._phone_cache, cache_key, cached)
        return cached

    def _normalize_phone(self, raw: str | int | float, region: str) -> Phone:
        result: Phone | None = self.pm.hook.contactsync_normalize_phone(raw=raw, region=region)
        if result is None:  # only when a plugin replaced the built-in and declined
            from contactsync.normalize.phone import normalize_phone

            return normalize_phone(raw, region)
        return result

    def name_key(self, name: str) -> str:
        cached = self._name_cache.get(name)
        if cached is None:
            result: str | None = self.pm.hook.contactsync_name_key(name=name)
            cached = result if result is not None else name
            self._remember(self._name_cache, name, cached)
        return cached

    def email_key(self, email: str) -> str:
        cached = self._email_cache.get(email)
        if cached is None:
            result: str | None = self.pm.hook.contactsync_email_key(email=email)
            cached = result if result is not None else email
            self._remember(self._email_cache, email, cached)
        return cached

    @staticmethod
    def _remember(cache: dict[Any, Any], key: Any, value: Any) -> None:
        if len(cache) >= _CACHE_LIMIT:  # bounded memory: start afresh, never grow past it
            cache.clear()
        cache[key] = value

    def normalize_contact(self, kind: str, values: dict[str, Any], system: str) -> None:
        self.pm.hook.contactsync_normalize_contact(kind=kind, values=values, system=system)

    # -- match and reconcile --------------------------------------------------------------

    def match_keys(self, contact: EmergencyContact | BusinessContact) -> list[str]:
        results: list[list[str]] = self.pm.hook.contactsync_match_keys(contact=contact)
        return sorted({key for keys in results for key in keys})

    def resolve_conflict(
        self, field: str, candidates: list[Candidate], base: Any
    ) -> Candidate | None:
        result: Candidate | None = self.pm.hook.contactsync_resolve_conflict(
            field=field, candidates=candidates, base=base
        )
        return result

    # -- plan, apply, report -------------------------------------------------------------

    def before_apply(self, plan: Plan) -> list[str]:
        """Veto reasons from every gate (empty: go ahead)."""
        reasons: list[str | None] = self.pm.hook.contactsync_before_apply(plan=plan)
        return [reason for reason in reasons if reason]

    def after_apply(self, summary: ApplySummary) -> None:
        self.pm.hook.contactsync_after_apply(summary=summary)

    def reviews_due(self, due: list[ReviewDue]) -> None:
        self.pm.hook.contactsync_reviews_due(due=due)


def _validate_spec(spec: object) -> None:
    if not isinstance(spec, ConnectorSpec):
        raise ConfigError(f"register() takes a ConnectorSpec, not {type(spec).__name__}")
    if not spec.name or not spec.name.replace("_", "").replace("-", "").isalnum():
        raise ConfigError(f"connector name {spec.name!r} must be letters, digits, - or _")
    if not callable(spec.factory):
        raise ConfigError(f"connector {spec.name!r}: factory is not callable")
    if not isinstance(spec.capabilities, Capabilities) or not spec.capabilities.kinds:
        raise ConfigError(f"connector {spec.name!r}: capabilities must name at least one kind")
    if spec.capabilities.batch_size < 1:
        raise ConfigError(f"connector {spec.name!r}: batch_size must be at least 1")


def _validate_policy(policy: object) -> None:
    name = getattr(policy, "name", None)
    if not isinstance(name, str) or not name:
        raise ConfigError(f"register() takes a policy with a name, not {type(policy).__name__}")
    if not callable(getattr(policy, "evaluate", None)):
        raise ConfigError(f"policy {name!r} has no evaluate(draft, context) method")


def _version(dist: str, plugin: object) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        version = getattr(plugin, "__version__", None)
        return str(version) if version else "0"


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    if isinstance(exc, pluggy.PluginValidationError):
        # pluggy names the plugin by its repr (a module path); the host names it already.
        text = re.sub(r" in plugin <.*$", "", text)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


_default_host: PluginHost | None = None


def get_host() -> PluginHost:
    """The process-wide host, built on first use."""
    global _default_host
    if _default_host is None:
        _default_host = PluginHost()
    return _default_host


def reset_host() -> None:
    """Forget the process-wide host (tests, and after changing the environment)."""
    global _default_host
    _default_host = None


__all__ = [
    "ENTRY_POINT_GROUP",
    "PluginHost",
    "PluginInfo",
    "PluginLoadError",
    "get_host",
    "hookimpl",
    "reset_host",
]
