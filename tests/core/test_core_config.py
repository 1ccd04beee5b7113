"""``contactsync.toml``: every validation rule, relative paths, credentials from the environment."""

from __future__ import annotations

import textwrap
from datetime import timedelta
from pathlib import Path

import pytest

from contactsync.config import Config, load_config
from contactsync.errors import ConfigError
from contactsync.models import Kind

HUB = """
[systems.hub]
connector = "sqlite"
path = "hub.db"
"""
SHEET = """
[systems.sheet]
connector = "csv"
"""


def write(tmp_path: Path, text: str, name: str = "contactsync.toml") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def load(tmp_path: Path, text: str) -> Config:
    return load_config(write(tmp_path, text))


def refused(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as exc:
        load(tmp_path, text)
    message = str(exc.value)
    assert str(tmp_path / "contactsync.toml") in message  # every error names the file
    assert "\n" not in message
    return message


# ---------------------------------------------------------------------------------------
# the file
# ---------------------------------------------------------------------------------------


def test_a_minimal_file_gets_the_documented_defaults(tmp_path: Path) -> None:
    config = load(tmp_path, HUB)
    assert config.path == tmp_path / "contactsync.toml"
    assert config.sync.business_timezone == "Asia/Shanghai"
    assert config.sync.default_region == "CN"
    assert config.sync.clock_skew == timedelta(minutes=2)
    assert config.sync.system_priority == ("hub",)
    assert (config.policy.emergency_min, config.policy.emergency_max) == (1, 3)
    assert config.policy.review_interval_months == 3
    assert config.policy.enforce_cap is False
    hub = config.system("hub")
    assert hub.connector == "sqlite" and hub.mode == "sync" and hub.writable
    assert hub.settings == {"path": "hub.db"}
    assert config.state_url == f"sqlite:///{tmp_path / '.contactsync' / 'state.db'}"


def test_the_quickstart_file_loads(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parents[2] / "examples" / "quickstart" / "contactsync.toml"
    config = load_config(example)
    assert set(config.systems) == {"hub", "branch", "legacy"}
    assert config.sync.system_priority == ("hub", "branch", "legacy")
    assert not config.system("legacy").writable
    assert config.system("branch").objects[Kind.EMERGENCY] == "branch/emergency_contacts.csv"


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="configuration file not found"):
        load_config(tmp_path / "nope.toml")


def test_a_folder_is_not_a_configuration_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is a folder"):
        load_config(tmp_path)


def test_invalid_toml_is_one_clear_error(tmp_path: Path) -> None:
    message = refused(tmp_path, "[systems.hub\nconnector = 1\n")
    assert "not valid TOML" in message and "line 1" in message


def test_a_file_saved_with_a_byte_order_mark_loads(tmp_path: Path) -> None:
    path = tmp_path / "contactsync.toml"
    path.write_bytes(b"\xef\xbb\xbf" + HUB.encode())
    assert set(load_config(path).systems) == {"hub"}


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "contactsync.toml"
    path.write_bytes(("# 紧急联系人\n" + HUB).encode("gbk"))
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(path)


# ---------------------------------------------------------------------------------------
# unknown keys and sections
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("[sink]\nx = 1\n" + HUB, "unknown section(s) sink"),
        ("[sync]\ntimezone = 'UTC'\n" + HUB, "[sync]: unknown key(s) timezone"),
        ("[policy]\nemergency_cap = 3\n" + HUB, "[policy]: unknown key(s) emergency_cap"),
        ("[state]\nuri = 'sqlite://'\n" + HUB, "[state]: unknown key(s) uri"),
    ],
)
def test_unknown_sections_and_keys_are_refused(tmp_path: Path, text: str, named: str) -> None:
    assert named in refused(tmp_path, text)


def test_systems_must_be_named(tmp_path: Path) -> None:
    assert "[systems] names no system" in refused(tmp_path, "[sync]\n")
    assert "must be a table" in refused(tmp_path, "systems = 'hub'\n")
    assert "must be a table" in refused(tmp_path, "[systems]\nhub = 'sqlite'\n")


def test_a_system_needs_a_connector(tmp_path: Path) -> None:
    assert "'connector' is required" in refused(tmp_path, "[systems.hub]\npath = 'x'\n")
    assert "'connector' is required" in refused(tmp_path, "[systems.hub]\nconnector = 5\n")


def test_unknown_system_is_named_with_the_configured_ones(tmp_path: Path) -> None:
    config = load(tmp_path, HUB + SHEET)
    with pytest.raises(ConfigError, match=r"no system named 'crm' \(configured: hub, sheet\)"):
        config.system("crm")


# ---------------------------------------------------------------------------------------
# modes and objects
# ---------------------------------------------------------------------------------------


def test_mode_is_sync_or_read(tmp_path: Path) -> None:
    assert not load(tmp_path, HUB + "mode = 'read'\n").system("hub").writable
    message = refused(tmp_path, HUB + "mode = 'write'\n")
    assert "mode must be 'sync' or 'read', not 'write'" in message


def test_objects_are_per_kind(tmp_path: Path) -> None:
    config = load(tmp_path, SHEET + "objects = { emergency = 'e.csv', business = 'b.xlsx' }\n")
    assert config.system("sheet").objects == {Kind.EMERGENCY: "e.csv", Kind.BUSINESS: "b.xlsx"}
    assert "kind must be emergency or business" in refused(
        tmp_path, SHEET + "objects = { vip = 'v.csv' }\n"
    )
    assert "objects.business must be a non-empty string" in refused(
        tmp_path, SHEET + "objects = { business = ' ' }\n"
    )


# ---------------------------------------------------------------------------------------
# [sync]
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("zone", ["Mars/Olympus", "Asia", "", 8])
def test_the_business_time_zone_must_be_known(tmp_path: Path, zone: object) -> None:
    # "Asia" is a folder of the zone database; ZoneInfo raises IsADirectoryError for it.
    value = f"'{zone}'" if isinstance(zone, str) else str(zone)
    message = refused(tmp_path, f"[sync]\nbusiness_timezone = {value}\n" + HUB)
    assert "business_timezone" in message and "not a known time zone" in message


def test_system_priority_orders_named_systems_first(tmp_path: Path) -> None:
    archive = "[systems.archive]\nconnector = 'csv'\n"
    text = "[sync]\nsystem_priority = ['sheet']\n" + HUB + SHEET + archive
    assert load(tmp_path, text).sync.system_priority == ("sheet", "archive", "hub")


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ("['crm']", "unknown system(s) ['crm']"),
        ("['hub', 'hub']", "names hub more than once"),
        ("'hub'", "must be a list of system names"),
        ("[1]", "must be a list of system names"),
    ],
)
def test_system_priority_is_checked(tmp_path: Path, value: str, named: str) -> None:
    assert named in refused(tmp_path, f"[sync]\nsystem_priority = {value}\n" + HUB)


@pytest.mark.parametrize("skew", ["-1", "nan", "inf", "true", "'2m'"])
def test_clock_skew_must_be_a_finite_number_not_below_zero(tmp_path: Path, skew: str) -> None:
    assert "clock_skew_seconds" in refused(tmp_path, f"[sync]\nclock_skew_seconds = {skew}\n" + HUB)


def test_clock_skew_is_in_seconds(tmp_path: Path) -> None:
    config = load(tmp_path, "[sync]\nclock_skew_seconds = 30.5\n" + HUB)
    assert config.sync.clock_skew == timedelta(seconds=30.5)


@pytest.mark.parametrize("region", ["'China'", "'C'", "86", "'8 6'"])
def test_regions_are_alpha2_codes(tmp_path: Path, region: str) -> None:
    assert "default_region" in refused(tmp_path, f"[sync]\ndefault_region = {region}\n" + HUB)
    assert "[systems.hub] region" in refused(tmp_path, HUB + f"region = {region}\n")


def test_regions_are_upper_cased(tmp_path: Path) -> None:
    config = load(tmp_path, "[sync]\ndefault_region = 'us'\n" + HUB + "region = 'hk'\n")
    assert config.sync.default_region == "US"
    assert config.system("hub").region == "HK"


# ---------------------------------------------------------------------------------------
# [policy]
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["emergency_min", "emergency_max"])
@pytest.mark.parametrize("value", ["0", "4", "2.0", "true", "'2'"])
def test_cap_bounds_are_integers_from_1_to_3(tmp_path: Path, key: str, value: str) -> None:
    message = refused(tmp_path, f"[policy]\n{key} = {value}\n" + HUB)
    assert f"{key} must be an integer from 1 to 3" in message


def test_the_minimum_cannot_exceed_the_maximum(tmp_path: Path) -> None:
    message = refused(tmp_path, "[policy]\nemergency_min = 3\nemergency_max = 2\n" + HUB)
    assert "emergency_min (3) exceeds emergency_max (2)" in message


def test_every_pair_of_bounds_within_1_to_3_is_accepted(tmp_path: Path) -> None:
    for low in (1, 2, 3):
        for high in range(low, 4):
            policy = load(
                tmp_path, f"[policy]\nemergency_min = {low}\nemergency_max = {high}\n" + HUB
            ).policy
            assert (policy.emergency_min, policy.emergency_max) == (low, high)


@pytest.mark.parametrize("months", ["0", "25", "1.5", "false"])
def test_the_review_interval_is_1_to_24_months(tmp_path: Path, months: str) -> None:
    assert "review_interval_months must be 1 to 24" in refused(
        tmp_path, f"[policy]\nreview_interval_months = {months}\n" + HUB
    )


def test_enforce_cap_is_a_boolean(tmp_path: Path) -> None:
    assert load(tmp_path, "[policy]\nenforce_cap = true\n" + HUB).policy.enforce_cap
    assert "enforce_cap must be true or false" in refused(
        tmp_path, "[policy]\nenforce_cap = 'yes'\n" + HUB
    )


# ---------------------------------------------------------------------------------------
# credentials: environment variables only
# ---------------------------------------------------------------------------------------

CRM = """
[systems.crm]
connector = "salesforce"
credentials = { username = { env = "SF_USER" }, password = { env = "SF_PASSWORD" } }
"""


def test_credentials_name_environment_variables(tmp_path: Path) -> None:
    crm = load(tmp_path, CRM).system("crm")
    assert crm.credentials == {"username": "SF_USER", "password": "SF_PASSWORD"}
    assert "password" not in crm.settings and "credentials" not in crm.settings


def test_credentials_are_read_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SF_USER", "integration@example.com")
    monkeypatch.setenv("SF_PASSWORD", "from-the-environment")
    crm = load(tmp_path, CRM).system("crm")
    assert crm.resolve_credentials() == {
        "username": "integration@example.com",
        "password": "from-the-environment",
    }


@pytest.mark.parametrize("value", [None, ""])
def test_a_missing_variable_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    monkeypatch.setenv("SF_USER", "integration@example.com")
    if value is None:
        monkeypatch.delenv("SF_PASSWORD", raising=False)
    else:
        monkeypatch.setenv("SF_PASSWORD", value)
    crm = load(tmp_path, CRM).system("crm")
    with pytest.raises(ConfigError) as exc:
        crm.resolve_credentials()
    message = str(exc.value)
    assert "'crm'" in message and "'password'" in message and "SF_PASSWORD" in message


@pytest.mark.parametrize(
    "credential",
    [
        "'hunter2'",
        "{ value = 'hunter2' }",
        "{ env = 'SF_PASSWORD', default = 'hunter2' }",
        "{ env = 5 }",
        "{ env = '' }",
        "{ env = '$SF_PASSWORD' }",
        "{ env = '${SF_PASSWORD}' }",
    ],
)
def test_a_credential_must_be_an_env_reference(tmp_path: Path, credential: str) -> None:
    text = f"[systems.crm]\nconnector = 'salesforce'\ncredentials = {{ password = {credential} }}\n"
    message = refused(tmp_path, text)
    assert "credentials.password" in message
    assert "hunter2" not in message  # the refusal never repeats the secret


@pytest.mark.parametrize(
    "line",
    [
        "password = 'hunter2'",
        "passwd = 'hunter2'",
        "client_secret = 'hunter2'",
        "security_token = 'hunter2'",
        "API_KEY = 'hunter2'",
        "private_key = 'hunter2'",
        "password = 123456",
        "auth = { password = 'hunter2' }",
        "oauth = { client = { secret = 'hunter2' } }",
        "tokens = ['hunter2']",
    ],
)
def test_a_literal_secret_in_a_system_is_refused(tmp_path: Path, line: str) -> None:
    message = refused(tmp_path, f"[systems.crm]\nconnector = 'salesforce'\n{line}\n")
    assert "looks like a secret" in message and "environment variables" in message
    assert "hunter2" not in message and "123456" not in message


@pytest.mark.parametrize(
    "line",
    [
        "token_url = 'https://login.example.com/services/oauth2/token'",
        "key_file = 'keys/server.key'",
        "token_refresh = true",
        "domain = 'login'",
    ],
)
def test_settings_that_only_point_at_secrets_are_allowed(tmp_path: Path, line: str) -> None:
    config = load(tmp_path, f"[systems.crm]\nconnector = 'salesforce'\n{line}\n")
    key = line.split(" = ")[0]
    assert key in config.system("crm").settings


def test_a_password_in_the_state_url_is_refused(tmp_path: Path) -> None:
    message = refused(tmp_path, "[state]\nurl = 'postgresql://sync:hunter2@db/contactsync'\n" + HUB)
    assert "holds a password" in message and "hunter2" not in message


def test_the_state_url_can_come_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "[state]\nurl = { env = 'CONTACTSYNC_TEST_STATE_URL' }\n" + HUB
    monkeypatch.delenv("CONTACTSYNC_TEST_STATE_URL", raising=False)
    assert "CONTACTSYNC_TEST_STATE_URL" in refused(tmp_path, text)
    monkeypatch.setenv("CONTACTSYNC_TEST_STATE_URL", "postgresql://sync:pw@db/contactsync")
    assert load(tmp_path, text).state_url == "postgresql://sync:pw@db/contactsync"


def test_a_state_url_without_a_password_is_kept(tmp_path: Path) -> None:
    url = "postgresql+psycopg://sync@db:5432/contactsync"
    assert load(tmp_path, f"[state]\nurl = '{url}'\n" + HUB).state_url == url
    assert "url must be" in refused(tmp_path, "[state]\nurl = 5\n" + HUB)


# ---------------------------------------------------------------------------------------
# relative paths
# ---------------------------------------------------------------------------------------


def test_paths_are_relative_to_the_files_folder_not_the_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "deploy" / "crm"
    path = write(
        folder,
        """
        [state]
        url = "sqlite:///state/sync.db"

        [systems.sheet]
        connector = "csv"
        mapping = "mappings/our_csv.toml"

        [systems.other]
        connector = "csv"
        mapping = { file = "../shared/their.toml", business = false }
        """,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    config = load_config(Path("..") / path.relative_to(tmp_path))
    assert config.base_dir == folder
    assert config.system("sheet").mapping == folder / "mappings" / "our_csv.toml"
    other = config.system("other")
    assert other.mapping == tmp_path / "deploy" / "shared" / "their.toml"
    assert other.mapping_overrides == {"business": False}
    assert config.state_url == f"sqlite:///{folder / 'state' / 'sync.db'}"


def test_absolute_and_in_memory_state_urls_are_left_alone(tmp_path: Path) -> None:
    absolute = f"sqlite:///{tmp_path / 'abs.db'}"
    assert load(tmp_path, f"[state]\nurl = '{absolute}'\n" + HUB).state_url == absolute
    assert load(tmp_path, "[state]\nurl = 'sqlite://'\n" + HUB).state_url == "sqlite://"


@pytest.mark.parametrize("mapping", ["''", "5", "{ file = 5 }", "{ file = '' }"])
def test_a_mapping_must_name_a_file_or_be_a_table(tmp_path: Path, mapping: str) -> None:
    assert "mapping" in refused(tmp_path, SHEET + f"mapping = {mapping}\n")


def test_overrides_without_a_file_keep_the_default_mapping(tmp_path: Path) -> None:
    sheet = load(tmp_path, SHEET + "[systems.sheet.mapping]\nbusiness.fields.name = '姓名'\n")
    system = sheet.system("sheet")
    assert system.mapping is None
    assert system.mapping_overrides == {"business": {"fields": {"name": "姓名"}}}
