"""The cases of botocore's config-loader tests (tests/unit/test_configloader.py and its tests/unit/cfg
files), rewritten as our own inputs with the verdict botocore's test asserts, run against both botocore
and `eks-auth config show --all --output json`.

Each case pins three things: botocore's verdict is what its own test says, eks-auth's reading equals
botocore's (after the deliberate differences of Docs/compatibility.md), and so eks-auth meets the
verdict. Cases of botocore's suite that do not apply to a plugin that reads one config file and one
credentials file are listed in NOT_APPLICABLE with the reason.
"""
from __future__ import annotations

import json
import subprocess

import pytest

import config_differential as differential

# (case, config bytes, credentials bytes, verdict): verdict is "refused" or a check on the profiles.
CASES = [
    ("a default and a quoted profile",
     b'[default]\naws_access_key_id = foo\naws_secret_access_key = bar\n\n'
     b'[profile "personal"]\naws_access_key_id = fie\naws_secret_access_key = baz\naws_security_token = fiebaz\n',
     b"", lambda p: sorted(p) == ["default", "personal"] and p["personal"]["aws_access_key_id"] == "fie"),
    ("a line that is neither header nor key refuses the file",
     b"[default]\naws_access_key_id = foo\nthis line is not a key\n", b"", "refused"),
    ("bytes that are not UTF-8 refuse the file",
     b"[default]\naws_access_key_id = \xe2\x28\xa1\n", b"", "refused"),
    ("bad profile headers are skipped, the others kept",
     b'[profile "my profile"]\nregion = a\n[profile personal1]\nregion = b\n[default]\nregion = c\n'
     b'[profile personal1 personal2]\nregion = d\n[profile "unclosed]\nregion = e\n[profile]\nregion = f\n',
     b"", lambda p: sorted(p) == ["default", "my profile", "personal1"]),
    ("indented blocks under an empty value are nested keys",
     b"[default]\naws_access_key_id = foo\naws_secret_access_key = bar\ns3 =\n    signature_version = s3v4\n"
     b"    addressing_style = path\ncloudwatch =\n    signature_version = v4\nregion=us-west-2\n",
     b"", lambda p: p["default"]["s3"] == {"signature_version": "s3v4", "addressing_style": "path"}
     and p["default"]["cloudwatch"] == {"signature_version": "v4"} and p["default"]["region"] == "us-west-2"),
    ("a nested line without '=' refuses the file",
     b"[default]\ns3 =\n    signature_version s3v4\n", b"", "refused"),
    ("an empty value with nothing indented under it is an empty string",
     b"[default]\naws_access_key_id = foo\ns3 =\nregion=us-west-2\n",
     b"", lambda p: p["default"]["s3"] == "" and p["default"]["region"] == "us-west-2"),
    ("the credentials file's profiles join the config file's, its keys winning",
     b"[default]\naws_access_key_id = config_foo\nregion = us-west-2\n[profile personal]\nregion = eu-west-1\n",
     b"[default]\naws_access_key_id = other_foo\naws_secret_access_key = other_bar\n[third]\n"
     b"aws_access_key_id = third_fie\n",
     lambda p: p["default"]["aws_access_key_id"] == "other_foo" and p["default"]["region"] == "us-west-2"
     and p["third"]["aws_access_key_id"] == "third_fie" and p["personal"] == {"region": "eu-west-1"}),
    ("values stay strings: booleans and numbers are not converted",
     b"[default]\nsome_boolean_true = True\nsome_boolean_false = False\nmetadata_service_timeout = 1\n"
     b"metadata_service_num_attempts = 2\n",
     b"", lambda p: p["default"] == {"some_boolean_true": "True", "some_boolean_false": "False",
                                      "metadata_service_timeout": "1", "metadata_service_num_attempts": "2"}),
    ("an sso-session section is read apart from the profiles",
     b"[default]\nsso_session = sso\n[sso-session sso]\nsso_region = us-east-1\nsso_start_url = https://example.com\n",
     b"", lambda p: "default" in p),
]

# Cases of botocore's suite that do not apply here, with the reason.
NOT_APPLICABLE = {
    "raw_config_parse(parse_subsections=False)": "an API switch of botocore's; eks-auth always reads nested blocks",
    "multi_file_load_config with three files": "botocore's session, like eks-auth, reads one config file",
    "sys.getfilesystemencoding() is None": "a Python runtime condition with no counterpart",
}


def eks_auth_reading(eks_auth, directory, name, config: bytes, credentials: bytes):
    # A non-ASCII file name, as botocore's unicode-path case has.
    config_path = directory / f"{name}-config-\u2713"
    credentials_path = directory / f"{name}-credentials"
    config_path.write_bytes(config)
    credentials_path.write_bytes(credentials)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(directory), "AWS_CONFIG_FILE": str(config_path),
           "AWS_SHARED_CREDENTIALS_FILE": str(credentials_path)}
    result = subprocess.run([eks_auth, "config", "show", "--all", "--output", "json"], env=env,
                            capture_output=True, timeout=30)
    if result.returncode != 0:
        assert result.returncode == 65, result.stderr
        assert str(config_path).encode() in result.stderr, result.stderr
        return None
    shown = json.loads(result.stdout)
    return {part: shown[part] for part in ("profiles", "ssoSessions", "services")}


def botocore_reading(config: bytes, credentials: bytes):
    try:
        return differential.botocore_reading(config.decode("utf-8"), credentials.decode("utf-8"))
    except UnicodeDecodeError as error:
        return error


@pytest.mark.parametrize("case, config, credentials, verdict", CASES, ids=[case[0] for case in CASES])
def test_botocore_config_loader_case(eks_auth, tmp_path, case, config, credentials, verdict):
    theirs = botocore_reading(config, credentials)
    ours = eks_auth_reading(eks_auth, tmp_path, "case", config, credentials)
    if verdict == "refused":
        assert isinstance(theirs, Exception), f"botocore no longer refuses: {theirs}"
        assert ours is None, f"eks-auth reads what botocore refuses: {ours}"
        return
    assert not isinstance(theirs, Exception), theirs
    assert verdict(theirs["profiles"]), f"botocore's own verdict no longer holds: {theirs}"
    assert ours == theirs
    assert verdict(ours["profiles"])


def test_the_sso_session_is_read_as_botocore_reads_it(eks_auth, tmp_path):
    config = b"[default]\nsso_session = sso\n[sso-session sso]\nsso_region = us-east-1\nsso_start_url = https://example.com\n"
    ours = eks_auth_reading(eks_auth, tmp_path, "sso", config, b"")
    assert ours["ssoSessions"] == {"sso": {"sso_region": "us-east-1", "sso_start_url": "https://example.com"}}
    assert ours == botocore_reading(config, b"")


def test_a_missing_config_file_is_no_profiles(eks_auth, tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "AWS_CONFIG_FILE": str(tmp_path / "absent"),
           "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "absent-too")}
    result = subprocess.run([eks_auth, "config", "list-profiles"], env=env, capture_output=True, text=True,
                            timeout=30)
    assert result.returncode == 0 and result.stdout == "", result


def test_the_count_of_cases(capsys):
    with capsys.disabled():
        print(f"\nbotocore config-loader conformance: {len(CASES) + 2} cases run, "
              f"{len(NOT_APPLICABLE)} not applicable")
    assert len(CASES) == 10
