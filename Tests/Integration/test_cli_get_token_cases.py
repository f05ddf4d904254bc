"""The cases of the AWS CLI's own `eks get-token` tests (aws/aws-cli tests/functional/eks/test_get_token.py),
run against eks-auth as the AWS CLI's kubeconfig calls it: `eks-auth eks get-token --cluster-name MyCluster`.

Inputs and expected verdicts are written here again, not copied: the test's keys (ABCDEFGHIJKLMNOPQRST /
TSRQPONMLKJUHGFEDCBA), cluster MyCluster, region us-east-1 from AWS_DEFAULT_REGION (the CLI's test
environment sets it), and its frozen instant 2019-10-23T23:00:00Z, which faketime gives both programs
(`-f` with an absolute time stops the clock). Where a case pins an exact output the AWS CLI itself is
run under the same faketime and the two ExecCredentials must be equal.

AGREE lists the cases where eks-auth does what the case asserts; DIFFER the deliberate differences,
each with its reason (Docs/compatibility.md repeats them).
"""
from __future__ import annotations

import json
import shutil
import sys
import urllib.parse

import pytest

import peers

CLUSTER = "MyCluster"
ACCESS_KEY = "ABCDEFGHIJKLMNOPQRST"
SECRET_KEY = "TSRQPONMLKJUHGFEDCBA"
FROZEN = "2019-10-23 23:00:00"
EXPIRES = "2019-10-23T23:14:00Z"

AGREE = [
    "test_get_token", "test_url", "test_url_with_region", "test_token_has_no_padding",
    "test_url_different_partition", "test_api_version_discovery_empty", "test_api_version_discovery_v1",
    "test_api_version_discovery_v1beta1",
]
DIFFER = {
    "test_query_nested_object": "--query (JMESPath over the output) is refused as an unknown option: kubeconfig "
    "never writes it and stdout carries only the ExecCredential",
    "test_query_value": "the same: --query is refused",
    "test_output_text": "--output text is refused (exit 64): kubectl reads only JSON",
    "test_output_table": "--output table is refused (exit 64): kubectl reads only JSON",
    "test_url_with_arn": "the AssumeRole session name is derived from the caller (alice), not EKSGetTokenAuth, "
    "so CloudTrail and {{SessionName}} show who it was; RoleArn and the token's session token agree",
    "test_api_version_discovery_deprecated": "v1alpha1 is echoed as the CLI does; the warning is worded "
    "'eks-auth: warning: … no longer accepted by current kubectl; set apiVersion: …' instead",
    "test_api_version_discovery_malformed": "v1beta1 as the CLI answers; the warning is worded "
    "'eks-auth: warning: KUBERNETES_EXEC_INFO is not valid JSON; …' instead",
    "test_api_version_discovery_unknown": "v1beta1 as the CLI answers; the warning names the unknown "
    "apiVersion in eks-auth's wording instead",
}


def test_the_cases_are_counted():
    # 16 test methods in the AWS CLI's file: 8 agree, 8 differ on purpose (3 of those only in stderr wording).
    assert len(AGREE) + len(DIFFER) == 16
    assert not set(AGREE) & set(DIFFER)


def cli_env(run, **extra) -> dict:
    return run.env(
        AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY, AWS_DEFAULT_REGION="us-east-1", **extra
    )


def frozen(run, argv: list[str], env: dict):
    if shutil.which("faketime") is None:
        pytest.fail("faketime is needed (make test-deps installs it)")
    return run.command(["faketime", "-f", FROZEN, *argv], env=env, timeout=60)


def ours(run, *args: str, env: dict):
    return frozen(run, [run.binary, "eks", "get-token", "--cluster-name", CLUSTER, *args], env)


def aws_cli(run, *args: str, env: dict):
    return frozen(run, [sys.executable, "-m", "awscli", "eks", "get-token", "--cluster-name", CLUSTER, *args], env)


def url_of(document: dict) -> tuple[urllib.parse.ParseResult, dict]:
    url, _ = peers.decode_token(document["status"]["token"])
    parts = urllib.parse.urlparse(url)
    return parts, urllib.parse.parse_qs(parts.query)


def assert_url(document: dict, host: str, region: str, session_token: str | None = None) -> None:
    parts, query = url_of(document)
    assert parts.netloc == host
    assert region in query["X-Amz-Credential"][0]
    assert ACCESS_KEY in query["X-Amz-Credential"][0] or session_token is not None
    assert "x-k8s-aws-id" in query["X-Amz-SignedHeaders"][0]
    if session_token is None:
        assert "X-Amz-Security-Token" not in query
    else:
        assert query["X-Amz-Security-Token"] == [session_token]


def same_as_aws_cli(run, *args: str) -> dict:
    """Our ExecCredential for ARGS, asserted equal to the AWS CLI's at the same frozen instant."""
    env = cli_env(run)
    rc, out, err = ours(run, *args, env=env)
    assert rc == 0, err
    rc_cli, out_cli, err_cli = aws_cli(run, *args, env=env)
    assert rc_cli == 0, err_cli
    document = json.loads(out)
    assert document == json.loads(out_cli)
    return document


def test_get_token(run):
    document = same_as_aws_cli(run)
    assert document["kind"] == "ExecCredential"
    assert document["apiVersion"] == "client.authentication.k8s.io/v1beta1"
    assert document["spec"] == {}
    assert document["status"]["expirationTimestamp"] == EXPIRES


@pytest.mark.parametrize("query", ["status", "apiVersion"], ids=["test_query_nested_object", "test_query_value"])
def test_query_is_a_deliberate_difference(run, query):
    rc, out, err = ours(run, "--query", query, env=cli_env(run))
    assert rc == 64 and out == ""
    assert "eks-auth: error: Unknown option '--query'" in err


@pytest.mark.parametrize("output", ["text", "table"], ids=["test_output_text", "test_output_table"])
def test_output_text_or_table_is_a_deliberate_difference(run, output):
    rc, out, err = ours(run, "--output", output, env=cli_env(run))
    assert rc == 64 and out == ""
    assert f"eks-auth: error: --output {output} is not supported" in err


def test_url(run):
    assert_url(same_as_aws_cli(run), "sts.us-east-1.amazonaws.com", "us-east-1")


def test_url_with_region(run):
    assert_url(same_as_aws_cli(run, "--region", "us-west-2"), "sts.us-west-2.amazonaws.com", "us-west-2")


def test_url_different_partition(run):
    assert_url(same_as_aws_cli(run, "--region", "cn-north-1"), "sts.cn-north-1.amazonaws.com.cn", "cn-north-1")


def test_url_with_arn(run, moto, proxy, tmp_path):
    # The CLI's case fakes AssumeRole; here moto answers it, through the recording proxy.
    env = run.env(
        AWS_ACCESS_KEY_ID=moto.alice["AccessKeyId"], AWS_SECRET_ACCESS_KEY=moto.alice["SecretAccessKey"],
        AWS_DEFAULT_REGION="us-east-1", AWS_ENDPOINT_URL_STS=proxy.endpoint, EKS_AUTH_CACHE_DIR=str(tmp_path / "c"),
    )
    rc, out, err = run("eks", "get-token", "--cluster-name", CLUSTER, "--role-arn", moto.role_arn, env=env)
    assert rc == 0, err
    assert proxy.count("AssumeRole") == 1
    parts, query = url_of(json.loads(out))
    access_key = query["X-Amz-Credential"][0].split("/")[0]
    issued = peers.moto_assumed_credentials(access_key)
    assert issued["RoleArn"] == moto.role_arn
    assert query["X-Amz-Security-Token"] == [issued["SessionToken"]]
    assert "x-k8s-aws-id" in query["X-Amz-SignedHeaders"][0]
    # The deliberate difference: not EKSGetTokenAuth.
    assert issued["SessionName"] != "EKSGetTokenAuth"


def test_token_has_no_padding(run):
    env = cli_env(run)
    for _ in range(100):
        rc, out, err = run("eks", "get-token", "--cluster-name", CLUSTER, env=env)
        assert rc == 0, err
        assert "=" not in json.loads(out)["status"]["token"]


def exec_info(version: str) -> str:
    return (
        '{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/%s","spec":{"interactive":true}}'
        % version
    )


@pytest.mark.parametrize(
    "info,expected,warns",
    [
        (exec_info("v1alpha1"), "v1alpha1", "client.authentication.k8s.io/v1alpha1 is deprecated"),
        (
            '{{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1alpha1","spec":{"interactive":true}}',
            "v1beta1", "KUBERNETES_EXEC_INFO is not valid JSON",
        ),
        (None, "v1beta1", None),
        (exec_info("v1"), "v1", None),
        (exec_info("v1beta1"), "v1beta1", None),
        (exec_info("v2"), "v1beta1", "unknown apiVersion 'client.authentication.k8s.io/v2'"),
    ],
    ids=[
        "test_api_version_discovery_deprecated", "test_api_version_discovery_malformed",
        "test_api_version_discovery_empty", "test_api_version_discovery_v1", "test_api_version_discovery_v1beta1",
        "test_api_version_discovery_unknown",
    ],
)
def test_api_version_discovery(run, info, expected, warns):
    rc, out, err = ours(run, env=cli_env(run, KUBERNETES_EXEC_INFO=info))
    assert rc == 0, err
    assert json.loads(out)["apiVersion"] == f"client.authentication.k8s.io/{expected}"
    if warns is None:
        assert err == ""
    else:
        assert err.startswith("eks-auth: warning: ") and warns in err
        assert len(err.splitlines()) == 1
