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

import difflib
import math
import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from contactsync.errors import ConfigError
from contactsync.models import Kind
from contactsync.models.common import is_known_zone

SystemMode = Literal["sync", "read"]
CONFIG_FILE_NAME = "contactsync.toml"
_SYSTEM_KEYS = {"connector", "mode", "region", "objects", "mapping", "credentials"}
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_REGION = re.compile(r"[A-Za-z]{2}")
_SECRET_WORDS = (
    "password", "passwd", "pwd", "secret", "token", "api_key", "apikey", "private_key",
    "access_key", "credential",
)
_PASSWORD_WORDS = ("password", "passwd", "pwd")
# Settings that name where a secret is, not the secret: token_url, key_file...
_NOT_SECRET_SUFFIXES = ("_url", "_uri", "_endpoint", "_file", "_path", "_env", "_store")


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
        # utf-8-sig: Windows editors save UTF-8 with a byte-order mark.
        data = tomllib.loads(config_path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuration file not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder, not a configuration file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror or exc})") from None
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
        name: _parse_system(
            name, _as_table(value, f"{where}: [systems.{name}]"), path.parent, where
        )
        for name, value in sorted(systems_table.items())
    }
    sync = _parse_sync(_table(data, "sync", where), where, set(systems))
    policy = _parse_policy(_table(data, "policy", where), where)
    state_url = _parse_state(_table(data, "state", where), path.parent, where)
    return Config(path, sync, policy, state_url, systems)


def _parse_state(table: dict[str, Any], base: Path, where: str) -> str:
    """The state store URL: literal, or ``{ env = "VAR" }``; a relative SQLite path is
    relative to the configuration's folder, like every other path in the file."""
    here = f"{where}: [state]"
    _no_unknown(table, {"url"}, here)
    value = table.get("url")
    if value is None:
        return f"sqlite:///{base / '.contactsync' / 'state.db'}"
    if isinstance(value, dict):
        env = _env_reference(value, f"{here} url")
        url = os.environ.get(env, "")
        if not url:
            raise ConfigError(f"{here}: url needs environment variable {env} to be set")
        return _anchor_sqlite(url, base)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{here}: url must be a database URL or {{ env = \"VARIABLE\" }}")
    try:
        password = urlsplit(value).password
    except ValueError:
        password = None
    if password:
        raise ConfigError(
            f"{here}: url holds a password; secrets come from environment variables: "
            'write url = { env = "VARIABLE" } and put the URL in that variable'
        )
    return _anchor_sqlite(value.strip(), base)


def _anchor_sqlite(url: str, base: Path) -> str:
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        return url
    database, sep, query = url[len(prefix) :].partition("?")
    if database in ("", ":memory:") or database.startswith("~") or Path(database).is_absolute():
        return url
    return f"{prefix}{(base / database).resolve()}{sep}{query}"


def _table(data: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    return _as_table(data.get(key, {}), f"{where}: [{key}]")


def _as_table(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where} must be a table")
    return value


def _parse_sync(table: dict[str, Any], where: str, systems: set[str]) -> SyncSettings:
    here = f"{where}: [sync]"
    known = {"business_timezone", "default_region", "system_priority", "clock_skew_seconds"}
    _no_unknown(table, known, here)
    tz = table.get("business_timezone", "Asia/Shanghai")
    if not isinstance(tz, str) or not is_known_zone(tz):
        raise ConfigError(f"{here} business_timezone {tz!r} is not a known time zone")
    raw_priority = table.get("system_priority", [])
    if not isinstance(raw_priority, list) or not all(isinstance(s, str) for s in raw_priority):
        raise ConfigError(f"{here} system_priority must be a list of system names")
    priority = tuple(raw_priority)
    strangers = [s for s in priority if s not in systems]
    if strangers:
        raise ConfigError(f"{here} system_priority names unknown system(s) {strangers}")
    twice = sorted({s for s in priority if priority.count(s) > 1})
    if twice:
        raise ConfigError(f"{here} system_priority names {', '.join(twice)} more than once")
    skew = table.get("clock_skew_seconds", 120)
    if (
        not isinstance(skew, int | float)
        or isinstance(skew, bool)
        or not math.isfinite(skew)
        or skew < 0
    ):
        raise ConfigError(f"{here} clock_skew_seconds must be a finite number >= 0")
    try:
        clock_skew = timedelta(seconds=skew)
    except OverflowError:
        raise ConfigError(f"{here} clock_skew_seconds {skew} is too large") from None
    region = _region(table.get("default_region", "CN"), f"{here} default_region")
    # Systems not named follow the named ones, sorted by name.
    rest = tuple(s for s in sorted(systems) if s not in priority)
    return SyncSettings(tz, region, priority + rest, clock_skew)


def _region(value: Any, where: str) -> str:
    if not isinstance(value, str) or not _REGION.fullmatch(value.strip()):
        raise ConfigError(
            f"{where} must be an ISO 3166-1 alpha-2 country code such as \"CN\", not {value!r}"
        )
    return value.strip().upper()


def _parse_policy(table: dict[str, Any], where: str) -> PolicySettings:
    known = {"emergency_min", "emergency_max", "review_interval_months", "enforce_cap"}
    _no_unknown(table, known, f"{where}: [policy]")
    low = table.get("emergency_min", 1)
    high = table.get("emergency_max", 3)
    for key, value in (("emergency_min", low), ("emergency_max", high)):
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 3:
            raise ConfigError(f"{where}: [policy] {key} must be an integer from 1 to 3")
    if low > high:
        raise ConfigError(
            f"{where}: [policy] emergency_min ({low}) exceeds emergency_max ({high})"
        )
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
            raise ConfigError(
                f"{here}: objects.{kind_name}: kind must be emergency or business"
            ) from None
        if not isinstance(obj, str) or not obj.strip():
            raise ConfigError(f"{here}: objects.{kind_name} must be a non-empty string")
        objects[kind] = obj
    mapping_path, overrides = _parse_mapping(table.get("mapping"), base, here)
    credentials = _parse_credentials(
        _as_table(table.get("credentials", {}), f"{here} credentials"), here
    )
    for key, value in table.items():
        if key not in _SYSTEM_KEYS:
            _refuse_literal_secrets(key, value, here)
    region = table.get("region")
    settings = {k: v for k, v in table.items() if k not in _SYSTEM_KEYS}
    return SystemConfig(
        name=name,
        connector=connector,
        mode=mode,
        region=_region(region, f"{here} region") if region is not None else None,
        objects=objects,
        mapping=mapping_path,
        mapping_overrides=overrides,
        credentials=credentials,
        settings=settings,
    )


def _parse_mapping(value: Any, base: Path, here: str) -> tuple[Path | None, dict[str, Any]]:
    """The system's own mapping file, if any, and the overrides merged over it."""
    if value is None:
        return None, {}
    if isinstance(value, str):
        if not value.strip():
            raise ConfigError(f"{here}: mapping must name a file")
        return (base / value).resolve(), {}
    if isinstance(value, dict):
        overrides = dict(value)
        if "file" not in overrides:
            return None, overrides
        file = overrides.pop("file")
        if not isinstance(file, str) or not file.strip():
            raise ConfigError(f"{here}: mapping.file must name a file")
        return (base / file).resolve(), overrides
    raise ConfigError(f"{here}: mapping must be a file name or a table")


def _parse_credentials(table: dict[str, Any], here: str) -> dict[str, str]:
    return {
        name: _env_reference(value, f"{here}: credentials.{name}")
        for name, value in table.items()
    }


def _env_reference(value: Any, where: str) -> str:
    """The variable named by ``{ env = "VARIABLE" }``; anything else is refused."""
    if isinstance(value, dict) and set(value) == {"env"} and isinstance(value["env"], str):
        env = value["env"].strip()
        if _ENV_NAME.fullmatch(env):
            return env
        raise ConfigError(
            f"{where}: {value['env']!r} is not an environment variable name "
            "(letters, digits and _, not starting with a digit; no $)"
        )
    raise ConfigError(
        f"{where} must be {{ env = \"VARIABLE\" }}; "
        "secrets are read from environment variables, never from the file"
    )


def _refuse_literal_secrets(key: str, value: Any, here: str, path: str = "") -> None:
    """A secret-looking key holding a literal value, at any depth, is refused."""
    dotted = f"{path}{key}"
    if isinstance(value, dict):
        for inner_key, inner in value.items():
            _refuse_literal_secrets(str(inner_key), inner, here, f"{dotted}.")
        return
    if isinstance(value, list):
        for item in value:
            _refuse_literal_secrets(key, item, here, path)
        return
    literal = (isinstance(value, str) and value.strip() != "") or (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and any(word in key.lower() for word in _PASSWORD_WORDS)
    )
    if literal and _looks_secret(key):
        raise ConfigError(
            f"{here}: {dotted!r} looks like a secret; secrets come from environment "
            f"variables: write credentials.{key} = {{ env = \"VARIABLE\" }}. If it is not a "
            "secret but a setting, check its spelling against the connector's settings"
            + _spelling_hint(key)
        )


def _spelling_hint(key: str) -> str:
    """`` (did you mean 'token_store'?)`` when ``key`` nearly ends like a setting that only
    points at a secret (``token_stor``); the setting is refused either way."""
    head, sep, tail = key.rpartition("_")
    if not sep:
        return ""
    suffixes = [suffix[1:] for suffix in _NOT_SECRET_SUFFIXES]
    close = difflib.get_close_matches(tail.lower(), suffixes, n=1, cutoff=0.75)
    return f" (did you mean {f'{head}_{close[0]}'!r}?)" if close else ""


def _looks_secret(key: str) -> bool:
    lowered = key.lower()
    if lowered.endswith(_NOT_SECRET_SUFFIXES):
        return False
    return any(word in lowered for word in _SECRET_WORDS)


def _no_unknown(table: dict[str, Any], known: set[str], where: str) -> None:
    extra = set(table) - known
    if extra:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(extra))}")
