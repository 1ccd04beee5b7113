"""Meta-tests, in the manner of datasette: every hook has a test and a documented section.

A hook ``contactsync_<name>`` needs a test function named ``test_hook_<name>...`` under
``tests/`` whose body names the hook (it implements it), and a ``### contactsync_<name>``
section in ``docs/plugin_hooks.md`` that says its phase and shows an example.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from contactsync import hookspecs

REPO = Path(__file__).resolve().parents[2]
PREFIX = "contactsync_"


def hook_names() -> list[str]:
    """Every hook specified in ``contactsync.hookspecs``."""
    return sorted(
        name
        for name, value in vars(hookspecs).items()
        if name.startswith(PREFIX) and hasattr(value, "contactsync_spec")
    )


def hook_tests(root: Path) -> dict[str, str]:
    """``test_hook_*`` function name → its source, for every test file under ``root``."""
    found: dict[str, str] = {}
    for path in sorted(root.rglob("test_*.py")):
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_hook_"):
                found[node.name] = ast.get_source_segment(source, node) or ""
    return found


def missing_hook_tests(hooks: list[str], tests: dict[str, str]) -> list[str]:
    """The hooks without a ``test_hook_<name>`` test whose body names the hook."""
    return [
        hook
        for hook in hooks
        if not any(
            name.startswith("test_hook_" + hook.removeprefix(PREFIX)) and hook in body
            for name, body in tests.items()
        )
    ]


def doc_sections(text: str) -> dict[str, str]:
    """``### contactsync_x`` heading → the section's text."""
    parts = re.split(r"^###\s+`?(contactsync_\w+)`?\s*$", text, flags=re.MULTILINE)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def missing_hook_docs(hooks: list[str], text: str) -> list[str]:
    """The hooks without a section that gives the phase, the contract and an example."""
    sections = doc_sections(text)
    return [
        hook
        for hook in hooks
        if hook not in sections
        or not all(mark in sections[hook] for mark in ("**Phase:**", "**Contract:**", "```python"))
    ]


def test_the_hookspecs_are_found() -> None:
    hooks = hook_names()
    assert len(hooks) >= 12 and "contactsync_match_keys" in hooks


def test_every_hook_has_a_test() -> None:
    missing = missing_hook_tests(hook_names(), hook_tests(REPO / "tests"))
    assert missing == [], f"hooks without a test_hook_<name> test: {missing}"


def test_every_hook_is_documented() -> None:
    text = (REPO / "docs" / "plugin_hooks.md").read_text(encoding="utf-8")
    missing = missing_hook_docs(hook_names(), text)
    assert missing == [], f"hooks without a section in docs/plugin_hooks.md: {missing}"


def test_no_section_documents_a_hook_that_does_not_exist() -> None:
    text = (REPO / "docs" / "plugin_hooks.md").read_text(encoding="utf-8")
    assert sorted(set(doc_sections(text)) - set(hook_names())) == []


def test_the_checks_fail_for_a_new_hook_without_test_or_docs() -> None:
    hooks = [*hook_names(), "contactsync_new_hook"]
    assert missing_hook_tests(hooks, hook_tests(REPO / "tests")) == ["contactsync_new_hook"]
    text = (REPO / "docs" / "plugin_hooks.md").read_text(encoding="utf-8")
    assert missing_hook_docs(hooks, text) == ["contactsync_new_hook"]


def test_a_test_named_for_a_hook_must_implement_it() -> None:
    tests = {"test_hook_match_keys": "def test_hook_match_keys():\n    assert True\n"}
    assert missing_hook_tests(["contactsync_match_keys"], tests) == ["contactsync_match_keys"]
    section = "### contactsync_match_keys\n\nNo phase, no example.\n"
    assert missing_hook_docs(["contactsync_match_keys"], section) == ["contactsync_match_keys"]
