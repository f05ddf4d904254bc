"""A hint offers only what works (behave-like-the-AWS-CLI issue, kind 2): each hint the plugin prints is
followed here, and what it suggests is then accepted. (--token-code after the MFA hint is in
test_mfa_profile.py; the AWS CLI refusing a repeated key is in test_error_provenance.py.)"""
from __future__ import annotations

import subprocess


def run(eks_auth, tmp_path, args, **env):
    base = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "AWS_CONFIG_FILE": str(tmp_path / "config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"), "AWS_EC2_METADATA_DISABLED": "true"}
    return subprocess.run([eks_auth, *args], env={**base, **env}, capture_output=True, text=True, timeout=30)


def hint_of(stderr: str) -> str:
    hints = [line for line in stderr.splitlines() if line.startswith("eks-auth: hint: ")]
    assert len(hints) == 1, stderr
    return hints[0].removeprefix("eks-auth: hint: ")


def test_a_missing_profile_hint_names_a_command_that_lists_what_is_there(eks_auth, tmp_path):
    (tmp_path / "config").write_text("[profile dev]\nregion = eu-west-1\n[profile 'team x']\nregion = us-east-1\n")
    (tmp_path / "credentials").write_text("[ci]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = s\n")
    result = run(eks_auth, tmp_path, ["token", "--cluster-name", "dev"], AWS_PROFILE="prod")
    assert result.returncode == 78, result.stderr
    hint = hint_of(result.stderr)
    assert "'eks-auth config list-profiles'" in hint, hint
    listed = run(eks_auth, tmp_path, ["config", "list-profiles"], AWS_PROFILE="prod")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines() == ["dev", "team x", "ci"]
    # The hint's other way out: unset the variable, and the call goes on to the default profile's chain.
    assert "unset the variable" in hint
    unset = run(eks_auth, tmp_path, ["token", "--cluster-name", "dev"], AWS_ACCESS_KEY_ID="AKIDEXAMPLE",
                AWS_SECRET_ACCESS_KEY="s", AWS_REGION="us-east-1")
    assert unset.returncode == 0, unset.stderr


def test_a_malformed_line_hint_describes_the_lines_that_are_accepted(eks_auth, tmp_path):
    (tmp_path / "config").write_text("[default]\nregion us-east-1\n")
    result = run(eks_auth, tmp_path, ["token", "--cluster-name", "dev"])
    assert result.returncode == 65, result.stderr
    hint = hint_of(result.stderr)
    assert "'key = value'" in hint
    # Written as the hint says, the same line is accepted.
    (tmp_path / "config").write_text("[default]\nregion = us-east-1\n")
    fixed = run(eks_auth, tmp_path, ["token", "--cluster-name", "dev"], AWS_ACCESS_KEY_ID="AKIDEXAMPLE",
                AWS_SECRET_ACCESS_KEY="s")
    assert fixed.returncode == 0, fixed.stderr


def test_no_credentials_hint_names_variables_that_then_work(eks_auth, tmp_path):
    result = run(eks_auth, tmp_path, ["token", "--cluster-name", "dev"], AWS_REGION="us-east-1")
    assert result.returncode == 78, result.stderr
    hint = hint_of(result.stderr)
    assert "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY" in hint, hint
    fixed = run(eks_auth, tmp_path, ["token", "--cluster-name", "dev"], AWS_REGION="us-east-1",
                AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="s")
    assert fixed.returncode == 0, fixed.stderr
