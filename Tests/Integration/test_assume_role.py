"""Assuming a role on the fly, against moto with SigV4 and IAM policy checking on.

Contract assumed (eks-auth token):
  eks-auth token --cluster-name C --role-arn ARN [--session-name S] [--external-id E]
                 [--duration-seconds N] [--no-cache]
  base credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY; region AWS_REGION;
  AWS_ENDPOINT_URL_STS: both the AssumeRole endpoint and the token host;
  EKS_AUTH_CACHE_DIR: the assumed-role credential cache;
  EKS_AUTH_HTTP_TIMEOUT: seconds per HTTP attempt (default 5); AWS_MAX_ATTEMPTS (default 3).
  Exit codes: 0 ok, 69 STS unreachable/throttled, 77 AccessDenied.
  eks-auth cache list / eks-auth cache clear use the same EKS_AUTH_CACHE_DIR.
"""
from __future__ import annotations

import datetime
import json
import os
import re
import subprocess
import time
from pathlib import Path

import pytest

import peers

CLUSTER = "dev.my-eks-cluster"
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d)?Z?")


@pytest.fixture
def cache_dir(tmp_path) -> Path:
    path = tmp_path / "cache"  # not created: eks-auth makes it (0700)
    return path


def role_env(run, who: dict, endpoint: str, cache_dir: Path, **extra) -> dict:
    return run.env(
        AWS_ACCESS_KEY_ID=who["AccessKeyId"],
        AWS_SECRET_ACCESS_KEY=who["SecretAccessKey"],
        AWS_ENDPOINT_URL_STS=endpoint,
        AWS_REGION="us-east-1",
        EKS_AUTH_CACHE_DIR=str(cache_dir),
        **extra,
    )


def token_args(role_arn: str, *extra: str) -> list[str]:
    return ["token", "--cluster-name", CLUSTER, "--role-arn", role_arn, *extra]


def exec_credential(stdout: str) -> dict:
    document = json.loads(stdout)
    assert document["kind"] == "ExecCredential"
    assert document["status"]["token"].startswith(peers.TOKEN_PREFIX)
    return document


def assumed_token(stdout: str, endpoint: str | None = None) -> tuple[dict, dict]:
    """The ExecCredential and the moto-issued credentials its token was signed with; asserts
    the token verifies against them (botocore) and points at ``endpoint``."""
    document = exec_credential(stdout)
    token = document["status"]["token"]
    url, params = peers.decode_token(token)
    if endpoint is not None:
        assert url.startswith(endpoint.rstrip("/") + "/?"), url
    access_key = params["X-Amz-Credential"].split("/")[0]
    assert access_key.startswith("ASIA"), f"token signed with {access_key}, not an assumed-role key"
    issued = peers.moto_assumed_credentials(access_key)
    assert issued is not None, f"moto never issued {access_key}"
    assert params.get("X-Amz-Security-Token") == issued["SessionToken"]
    problems = peers.token_problems(
        token, CLUSTER, access_key, issued["SecretAccessKey"], issued["SessionToken"]
    )
    assert problems == [], problems
    expires = datetime.datetime.strptime(document["status"]["expirationTimestamp"], "%Y-%m-%dT%H:%M:%SZ")
    assert expires <= issued["Expiration"], f"ExecCredential expires {expires}, credentials {issued['Expiration']}"
    assert expires > peers.utcnow(), "ExecCredential already expired"
    return document, issued


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("eks-auth: error:")]


def warning_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "warning" in line.lower()]


def cache_files(cache_dir: Path) -> list[Path]:
    return sorted(path for path in cache_dir.iterdir() if path.is_file()) if cache_dir.exists() else []


# ---------------------------------------------------------------------------------------------


def test_alice_gets_a_token_signed_with_the_assumed_role(run, moto, proxy, cache_dir):
    env = role_env(run, moto.alice, proxy.endpoint, cache_dir)
    rc, out, err = run(*token_args(moto.role_arn), env=env)
    assert rc == 0, err
    _, issued = assumed_token(out, proxy.endpoint)
    assert issued["RoleArn"] == moto.role_arn
    assert proxy.count("AssumeRole") == 1
    assert not error_lines(err)


def test_session_name_external_id_and_duration_reach_sts(run, moto, proxy, cache_dir):
    env = role_env(run, moto.alice, proxy.endpoint, cache_dir)
    before = peers.utcnow()
    rc, out, err = run(
        *token_args(moto.role_arn, "--session-name", "ci-session", "--external-id", "ext-1234",
                    "--duration-seconds", "900"),
        env=env,
    )
    assert rc == 0, err
    _, issued = assumed_token(out, proxy.endpoint)
    assert issued["SessionName"] == "ci-session"
    assert issued["ExternalId"] == "ext-1234"
    lifetime = (issued["Expiration"] - before).total_seconds()
    assert 880 <= lifetime <= 960, f"asked for 900 s, moto issued {lifetime} s"


def test_mallory_is_denied_with_one_clear_error(run, moto, proxy, cache_dir):
    env = role_env(run, moto.mallory, proxy.endpoint, cache_dir)
    rc, out, err = run(*token_args(moto.role_arn), env=env)
    assert rc == 77, (rc, err)
    assert out == ""
    errors = error_lines(err)
    assert len(errors) == 1, err
    assert "AssumeRole" in errors[0]
    assert moto.role_arn in errors[0]
    assert "AccessDenied" in errors[0] or "not authorized" in errors[0]
    assert moto.mallory["SecretAccessKey"] not in err
    assert proxy.count("AssumeRole") == 1  # AccessDenied is not retried


def test_second_call_uses_the_cache_and_no_cache_bypasses_it(run, moto, proxy, cache_dir):
    env = role_env(run, moto.alice, proxy.endpoint, cache_dir)
    rc, out, err = run(*token_args(moto.role_arn), env=env)
    assert rc == 0, err
    _, first = assumed_token(out, proxy.endpoint)
    assert proxy.count("AssumeRole") == 1

    rc, out, err = run(*token_args(moto.role_arn), env=env)
    assert rc == 0, err
    _, second = assumed_token(out, proxy.endpoint)
    assert proxy.count("AssumeRole") == 1, "a cached session was assumed again"
    assert second["AccessKeyId"] == first["AccessKeyId"]

    rc, out, err = run(*token_args(moto.role_arn, "--no-cache"), env=env)
    assert rc == 0, err
    _, third = assumed_token(out, proxy.endpoint)
    assert proxy.count("AssumeRole") == 2, "--no-cache did not assume the role"
    assert third["AccessKeyId"] != first["AccessKeyId"]


def test_cache_files_are_private(run, moto, proxy, cache_dir):
    env = role_env(run, moto.alice, proxy.endpoint, cache_dir)
    rc, out, err = run(*token_args(moto.role_arn), env=env)
    assert rc == 0, err
    _, issued = assumed_token(out)
    assert cache_dir.stat().st_mode & 0o077 == 0, oct(cache_dir.stat().st_mode)
    files = cache_files(cache_dir)
    assert files, "nothing was cached"
    for path in files:
        assert path.stat().st_mode & 0o077 == 0, f"{path} is {oct(path.stat().st_mode)}"


def test_fifty_concurrent_calls_assume_the_role_once(eks_auth, run, moto, proxy, cache_dir):
    env = role_env(run, moto.alice, proxy.endpoint, cache_dir)
    argv = [eks_auth, *token_args(moto.role_arn)]
    results = peers.run_concurrently(argv, env, 50, str(run.home))
    failures = [(rc, err) for rc, _, err in results if rc != 0]
    assert not failures, failures[:3]
    keys = set()
    for _, out, _ in results:
        _, issued = assumed_token(out, proxy.endpoint)
        keys.add(issued["AccessKeyId"])
    assert proxy.count("AssumeRole") == 1, proxy.counts
    assert len(keys) == 1


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_damaged_cache_is_replaced_with_a_warning(run, moto, proxy, cache_dir, damage):
    env = role_env(run, moto.alice, proxy.endpoint, cache_dir)
    rc, out, err = run(*token_args(moto.role_arn), env=env)
    assert rc == 0, err
    files = cache_files(cache_dir)
    assert files
    for path in files:
        if damage == "garbage":
            path.write_bytes(b"\x00\xffnot json at all {{{" * 7)
        elif path.stat().st_size > 0:
            path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    rc, out, err = run(*token_args(moto.role_arn), env=env)
    assert rc == 0, err
    assumed_token(out, proxy.endpoint)
    assert warning_lines(err), f"no warning about the {damage} cache: {err!r}"
    assert not error_lines(err)
    assert proxy.count("AssumeRole") == 2


def test_group_readable_cache_file_is_ignored_with_a_warning(run, moto, proxy, cache_dir):
    env = role_env(run, moto.alice, proxy.endpoint, cache_dir)
    rc, out, err = run(*token_args(moto.role_arn), env=env)
    assert rc == 0, err
    for path in cache_files(cache_dir):
        os.chmod(path, 0o644)
    rc, out, err = run(*token_args(moto.role_arn), env=env)
    assert rc == 0, err
    assumed_token(out, proxy.endpoint)
    assert warning_lines(err), f"no warning about the readable cache file: {err!r}"
    assert proxy.count("AssumeRole") == 2, "a group-readable cache file was trusted"


def test_cache_list_shows_no_secrets_and_clear_empties_it(run, moto, proxy, cache_dir):
    env = role_env(run, moto.alice, proxy.endpoint, cache_dir)
    rc, out, err = run(*token_args(moto.role_arn), env=env)
    assert rc == 0, err
    _, issued = assumed_token(out)

    rc, listing, err = run("cache", "list", env=env)
    assert rc == 0, err
    # At most 120 columns: a long role ARN keeps its end, the role's name.
    assert moto.role_arn.split(":")[-1] in listing
    rc, listed, err = run("cache", "list", "--output", "json", env=env)
    assert rc == 0 and [item["role"] for item in json.loads(listed)] == [moto.role_arn], (listed, err)
    assert re.search(r"\d+ min left", listing), f"no time left in {listing!r}"
    for secret in (issued["SecretAccessKey"], issued["SessionToken"], moto.alice["SecretAccessKey"]):
        assert secret not in listing and secret not in err

    rc, out, err = run("cache", "clear", env=env)
    assert rc == 0, err
    assert not [path for path in cache_files(cache_dir) if path.suffix == ".json"]
    rc, listing, err = run("cache", "list", env=env)
    assert rc == 0, err
    assert moto.role_arn.split(":")[-1] not in listing

    rc, out, err = run(*token_args(moto.role_arn), env=env)
    assert rc == 0, err
    assumed_token(out)
    assert proxy.count("AssumeRole") == 2, "the call after cache clear did not assume the role"


def test_verbose_trace_shows_no_assumed_secrets(run, moto, proxy, cache_dir):
    env = role_env(run, moto.alice, proxy.endpoint, cache_dir)
    rc, out, err = run(*token_args(moto.role_arn, "--verbose"), env=env)
    assert rc == 0, err
    document, issued = assumed_token(out)
    for secret in (issued["SecretAccessKey"], issued["SessionToken"], moto.alice["SecretAccessKey"],
                   document["status"]["token"]):
        assert secret not in err


# --- retries and timeouts: --session-name keeps the traffic to AssumeRole alone -----------------


def flaky_env(run, moto, endpoint, cache_dir, **extra):
    return role_env(run, moto.alice, endpoint, cache_dir, **extra)


@pytest.mark.parametrize(
    "status, body",
    [(400, peers.THROTTLING_XML), (500, peers.INTERNAL_ERROR_XML)],
    ids=["throttling", "internal-error"],
)
def test_transient_failures_are_retried(run, moto, cache_dir, status, body):
    with peers.FlakyServer(2, status, body, upstream=moto.endpoint) as sts:
        env = flaky_env(run, moto, sts.endpoint, cache_dir)
        rc, out, err = run(*token_args(moto.role_arn, "--session-name", "retry"), env=env, timeout=40)
        assert rc == 0, err
        assumed_token(out, sts.endpoint)
        assert sts.attempts == 3, sts.actions
        assert dict(sts.actions) == {"AssumeRole": 3}


def test_persistent_throttling_fails_as_unavailable(run, moto, cache_dir):
    with peers.FlakyServer(None, 400, peers.THROTTLING_XML) as sts:
        env = flaky_env(run, moto, sts.endpoint, cache_dir, AWS_MAX_ATTEMPTS="2")
        rc, out, err = run(*token_args(moto.role_arn, "--session-name", "retry"), env=env, timeout=40)
        assert rc == 69, (rc, err)
        assert out == ""
        assert len(error_lines(err)) == 1, err
        assert sts.actions["AssumeRole"] == 2


def test_access_denied_is_not_retried(run, moto, cache_dir):
    with peers.FlakyServer(None, 403, peers.ACCESS_DENIED_XML) as sts:
        env = flaky_env(run, moto, sts.endpoint, cache_dir)
        rc, out, err = run(*token_args(moto.role_arn, "--session-name", "denied"), env=env, timeout=40)
        assert rc == 77, (rc, err)
        assert out == ""
        assert sts.actions["AssumeRole"] == 1, sts.actions
        assert moto.alice["SecretAccessKey"] not in err


def test_hung_sts_times_out_as_unavailable(run, moto, cache_dir):
    with peers.HungServer() as sts:
        env = flaky_env(run, moto, sts.endpoint, cache_dir, EKS_AUTH_HTTP_TIMEOUT="1", AWS_MAX_ATTEMPTS="2")
        started = time.monotonic()
        rc, out, err = run(*token_args(moto.role_arn, "--session-name", "hung"), env=env, timeout=30)
        elapsed = time.monotonic() - started
        assert rc == 69, (rc, err)
        assert elapsed < 10, f"took {elapsed:.1f}s with a 1 s timeout and 2 attempts"
        assert out == ""
        assert len(error_lines(err)) == 1, err
        assert sts.accepted >= 1
        # The wait is never silent, --verbose or not: one line per retry, before it.
        notices = [line for line in err.splitlines() if "retrying" in line]
        assert len(notices) == 1, err
        assert re.fullmatch(r"eks-auth: STS AssumeRole: no answer within 1 s; retrying in \d+ ms \(attempt 2 of 2\)",
                            notices[0]), notices
        assert err.index(notices[0]) < err.index("eks-auth: error:")


@pytest.mark.parametrize("session", [None, "alice"])
def test_verbose_counts_the_sts_round_trips_of_a_cold_call(run, moto, proxy, cache_dir, session):
    extra = ["--session-name", session] if session else []
    rc, out, err = run(*token_args(moto.role_arn, "--verbose", *extra), env=role_env(run, moto.alice, proxy.endpoint,
                                                                                  cache_dir))
    assert rc == 0, err
    trips = proxy.count("GetCallerIdentity") + proxy.count("AssumeRole")
    if session:
        assert trips == 1 and "sts: 1 round trip (AssumeRole)" in err, (proxy.counts, err)
    else:
        assert trips == 2 and "sts: 2 round trips (GetCallerIdentity to name the session, AssumeRole)" in err, err
