"""Test helpers for connector authors (the contract kit)."""
