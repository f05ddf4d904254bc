"""HOME unset: the working directory never becomes home (issue: a planted ./~/.aws/config ran its
credential_process as the user)."""
from __future__ import annotations

import os
import pwd
import subprocess


def test_home_unset_never_reads_a_config_planted_in_the_working_directory(eks_auth, tmp_path):
    marker = tmp_path / "pwned"
    planted = tmp_path / "~" / ".aws"
    planted.mkdir(parents=True)
    (planted / "config").write_text(f"[default]\ncredential_process = touch {marker}\nregion = eu-west-1\n")
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "AWS_EC2_METADATA_DISABLED": "true",
           "EKS_AUTH_CACHE_DIR": str(tmp_path / "cache")}
    result = subprocess.run([eks_auth, "token", "--cluster-name", "dev", "--verbose"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=60)
    assert not marker.exists(), "the planted credential_process ran"
    home = pwd.getpwuid(os.getuid()).pw_dir
    # The trace names the password database's home, not a relative ~ path.
    assert f"{home}/.aws/config" in result.stderr, result.stderr
    assert "~/.aws" not in result.stderr, result.stderr


def test_home_set_to_a_missing_directory_still_makes_a_token_from_the_environment(eks_auth, tmp_path):
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(tmp_path / "gone"),
           "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
           "AWS_REGION": "eu-west-1", "AWS_EC2_METADATA_DISABLED": "true"}
    result = subprocess.run([eks_auth, "token", "--cluster-name", "dev"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert '"token":"k8s-aws-v1.' in result.stdout
    assert result.stderr == ""
    assert not (tmp_path / "gone").exists(), "a token call created the missing home"
