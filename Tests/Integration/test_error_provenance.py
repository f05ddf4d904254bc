"""An error names where the bad value came from: a profile key with its profile, file and line, or the
flag (behave-like-the-AWS-CLI issue, kind 6)."""
from __future__ import annotations

import os
import subprocess

import pytest

BASE = "[profile base]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n"


@pytest.mark.parametrize("key, value, expected", [
    ("duration_seconds", "600", "900 to 43200 seconds"),
    ("duration_seconds", "an hour", "900 to 43200 seconds"),
    ("role_session_name", "x", "2-64 characters"),
    ("external_id", "x", "2-1224 characters"),
])
def test_a_bad_profile_value_names_its_key_profile_file_and_line(eks_auth, tmp_path, key, value, expected):
    config = tmp_path / "config"
    config.write_text(BASE + f"[profile dev]\nsource_profile = base\nrole_arn = arn:aws:iam::123456789012:role/r\n"
                             f"{key} = {value}\nregion = us-east-1\n")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "AWS_CONFIG_FILE": str(config), "AWS_PROFILE": "dev"}
    result = subprocess.run([eks_auth, "token", "--cluster-name", "dev"], env=env, capture_output=True, text=True,
                            timeout=30)
    assert result.returncode == 65, result.stderr
    # The key is on line 7: three lines of [profile base], the header, source_profile and role_arn.
    assert result.stderr.startswith(f"eks-auth: error: invalid {key} in profile 'dev' ({config}:7): expected {expected}"), \
        result.stderr
    assert "--" not in result.stderr.splitlines()[0], "no flag was given"


def test_the_same_bad_value_from_a_flag_names_the_flag(eks_auth, tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
           "AWS_SECRET_ACCESS_KEY": "s", "AWS_REGION": "us-east-1"}
    result = subprocess.run([eks_auth, "token", "--cluster-name", "dev", "--role-arn",
                             "arn:aws:iam::123456789012:role/r", "--duration-seconds", "600"], env=env,
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 64
    assert result.stderr.startswith("eks-auth: error: invalid --duration-seconds: expected 900 to 43200 seconds")


def run_token(eks_auth, tmp_path, config_text, credentials_text="", **extra):
    config = tmp_path / "config"
    credentials = tmp_path / "credentials"
    config.write_text(config_text)
    credentials.write_text(credentials_text)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "AWS_CONFIG_FILE": str(config),
           "AWS_SHARED_CREDENTIALS_FILE": str(credentials), "AWS_EC2_METADATA_DISABLED": "true", **extra}
    return subprocess.run([eks_auth, "token", "--cluster-name", "dev"], env=env, capture_output=True, text=True,
                          timeout=30), config, credentials


def test_a_value_from_the_credentials_file_names_that_file_and_line(eks_auth, tmp_path):
    """The credentials file's keys win over the config file's, so the line is the credentials file's."""
    result, config, credentials = run_token(
        eks_auth, tmp_path,
        BASE + "[profile dev]\nsource_profile = base\nrole_arn = arn:aws:iam::123456789012:role/r\n"
               "duration_seconds = 3600\n",
        "# keys\n[dev]\n\nduration_seconds = 60\n", AWS_PROFILE="dev", AWS_REGION="us-east-1")
    assert result.returncode == 65, result.stderr
    assert result.stderr.startswith(
        f"eks-auth: error: invalid duration_seconds in profile 'dev' ({credentials}:4): expected 900 to 43200"), \
        result.stderr


def test_a_missing_source_profile_names_the_key_that_points_at_it(eks_auth, tmp_path):
    result, config, _ = run_token(
        eks_auth, tmp_path, "[profile dev]\nregion = us-east-1\n\nsource_profile = nowhere\n"
                            "role_arn = arn:aws:iam::123456789012:role/r\n", AWS_PROFILE="dev")
    assert result.returncode == 78, result.stderr
    assert f"(selected by source_profile in profile 'dev' ({config}:4))" in result.stderr, result.stderr


def test_a_bad_endpoint_url_names_its_profile_key_and_line(eks_auth, tmp_path):
    result, config, _ = run_token(
        eks_auth, tmp_path, "[default]\nregion = us-east-1\nendpoint_url = ftp://nowhere\n",
        AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="s")
    assert result.returncode == 64, result.stderr
    assert f"(from endpoint_url in profile 'default' ({config}:3))" in result.stderr, result.stderr


def test_a_bad_credential_source_names_its_line(eks_auth, tmp_path):
    result, config, _ = run_token(
        eks_auth, tmp_path, "[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/r\n"
                            "credential_source = Ec2Metadata\n", AWS_PROFILE="dev", AWS_REGION="us-east-1")
    assert result.returncode == 65, result.stderr
    assert result.stderr.startswith(
        f"eks-auth: error: invalid credential_source in profile 'dev' ({config}:3): expected Environment"), \
        result.stderr


def test_a_repeated_key_fails_with_both_lines_as_the_aws_cli_refuses_it(eks_auth, tmp_path):
    result, config, _ = run_token(
        eks_auth, tmp_path, "[profile other]\nregion = us-east-1\nRegion = eu-west-1\n",
        AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="s")
    assert result.returncode == 65, result.stderr
    assert result.stderr.startswith(
        f"eks-auth: error: {config}:3: key 'region' in [profile other] appears a second time (first at line 2)"), \
        result.stderr
    aws = subprocess.run(["aws", "configure", "list"], env={"PATH": os.environ["PATH"],
                         "HOME": str(tmp_path), "AWS_CONFIG_FILE": str(config)}, capture_output=True, text=True,
                         timeout=60)
    assert aws.returncode != 0 and "Unable to parse config file" in aws.stderr, aws.stderr


def test_a_mistyped_profile_region_names_its_line_and_the_nearest_region(eks_auth, tmp_path):
    result, config, _ = run_token(
        eks_auth, tmp_path, "[profile dev]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = s\n"
                            "region = eu-wset-1\n", AWS_PROFILE="dev")
    assert result.returncode == 64, result.stderr
    first = result.stderr.splitlines()[0]
    assert f"'eu-wset-1' (from region in profile 'dev' ({config}:4))" in first, first
    assert "eu-west-1" in result.stderr, result.stderr
