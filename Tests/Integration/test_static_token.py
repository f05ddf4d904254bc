"""Tokens from static credentials (environment, profile, session token), judged by botocore and
compared with `aws eks get-token` (awscli v1)."""
from __future__ import annotations

import datetime
import json
import re
import sys
import urllib.parse

import peers

CLUSTER = "dev.my-eks-cluster"
# The documented example keys: never real, safe to print.
ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
SESSION_TOKEN = "FQoGZXIvYXdzEXAMPLE/+token=with+odd/chars"


def exec_credential(stdout: str) -> dict:
    """The ExecCredential printed on stdout (which must hold nothing else)."""
    document = json.loads(stdout)
    assert document["kind"] == "ExecCredential"
    assert document["apiVersion"].startswith("client.authentication.k8s.io/")
    assert document["status"]["token"].startswith(peers.TOKEN_PREFIX)
    return document


def expiry_of(document: dict) -> datetime.datetime:
    return datetime.datetime.strptime(document["status"]["expirationTimestamp"], "%Y-%m-%dT%H:%M:%SZ")


def assert_verifies(token: str, access_key: str, secret_key: str, session_token: str | None = None) -> None:
    problems = peers.token_problems(token, CLUSTER, access_key, secret_key, session_token)
    assert problems == [], f"token does not verify: {problems}\nurl: {peers.decode_token(token)[0]}"
    assert peers.verify_token(token, CLUSTER, access_key, secret_key, session_token)


def test_environment_credentials_make_a_token_botocore_verifies(run):
    env = run.env(AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY, AWS_REGION="us-west-2")
    before = peers.utcnow().replace(microsecond=0)
    rc, out, err = run("token", "--cluster-name", CLUSTER, env=env)
    assert rc == 0, err
    document = exec_credential(out)
    token = document["status"]["token"]
    assert_verifies(token, ACCESS_KEY, SECRET_KEY)
    url, params = peers.decode_token(token)
    assert urllib.parse.urlsplit(url).netloc == "sts.us-west-2.amazonaws.com"
    assert url.startswith("https://sts.us-west-2.amazonaws.com/?")
    assert "X-Amz-Security-Token" not in params
    assert params["X-Amz-Credential"].split("/")[2] == "us-west-2"
    # Kubernetes convention: the token is good for 14 more minutes (aws eks get-token).
    expires = expiry_of(document)
    assert before + datetime.timedelta(minutes=13) <= expires <= peers.utcnow() + datetime.timedelta(minutes=15)


def test_wrong_secret_is_caught_by_the_verifier(run):
    env = run.env(AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY, AWS_REGION="us-west-2")
    rc, out, err = run("token", "--cluster-name", CLUSTER, env=env)
    assert rc == 0, err
    token = exec_credential(out)["status"]["token"]
    # The verifier itself must be able to say no (otherwise every other test proves nothing).
    assert not peers.verify_token(token, CLUSTER, ACCESS_KEY, SECRET_KEY + "x")
    assert not peers.verify_token(token, "another-cluster", ACCESS_KEY, SECRET_KEY)


def test_profile_in_the_credentials_file_makes_a_token_botocore_verifies(run, home):
    aws = home / ".aws"
    aws.mkdir()
    (aws / "credentials").write_text(
        "[default]\naws_access_key_id = AKIADEFAULTEXAMPLE00\naws_secret_access_key = defaultSecretEXAMPLE\n\n"
        f"[dev]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n"
    )
    (aws / "config").write_text("[profile dev]\nregion = eu-west-1\n")
    for selection in (["--profile", "dev"], []):
        env = run.env() if selection else run.env(AWS_PROFILE="dev")
        rc, out, err = run("token", "--cluster-name", CLUSTER, *selection, env=env)
        assert rc == 0, err
        token = exec_credential(out)["status"]["token"]
        assert_verifies(token, ACCESS_KEY, SECRET_KEY)
        url, _ = peers.decode_token(token)
        assert urllib.parse.urlsplit(url).netloc == "sts.eu-west-1.amazonaws.com"

    rc, out, err = run("token", "--cluster-name", CLUSTER, env=run.env(AWS_REGION="us-east-1"))
    assert rc == 0, err
    assert_verifies(exec_credential(out)["status"]["token"], "AKIADEFAULTEXAMPLE00", "defaultSecretEXAMPLE")


def test_session_token_is_carried_and_signed(run):
    env = run.env(
        AWS_ACCESS_KEY_ID="ASIAIOSFODNN7EXAMPLE",
        AWS_SECRET_ACCESS_KEY=SECRET_KEY,
        AWS_SESSION_TOKEN=SESSION_TOKEN,
        AWS_REGION="us-east-1",
    )
    rc, out, err = run("token", "--cluster-name", CLUSTER, env=env)
    assert rc == 0, err
    token = exec_credential(out)["status"]["token"]
    url, params = peers.decode_token(token)
    assert params["X-Amz-Security-Token"] == SESSION_TOKEN
    assert_verifies(token, "ASIAIOSFODNN7EXAMPLE", SECRET_KEY, SESSION_TOKEN)
    # Signed: a token checked without the session token must fail.
    assert not peers.verify_token(token, CLUSTER, "ASIAIOSFODNN7EXAMPLE", SECRET_KEY, None)


def aws_cli_token(run, env: dict) -> str:
    """`aws eks get-token` (awscli v1, run with this Python) in the same environment."""
    rc, out, err = run.command(
        [sys.executable, "-m", "awscli", "eks", "get-token", "--cluster-name", CLUSTER], env=env, timeout=60
    )
    assert rc == 0, f"aws eks get-token failed: {err}"
    return json.loads(out)["status"]["token"]


def comparable(params: dict) -> dict:
    return {key: value for key, value in params.items() if key not in ("X-Amz-Date", "X-Amz-Signature")}


def test_same_url_as_aws_eks_get_token(run):
    for session_token in (None, SESSION_TOKEN):
        # awscli v1 reads AWS_DEFAULT_REGION only; eks-auth reads AWS_REGION first. Set both.
        env = run.env(
            AWS_ACCESS_KEY_ID=ACCESS_KEY,
            AWS_SECRET_ACCESS_KEY=SECRET_KEY,
            AWS_SESSION_TOKEN=session_token,
            AWS_REGION="eu-central-1",
            AWS_DEFAULT_REGION="eu-central-1",
        )
        theirs = aws_cli_token(run, env)
        rc, out, err = run("token", "--cluster-name", CLUSTER, env=env)
        assert rc == 0, err
        ours = exec_credential(out)["status"]["token"]
        their_url, their_params = peers.decode_token(theirs)
        our_url, our_params = peers.decode_token(ours)
        assert urllib.parse.urlsplit(our_url)[:3] == urllib.parse.urlsplit(their_url)[:3]
        assert set(our_params) == set(their_params)
        if our_params["X-Amz-Date"][:8] == their_params["X-Amz-Date"][:8]:
            assert comparable(our_params) == comparable(their_params)
        else:  # the two runs straddled midnight UTC: only the scope date may differ
            assert comparable(our_params).keys() == comparable(their_params).keys()
        # Same key order as botocore emits (facts 1.5).
        assert list(our_params) == list(their_params)
        assert_verifies(ours, ACCESS_KEY, SECRET_KEY, session_token)
        assert_verifies(theirs, ACCESS_KEY, SECRET_KEY, session_token)


def test_endpoint_override_becomes_the_token_host(run, moto):
    # A counting proxy as the endpoint: a static token must not need any STS call.
    with peers.CountingProxy(moto.endpoint) as sts:
        env = run.env(
            AWS_ACCESS_KEY_ID=ACCESS_KEY,
            AWS_SECRET_ACCESS_KEY=SECRET_KEY,
            AWS_REGION="us-east-1",
            AWS_DEFAULT_REGION="us-east-1",
            AWS_ENDPOINT_URL_STS=sts.endpoint,
        )
        rc, out, err = run("token", "--cluster-name", CLUSTER, env=env)
        assert rc == 0, err
        token = exec_credential(out)["status"]["token"]
        url, params = peers.decode_token(token)
        parts = urllib.parse.urlsplit(url)
        assert (parts.scheme, parts.netloc, parts.path) == ("http", f"127.0.0.1:{sts.port}", "/")
        assert_verifies(token, ACCESS_KEY, SECRET_KEY)
        theirs = aws_cli_token(run, env)
        their_url, their_params = peers.decode_token(theirs)
        assert urllib.parse.urlsplit(their_url)[:3] == parts[:3]
        assert set(their_params) == set(params)
        assert sts.counts == {}, f"a static token made STS calls: {sts.counts}"


def test_verbose_trace_never_shows_secrets(run):
    env = run.env(
        AWS_ACCESS_KEY_ID="ASIAIOSFODNN7EXAMPLE",
        AWS_SECRET_ACCESS_KEY=SECRET_KEY,
        AWS_SESSION_TOKEN=SESSION_TOKEN,
        AWS_REGION="us-east-1",
    )
    rc, out, err = run("token", "--cluster-name", CLUSTER, "--verbose", env=env)
    assert rc == 0, err
    exec_credential(out)  # stdout still holds only the ExecCredential
    assert err.strip(), "--verbose wrote no trace"
    assert all(line.startswith("eks-auth: ") for line in err.splitlines() if line.strip()), err
    for secret in (SECRET_KEY, SESSION_TOKEN, "wJalrXUtnFEMI", "FQoGZXIvYXdzEXAMPLE"):
        assert secret not in err
        assert urllib.parse.quote(secret, safe="") not in err
    assert not re.search(r"X-Amz-Signature=[0-9a-f]{64}", err)
