"""A config file botocore reads must read the same in eks-auth (behave-like-the-AWS-CLI issue, kind 1).

Thousands of generated config/credentials pairs go through botocore's loader and through
`eks-auth config show --all --output json`; every pair must agree, profile by profile and key by
key, or both must refuse the files. The only differences allowed are the deliberate ones of
Docs/compatibility.md, which `config_differential.expected` applies to botocore's side: a one-line
value loses a trailing comment, a byte order mark is skipped, and secrets are shown redacted.
"""
from __future__ import annotations

import json
import os
import subprocess

import config_differential as differential

FILES = int(os.environ.get("EKS_AUTH_DIFFERENTIAL_FILES", "3000"))


def eks_auth_reading(eks_auth, directory, config: str, credentials: str):
    config_path = directory / "config"
    credentials_path = directory / "credentials"
    config_path.write_bytes(config.encode())
    credentials_path.write_bytes(credentials.encode())
    env = {"PATH": "/usr/bin:/bin", "HOME": str(directory), "AWS_CONFIG_FILE": str(config_path),
           "AWS_SHARED_CREDENTIALS_FILE": str(credentials_path)}
    result = subprocess.run([eks_auth, "config", "show", "--all", "--output", "json"], env=env,
                            capture_output=True, text=True, timeout=30)
    if result.returncode != 0:
        assert result.returncode == 65, result.stderr
        assert len(result.stderr.strip().splitlines()) <= 2, result.stderr
        return None
    shown = json.loads(result.stdout)
    return {part: shown[part] for part in ("profiles", "ssoSessions", "services")}


def test_generated_files_read_as_botocore_reads_them(eks_auth, tmp_path):
    disagreements = []
    refused = 0
    for seed in range(FILES):
        config, credentials = differential.generate(seed)
        theirs = differential.botocore_reading(config, credentials)
        ours = eks_auth_reading(eks_auth, tmp_path, config, credentials)
        if isinstance(theirs, Exception):
            refused += 1
            if ours is not None:
                disagreements.append((seed, f"botocore refuses ({theirs}); eks-auth reads {ours}"))
        elif ours != theirs:
            disagreements.append((seed, f"botocore {theirs!r}\neks-auth {ours!r}"))
    print(f"differential: {FILES} file pairs, {refused} refused by both, {len(disagreements)} disagreements")
    assert not disagreements, "\n\n".join(f"seed {seed}: {text}" for seed, text in disagreements[:5])
    # The generator must exercise both verdicts, or the comparison proves little.
    assert 0.005 * FILES < refused < 0.5 * FILES, refused


def test_the_issue_example_reads_the_profile_in_use(eks_auth, tmp_path):
    config = ("[default]\naws_access_key_id = AKIDEXAMPLE\n"
              "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n"
              "[profile legacy] (moved to the new account)\nregion = eu-west-1\n")
    (tmp_path / "config").write_text(config)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "AWS_CONFIG_FILE": str(tmp_path / "config")}
    result = subprocess.run([eks_auth, "token", "--cluster-name", "dev", "--verbose"], env=env,
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert '"token":"k8s-aws-v1.' in result.stdout
    assert f"config: {tmp_path / 'config'}:4: text after the section header's ']' is ignored" in result.stderr
    assert differential.botocore_reading(config, "")["profiles"]["legacy"] == {"region": "eu-west-1"}
    shown = eks_auth_reading(eks_auth, tmp_path, config, "")
    assert shown["profiles"]["legacy"] == {"region": "eu-west-1"}
