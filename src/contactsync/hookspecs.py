"""Every hook contactsync calls, in the order a run meets them.

This module *is* the plugin reference: each docstring is the hook's contract. Phases:
register → configure → normalize → match → reconcile → plan/apply → report.

A plugin implements a hook with ``@contactsync.hookimpl`` on a function of the same name.
A misspelt name fails at load (``PluginManager.check_pending``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import requests

    from contactsync.config import Config, SystemConfig
    from contactsync.connector import ConnectorSpec
    from contactsync.models import BusinessContact, EmergencyContact, Phone
    from contactsync.plan import Plan
    from contactsync.policies import Policy
    from contactsync.reconcile.merge import Candidate
    from contactsync.report import ApplySummary
    from contactsync.review import ReviewDue

hookspec = pluggy.HookspecMarker("contactsync")

# ---------------------------------------------------------------------------------------
# register: what plugins bring
# ---------------------------------------------------------------------------------------


@hookspec
def contactsync_register_connectors(register: Callable[[ConnectorSpec], None]) -> None:
    """Register connectors by calling ``register(ConnectorSpec(...))`` once for each.

    Called once when the plugin host loads. Two connectors with the same name are a
    configuration error naming both plugins.
    """


@hookspec
def contactsync_register_policies(register: Callable[[Policy], None]) -> None:
    """Register reconcile policies by calling ``register(policy)``.

    Policies run per customer after the merge, in registration order (built-ins first).
    A policy whose ``name`` equals a built-in's replaces it.
    """


# ---------------------------------------------------------------------------------------
# configure
# ---------------------------------------------------------------------------------------


@hookspec
def contactsync_configure(config: Config) -> None:
    """Inspect the loaded configuration before any connector is built.

    Raise ``contactsync.errors.ConfigError`` to refuse it; the message reaches the user.
    """


@hookspec(firstresult=True)
def contactsync_http_session(system: SystemConfig) -> requests.Session | None:
    """The ``requests.Session`` the connector of ``system`` is built with.

    firstresult: the first session returned is used; ``None`` from every plugin gives a
    fresh ``requests.Session``. This is the one seam for proxies, a shared rate budget,
    recorded cassettes and emulators, for the command line as well as the Python API
    (an explicit ``Workspace.open(session_factory=...)`` takes precedence).
    """


# ---------------------------------------------------------------------------------------
# normalize: raw values to canonical ones
#
# The three normalizer hooks below must be pure functions of their arguments: the host
# caches their answers for the run.
# ---------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def contactsync_normalize_phone(raw: str | int | float, region: str) -> Phone | None:
    """Parse one phone number written in ``raw``; ``region`` is the ISO country to assume.

    ``raw`` is an ``int`` or ``float`` when a spreadsheet stored the number as a number.

    firstresult: the first non-``None`` answer wins. The built-in answers last
    (``trylast``), so a plugin can replace it for some or all numbers by answering, or
    extend it by returning ``None`` for numbers it does not handle.
    """


@hookspec(firstresult=True)
def contactsync_name_key(name: str) -> str | None:
    """The match key of a person's name. firstresult; the built-in answers last."""


@hookspec(firstresult=True)
def contactsync_email_key(email: str) -> str | None:
    """The match key of an e-mail address. firstresult; the built-in answers last."""


@hookspec
def contactsync_normalize_contact(kind: str, values: dict[str, Any], system: str) -> None:
    """Adjust mapped ``values`` of one record in place, before validation.

    Every implementation runs. Use it for installation rules (for example a fixed
    ``country`` per system). Do not remove fields: nothing read may be lost.
    """


# ---------------------------------------------------------------------------------------
# match
# ---------------------------------------------------------------------------------------


@hookspec
def contactsync_match_keys(contact: EmergencyContact | BusinessContact) -> list[str]:
    """Extra keys that identify ``contact`` within its customer (a fuzzy matcher's key).

    Return a list of strings; records of one customer and kind that share a key are
    taken as one person. A record matching two different people is reported as
    ``AMBIGUOUS_MATCH`` and never merged.
    """
    raise NotImplementedError  # a specification: pluggy calls the implementations


# ---------------------------------------------------------------------------------------
# reconcile
# ---------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def contactsync_resolve_conflict(
    field: str, candidates: list[Candidate], base: Any
) -> Candidate | None:
    """Choose the winning value of ``field`` when several systems changed it differently.

    firstresult. Return one of ``candidates`` or ``None`` to leave the choice to the
    built-in rule (newest ``updated_at`` beyond the clock-skew guard, then system
    priority). Each conflict is still reported as a ``CONFLICT`` finding.
    """


# ---------------------------------------------------------------------------------------
# plan and apply
# ---------------------------------------------------------------------------------------


@hookspec
def contactsync_before_apply(plan: Plan) -> str | None:
    """A gate before any write: return a reason to veto the apply, or ``None``.

    Every implementation runs; any reason stops the apply before the first write, and
    the reasons are shown to the user (exit code 1).
    """


@hookspec
def contactsync_after_apply(summary: ApplySummary) -> None:
    """Notification after an apply finished (successfully or with per-record failures)."""


# ---------------------------------------------------------------------------------------
# report
# ---------------------------------------------------------------------------------------


@hookspec
def contactsync_reviews_due(due: list[ReviewDue]) -> None:
    """Notification of the emergency contacts whose review is due or overdue.

    Called after each plan with every due review, sorted by due date.
    """
