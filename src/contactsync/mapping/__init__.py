"""Declarative mappings between vendor fields and canonical fields."""

from contactsync.mapping.model import FieldMap, MixedSpec, ObjectMapping, SystemMapping

__all__ = ["FieldMap", "MixedSpec", "ObjectMapping", "SystemMapping"]
