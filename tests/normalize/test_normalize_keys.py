"""name_key, normalize_email, email_key and email_problem, rule by rule."""

from __future__ import annotations

import pytest

from contactsync.normalize import (
    MIDDLE_DOT,
    email_key,
    email_problem,
    name_key,
    normalize_email,
)

NGAPOI = f"阿沛{MIDDLE_DOT}阿旺晋美"

# ---------------------------------------------------------------------------------------
# names
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("张己", "张己"),
        ("张 己", "张己"),  # spaces between CJK characters are dropped
        ("张\u3000己", "张己"),
        ("张  \t 己", "张己"),
        ("魏某己 ", "魏某己"),
        ("\u200b张\u200c己\ufeff", "张己"),
        ("山田 太郎", "山田太郎"),
        ("  John   Smith ", "john smith"),  # whitespace runs: one space
        ("John\u00a0\u3000Smith", "john smith"),
        ("John\nSmith", "john smith"),
        ("ＪＯＨＮ　ＳＭＩＴＨ", "john smith"),  # full-width letters and space
        ("Li 李", "li 李"),  # a space beside a Latin letter stays
        ("STRASSE", "strasse"),
        ("Straße", "strasse"),
        ("J.Smith", "j.smith"),  # a period between Latin letters is an initial
        ("张三。", "张三。"),  # an ideographic full stop not between letters stays
        ("", ""),
        ("   ", ""),
    ],
)
def test_name_key(name: str, key: str) -> None:
    assert name_key(name) == key


@pytest.mark.parametrize(
    "dot",
    [
        "\u00b7",  # MIDDLE DOT
        "\u30fb",  # KATAKANA MIDDLE DOT
        "\uff65",  # HALFWIDTH KATAKANA MIDDLE DOT
        "\u2022",  # BULLET
        "\u2027",  # HYPHENATION POINT
        "\u2219",  # BULLET OPERATOR
        "\u22c5",  # DOT OPERATOR
        "\u0387",  # GREEK ANO TELEIA
        "\u318d",  # HANGUL LETTER ARAEA
        "\u16eb",  # RUNIC SINGLE PUNCTUATION
        "\u2e31",  # WORD SEPARATOR MIDDLE DOT
        "\uff0e",  # FULLWIDTH FULL STOP, between letters
        "\u3002",  # IDEOGRAPHIC FULL STOP, between letters
        "\uff61",  # HALFWIDTH IDEOGRAPHIC FULL STOP, between letters
        ".",  # a period typed between two CJK characters
        " \u00b7 ",  # spaces around the dot
        "\u3000\u30fb\u3000",
    ],
)
def test_every_middle_dot_variant_gives_one_key(dot: str) -> None:
    assert name_key(f"阿沛{dot}阿旺晋美") == NGAPOI


def test_full_width_dot_between_latin_letters_is_a_middle_dot() -> None:
    assert name_key("Jean．Paul") == f"jean{MIDDLE_DOT}paul"
    assert name_key("Jean\u30fbPaul") == name_key("Jean\u00b7Paul")


def test_a_name_key_does_not_touch_the_name() -> None:
    name = "魏某己 "
    name_key(name)
    assert name == "魏某己 "
    assert name_key(name) != name


# ---------------------------------------------------------------------------------------
# e-mails
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "normalized"),
    [
        ("  Wang.Li@Example.COM ", "Wang.Li@example.com"),  # local part kept as written
        ("ｗａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ", "wang@example.com"),  # full-width
        ("\u200bwang@example.com\ufeff", "wang@example.com"),
        ("wang@EXAMPLE.com.", "wang@example.com"),  # the root dot
        ("user@Bücher.Example", "user@xn--bcher-kva.example"),
        ("用户@例子.中国", "用户@xn--fsqu00a.xn--fiqs8s"),
        ("用户@例子。中国", "用户@xn--fsqu00a.xn--fiqs8s"),  # ideographic full stop
        ("a@straße.de", "a@xn--strae-oqa.de"),  # IDNA 2008: ß is kept, not mapped to ss
        ("a@XN--BCHER-KVA.example", "a@xn--bcher-kva.example"),
        ("no at sign", "no at sign"),  # junk: cleaned, returned, not raised
        ("", ""),
    ],
)
def test_normalize_email(email: str, normalized: str) -> None:
    assert normalize_email(email) == normalized


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Wang.Li@Example.COM", "wang.li@example.com"),
        ("user@Bücher.example", "USER@xn--bcher-kva.EXAMPLE"),
        ("ｗａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ", " WANG@example.com"),
    ],
)
def test_email_key_matches_spellings_of_one_address(one: str, other: str) -> None:
    assert email_key(one) == email_key(other)


def test_email_key_case_folds_the_whole_address() -> None:
    assert email_key("Wang.Li@Example.COM") == "wang.li@example.com"
    assert email_key("Straße@example.com") == "strasse@example.com"


def test_email_keys_of_different_addresses_differ() -> None:
    assert email_key("wang1@example.com") != email_key("wang2@example.com")
    assert email_key("wang@example.com") != email_key("wang@example.org")


@pytest.mark.parametrize(
    "email",
    [
        "wang@example.com",
        "Wang.Li+crm@sub.example.co.uk",
        "o'brien@example.ie",
        "用户@例子.中国",
        "ｗａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ",
        '"john smith"@example.com',
        '"a@b"@example.com',
        "user@[192.0.2.1]",
    ],
)
def test_usable_addresses_have_no_problem(email: str) -> None:
    assert email_problem(email) is None


@pytest.mark.parametrize(
    ("email", "problem"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("wang.example.com", "no @"),
        ("wang@@example.com", "more than one @"),
        ("a@example.com;b@example.com", "several addresses"),
        ("a@example.com, b@example.com", "several addresses"),
        ("wang li@example.com", "spaces"),
        ("@example.com", "nothing before"),
        ("wang@", "no domain"),
        ("wang@localhost", "no dot"),
        ("wang@example..com", "empty label"),
        ("wang..li@example.com", "dot"),
        (".wang@example.com", "dot"),
        ("wang.@example.com", "dot"),
        ("wang(li)@example.com", "'('"),
        ("x" * 65 + "@example.com", "longer than 64"),
        ("wang@-example.com", "not valid"),
        ("wang@exam_ple.com", "not valid"),
        ("wang@example.123", "ends in a number"),
        ("wang@☃.net", "internationalised"),
        ("wang@" + ("a" * 60 + ".") * 5 + "com", "longer than 253"),
    ],
)
def test_unusable_addresses_say_why(email: str, problem: str) -> None:
    found = email_problem(email)
    assert found is not None
    assert problem in found


@pytest.mark.parametrize("junk", ["@", "@@@", ".", "\x00", "a@\udcff.com", "a@..", "a@b@"])
def test_email_functions_never_raise_on_junk(junk: str) -> None:
    assert isinstance(normalize_email(junk), str)
    assert isinstance(email_key(junk), str)
    assert email_problem(junk) is not None
