"""An error names where the bad value came from: a profile key with its profile and file, or the flag
(behave-like-the-AWS-CLI issue, kind 6)."""
from __future__ import annotations

import subprocess

import pytest

BASE = "[profile base]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n"


@pytest.mark.parametrize("key, value, expected", [
    ("duration_seconds", "600", "900 to 43200 seconds"),
    ("duration_seconds", "an hour", "900 to 43200 seconds"),
    ("role_session_name", "x", "2-64 characters"),
    ("external_id", "x", "2-1224 characters"),
])
def test_a_bad_profile_value_names_its_key_profile_and_file(eks_auth, tmp_path, key, value, expected):
    config = tmp_path / "config"
    config.write_text(BASE + f"[profile dev]\nsource_profile = base\nrole_arn = arn:aws:iam::123456789012:role/r\n"
                             f"{key} = {value}\nregion = us-east-1\n")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "AWS_CONFIG_FILE": str(config), "AWS_PROFILE": "dev"}
    result = subprocess.run([eks_auth, "token", "--cluster-name", "dev"], env=env, capture_output=True, text=True,
                            timeout=30)
    assert result.returncode == 65, result.stderr
    assert result.stderr.startswith(f"eks-auth: error: invalid {key} in profile 'dev' ({config}): expected {expected}"), \
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
