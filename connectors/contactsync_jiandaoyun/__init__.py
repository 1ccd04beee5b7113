"""The jiandaoyun connector (in progress)."""
