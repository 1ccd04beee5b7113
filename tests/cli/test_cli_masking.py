"""What a person typed is echoed masked when it is a phone number or an e-mail address."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from click.testing import Result

from contactsync.state import StateStore

Invoke = Callable[[Sequence[str]], Result]  # the invoke fixture (tests/cli/conftest.py)
PHONE, EMAIL = "+8613800138100", "e0@example.com"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """A one-system configuration with an (empty) state store."""
    path = tmp_path / "contactsync.toml"
    path.write_text("[systems.crm]\nconnector = 'csv'\n", encoding="utf-8")
    StateStore.open(f"sqlite:///{tmp_path / '.contactsync' / 'state.db'}").close()
    return path


@pytest.mark.parametrize(
    ("typed", "shown"), [(PHONE, "'+*********8100'"), (EMAIL, "'e***@example.com'")]
)
def test_review_mark_masks_an_unknown_contact_key(
    invoke: Invoke, config: Path, typed: str, shown: str
) -> None:
    result = invoke(
        ["review", "mark", "--config", str(config), "--customer", "C1", "--contact", typed,
         "--by", "ops"]
    )  # fmt: skip
    assert result.exit_code == 2
    assert typed not in result.stdout + result.stderr
    assert f"no emergency contact with key {shown}" in result.stderr


@pytest.mark.parametrize(
    ("typed", "shown"), [(PHONE, "'+*********8100'"), (EMAIL, "'e***@example.com'")]
)
def test_quarantine_restore_masks_a_key_not_in_quarantine(
    invoke: Invoke, config: Path, typed: str, shown: str
) -> None:
    result = invoke(["quarantine", "restore", typed, "--config", str(config)])
    assert result.exit_code == 2
    assert typed not in result.stdout + result.stderr
    assert result.stderr == f"contactsync: error: {shown} is not in quarantine\n"


def test_quarantine_list_masks_the_customer_it_was_given(invoke: Invoke, config: Path) -> None:
    result = invoke(["quarantine", "list", "--config", str(config), "--customer", PHONE])
    assert result.exit_code == 0, result.stderr
    assert PHONE not in result.stdout
    assert result.stdout == "no quarantined contact for customer '+*********8100'\n"


def test_a_plain_key_is_shown_as_typed(invoke: Invoke, config: Path) -> None:
    result = invoke(["quarantine", "restore", "no-such-key", "--config", str(config)])
    assert result.stderr == "contactsync: error: 'no-such-key' is not in quarantine\n"
