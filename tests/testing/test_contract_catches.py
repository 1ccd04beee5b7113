"""The contract suite fails for each defect it is about (issue 4, "done when").

The reference ``MemoryConnector`` passes the whole suite (``TestMemoryContract``); each
broken subclass in ``broken_connectors.py`` must make its check raise
``ContractViolation``, and the message must name the defect.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import broken_connectors as broken
import pytest
from memory_connector import MemoryConnector, MemoryContract, memory_mapping

from contactsync.mapping import SystemMapping, mappings_dir, parse_mapping
from contactsync.models import Kind
from contactsync.testing import CHECKS, ContractViolation


class TestMemoryContract(MemoryContract):
    """The reference connector keeps the whole contract."""


def contract_for(connector_class: type[MemoryConnector]) -> MemoryContract:
    class Contract(MemoryContract):
        pass

    Contract.connector_class = connector_class
    return Contract()


CAUGHT = [
    pytest.param(broken.SkipsPage, "full_pull_pages_to_the_end", "skipped", id="skipped-page"),
    pytest.param(
        broken.StampOnlyPaging, "full_pull_pages_to_the_end", "skipped", id="shared-stamp-skipped"
    ),
    pytest.param(
        broken.RepeatsRecord, "full_pull_pages_to_the_end", "repeated", id="repeated-record"
    ),
    pytest.param(
        broken.UpdatesKeepTheirStamp,
        "incremental_pull_misses_no_change",
        "missed",
        id="update-missed",
    ),
    pytest.param(
        broken.NoLookback, "incremental_pull_catches_a_late_commit", "lookback", id="no-lookback"
    ),
    pytest.param(
        broken.StampOnlyCursor,
        "incremental_pull_catches_a_late_commit",
        "at the watermark",
        id="stamp-only-cursor",
    ),
    pytest.param(
        broken.ResumeStartsOver,
        "interrupted_pull_resumes_exactly_once",
        "came again",
        id="resume-repeats",
    ),
    pytest.param(
        broken.SaysCompleteWhenIncremental,
        "deletes_come_from_a_feed_or_a_complete_enumeration",
        "complete without",
        id="false-complete",
    ),
    pytest.param(
        broken.NoDeleteFeed,
        "deletes_come_from_a_feed_or_a_complete_enumeration",
        "delete feed did not report",
        id="no-delete-feed",
    ),
    pytest.param(
        broken.DescribesTheWrongObject,
        "describe_matches_mapping",
        "the mapping says",
        id="describe-object",
    ),
    pytest.param(
        broken.DuplicatesOnRetry,
        "retry_after_a_lost_response_creates_no_duplicate",
        "duplicates",
        id="duplicate-on-retry",
    ),
    pytest.param(
        broken.TimeoutEscapes,
        "retry_after_a_lost_response_creates_no_duplicate",
        "escaped as TimeoutError",
        id="timeout-escapes",
    ),
    pytest.param(
        broken.OversizedBatch,
        "push_respects_the_batch_size",
        "carried 5 records",
        id="oversized-batch",
    ),
    pytest.param(
        broken.WritesTheWrongObject,
        "kinds_never_cross_objects",
        "sent to",
        id="kind-to-wrong-object",
    ),
    pytest.param(
        broken.ReadsTheWrongObject,
        "kinds_never_cross_objects",
        "not of the emergency object",
        id="kind-read-from-wrong-object",
    ),
    pytest.param(
        broken.SwallowsErrors,
        "per_record_errors_come_back_as_results",
        "swallowed",
        id="swallowed-error",
    ),
    pytest.param(
        broken.DropsFailedResults,
        "per_record_errors_come_back_as_results",
        "must not be dropped",
        id="dropped-error",
    ),
    pytest.param(
        broken.AbortsOnError,
        "per_record_errors_come_back_as_results",
        "aborted the batch",
        id="error-aborts-batch",
    ),
    pytest.param(
        broken.LosesTheErrorCode,
        "per_record_errors_come_back_as_results",
        "not the vendor's",
        id="error-code-lost",
    ),
    pytest.param(
        broken.TruncatesText, "mapping_round_trip_loses_nothing", "lost", id="lossy-store"
    ),
]


@pytest.mark.parametrize(("connector_class", "check", "message"), CAUGHT)
def test_the_check_fails_for_the_defect(
    connector_class: type[MemoryConnector], check: str, message: str, tmp_path: Path
) -> None:
    with (
        contract_for(connector_class).open(tmp_path) as subject,
        pytest.raises(ContractViolation, match=message),
    ):
        CHECKS[check](subject)


@pytest.mark.parametrize(("connector_class", "check", "message"), CAUGHT)
def test_the_reference_passes_the_same_check(
    connector_class: type[MemoryConnector], check: str, message: str, tmp_path: Path
) -> None:
    """The check fails because of the defect, not because of the set-up around it."""
    with contract_for(MemoryConnector).open(tmp_path) as subject:
        CHECKS[check](subject)


def lossy_mapping() -> SystemMapping:
    """The memory mapping with ``updated_at`` written as a date: the time of day is lost."""
    import tomllib

    data: dict[str, Any] = tomllib.loads((mappings_dir() / "sqlite.toml").read_text("utf-8"))
    data["connector"] = "memory"
    data["business"]["fields"]["updated_at"] = {
        "field": "updated_at",
        "convert": "datetime",
        "format": "%Y-%m-%d",
        "timezone": "UTC",
    }
    return parse_mapping(data, source="lossy.toml")


class LossyMappingContract(MemoryContract):
    def mapping(self) -> SystemMapping:
        return lossy_mapping()


def test_a_lossy_mapping_fails_the_round_trip(tmp_path: Path) -> None:
    with (
        LossyMappingContract().open(tmp_path) as subject,
        pytest.raises(ContractViolation, match=r"round trip \(business\).*updated_at"),
    ):
        CHECKS["mapping_round_trip_loses_nothing"](subject)
    # The same check passes with the memory mapping (TestMemoryContract): the format is the loss.
    assert memory_mapping().for_kind(Kind.BUSINESS).fields["updated_at"].options == {}


def test_every_check_is_shown_to_catch_something() -> None:
    caught = {param.values[1] for param in CAUGHT} | {"mapping_round_trip_loses_nothing"}
    assert caught == set(CHECKS)


def test_a_broken_connector_fails_only_its_test_when_run_as_a_suite(
    pytester: pytest.Pytester,
) -> None:
    """Run the suite the way an author does (one subclass, pytest collects it)."""
    pytester.makepyfile(
        test_broken_suite="""
        from broken_connectors import DuplicatesOnRetry
        from memory_connector import MemoryContract

        class TestDuplicating(MemoryContract):
            connector_class = DuplicatesOnRetry
        """
    )
    result = pytester.runpytest("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=len(CHECKS) - 1, failed=1)
    result.stdout.fnmatch_lines(["*test_retry_after_a_lost_response_creates_no_duplicate*"])
