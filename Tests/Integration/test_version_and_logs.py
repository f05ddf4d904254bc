"""What a release build says of itself (version, commit, build date), and `--log-format json`: the trace,
retries and errors of real STS calls (moto with SigV4 and IAM checks) as JSON lines a log collector reads,
with aws-iam-authenticator's field names where the two overlap and never a secret."""
from __future__ import annotations

import datetime
import json
import subprocess

import peers
from conftest import REPO

CLUSTER = "dev.my-eks-cluster"


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()


def test_the_release_build_reports_the_commit_and_date_it_was_built_from(run):
    rc, out, err = run("version", "--output", "json")
    assert rc == 0, err
    report = json.loads(out)
    # `make build` compiles in `git describe --always --dirty --abbrev=12` and the commit's time
    # (SOURCE_DATE_EPOCH), so the same checkout always builds the same bytes.
    assert report["gitCommit"] == git("describe", "--always", "--dirty", "--abbrev=12")
    committed = datetime.datetime.fromtimestamp(int(git("log", "-1", "--format=%ct")), datetime.timezone.utc)
    assert report["buildDate"] == committed.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert report["platform"] in ("linux/amd64", "linux/arm64")
    rc, text, _ = run("--version")
    assert text == f"eks-auth {report['version']} (commit {report['gitCommit']}, built {report['buildDate']}, " \
                   f"{report['platform']})\n"


def json_lines(err: str) -> list[dict]:
    lines = [json.loads(line) for line in err.splitlines()]
    for line in lines:
        assert list(line)[:3] == ["time", "level", "msg"], line
        datetime.datetime.strptime(line["time"], "%Y-%m-%dT%H:%M:%SZ")
    return lines


def role_env(run, moto, endpoint, tmp_path, **extra):
    return run.env(
        AWS_ACCESS_KEY_ID=moto.alice["AccessKeyId"], AWS_SECRET_ACCESS_KEY=moto.alice["SecretAccessKey"],
        AWS_ENDPOINT_URL_STS=endpoint, AWS_REGION="us-east-1", EKS_AUTH_CACHE_DIR=str(tmp_path / "cache"),
        **extra)


def test_an_assumed_role_is_traced_with_the_authenticators_field_names(run, moto, tmp_path):
    args = ["token", "--cluster-name", CLUSTER, "--role-arn", moto.role_arn, "--session-name", "alice-ci",
            "--verbose", "--log-format", "json"]
    rc, out, err = run(*args, env=role_env(run, moto, moto.endpoint, tmp_path))
    assert rc == 0, err
    assert json.loads(out)["kind"] == "ExecCredential"
    lines = json_lines(err)
    assert {line["level"] for line in lines} == {"debug"}, lines
    assume = [line for line in lines if line.get("role") == moto.role_arn]
    assert assume and assume[0]["session"] == "alice-ci" and assume[0]["durationSeconds"].isdigit(), lines
    assumed = [line for line in lines if "arn" in line]
    assert assumed and assumed[0]["arn"].endswith("/alice-ci"), lines
    assert assumed[0]["accesskeyid"] != moto.alice["AccessKeyId"]
    calls = [line for line in lines if line.get("operation") == "AssumeRole"]
    assert calls and calls[0]["service"] == "sts" and calls[0]["attempt"] == "1", lines
    assert any(line.get("cluster") == CLUSTER for line in lines)
    # The second call is served from the cache, and says so in a field.
    rc, _, err = run(*args, env=role_env(run, moto, moto.endpoint, tmp_path))
    assert rc == 0, err
    assert any(line.get("cache") == "hit" for line in json_lines(err))
    for secret in (moto.alice["SecretAccessKey"],):
        assert secret not in err


def test_retries_are_json_lines_with_the_reason(run, moto, tmp_path):
    with peers.FlakyServer(1, 400, peers.THROTTLING_XML, upstream=moto.endpoint) as sts:
        rc, _, err = run("token", "--cluster-name", CLUSTER, "--role-arn", moto.role_arn, "--session-name", "retry",
                         "--no-cache", "--verbose", "--log-format", "json",
                         env=role_env(run, moto, sts.endpoint, tmp_path), timeout=40)
    assert rc == 0, err
    retries = [line for line in json_lines(err) if "retryInMilliseconds" in line]
    assert len(retries) == 1, err
    assert retries[0]["level"] == "info" and retries[0]["call"] == "STS AssumeRole", retries
    assert "Throttling" in retries[0]["reason"] and retries[0]["attempt"] == "2", retries


def test_a_denied_role_is_one_json_error_line_without_the_trace(run, moto, tmp_path):
    rc, out, err = run("token", "--cluster-name", CLUSTER, "--role-arn", "arn:aws:iam::123456789012:role/nobody",
                       "--session-name", "denied", "--log-format", "json",
                       env=role_env(run, moto, moto.endpoint, tmp_path), timeout=40)
    assert rc == 77, err
    assert out == ""
    [line] = json_lines(err)
    assert line["level"] == "error" and line["exitCode"] == 77 and "hint" in line, line
    assert "AccessDenied" in line["msg"] or "denied" in line["msg"], line


def test_a_hostile_value_stays_one_json_line_and_escaped_for_a_terminal(run, tmp_path):
    rc, _, err = run("token", "--cluster-name", "x", "--profile", "evil\x1b[2J\nfake", "--log-format", "json",
                     env=run.env(AWS_CONFIG_FILE=str(tmp_path / "none")))
    assert rc != 0
    [line] = json_lines(err)
    assert "\x1b" not in line["msg"] and "\n" not in line["msg"], line
    assert "\\e[2J" in line["msg"], line
