"""``contactsync pull``: one system's contacts of one kind as canonical JSON Lines."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from contactsync import plugins
from contactsync.models import CONTACT_ADAPTER, EmergencyContact, Phone, PhoneKind
from contactsync.plugins import PluginHost, hookimpl

Invoke = Callable[[Sequence[str]], Result]  # the invoke fixture (tests/cli/conftest.py)


def records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def one_error_line(result: Result) -> str:
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("contactsync: error: ")
    assert "Traceback" not in result.stderr
    return lines[0]


def pull(invoke: Invoke, config: Path, system: str, kind: str, out: Path | str) -> Result:
    return invoke(
        ["pull", "--config", str(config), "--system", system, "--kind", kind, "--out", str(out)]
    )


# ---------------------------------------------------------------------------------------
# clean pulls
# ---------------------------------------------------------------------------------------


def test_pull_writes_canonical_json_lines(
    invoke: Invoke, quickstart: Path, tmp_path: Path
) -> None:
    out = tmp_path / "emergency.jsonl"
    result = pull(invoke, quickstart / "contactsync.toml", "branch", "emergency", out)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    rows = records(out)
    assert len(rows) == 3
    for row in rows:
        assert row.pop("_mixed_storage") is False
        contact = CONTACT_ADAPTER.validate_python(row)
        assert isinstance(contact, EmergencyContact)
        # Canonical JSON is a fixed point: what was written validates back to itself.
        assert contact.model_dump(mode="json") == row
        assert contact.provenance is not None
        assert contact.provenance.system == "branch"
        assert contact.provenance.object == "branch/emergency_contacts.csv"
    first = rows[0]
    assert first["name"] == "张某一"
    assert first["phones"][0]["raw"] == "+86 13800138001"
    assert first["phones"][0]["e164"] == "+8613800138001"
    assert first["response_time_limit"] == "PT30M"
    assert first["updated_at"] == "2026-11-20T02:00:00Z"
    assert result.stderr.splitlines()[-1] == (
        f"wrote 3 emergency contact(s) from branch to {out}; 0 row(s) rejected"
    )


def test_each_line_is_one_json_object_with_sorted_keys(
    invoke: Invoke, quickstart: Path, tmp_path: Path
) -> None:
    out = tmp_path / "business.jsonl"
    assert pull(invoke, quickstart / "contactsync.toml", "branch", "business", out).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert text.endswith("\n")
    for line in text.splitlines():
        keys = list(json.loads(line))
        assert keys == sorted(keys)
    assert "赵某四" in text  # written as UTF-8, not as \\u escapes


def test_pulling_twice_writes_the_same_bytes(
    invoke: Invoke, quickstart: Path, tmp_path: Path
) -> None:
    config = quickstart / "contactsync.toml"
    pull(invoke, config, "branch", "business", tmp_path / "one.jsonl")
    pull(invoke, config, "branch", "business", tmp_path / "two.jsonl")
    assert (tmp_path / "one.jsonl").read_bytes() == (tmp_path / "two.jsonl").read_bytes()


def test_out_dash_writes_to_stdout(invoke: Invoke, quickstart: Path) -> None:
    result = pull(invoke, quickstart / "contactsync.toml", "branch", "business", "-")
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row["customer"] for row in rows] == ["C001", "C002"]
    assert result.stderr.strip() == "wrote 2 business contact(s) from branch; 0 row(s) rejected"


def test_an_empty_system_writes_an_empty_file(
    invoke: Invoke, quickstart: Path, tmp_path: Path
) -> None:
    out = tmp_path / "hub.jsonl"
    result = pull(invoke, quickstart / "contactsync.toml", "hub", "emergency", out)
    assert result.exit_code == 0, result.stderr
    assert out.read_text(encoding="utf-8") == ""


def test_pull_writes_no_state(invoke: Invoke, quickstart: Path, tmp_path: Path) -> None:
    pull(invoke, quickstart / "contactsync.toml", "branch", "business", tmp_path / "b.jsonl")
    assert not (quickstart / ".contactsync").exists()


# ---------------------------------------------------------------------------------------
# rows that cannot be read
# ---------------------------------------------------------------------------------------

BROKEN_BRANCH = (
    "contactsync_key,customer,name,phone,mobile,email,role,relationship,priority,"
    "decision_authority,response_minutes\n"
    ",C001,张某一,13800138001,,zhang1@example.com,总经理,法定代表人,1,true,30\n"
    ",C001,孙某甲,13800138011,,,,员工,2,true,30\n"
    ",C001,周某乙,13800138012,,,行政主管,员工,3,false,90,extra\n"
)


def test_bad_rows_are_reported_by_row_number_and_the_rest_written(
    invoke: Invoke, quickstart: Path, tmp_path: Path
) -> None:
    (quickstart / "branch" / "emergency_contacts.csv").write_text(BROKEN_BRANCH, encoding="utf-8")
    out = tmp_path / "e.jsonl"
    result = pull(invoke, quickstart / "contactsync.toml", "branch", "emergency", out)
    assert result.exit_code == 1
    assert [row["name"] for row in records(out)] == ["张某一"]
    lines = result.stderr.splitlines()
    assert len(lines) == 3
    missing = next(line for line in lines if line.startswith("MISSING_FIELD"))
    assert "branch/branch/emergency_contacts.csv/row 3 field 'role'" in missing
    malformed = next(line for line in lines if line.startswith("INVALID_RECORD"))
    assert "row 4" in malformed and "column L" in malformed
    assert lines[-1].endswith("; 2 row(s) rejected")


# ---------------------------------------------------------------------------------------
# refusals: exit 2, one clear line
# ---------------------------------------------------------------------------------------


def test_an_unknown_system_names_the_configured_ones(invoke: Invoke, quickstart: Path) -> None:
    result = pull(invoke, quickstart / "contactsync.toml", "crm", "business", "-")
    assert result.exit_code == 2
    assert "no system named 'crm' (configured: branch, hub, legacy)" in one_error_line(result)


def test_a_kind_the_system_does_not_store_is_refused(invoke: Invoke, quickstart: Path) -> None:
    result = pull(invoke, quickstart / "contactsync.toml", "legacy", "emergency", "-")
    assert result.exit_code == 2
    line = one_error_line(result)
    assert line == "contactsync: error: system 'legacy' stores no emergency contacts"


def test_an_unknown_kind_is_a_usage_error(invoke: Invoke, quickstart: Path) -> None:
    result = pull(invoke, quickstart / "contactsync.toml", "branch", "vip", "-")
    assert result.exit_code == 2
    assert "'vip' is not one of 'emergency', 'business'" in result.stderr


@pytest.mark.parametrize("missing", ["--system", "--kind", "--out"])
def test_required_options(invoke: Invoke, quickstart: Path, missing: str) -> None:
    args = {"--system": "branch", "--kind": "business", "--out": "-"}
    del args[missing]
    result = invoke(
        ["pull", "--config", str(quickstart / "contactsync.toml")]
        + [word for pair in args.items() for word in pair]
    )
    assert result.exit_code == 2
    assert f"Missing option '{missing}'" in result.stderr


def test_an_output_folder_that_does_not_exist_is_refused_before_reading(
    invoke: Invoke, quickstart: Path, tmp_path: Path
) -> None:
    out = tmp_path / "no" / "such" / "folder" / "x.jsonl"
    result = pull(invoke, quickstart / "contactsync.toml", "branch", "business", out)
    assert result.exit_code == 2
    assert "does not exist" in one_error_line(result)
    assert not out.parent.exists()


# ---------------------------------------------------------------------------------------
# plugins take part
# ---------------------------------------------------------------------------------------


class Switchboard:
    """Reads 4-digit internal numbers as extensions of the company switchboard."""

    @hookimpl
    def contactsync_normalize_phone(self, raw: Any, region: str) -> Phone | None:
        text = str(raw)
        if text.isdigit() and len(text) == 4:
            return Phone(raw=text, e164="+861062345678", extension=text, kind=PhoneKind.FIXED)
        return None


def test_a_plugin_replacing_the_phone_normalizer_changes_what_pull_writes(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "contactsync.toml").write_text(
        textwrap.dedent(
            """
            [systems.office]
            connector = "csv"
            objects = { business = "people.csv" }
            mapping = { emergency = false }
            """
        ),
        encoding="utf-8",
    )
    (tmp_path / "people.csv").write_text(
        "customer,name,phone,title,department\nC001,前台,8001,前台,行政部\n", encoding="utf-8"
    )
    config = tmp_path / "contactsync.toml"

    plain = pull(invoke, config, "office", "business", "-")
    (phone,) = json.loads(plain.stdout)["phones"]
    assert phone["e164"] is None and phone["problem"]

    host = PluginHost(extra_plugins=[("switchboard", Switchboard())])
    monkeypatch.setattr(plugins, "_default_host", host)
    replaced = pull(invoke, config, "office", "business", "-")
    (phone,) = json.loads(replaced.stdout)["phones"]
    assert phone == {
        "raw": "8001",
        "e164": "+861062345678",
        "extension": "8001",
        "kind": "fixed",
        "problem": None,
    }


def test_pull_needs_only_its_own_system_credentials(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from contactsync.cli import cli

    (tmp_path / "people.csv").write_text(
        "contactsync_key,customer,name,phone,title,department\n,C1,张某一,13800138000,经理,采购部\n",
        encoding="utf-8",
    )
    (tmp_path / "contactsync.toml").write_text(
        """
[systems.sheet]
connector = "csv"
objects = { business = "people.csv", emergency = "people_emergency.csv" }

[systems.other]
connector = "sqlite"
credentials = { token = { env = "CONTACTSYNC_TEST_UNSET_TOKEN" } }
""",
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(
        cli,
        ["pull", "--config", str(tmp_path / "contactsync.toml"), "--system", "sheet",
         "--kind", "business", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert '"name": "张某一"' in out.read_text(encoding="utf-8")


def test_pull_masks_values_and_exits_one_when_a_value_is_dropped(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from contactsync.cli import cli

    (tmp_path / "people.csv").write_text(
        "contactsync_key,customer,name,phone,title,department,tags,updated_at\n"
        ",C1,张某一,13800138000,经理,采购部,,not-a-date 13912345678\n",
        encoding="utf-8",
    )
    (tmp_path / "contactsync.toml").write_text(
        '[systems.sheet]\nconnector = "csv"\n'
        'objects = { business = "people.csv", emergency = "people_emergency.csv" }\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        cli,
        ["pull", "--config", str(tmp_path / "contactsync.toml"), "--system", "sheet",
         "--kind", "business", "--out", str(tmp_path / "out.jsonl")],
    )
    assert result.exit_code == 1
    assert "updated_at" in result.output and "value problem" in result.output
    assert "13912345678" not in result.output and "5678" in result.output
