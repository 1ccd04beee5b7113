"""Masking personal data in free text: phones and e-mails go, ids and figures stay."""

from __future__ import annotations

import pytest

from contactsync.quota import ApiUsage
from contactsync.redact import mask_email, mask_phone, mask_text, mask_value


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("call +86 138 0013 8000 now", "+86 138 0013 8000"),
        ("phone 13800138000.", "13800138000"),
        ("(010) 6552-9988 ext", "(010) 6552-9988"),
        ("two: 13800138000 13900139000", "13800138000 13900139000"),
        ("+8613800138000", "+8613800138000"),
    ],
)
def test_phone_numbers_are_masked_to_the_last_four_digits(text: str, hidden: str) -> None:
    masked = mask_text(text)
    assert hidden not in masked
    digits = "".join(ch for ch in hidden if ch.isdigit())
    assert digits[-4:] in masked.replace(" ", "").replace("-", "")


@pytest.mark.parametrize(
    "text",
    [
        "zoho/Contacts/9100000000000000011 field 'role'",  # a 19-digit Zoho record id
        "on 2026-12-03 at 10:00",
        "page 2 of 12, 250 records",
        "a01Ws00000ABCDE1234567",  # a Salesforce id
        "the org has used 35/1,000,000 (0%)",
    ],
)
def test_ids_dates_and_figures_are_left_as_they_are(text: str) -> None:
    assert mask_text(text) == text


def test_quota_figures_read_as_figures_not_phone_numbers() -> None:
    text = f"used {ApiUsage(35, 1_000_000)}"
    assert mask_text(text) == text == "used 35/1,000,000 (0%)"


def test_emails_keep_the_first_letter_and_the_domain() -> None:
    assert mask_email("li.wei@example.com") == "l***@example.com"
    assert mask_text("write to li.wei@example.com today") == "write to l***@example.com today"


def test_field_values_are_masked_by_field() -> None:
    assert mask_phone("+8613800138000") == "+*********8000"
    assert mask_value("phones", [{"e164": "+8613800138000"}]) == ["+*********8000"]
    assert mask_value("wechat_id", "wxid_abc") == "wx***"
    assert mask_value("name", "张三") == "张三"
