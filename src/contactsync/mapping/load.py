"""Finding, reading, merging and validating mapping files.

Every error is a ``ConfigError`` naming the file, the key path and the field, e.g.
``mappings/x.toml: emergency.fields.priority: unknown converter 'integer'``. A refusal
caused by the system's own settings rather than the file (both kinds put into one object
by its ``objects`` or ``mapping`` overrides) starts with those settings' keys instead
(``objects.business: ...``): they were written in the configuration, whose file and
system the workspace puts in front (``contactsync.toml: [systems.crm]: objects.business:
...``).
"""

from __future__ import annotations

import posixpath
import tomllib
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from contactsync.errors import ConfigError
from contactsync.mapping.converters import CONVERTERS, NATURAL_CONVERTER, FieldContext
from contactsync.mapping.fields import UNMAPPABLE, CanonicalField, canonical_fields
from contactsync.mapping.model import FieldMap, MixedSpec, ObjectMapping, SystemMapping
from contactsync.mapping.values import known_zone
from contactsync.models import Kind

MAPPING_VERSION = 1
_TOP_KEYS = ("connector", "version", "description", "emergency", "business")
_KIND_KEYS = ("object", "key_field", "id_field", "timezone", "fields", "mixed", "description")
_MIXED_KEYS = ("type_field", "emergency_values", "fields")
_FIELD_KEYS = ("field", "fields", "convert")

# ---------------------------------------------------------------------------------------
# finding files
# ---------------------------------------------------------------------------------------


def mappings_dir() -> Path:
    """The default mapping files: the wheel's ``contactsync/_mappings``, else the repo's
    ``mappings/`` (an editable install or a checkout)."""
    packaged = Path(__file__).resolve().parents[1] / "_mappings"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "mappings"


def resolve_mapping_file(name: str | Path) -> Path:
    """``name`` as an existing path, else the file of that name in ``mappings_dir()``
    (``.toml`` may be left off: ``"csv"`` finds ``csv.toml``).

    Raises:
        ConfigError: naming the file when neither exists.
    """
    candidate = Path(name).expanduser()
    if candidate.is_file():
        return candidate
    if not candidate.is_absolute():
        shipped = mappings_dir() / candidate
        for option in (shipped, shipped.with_name(shipped.name + ".toml")):
            if option.is_file():
                return option
    raise ConfigError(
        f"{name}: mapping file not found (looked for it as a path and in {mappings_dir()})"
    )


# ---------------------------------------------------------------------------------------
# loading
# ---------------------------------------------------------------------------------------


def load_mapping(
    file: str | Path,
    *,
    overrides: Mapping[str, Any] | None = None,
    objects: Mapping[Kind, str] | Mapping[str, str] | None = None,
    connector: str | None = None,
    base_dir: str | Path | None = None,
) -> SystemMapping:
    """Read a mapping file, merge ``overrides`` over it, apply ``objects``, validate.

    Args:
        file: a path, or the name of a file in ``mappings_dir()``.
        overrides: a table deep-merged over the file (``SystemConfig.mapping_overrides``).
        objects: per-kind objects replacing the file's (``SystemConfig.objects``).
        connector: the connector of the system using it; a file for another is refused.
        base_dir: the folder relative object paths are relative to (the configuration's),
            so that ``a.csv`` and ``/that/folder/a.csv`` are seen to be the same file.

    Raises:
        ConfigError: naming the file, the key path and the field; or, when ``overrides``
            or ``objects`` put both kinds into one object, naming those settings by their
            key in the system's table (``objects.business``, ``mapping.business.object``).
    """
    path = resolve_mapping_file(file)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the mapping file: {exc}") from None
    return parse_mapping(
        data, source=str(path), overrides=overrides, objects=objects, connector=connector,
        base_dir=base_dir,
    )


def parse_mapping(
    data: Mapping[str, Any],
    *,
    source: str,
    overrides: Mapping[str, Any] | None = None,
    objects: Mapping[Kind, str] | Mapping[str, str] | None = None,
    connector: str | None = None,
    base_dir: str | Path | None = None,
) -> SystemMapping:
    """``load_mapping`` for an already-parsed table; ``source`` names it in errors."""
    merged = deep_merge(data, overrides) if overrides else dict(data)
    report = _Report(source, frozenset(_leaf_paths(overrides or {})))
    return _Parser(report).system(merged, objects or {}, connector, base_dir)


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``override`` over ``base``: tables merge key by key, anything else replaces.

    A field table that names its vendor field(s) again drops the base's ``field`` /
    ``fields``, so renaming keeps the converter and its options but not the old name.
    """
    result = dict(base)
    if isinstance(override.get("field"), str) or isinstance(override.get("fields"), list):
        result.pop("field", None)
        result.pop("fields", None)
    for key, value in override.items():
        current = result.get(key)
        if isinstance(current, str) and isinstance(value, Mapping) and not _names_fields(value):
            current = {"field": current}  # options added to a short-form field
        if isinstance(value, Mapping) and isinstance(current, Mapping):
            result[key] = deep_merge(current, value)
        else:
            result[key] = value
    return result


def _names_fields(spec: Mapping[str, Any]) -> bool:
    return "field" in spec or "fields" in spec


def _leaf_paths(table: Mapping[str, Any], prefix: str = "") -> Iterator[str]:
    for key, value in table.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            yield from _leaf_paths(value, path + ".")
        else:
            yield path


@dataclass(frozen=True)
class _Report:
    source: str
    overridden: frozenset[str]

    def touches(self, path: str) -> bool:
        """Whether the overrides set ``path``, something in it or something holding it."""
        return any(
            leaf == path or leaf.startswith(path + ".") or path.startswith(leaf + ".")
            for leaf in self.overridden
        )

    def error(self, path: str, message: str) -> ConfigError:
        note = " (after mapping_overrides)" if self.touches(path) else ""
        return ConfigError(f"{self.source}: {path}: {message}{note}")


# ---------------------------------------------------------------------------------------
# separate storage (DESIGN invariant 1)
# ---------------------------------------------------------------------------------------


def object_identity(name: str, *, base_dir: str | Path | None = None) -> str:
    """What two spellings of one object have in common: NFKC, case-folded, as a normalised
    path (``./a.csv`` is ``a.csv``, ``Contact`` is ``contact``)."""
    text = unicodedata.normalize("NFKC", name).strip().replace("\\", "/")
    if base_dir is not None and not posixpath.isabs(text):
        text = posixpath.join(str(base_dir).replace("\\", "/"), text)
    return posixpath.normpath(text).casefold() if text else ""


def same_object(a: str, b: str, *, base_dir: str | Path | None = None) -> bool:
    """Whether ``a`` and ``b`` name the same vendor object, table, sheet, file or form."""
    return object_identity(a, base_dir=base_dir) == object_identity(b, base_dir=base_dir)


@dataclass(frozen=True)
class _Placed:
    """One kind's object and where it was set.

    Attributes:
        object: the object name.
        setting: its key in the system's own settings (``objects.business``,
            ``mapping.business.object``) when the configuration set it; ``None`` when the
            mapping file did.
        note: how the refusal describes that setting.
    """

    object: str
    setting: str | None = None
    note: str = ""


def check_separate_storage(mapping: SystemMapping, *, base_dir: str | Path | None = None) -> None:
    """Refuse a mapping that keeps both kinds in one object.

    Raises:
        ConfigError: naming both objects; the kinds must be stored separately.
    """
    _refuse_shared_object(
        {kind: _Placed(om.object) for kind, om in mapping.objects.items()},
        _Report(mapping.source, frozenset()),
        base_dir,
    )


def _refuse_shared_object(
    placed: Mapping[Kind, _Placed], report: _Report, base_dir: str | Path | None
) -> None:
    """Refuse both kinds in one object, naming where the offending setting was written.

    When the system's own settings (its ``objects`` or ``mapping`` overrides) put a kind
    there, the error is about those settings, not the mapping file: it starts with their
    keys in the system's table, for the workspace to prefix with the configuration file
    and system (``contactsync.toml: [systems.crm]: objects.business: ...``), and names
    the mapping file only for an object the file set.
    """
    if Kind.EMERGENCY not in placed or Kind.BUSINESS not in placed:
        return
    emergency, business = placed[Kind.EMERGENCY], placed[Kind.BUSINESS]
    if not same_object(emergency.object, business.object, base_dir=base_dir):
        return
    settings = [p.setting for p in (emergency, business) if p.setting is not None]

    def described(kind: Kind, p: _Placed) -> str:
        if p.setting is None and settings:  # the other came from the configuration
            return f"{p.object!r} from {kind.value}.object in {report.source}"
        return f"{p.object!r}{p.note}"

    reason = (
        f"both kinds are mapped to the same object ({described(Kind.EMERGENCY, emergency)} "
        f"and {described(Kind.BUSINESS, business)}); emergency and business contacts must "
        "be stored separately (DESIGN invariant 1): give each kind its own object, table, "
        "sheet or form"
    )
    if settings:
        raise ConfigError(f"{', '.join(settings)}: {reason}")
    raise report.error("emergency.object, business.object", reason)


# ---------------------------------------------------------------------------------------
# validation
# ---------------------------------------------------------------------------------------


def _unknown(found: Mapping[str, Any], known: tuple[str, ...]) -> list[str]:
    return [key for key in found if key not in known]


class _Parser:
    def __init__(self, report: _Report) -> None:
        self.report = report

    def fail(self, path: str, message: str) -> ConfigError:
        return self.report.error(path, message)

    def system(
        self,
        data: Mapping[str, Any],
        objects: Mapping[Any, str],
        connector: str | None,
        base_dir: str | Path | None,
    ) -> SystemMapping:
        for key in _unknown(data, _TOP_KEYS):
            hint = " (the kinds are 'emergency' and 'business')" if isinstance(
                data[key], Mapping
            ) else ""
            raise self.fail(key, f"unknown top-level key{hint}; known: {', '.join(_TOP_KEYS)}")
        version = data.get("version", MAPPING_VERSION)
        if version != MAPPING_VERSION or isinstance(version, bool):
            raise self.fail("version", f"unsupported mapping version {version!r} "
                                       f"(this contactsync reads version {MAPPING_VERSION})")
        name = self._connector(data.get("connector"), connector)
        kinds = {
            kind: data[kind.value] for kind in Kind if data.get(kind.value, False) is not False
        }
        if not kinds:
            raise self.fail("emergency, business", "the mapping maps neither kind")
        emergency_table = kinds.get(Kind.EMERGENCY)
        emergency_fields = (
            emergency_table.get("fields") if isinstance(emergency_table, Mapping) else None
        )
        built = {
            kind: self.object_mapping(kind, table, emergency_fields)
            for kind, table in kinds.items()
        }
        placed = {
            kind: _Placed(om.object, f"mapping.{kind.value}.object", " from mapping_overrides")
            if self.report.touches(f"{kind.value}.object") else _Placed(om.object)
            for kind, om in built.items()
        }
        for raw_kind, obj in objects.items():
            kind = self._override_kind(raw_kind, obj, built)
            built[kind] = replace(built[kind], object=obj)
            placed[kind] = _Placed(
                obj, f"objects.{kind.value}", " from the system's objects setting"
            )
        _refuse_shared_object(placed, self.report, base_dir)
        return SystemMapping(connector=name, source=self.report.source, objects=built)

    def _connector(self, declared: Any, wanted: str | None) -> str:
        if declared is None:
            if wanted is None:
                raise self.fail("connector", "required: name the connector this mapping is for")
            return wanted
        if not isinstance(declared, str) or not declared:
            raise self.fail("connector", "must be the connector's name")
        if wanted is not None and declared != wanted:
            raise self.fail(
                "connector",
                f"this mapping is for connector {declared!r}, but the system uses {wanted!r}",
            )
        return declared

    def _override_kind(
        self, raw_kind: Any, obj: Any, built: Mapping[Kind, ObjectMapping]
    ) -> Kind:
        try:
            kind = Kind(raw_kind)
        except ValueError:
            raise self.fail(f"objects.{raw_kind}", "kind must be emergency or business") from None
        if kind not in built:
            raise self.fail(f"objects.{kind.value}", f"this mapping has no {kind.value} object")
        if not isinstance(obj, str) or not obj.strip():
            raise self.fail(f"objects.{kind.value}", "must be a non-empty object name")
        return kind

    def object_mapping(
        self, kind: Kind, table: Any, emergency_fields: Any
    ) -> ObjectMapping:
        path = kind.value
        if not isinstance(table, Mapping):
            raise self.fail(path, "must be a table")
        for key in _unknown(table, _KIND_KEYS):
            raise self.fail(f"{path}.{key}", f"unknown key; known: {', '.join(_KIND_KEYS)}")
        obj = self._text(table, "object", path)
        key_field = self._text(table, "key_field", path)
        id_field = self._text(table, "id_field", path, required=False)
        timezone = self._text(table, "timezone", path, required=False)
        if timezone is not None:
            try:
                known_zone(timezone)
            except ValueError as exc:
                raise self.fail(f"{path}.timezone", str(exc)) from None
        if "fields" not in table:
            raise self.fail(f"{path}.fields", "required: the table of canonical = vendor fields")
        fields = self.fields(kind, table["fields"], f"{path}.fields", timezone)
        self._reserved(fields, f"{path}.fields", key_field, "key_field")
        if id_field is not None and id_field != key_field:
            self._reserved(fields, f"{path}.fields", id_field, "id_field")
        mixed = None
        if "mixed" in table:
            if kind is not Kind.BUSINESS:
                raise self.fail(
                    f"{path}.mixed",
                    "only a business object can be a legacy object holding both kinds",
                )
            mixed = self.mixed(table["mixed"], emergency_fields, key_field, timezone)
        return ObjectMapping(
            kind=kind, object=obj, key_field=key_field, fields=fields, id_field=id_field,
            timezone=timezone, mixed=mixed,
        )

    def _text(self, table: Mapping[str, Any], key: str, path: str, *, required: bool = True
              ) -> Any:
        value = table.get(key)
        if value is None:
            if required:
                raise self.fail(f"{path}.{key}", "required")
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{path}.{key}", "must be non-empty text")
        return value

    def _reserved(self, fields: Mapping[str, FieldMap], path: str, vendor: str, role: str
                  ) -> None:
        for fmap in fields.values():
            if vendor in fmap.vendor_fields:
                raise self.fail(
                    f"{path}.{fmap.canonical}",
                    f"vendor field {vendor!r} is the {role}; it cannot also hold "
                    f"{fmap.canonical!r}",
                )

    def mixed(
        self, table: Any, emergency_fields: Any, key_field: str, timezone: str | None
    ) -> MixedSpec:
        path = "business.mixed"
        if not isinstance(table, Mapping):
            raise self.fail(path, "must be a table")
        for key in _unknown(table, _MIXED_KEYS):
            raise self.fail(f"{path}.{key}", f"unknown key; known: {', '.join(_MIXED_KEYS)}")
        type_field = self._text(table, "type_field", path)
        values = table.get("emergency_values")
        if (
            not isinstance(values, list) or not values
            or not all(isinstance(v, str) and v.strip() for v in values)
        ):
            raise self.fail(
                f"{path}.emergency_values",
                "required: a non-empty list of the type values that mark an emergency contact",
            )
        if "fields" in table:
            fields_table, fields_path = table["fields"], f"{path}.fields"
        elif emergency_fields:
            fields_table, fields_path = emergency_fields, f"{path}.fields (from emergency.fields)"
        else:
            raise self.fail(
                f"{path}.fields", "required: the mapping has no emergency.fields to default to"
            )
        fields = self.fields(Kind.EMERGENCY, fields_table, fields_path, timezone)
        if type_field == key_field:
            raise self.fail(f"{path}.type_field", f"{type_field!r} is the key_field")
        self._reserved(fields, fields_path, key_field, "key_field")
        self._reserved(fields, fields_path, type_field, "type_field")
        return MixedSpec(type_field, tuple(values), fields)

    def fields(
        self, kind: Kind, table: Any, path: str, timezone: str | None
    ) -> dict[str, FieldMap]:
        if not isinstance(table, Mapping):
            raise self.fail(path, "must be a table of canonical field = vendor field")
        known = canonical_fields(kind)
        result: dict[str, FieldMap] = {}
        set_by: dict[str, str] = {}
        vendor_used: dict[str, str] = {}
        for name, spec in table.items():
            where = f"{path}.{name}"
            if spec is False:  # "not mapped here", e.g. an override for an org without it
                continue
            field = self._canonical(kind, name, where, known)
            fmap = self.field(field, spec, where, timezone)
            for produced in CONVERTERS[fmap.convert].produces(fmap):
                if produced in set_by:
                    first = set_by[produced]
                    message = f"canonical field {produced!r} is already set by {first!r}"
                    raise self.fail(where, message)
                set_by[produced] = name
            for vendor in fmap.vendor_fields:
                if vendor in vendor_used:
                    first = vendor_used[vendor]
                    message = f"vendor field {vendor!r} is already mapped to {first!r}"
                    raise self.fail(where, message)
                vendor_used[vendor] = name
            result[name] = fmap
        required = [f.name for f in known.values() if f.required]
        for name in required:
            if name not in set_by:
                raise self.fail(
                    path,
                    f"required canonical field {name!r} is not mapped (a {kind.value} contact "
                    f"needs {', '.join(required)})",
                )
        return result

    def _canonical(
        self, kind: Kind, name: str, where: str, known: Mapping[str, CanonicalField]
    ) -> CanonicalField:
        if name in UNMAPPABLE:
            why = {
                "key": "the contactsync key is read from and written to key_field",
                "kind": "the kind is the object's",
                "provenance": "provenance is set by the reader",
            }[name]
            raise self.fail(where, f"{name!r} is not a mappable field: {why}")
        if name in known:
            return known[name]
        other = Kind.BUSINESS if kind is Kind.EMERGENCY else Kind.EMERGENCY
        hint = (
            f"; {name!r} is a {other.value} contact field"
            if name in canonical_fields(other) else ""
        )
        raise self.fail(
            where, f"unknown canonical field {name!r} for a {kind.value} contact{hint}"
        )

    def field(
        self, canonical: CanonicalField, spec: Any, where: str, timezone: str | None
    ) -> FieldMap:
        vendor, convert, options = self._field_spec(spec, where)
        convert = convert or NATURAL_CONVERTER[canonical.category]
        converter = CONVERTERS.get(convert)
        if converter is None:
            raise self.fail(
                where, f"unknown converter {convert!r} (known: {', '.join(sorted(CONVERTERS))})"
            )
        if converter.only_canonical and canonical.name not in converter.only_canonical:
            only = ", ".join(sorted(converter.only_canonical))
            raise self.fail(where, f"converter {convert!r} can only map {only}")
        if converter.categories and canonical.category not in converter.categories:
            natural = NATURAL_CONVERTER[canonical.category]
            raise self.fail(
                where,
                f"converter {convert!r} cannot hold {canonical.name!r} "
                f"({canonical.category.value}); use {natural!r}",
            )
        low, high = converter.min_fields, converter.max_fields
        if len(vendor) < low or (high is not None and len(vendor) > high):
            wanted = f"{low}" if low == high else f"{low} to {high}" if high else f"{low} or more"
            raise self.fail(
                where, f"converter {convert!r} takes {wanted} vendor field(s), got {len(vendor)}"
            )
        if len(set(vendor)) != len(vendor):
            raise self.fail(where, "the same vendor field is named twice")
        fmap = FieldMap(canonical.name, vendor, convert, options)
        ctx = FieldContext(canonical, timezone)
        for option, value in options.items():
            check = converter.options.get(option)
            if check is None:
                known = ", ".join(converter.options) or "it takes none"
                raise self.fail(
                    where, f"unknown option {option!r} for converter {convert!r} (known: {known})"
                )
            problem = check(value, ctx)
            if problem:
                raise self.fail(where, f"option {option!r} {problem}")
        for option in sorted(converter.required_options - set(options)):
            raise self.fail(where, f"converter {convert!r} needs option {option!r}")
        problem = converter.check(fmap, ctx)
        if problem:
            raise self.fail(where, problem)
        return fmap

    def _field_spec(
        self, spec: Any, where: str
    ) -> tuple[tuple[str, ...], str | None, dict[str, Any]]:
        if isinstance(spec, str):
            if not spec.strip():
                raise self.fail(where, "the vendor field name is empty")
            return (spec,), None, {}
        if not isinstance(spec, Mapping):
            raise self.fail(where, "must be a vendor field name or a table with field/fields")
        if "field" in spec and "fields" in spec:
            raise self.fail(where, "give 'field' or 'fields', not both")
        if "field" in spec:
            names: Any = [spec["field"]]
        elif "fields" in spec:
            names = spec["fields"]
        else:
            raise self.fail(where, "names no vendor field: give field = \"...\" or fields = [...]")
        if (
            not isinstance(names, list) or not names
            or not all(isinstance(n, str) and n.strip() for n in names)
        ):
            raise self.fail(where, "vendor field names must be non-empty text")
        convert = spec.get("convert")
        if convert is not None and (not isinstance(convert, str) or not convert):
            raise self.fail(where, "'convert' must be a converter name")
        options = {k: v for k, v in spec.items() if k not in _FIELD_KEYS}
        return tuple(names), convert, options


def default_mapping_files() -> list[Path]:
    """The mapping files shipped with contactsync."""
    return sorted(p for p in mappings_dir().glob("*.toml") if p.is_file())

