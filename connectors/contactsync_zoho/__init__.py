"""The zoho connector (in progress)."""
