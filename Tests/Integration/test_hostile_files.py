"""Files we read are regular files of bounded size (issue: a FIFO or /dev/zero as AWS_CONFIG_FILE hung
or crashed with a stack trace); /dev/null stays an empty file, as people use it to mean "no config"."""
from __future__ import annotations

import os
import subprocess

import pytest

KEYS = {"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        "AWS_REGION": "eu-west-1"}


def run(eks_auth, tmp_path, **env):
    base = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(tmp_path), "AWS_EC2_METADATA_DISABLED": "true"}
    return subprocess.run([eks_auth, "token", "--cluster-name", "dev"], env={**base, **env},
                          capture_output=True, text=True, timeout=30)


def test_dev_null_is_an_empty_config(eks_auth, tmp_path):
    result = run(eks_auth, tmp_path, AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null", **KEYS)
    assert result.returncode == 0, result.stderr
    assert '"token":"k8s-aws-v1.' in result.stdout


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "directory"])
def test_a_config_that_is_not_a_regular_file_is_refused_at_once(eks_auth, tmp_path, kind):
    if kind == "fifo":
        path = tmp_path / "config.fifo"
        os.mkfifo(path)  # nobody ever writes: reading it would wait forever
    elif kind == "dev-zero":
        path = "/dev/zero"  # endless
    else:
        path = tmp_path / "config.d"
        path.mkdir()
    result = run(eks_auth, tmp_path, AWS_CONFIG_FILE=str(path), **KEYS)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(path) in lines[0], lines[0]
    assert "not a regular file" in lines[0] or "directory" in lines[0].lower(), lines[0]
    assert result.stdout == ""


def test_a_config_larger_than_the_bound_is_refused(eks_auth, tmp_path):
    big = tmp_path / "config"
    with open(big, "wb") as handle:
        handle.truncate(17 << 20)  # sparse: 17 MiB of nothing
    result = run(eks_auth, tmp_path, AWS_CONFIG_FILE=str(big), **KEYS)
    assert result.returncode != 0
    assert f"{big}" in result.stderr and "larger than 16 MiB" in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
