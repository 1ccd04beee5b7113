"""A workspace: the configuration, the plugin host, the state store and built connectors.

Everything a command needs, opened once and closed together.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from contactsync.config import Config, SystemConfig, load_config
from contactsync.connector import Connector, ConnectorContext, ConnectorSpec
from contactsync.errors import ConfigError
from contactsync.mapping import SystemMapping
from contactsync.mapping.load import load_mapping, mappings_dir, resolve_mapping_file
from contactsync.models import Kind
from contactsync.plugins import PluginHost, get_host
from contactsync.secrets import SystemSecrets
from contactsync.state.files import missing_state_store

if TYPE_CHECKING:
    import requests

    from contactsync.state import StateStore

SessionFactory = Callable[[SystemConfig], "requests.Session | None"]


def default_session(system: SystemConfig) -> requests.Session:
    """A fresh HTTP session per system: the seam for cassettes and emulators."""
    import requests

    return requests.Session()


@dataclass
class SystemHandle:
    """One configured system with its connector and mapping."""

    config: SystemConfig
    spec: ConnectorSpec
    mapping: SystemMapping
    connector: Connector

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def writable(self) -> bool:
        return self.config.writable

    def stores(self, kind: Kind) -> bool:
        return self.mapping.has(kind) and kind in self.connector.capabilities.kinds


def redact_url(url: str) -> str:
    """``url`` without a password (``postgresql://user:***@host/db``)."""
    head, sep, rest = url.partition("://")
    if "@" not in rest:
        return url
    credentials, _, host = rest.rpartition("@")
    user = credentials.split(":", 1)[0]
    return f"{head}{sep}{user}:***@{host}"


def load_system_mapping(system: SystemConfig, spec: ConnectorSpec, base_dir: Path) -> SystemMapping:
    """The system's mapping: its own file or the connector's default, with overrides."""
    # A default mapping name is looked up among the packaged mappings only, never in the
    # working folder, where an unrelated csv.toml could shadow it.
    default = Path(spec.default_mapping)
    source = system.mapping or (
        default if default.is_absolute() else resolve_mapping_file(mappings_dir() / default)
    )
    return load_mapping(
        source,
        overrides=system.mapping_overrides or None,
        objects=dict(system.objects) or None,
        # A connector may ship another's mapping as its default; a user's file must fit.
        connector=spec.name if system.mapping else None,
        base_dir=base_dir,
    )


@dataclass
class Workspace:
    """The configuration and everything built from it.

    Use as a context manager, or call ``close()``.
    """

    config: Config
    host: PluginHost
    systems: dict[str, SystemHandle]
    _store: StateStore | None = field(default=None, repr=False)
    _store_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def open(
        cls,
        config: Config | str | Path,
        *,
        host: PluginHost | None = None,
        session_factory: SessionFactory | None = None,
        resolve_credentials: bool = True,
        only: Iterable[str] | None = None,
    ) -> Workspace:
        """Load the configuration and build every system's connector (or those ``only``
        names: a command about one system needs no other system's credentials).

        Raises:
            ConfigError: for a bad file, an unknown connector, a bad mapping, or a
                missing credential variable.
        """
        cfg = config if isinstance(config, Config) else load_config(config)
        plugin_host = host or get_host()
        plugin_host.configure(cfg)
        workspace = cls(cfg, plugin_host, {})
        systems = workspace.systems
        wanted = set(cfg.systems) if only is None else {cfg.system(n).name for n in only}
        for name, system in cfg.systems.items():
            if name not in wanted:
                continue
            where = f"{cfg.path}: [systems.{name}]"
            try:
                spec = plugin_host.connector(system.connector)
                mapping = load_system_mapping(system, spec, cfg.base_dir)
            except ConfigError as exc:  # name the configuration too, not only the mapping
                raise ConfigError(f"{where}: {exc}") from None
            settings = dict(system.settings)
            if resolve_credentials:
                try:
                    settings["credentials"] = system.resolve_credentials()
                except ConfigError as exc:  # name the configuration file too
                    text = str(exc).removeprefix(f"system {name!r}: ")
                    raise ConfigError(f"{where}: {text}") from None
            context = ConnectorContext(
                system=name,
                settings=settings,
                mapping=mapping,
                base_dir=cfg.base_dir,
                session=(
                    session_factory(system)
                    if session_factory is not None
                    else plugin_host.http_session(system) or default_session(system)
                ),
                secrets=SystemSecrets(
                    name, lambda: workspace.store,
                    present=lambda: missing_state_store(cfg.state_url) is None,
                ),
            )
            try:
                connector = spec.factory(context)
            except ConfigError as exc:  # name the configuration file too
                text = str(exc).removeprefix(f"system {name!r}: ")
                raise ConfigError(f"{where}: {text}") from None
            systems[name] = SystemHandle(system, spec, mapping, connector)
        return workspace

    @property
    def store(self) -> StateStore:
        """The state store, opened on first use (by whichever thread asks first)."""
        with self._store_lock:
            return self._open_store()

    def _open_store(self) -> StateStore:
        if self._store is None:
            from sqlalchemy.exc import DatabaseError

            from contactsync.state import StateStore

            try:
                self._store = StateStore.open(self.config.state_url)
            except DatabaseError as exc:  # a damaged or foreign file: say which one
                reason = " ".join(str(exc.orig or exc).split())
                raise ConfigError(
                    f"state store {redact_url(self.config.state_url)}: cannot be used "
                    f"({reason}); point [state] url elsewhere or restore it from a backup"
                ) from None
        return self._store

    def ordered_systems(self) -> list[SystemHandle]:
        """Systems in conflict-priority order."""
        return [
            self.systems[name] for name in self.config.sync.system_priority if name in self.systems
        ]

    def close(self) -> None:
        for handle in self.systems.values():
            handle.connector.close()
            session = handle.connector.context.session
            if session is not None:
                session.close()
        if self._store is not None:
            self._store.close()
            self._store = None

    def __enter__(self) -> Workspace:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
