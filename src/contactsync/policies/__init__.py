"""Reconcile policies."""
