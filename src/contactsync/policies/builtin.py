"""The built-in policies, registered as a default plugin (placeholder until filled)."""
