"""The built-in normalizers, registered as a default plugin (placeholder until filled)."""
