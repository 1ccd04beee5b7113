"""Meta-tests that keep the plugin API honest: ``hookspecs.py`` is the plugin reference."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from contactsync import hookspecs
from contactsync.plugins import PluginHost

SRC = Path(hookspecs.__file__).resolve().parent

# The lifecycle order hookspecs.py promises: register → configure → normalize → match →
# reconcile → plan/apply → report.
PHASES = {
    "register": ["contactsync_register_connectors", "contactsync_register_policies"],
    "configure": ["contactsync_configure", "contactsync_http_session"],
    "normalize": [
        "contactsync_normalize_phone",
        "contactsync_name_key",
        "contactsync_email_key",
        "contactsync_normalize_contact",
    ],
    "match": ["contactsync_match_keys"],
    "reconcile": ["contactsync_resolve_conflict"],
    "plan and apply": ["contactsync_before_apply", "contactsync_after_apply"],
    "report": ["contactsync_reviews_due"],
}
FIRSTRESULT = {
    "contactsync_normalize_phone",
    "contactsync_name_key",
    "contactsync_email_key",
    "contactsync_resolve_conflict",
    "contactsync_http_session",
}


def specs() -> dict[str, object]:
    """The hook specifications, in the order the module defines them."""
    found = {
        name: function
        for name, function in vars(hookspecs).items()
        if inspect.isfunction(function) and hasattr(function, "contactsync_spec")
    }
    return dict(sorted(found.items(), key=lambda item: item[1].__code__.co_firstlineno))  # type: ignore[attr-defined]  # functions


def test_every_hook_is_in_hookspecs_in_lifecycle_order() -> None:
    assert list(specs()) == [name for names in PHASES.values() for name in names]


def test_the_phases_are_banner_comments_in_that_order() -> None:
    source = Path(hookspecs.__file__).read_text(encoding="utf-8")
    banners = re.findall(r"^# -{20,}\n# ([a-z][a-z ]*)", source, flags=re.MULTILINE)
    assert banners == list(PHASES)


@pytest.mark.parametrize("name", list(specs()))
def test_every_hook_documents_its_contract(name: str) -> None:
    doc = inspect.getdoc(specs()[name])
    assert doc is not None and len(doc.split()) >= 8, f"{name} needs a docstring contract"
    if name in FIRSTRESULT:
        assert "firstresult" in doc


@pytest.mark.parametrize("name", list(specs()))
def test_every_hook_is_fully_typed(name: str) -> None:
    signature = inspect.signature(specs()[name])  # type: ignore[arg-type]  # a function
    assert signature.return_annotation is not inspect.Signature.empty, name
    for parameter in signature.parameters.values():
        assert parameter.annotation is not inspect.Parameter.empty, (name, parameter.name)


@pytest.mark.parametrize("name", list(specs()))
def test_firstresult_is_declared_where_documented(name: str) -> None:
    options = getattr(specs()[name], "contactsync_spec")  # noqa: B009 - pluggy's marker attribute
    assert bool(options.get("firstresult")) == (name in FIRSTRESULT)


@pytest.mark.parametrize("name", list(specs()))
def test_every_hook_has_a_typed_plugin_host_method(name: str) -> None:
    # Core code calls hooks only through PluginHost, so mypy checks every call site.
    assert name in inspect.getsource(PluginHost), f"PluginHost never calls {name}"


def test_no_core_module_calls_pm_hook_directly() -> None:
    offenders = [
        f"{path.relative_to(SRC)}:{number}"
        for path in sorted(SRC.rglob("*.py"))
        if path.name != "plugins.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if ".pm.hook." in line
    ]
    assert offenders == []
