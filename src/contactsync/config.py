"""The configuration file, ``contactsync.toml``.

One file names the systems, their connector, where their credentials are (environment
variables only: a literal secret in the file is refused), their mapping, and the policy
settings. Relative paths are relative to the file's folder. Example::

    [sync]
    business_timezone = "Asia/Shanghai"
    default_region = "CN"
    system_priority = ["hub", "legacy"]

    [policy]
    emergency_max = 3

    [systems.hub]
    connector = "sqlite"
    path = "hub.db"

    [systems.legacy]
    connector = "csv"
    mode = "read"
    objects = { business = "legacy_export.csv" }
    encoding = "gbk"
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from contactsync.errors import ConfigError
from contactsync.models import Kind

SystemMode = Literal["sync", "read"]
CONFIG_FILE_NAME = "contactsync.toml"
_SYSTEM_KEYS = {"connector", "mode", "region", "objects", "mapping", "credentials"}


@dataclass(frozen=True)
class SyncSettings:
    """How reconcile decides.

    Attributes:
        business_timezone: the zone in which review due dates are counted.
        default_region: phone region when neither the contact nor the customer names one.
        system_priority: ties in a conflict go to the system named first.
        clock_skew: two ``updated_at`` closer than this are a tie.
    """

    business_timezone: str = "Asia/Shanghai"
    default_region: str = "CN"
    system_priority: tuple[str, ...] = ()
    clock_skew: timedelta = timedelta(minutes=2)


@dataclass(frozen=True)
class PolicySettings:
    """Policy bounds (DESIGN invariants 2 and 3)."""

    emergency_min: int = 1
    emergency_max: int = 3
    review_interval_months: int = 3
    enforce_cap: bool = False


@dataclass(frozen=True)
class SystemConfig:
    """One configured system.

    Attributes:
        name: the table name under ``[systems]``.
        connector: the registered connector that speaks to it.
        mode: ``sync`` (read and write) or ``read`` (a source only, never written).
        region: the phone region of this system's contacts, when it has one.
        objects: per-kind object overrides (a file, table, object or form id).
        mapping: a mapping file replacing the connector's default, if given.
        mapping_overrides: a table merged over the mapping (field renames per install).
        credentials: credential name to the environment variable that holds it.
        settings: every other key of the table, for the connector.
    """

    name: str
    connector: str
    mode: SystemMode = "sync"
    region: str | None = None
    objects: dict[Kind, str] = field(default_factory=dict)
    mapping: Path | None = None
    mapping_overrides: dict[str, Any] = field(default_factory=dict)
    credentials: dict[str, str] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def writable(self) -> bool:
        return self.mode == "sync"

    def resolve_credentials(self) -> dict[str, str]:
        """Read each credential from its environment variable.

        Raises:
            ConfigError: naming the system, the credential and the missing variable.
        """
        values: dict[str, str] = {}
        for name, env in sorted(self.credentials.items()):
            value = os.environ.get(env)
            if not value:
                raise ConfigError(
                    f"system {self.name!r}: credential {name!r} needs environment "
                    f"variable {env} to be set"
                )
            values[name] = value
        return values


@dataclass(frozen=True)
class Config:
    path: Path
    sync: SyncSettings
    policy: PolicySettings
    state_url: str
    systems: dict[str, SystemConfig]

    @property
    def base_dir(self) -> Path:
        return self.path.parent

    def system(self, name: str) -> SystemConfig:
        if name not in self.systems:
            known = ", ".join(sorted(self.systems)) or "none"
            raise ConfigError(f"{self.path}: no system named {name!r} (configured: {known})")
        return self.systems[name]


def load_config(path: str | Path) -> Config:
    """Read and validate ``contactsync.toml``.

    Raises:
        ConfigError: naming the file and the key at fault.
    """
    config_path = Path(path).resolve()
    try:
        data = tomllib.loads(config_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuration file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return parse_config(data, config_path)


def parse_config(data: dict[str, Any], path: Path) -> Config:
    """Validate an already-parsed configuration table (``path`` anchors relative paths)."""
    where = str(path)
    unknown = set(data) - {"sync", "policy", "state", "systems"}
    if unknown:
        raise ConfigError(f"{where}: unknown section(s) {', '.join(sorted(unknown))}")
    systems_table = _table(data, "systems", where)
    if not systems_table:
        raise ConfigError(f"{where}: [systems] names no system")
    systems = {
        name: _parse_system(name, _as_table(value, f"{where}: [systems.{name}]"), path.parent, where)
        for name, value in sorted(systems_table.items())
    }
    sync = _parse_sync(_table(data, "sync", where), where, set(systems))
    policy = _parse_policy(_table(data, "policy", where), where)
    state = _table(data, "state", where)
    default_state = path.parent / ".contactsync" / "state.db"
    state_url = str(state.get("url") or f"sqlite:///{default_state}")
    return Config(path, sync, policy, state_url, systems)


def _table(data: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    return _as_table(data.get(key, {}), f"{where}: [{key}]")


def _as_table(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where} must be a table")
    return value


def _parse_sync(table: dict[str, Any], where: str, systems: set[str]) -> SyncSettings:
    _no_unknown(table, {"business_timezone", "default_region", "system_priority", "clock_skew_seconds"}, f"{where}: [sync]")
    tz = str(table.get("business_timezone", "Asia/Shanghai"))
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{where}: [sync] business_timezone {tz!r} is not a known time zone") from None
    priority = tuple(str(s) for s in table.get("system_priority", ()))
    strangers = [s for s in priority if s not in systems]
    if strangers:
        raise ConfigError(f"{where}: [sync] system_priority names unknown system(s) {strangers}")
    skew = table.get("clock_skew_seconds", 120)
    if not isinstance(skew, int | float) or isinstance(skew, bool) or skew < 0:
        raise ConfigError(f"{where}: [sync] clock_skew_seconds must be a number >= 0")
    region = str(table.get("default_region", "CN")).upper()
    # Systems not named keep their configuration order after the named ones.
    rest = tuple(s for s in sorted(systems) if s not in priority)
    return SyncSettings(tz, region, priority + rest, timedelta(seconds=skew))


def _parse_policy(table: dict[str, Any], where: str) -> PolicySettings:
    known = {"emergency_min", "emergency_max", "review_interval_months", "enforce_cap"}
    _no_unknown(table, known, f"{where}: [policy]")
    low = table.get("emergency_min", 1)
    high = table.get("emergency_max", 3)
    for key, value in (("emergency_min", low), ("emergency_max", high)):
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 3:
            raise ConfigError(f"{where}: [policy] {key} must be an integer from 1 to 3")
    if low > high:
        raise ConfigError(f"{where}: [policy] emergency_min ({low}) exceeds emergency_max ({high})")
    interval = table.get("review_interval_months", 3)
    if not isinstance(interval, int) or isinstance(interval, bool) or not 1 <= interval <= 24:
        raise ConfigError(f"{where}: [policy] review_interval_months must be 1 to 24")
    enforce = table.get("enforce_cap", False)
    if not isinstance(enforce, bool):
        raise ConfigError(f"{where}: [policy] enforce_cap must be true or false")
    return PolicySettings(low, high, interval, enforce)


def _parse_system(name: str, table: dict[str, Any], base: Path, where: str) -> SystemConfig:
    here = f"{where}: [systems.{name}]"
    connector = table.get("connector")
    if not isinstance(connector, str) or not connector:
        raise ConfigError(f"{here}: 'connector' is required")
    mode = table.get("mode", "sync")
    if mode not in ("sync", "read"):
        raise ConfigError(f"{here}: mode must be 'sync' or 'read', not {mode!r}")
    objects: dict[Kind, str] = {}
    for kind_name, obj in _as_table(table.get("objects", {}), f"{here} objects").items():
        try:
            kind = Kind(kind_name)
        except ValueError:
            raise ConfigError(f"{here}: objects.{kind_name}: kind must be emergency or business") from None
        if not isinstance(obj, str) or not obj:
            raise ConfigError(f"{here}: objects.{kind_name} must be a non-empty string")
        objects[kind] = obj
    mapping_value = table.get("mapping")
    mapping_path: Path | None = None
    overrides: dict[str, Any] = {}
    if isinstance(mapping_value, str):
        mapping_path = (base / mapping_value).resolve()
    elif isinstance(mapping_value, dict):
        overrides = dict(mapping_value)
        if "file" in overrides:
            mapping_path = (base / str(overrides.pop("file"))).resolve()
    elif mapping_value is not None:
        raise ConfigError(f"{here}: mapping must be a file name or a table")
    credentials = _parse_credentials(_as_table(table.get("credentials", {}), f"{here} credentials"), here)
    for key, value in table.items():
        if key not in _SYSTEM_KEYS and _looks_secret(key) and isinstance(value, str):
            raise ConfigError(
                f"{here}: {key!r} looks like a secret; secrets come from environment "
                f"variables: write credentials.{key} = {{ env = \"VARIABLE\" }}"
            )
    region = table.get("region")
    settings = {k: v for k, v in table.items() if k not in _SYSTEM_KEYS}
    return SystemConfig(
        name=name,
        connector=connector,
        mode=mode,
        region=str(region).upper() if region else None,
        objects=objects,
        mapping=mapping_path,
        mapping_overrides=overrides,
        credentials=credentials,
        settings=settings,
    )


def _parse_credentials(table: dict[str, Any], here: str) -> dict[str, str]:
    result: dict[str, str] = {}
    for name, value in table.items():
        if isinstance(value, dict) and set(value) == {"env"} and isinstance(value["env"], str):
            result[name] = value["env"]
            continue
        raise ConfigError(
            f"{here}: credentials.{name} must be {{ env = \"VARIABLE\" }}; "
            "secrets are read from environment variables, never from the file"
        )
    return result


def _looks_secret(key: str) -> bool:
    lowered = key.lower()
    return any(word in lowered for word in ("password", "secret", "token", "api_key", "apikey"))


def _no_unknown(table: dict[str, Any], known: set[str], where: str) -> None:
    extra = set(table) - known
    if extra:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(extra))}")
