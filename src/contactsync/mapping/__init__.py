"""Declarative mappings between vendor fields and canonical fields.

``load_mapping`` reads and validates a mapping file (``docs/mappings.md``);
``to_canonical`` and ``to_vendor`` convert one record each way; ``classify`` tells the
rows of a legacy object holding both kinds apart.
"""

from contactsync.mapping.convert import (
    FieldProblem,
    UnmappableValue,
    classify,
    mapping_for_row,
    to_canonical,
    to_vendor,
)
from contactsync.mapping.converters import CONVERTERS
from contactsync.mapping.load import (
    check_separate_storage,
    deep_merge,
    default_mapping_files,
    load_mapping,
    mappings_dir,
    object_identity,
    parse_mapping,
    resolve_mapping_file,
    same_object,
)
from contactsync.mapping.model import FieldMap, MixedSpec, ObjectMapping, SystemMapping

__all__ = [
    "CONVERTERS",
    "FieldMap",
    "FieldProblem",
    "MixedSpec",
    "ObjectMapping",
    "SystemMapping",
    "UnmappableValue",
    "check_separate_storage",
    "classify",
    "deep_merge",
    "default_mapping_files",
    "load_mapping",
    "mapping_for_row",
    "mappings_dir",
    "object_identity",
    "parse_mapping",
    "resolve_mapping_file",
    "same_object",
    "to_canonical",
    "to_vendor",
]
