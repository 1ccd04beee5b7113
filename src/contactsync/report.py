"""Summaries and reports: what a plan found, what an apply did (text and JSON).

Reports never show a phone number or an e-mail address in full.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from contactsync.findings import Finding
from contactsync.plan import Plan
from contactsync.redact import mask_text


@dataclass(frozen=True)
class FailedWrite:
    """One operation a system refused, with the vendor's words."""

    op_id: str
    system: str
    object: str
    action: str
    key: str
    code: str
    message: str
    fields: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "op_id": self.op_id,
            "system": self.system,
            "object": self.object,
            "action": self.action,
            "key": self.key,
            "code": self.code,
            "message": mask_text(self.message),
            "fields": list(self.fields),
        }


@dataclass
class ApplySummary:
    """What an apply did. ``unchanged`` counts synced records that needed no write."""

    plan_id: str
    run_id: str
    created: int = 0
    updated: int = 0
    archived: int = 0
    unchanged: int = 0
    quarantined: int = 0
    failed: list[FailedWrite] = field(default_factory=list)
    resumed: bool = False

    @property
    def ok(self) -> bool:
        return not self.failed

    def to_json(self) -> dict[str, Any]:
        return {
            "plan_id": self.plan_id,
            "run_id": self.run_id,
            "created": self.created,
            "updated": self.updated,
            "archived": self.archived,
            "unchanged": self.unchanged,
            "quarantined": self.quarantined,
            "failed": [f.to_json() for f in self.failed],
            "resumed": self.resumed,
        }

    def text(self) -> str:
        lines = [
            f"applied plan {self.plan_id[:12]}"
            + (" (resumed after an interruption)" if self.resumed else ""),
            f"  created {self.created}, updated {self.updated}, archived {self.archived}, "
            f"unchanged {self.unchanged}, quarantined {self.quarantined}, "
            f"failed {len(self.failed)}",
        ]
        for failure in self.failed:
            where = ", ".join(failure.fields)
            lines.append(
                f"  FAILED {failure.action} {failure.system}/{failure.object} {failure.key}: "
                f"{failure.code} {mask_text(failure.message)}" + (f" [{where}]" if where else "")
            )
        return "\n".join(lines)


def plan_summary(plan: Plan) -> dict[str, Any]:
    """Counts of operations by system, object and action, and findings by code."""
    ops: dict[str, Counter[str]] = defaultdict(Counter)
    for op in plan.operations:
        ops[f"{op.system}/{op.object}"][op.action] += 1
    codes = Counter(f.code.value for f in plan.findings)
    return {
        "plan_id": plan.plan_id,
        "operations": {where: dict(sorted(c.items())) for where, c in sorted(ops.items())},
        "operation_count": len(plan.operations),
        "quarantine": len(plan.quarantine),
        "findings": dict(sorted(codes.items())),
        "accounting": plan.accounting,
    }


def plan_text(plan: Plan, *, show_findings: bool = True) -> str:
    """A person's view of a plan."""
    summary = plan_summary(plan)
    lines = [f"plan {plan.plan_id[:12]} as of {plan.as_of}"]
    if plan.empty:
        lines.append("  no changes: every system already agrees")
    for where, counts in summary["operations"].items():
        parts = ", ".join(f"{action} {n}" for action, n in counts.items())
        lines.append(f"  {where}: {parts}")
    if plan.quarantine:
        lines.append(f"  quarantine: {len(plan.quarantine)} contact(s) over the cap")
    acc = plan.accounting
    lines.append("  records: " + ", ".join(f"{k} {v}" for k, v in acc.items()))
    if show_findings and plan.findings:
        lines.append(findings_text(plan.findings))
    return "\n".join(lines)


def findings_text(findings: list[Finding]) -> str:
    """Findings grouped by customer, one line each, codes first."""
    by_customer: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_customer[finding.customer or "(no customer)"].append(finding)
    lines = [f"findings ({len(findings)}):"]
    for customer in sorted(by_customer):
        lines.append(f"  customer {customer}:")
        for finding in sorted(by_customer[customer], key=Finding.sort_key):
            lines.append(f"    {finding.code.value:<22} {mask_text(finding.message)}")
    return "\n".join(lines)


def report_json(plan: Plan) -> str:
    data = {
        **plan_summary(plan),
        "findings": [
            {**f.to_json(), "message": mask_text(f.message)}
            for f in sorted(plan.findings, key=Finding.sort_key)
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
