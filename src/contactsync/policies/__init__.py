"""Reconcile policies: each a rule with finding codes, registered as a default plugin."""

from contactsync.policies.base import CustomerDraft, Policy, PolicyContext, SystemView

__all__ = ["CustomerDraft", "Policy", "PolicyContext", "SystemView"]
