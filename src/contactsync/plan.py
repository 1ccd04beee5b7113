"""The plan file: what a reconcile would do, byte-identical for the same inputs.

A plan holds a schema version, fingerprints of the data it was computed from, the
operations per system and object (each with its reason), the quarantine, the findings
and the accounting of every record read. ``plan_id`` is the SHA-256 of everything else,
so two plans are the same plan exactly when their ids are equal.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from contactsync.errors import ConfigError
from contactsync.findings import Finding

PLAN_SCHEMA_VERSION = 1
Action = Literal["create", "update", "archive"]
# Within an object: updates first (they find file rows by position, and an archive moves
# the rows below it), then archives (they make room under the cap), then creates.
ACTION_ORDER: dict[str, int] = {"update": 0, "archive": 1, "create": 2}
# Emergency objects before business ones: a --migrate-mixed move creates the contact in the
# emergency object before it archives the legacy row in the business object.
KIND_ORDER: dict[str, int] = {"emergency": 0, "business": 1}


@dataclass(frozen=True)
class Operation:
    """One write to one system.

    Attributes:
        op_id: stable id (system, object, action, key): the journal's unit.
        values: the canonical values to write (create, update) or the record's values
            as read (archive), in JSON form.
        changes: for an update, field → ``{"before": ..., "after": ...}``.
    """

    op_id: str
    system: str
    object: str
    kind: str
    action: Action
    key: str
    customer: str
    reason: str
    record_id: str | None = None
    changes: dict[str, dict[str, Any]] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)

    @staticmethod
    def make_id(system: str, object_name: str, action: str, key: str) -> str:
        return hashlib.sha256(f"{system}|{object_name}|{action}|{key}".encode()).hexdigest()[:20]

    def sort_key(self) -> tuple[str, int, str, int, str]:
        return (
            self.system,
            KIND_ORDER[self.kind],
            self.object,
            ACTION_ORDER[self.action],
            self.key,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "op_id": self.op_id,
            "system": self.system,
            "object": self.object,
            "kind": self.kind,
            "action": self.action,
            "key": self.key,
            "customer": self.customer,
            "reason": self.reason,
            "record_id": self.record_id,
            "changes": self.changes,
            "values": self.values,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Operation:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


@dataclass(frozen=True)
class QuarantineItem:
    """A contact kept out of every system, with a full copy of its values."""

    key: str
    customer: str
    kind: str
    reason: str
    values: dict[str, Any]
    records: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "customer": self.customer,
            "kind": self.kind,
            "reason": self.reason,
            "values": self.values,
            "records": list(self.records),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> QuarantineItem:
        return cls(
            data["key"],
            data["customer"],
            data["kind"],
            data["reason"],
            data["values"],
            tuple(data.get("records", ())),
        )


@dataclass
class Plan:
    """A reconcile's result. See the module docstring."""

    as_of: str
    inputs: dict[str, Any]
    operations: list[Operation]
    quarantine: list[QuarantineItem]
    findings: list[Finding]
    accounting: dict[str, int]
    options: dict[str, Any] = field(default_factory=dict)
    released: list[str] = field(default_factory=list)
    """Keys leaving quarantine because a place under the cap came free."""
    schema_version: int = PLAN_SCHEMA_VERSION

    @property
    def plan_id(self) -> str:
        return hashlib.sha256(self._body_bytes()).hexdigest()

    @property
    def empty(self) -> bool:
        """No write to any system, nothing new to quarantine, nothing to release."""
        return not self.operations and not self.quarantine and not self.released

    def _body(self) -> dict[str, Any]:
        return {
            "schema_version": self.schema_version,
            "as_of": self.as_of,
            "options": self.options,
            "inputs": self.inputs,
            "operations": [op.to_json() for op in sorted(self.operations, key=Operation.sort_key)],
            "quarantine": [q.to_json() for q in sorted(self.quarantine, key=lambda q: q.key)],
            "released": sorted(self.released),
            "findings": [f.to_json() for f in sorted(self.findings, key=Finding.sort_key)],
            "accounting": self.accounting,
        }

    def _body_bytes(self) -> bytes:
        return _dumps(self._body())

    def to_bytes(self) -> bytes:
        """The plan file's content: canonical JSON, so equal plans are equal bytes."""
        return _dumps({"plan_id": self.plan_id, **self._body()})

    def save(self, path: str | Path) -> Path:
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_bytes(self.to_bytes())
        tmp.replace(target)
        return target

    @classmethod
    def load(cls, path: str | Path) -> Plan:
        """Read a plan file.

        Raises:
            ConfigError: for a missing, unreadable, newer-version or tampered file.
        """
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{path}: plan file not found") from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not a plan file ({exc})") from None
        if not isinstance(data, dict) or "schema_version" not in data:
            raise ConfigError(f"{path}: not a plan file (no schema_version)")
        if data["schema_version"] != PLAN_SCHEMA_VERSION:
            raise ConfigError(
                f"{path}: plan schema version {data['schema_version']} is not "
                f"{PLAN_SCHEMA_VERSION}; plan again with this version of contactsync"
            )
        try:
            plan = cls(
                as_of=data["as_of"],
                inputs=data["inputs"],
                operations=[Operation.from_json(op) for op in data["operations"]],
                quarantine=[QuarantineItem.from_json(q) for q in data["quarantine"]],
                released=[str(key) for key in data.get("released", [])],
                findings=[Finding.from_json(f) for f in data["findings"]],
                accounting=data["accounting"],
                options=data.get("options", {}),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"{path}: malformed plan file ({exc})") from None
        if data.get("plan_id") != plan.plan_id:
            raise ConfigError(f"{path}: plan file was edited after it was written (id mismatch)")
        return plan


def _dumps(data: Any) -> bytes:
    return (
        json.dumps(data, sort_keys=True, ensure_ascii=False, indent=1, separators=(",", ": "))
        + "\n"
    ).encode("utf-8", "backslashreplace")  # undecodable bytes read from a file never crash it
