"""Errors sorted by what the caller should do, and what each one carries."""

from __future__ import annotations

import pickle

import pytest

import contactsync
from contactsync.cli.app import EXIT_FAILED, EXIT_QUOTA, EXIT_USAGE, exit_code_for
from contactsync.errors import (
    AuthError,
    ConfigError,
    ContactsyncError,
    InvariantViolation,
    QuotaExhausted,
    RecordLocation,
    RecordRejected,
    RetryableError,
    StalePlan,
)

ERRORS = (
    ConfigError,
    AuthError,
    RetryableError,
    QuotaExhausted,
    StalePlan,
    InvariantViolation,
    RecordRejected,
)
WHERE = RecordLocation("legacy", "legacy_export.csv", "row 12")


def test_every_error_is_a_contactsync_error_and_exported() -> None:
    for error in ERRORS:
        assert issubclass(error, ContactsyncError)
        assert getattr(contactsync, error.__name__) is error
    assert ContactsyncError.__name__ in contactsync.__all__


def test_the_errors_are_distinct_recovery_intents() -> None:
    # No error is a kind of another: catching one never catches a different intent.
    for error in ERRORS:
        for other in ERRORS:
            assert error is other or not issubclass(error, other)


def test_a_record_location_reads_system_object_record() -> None:
    assert str(WHERE) == "legacy/legacy_export.csv/row 12"


def test_a_rejection_names_the_record_and_the_field() -> None:
    error = RecordRejected(WHERE, "required field is missing", field="role", code="MISSING_FIELD")
    assert str(error) == "legacy/legacy_export.csv/row 12 field 'role': required field is missing"
    assert (error.location, error.field, error.reason, error.code) == (
        WHERE,
        "role",
        "required field is missing",
        "MISSING_FIELD",
    )


def test_a_rejection_without_a_field_names_the_record() -> None:
    error = RecordRejected(WHERE, "row has 17 cells")
    assert str(error) == "legacy/legacy_export.csv/row 12: row has 17 cells"
    assert error.field is None and error.code == "INVALID_RECORD"


@pytest.mark.parametrize(
    "error",
    [
        RecordRejected(WHERE, "bad phone", field="phones.0", code="INVALID_FIELD"),
        RetryableError("429 Too Many Requests", retry_after=7.5),
        ConfigError("contactsync.toml: [sync] unknown key(s) x"),
        QuotaExhausted("daily API budget spent"),
    ],
)
def test_errors_survive_pickling_to_another_process(error: ContactsyncError) -> None:
    # Workers and executors send errors back pickled; the default pickling of an error
    # with keyword-only arguments calls __init__ with the message alone and fails.
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error)
    assert str(again) == str(error)
    assert vars(again) == vars(error)


def test_a_retryable_error_keeps_what_the_vendor_asked_for() -> None:
    assert RetryableError("503").retry_after is None
    assert RetryableError("429", retry_after=30).retry_after == 30


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (ConfigError("x"), EXIT_USAGE),
        (AuthError("x"), EXIT_USAGE),
        (StalePlan("x"), EXIT_USAGE),
        (QuotaExhausted("x"), EXIT_QUOTA),
        (InvariantViolation("x"), EXIT_FAILED),
        (RetryableError("x"), EXIT_FAILED),
        (RecordRejected(WHERE, "x"), EXIT_FAILED),
        (KeyError("x"), EXIT_FAILED),
    ],
)
def test_each_error_maps_to_its_exit_code(error: BaseException, code: int) -> None:
    assert exit_code_for(error) == code
