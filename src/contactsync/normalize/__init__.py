"""Normalization of phones, names and e-mails (each a default plugin)."""
