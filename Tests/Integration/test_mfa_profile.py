"""An assume-role profile with mfa_serial against moto (request checking on): without a terminal
the plugin refuses with a hint, in a terminal it prompts once, and later non-interactive calls
(as kubectl's) reuse the cached session without prompting. aws-iam-authenticator prompts on every call."""
from __future__ import annotations

import os
import subprocess

import pytest

import peers

CLUSTER = "dev.my-eks-cluster"
SERIAL = "arn:aws:iam::123456789012:mfa/alice"


class RecordingProxy(peers.CountingProxy):
    """A counting proxy that also keeps each request body."""

    def __init__(self, upstream: str):
        self.bodies: list[str] = []
        super().__init__(upstream)

    def handle(self, handler, method: str) -> None:
        body = handler.read_body()
        with self._lock:
            self.bodies.append(body.decode("utf-8", "replace"))
        handler.read_body = lambda: body
        super().handle(handler, method)


def write_mfa_config(home, moto, extra: str = "") -> None:
    """~/.aws/config with static keys in `base` and `dev`, a role profile on top of it with mfa_serial."""
    (home / ".aws").mkdir()
    (home / ".aws" / "config").write_text(
        f"[profile base]\naws_access_key_id = {moto.alice['AccessKeyId']}\n"
        f"aws_secret_access_key = {moto.alice['SecretAccessKey']}\n"
        f"[profile dev]\nrole_arn = {moto.role_arn}\nsource_profile = base\nmfa_serial = {SERIAL}\n"
        "role_session_name = alice-mfa\n" + extra
    )


@pytest.fixture
def recording(moto):
    server = RecordingProxy(moto.endpoint)
    try:
        yield server
    finally:
        server.close()


def test_mfa_profile_prompts_once_then_reuses_the_cached_session(run, eks_auth, home, tmp_path, moto, recording):
    write_mfa_config(home, moto)
    env = run.env(
        AWS_REGION="us-east-1", AWS_ENDPOINT_URL_STS=recording.endpoint, EKS_AUTH_CACHE_DIR=str(tmp_path / "cache"),
        AWS_EC2_METADATA_DISABLED="true",
    )
    args = ["token", "--cluster-name", CLUSTER, "--profile", "dev"]

    rc, out, err = run(*args, env=env)
    assert rc == 78, err
    assert out == ""
    assert f"an MFA code for {SERIAL} is needed" in err and "hint:" in err
    assert recording.count("AssumeRole") == 0

    master, slave = os.openpty()
    try:
        process = subprocess.Popen(
            [eks_auth, *args], stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=str(home))
        os.close(slave)
        slave = -1
        os.write(master, b"123456\n")
        out, err = process.communicate(timeout=30)
    finally:
        if slave >= 0:
            os.close(slave)
        os.close(master)
    assert process.returncode == 0, err.decode()
    assert b"Assume Role MFA token code:" in err
    assert b"123456" not in err
    assumed = [body for body in recording.bodies if "Action=AssumeRole" in body]
    assert len(assumed) == 1
    assert "TokenCode=123456" in assumed[0] and "SerialNumber=arn%3Aaws%3Aiam%3A%3A123456789012%3Amfa%2Falice" in assumed[0]

    for _ in range(2):
        rc, out, err = run(*args, env=env)
        assert rc == 0, err
        assert "MFA" not in err
    assert recording.count("AssumeRole") == 1


def test_token_code_serves_the_mfa_serial_of_the_profile_the_hint_names(run, home, tmp_path, moto, recording):
    # The hint without a terminal says to pass --token-code; passing it must then work, non-interactively.
    write_mfa_config(home, moto, extra="[profile plain]\nsource_profile = base\n")
    env = run.env(
        AWS_REGION="us-east-1", AWS_ENDPOINT_URL_STS=recording.endpoint, EKS_AUTH_CACHE_DIR=str(tmp_path / "cache"),
        AWS_EC2_METADATA_DISABLED="true",
    )
    rc, out, err = run("token", "--cluster-name", CLUSTER, "--profile", "dev", env=env)
    assert rc == 78 and "--token-code" in err, err
    rc, out, err = run("token", "--cluster-name", CLUSTER, "--profile", "dev", "--token-code", "654321", env=env)
    assert rc == 0, err
    assumed = [body for body in recording.bodies if "Action=AssumeRole" in body]
    assert len(assumed) == 1 and "TokenCode=654321" in assumed[0] and "SerialNumber=" in assumed[0], assumed
    # A code nothing would use is still refused, saying what would use it.
    rc, out, err = run("token", "--cluster-name", CLUSTER, "--profile", "plain", "--token-code", "654321", env=env)
    assert rc == 64, err
    assert "invalid --token-code: expected --role-arn (or DEFAULT_ROLE) as well, or a profile whose role has mfa_serial" \
        in err, err
    rc, out, err = run("token", "--cluster-name", CLUSTER, "--profile", "dev", "--token-code", "12ab", env=env)
    assert rc == 64 and "invalid --token-code" in err, err
