"""`eks-auth credential-process`: the real AWS CLI (v1, botocore's ProcessProvider) runs it as a profile's
credential_process, against moto's STS behind a counting proxy; the CLI and `eks-auth token` then share
one cached AssumeRole."""
from __future__ import annotations

import json
import sys

import peers


def write_config(run, tmp_path, moto, extra: str = "") -> dict:
    aws = tmp_path / "aws"
    aws.mkdir(exist_ok=True)
    (aws / "credentials").write_text(
        f"[base]\naws_access_key_id = {moto.alice['AccessKeyId']}\n"
        f"aws_secret_access_key = {moto.alice['SecretAccessKey']}\n")
    (aws / "config").write_text(
        "[profile base]\nregion = us-east-1\n\n"
        "[profile eks-dev]\nregion = us-east-1\n"
        f"credential_process = {run.binary} credential-process --profile base --role-arn {moto.role_arn}\n" + extra)
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700, exist_ok=True)
    return {"AWS_CONFIG_FILE": str(aws / "config"), "AWS_SHARED_CREDENTIALS_FILE": str(aws / "credentials"),
            "EKS_AUTH_CACHE_DIR": str(cache), "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true"}


def aws(run, env: dict, *args: str):
    return run.command([sys.executable, "-m", "awscli", *args], env=env, timeout=60)


def test_the_aws_cli_and_token_share_one_assume_role(run, moto, proxy, tmp_path):
    env = run.env(**write_config(run, tmp_path, moto), AWS_ENDPOINT_URL_STS=proxy.endpoint)
    rc, out, err = aws(run, env, "sts", "get-caller-identity", "--profile", "eks-dev", "--output", "json")
    assert rc == 0, err
    identity = json.loads(out)
    assert ":assumed-role/dev.eks-access.role/" in identity["Arn"]
    assert proxy.count("AssumeRole") == 1
    rc, out, err = aws(run, env, "sts", "get-caller-identity", "--profile", "eks-dev", "--output", "json")
    assert rc == 0, err
    assert json.loads(out)["Arn"] == identity["Arn"]
    # The token for kubectl reuses the session the AWS CLI got: still one AssumeRole.
    rc, out, err = run("token", "--cluster-name", "dev.my-eks-cluster", "--profile", "base", "--role-arn",
                       moto.role_arn, env=env)
    assert rc == 0, err
    assert proxy.count("AssumeRole") == 1, proxy.counts()
    _, params = peers.decode_token(json.loads(out)["status"]["token"])
    rc, out, err = run("credential-process", "--profile", "base", "--role-arn", moto.role_arn, env=env)
    assert rc == 0, err
    printed = json.loads(out)
    assert printed["AccessKeyId"] == params["X-Amz-Credential"].split("/")[0]
    assert printed["Version"] == 1 and printed["SessionToken"] and printed["Expiration"].endswith("Z")
    assert out.count("\n") <= 1 and err == ""


def test_static_keys_have_no_expiration_and_nothing_but_json_on_stdout(run, moto, tmp_path):
    env = run.env(**write_config(run, tmp_path, moto))
    rc, out, err = run("credential-process", "--profile", "base", env=env)
    assert rc == 0, err
    assert json.loads(out) == {"Version": 1, "AccessKeyId": moto.alice["AccessKeyId"],
                               "SecretAccessKey": moto.alice["SecretAccessKey"]}


def test_a_profile_that_runs_itself_stops_with_one_clear_line(run, moto, tmp_path):
    loop = f"\n[profile loop]\nregion = us-east-1\ncredential_process = {run.binary} credential-process --profile loop\n"
    env = run.env(**write_config(run, tmp_path, moto, extra=loop))
    rc, out, err = run("credential-process", "--profile", "loop", env=env, timeout=60)
    assert rc != 0 and out == ""
    assert "runs inside itself (EKS_AUTH_CREDENTIAL_PROCESS_CHAIN: 'loop' → 'loop')" in err, err
    assert "Traceback" not in err and moto.alice["SecretAccessKey"] not in err


def test_a_loop_reached_through_token_stops_at_once(run, moto, tmp_path):
    """kubectl's path: `token --profile loop` runs the credential_process, which is eks-auth credential-process
    for the same profile; the chain in its environment stops it at once instead of waiting on the cache lock."""
    import time

    loop = f"\n[profile loop]\nregion = us-east-1\ncredential_process = {run.binary} credential-process --profile loop\n"
    env = run.env(**write_config(run, tmp_path, moto, extra=loop))
    started = time.monotonic()
    rc, out, err = run("token", "--cluster-name", "dev.my-eks-cluster", "--profile", "loop", env=env, timeout=60)
    assert time.monotonic() - started < 10
    assert rc != 0 and out == ""
    assert "runs inside itself (EKS_AUTH_CREDENTIAL_PROCESS_CHAIN: 'loop' → 'loop')" in err, err


def test_failures_are_one_line_and_never_print_keys(run, moto, proxy, tmp_path):
    env = run.env(**write_config(run, tmp_path, moto), AWS_ENDPOINT_URL_STS=proxy.endpoint)
    rc, out, err = run("credential-process", "--profile", "base", "--role-arn",
                       "arn:aws:iam::123456789012:role/no-such-role", env=env)
    assert rc == 77 and out == ""
    assert err.startswith("eks-auth: error:") and moto.alice["SecretAccessKey"] not in err
