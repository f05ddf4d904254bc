"""`eks-auth decode`, `verify` and `explain`, run as the real binary.

decode is offline: our tokens and `aws eks get-token` (awscli v1) tokens pass every rule; tampered
tokens fail exactly the rule tampered with (exit 65); garbage is one error line (exit 65).
verify and explain talk to STS through the loopback "STS replay" peer (inspect_peers.STSReplay),
reached as an HTTPS proxy with its certificate in AWS_CA_BUNDLE, because verify only sends tokens
whose host is a canonical STS host. AssumeRole goes through the same proxy to moto (checking on).

Contract assumed:
  eks-auth decode [TOKEN|-] [--output text|json]        0 every rule passes, 65 otherwise
  eks-auth verify [TOKEN|-] --cluster-name C [--output]  0 verified, 65 fails the rules, 77 STS refuses
  eks-auth explain --aws-auth FILE|- (--arn ARN | TOKEN --cluster-name C) [--output]
                                                         0 mapped, 77 not mapped, 65 unreadable aws-auth
"""
from __future__ import annotations

import datetime
import json
import random
import string
import sys

import pytest

import inspect_peers
import peers

CLUSTER = "dev.my-eks-cluster"
# The documented example keys: never real, safe to print.
ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
# Distinctive, so a leak into any output is unmistakable.
SESSION_TOKEN = "IQoJb3JpZ2luDISTINCTIVEsessionTOKEN/+=value0123456789"
STATIC_USER_ARN = "arn:aws:iam::123456789012:user/static-user"
ROLE_ARN = peers.ROLE_ARN
ALICE_SESSION_ARN = f"arn:aws:sts::{peers.ACCOUNT_ID}:assumed-role/{peers.ROLE_NAME}/alice"

RULES = [
    "length", "prefix", "encoding", "scheme", "host", "region", "path", "parameters", "action", "version", "algorithm",
    "signed cluster header", "expires parameter", "credential scope", "signature", "age",
]


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


def static_env(run, region: str = "us-west-2", session: bool = True, **extra) -> dict:
    return run.env(
        AWS_ACCESS_KEY_ID=ACCESS_KEY,
        AWS_SECRET_ACCESS_KEY=SECRET_KEY,
        AWS_SESSION_TOKEN=SESSION_TOKEN if session else None,
        AWS_REGION=region,
        AWS_DEFAULT_REGION=region,
        **extra,
    )


def our_token(run, env: dict) -> str:
    rc, out, err = run("token", "--cluster-name", CLUSTER, env=env)
    assert rc == 0, err
    return json.loads(out)["status"]["token"]


def cli_exec_credential(run, env: dict) -> str:
    """`aws eks get-token` (awscli v1, run with this Python) in ``env``; its stdout."""
    rc, out, err = run.command(
        [sys.executable, "-m", "awscli", "eks", "get-token", "--cluster-name", CLUSTER], env=env, timeout=60
    )
    assert rc == 0, f"aws eks get-token failed: {err}"
    return out


def checks(stdout: str) -> dict:
    """``{rule: "PASS" | "FAIL"}`` from the text report."""
    found = {}
    for line in stdout.splitlines():
        text = line.strip()
        if not text.startswith(("PASS ", "FAIL ")):
            continue
        verdict, rest = text[:4], text[5:]
        rule = next((r for r in sorted(RULES, key=len, reverse=True) if rest == r or rest.startswith(r + " ")), None)
        assert rule is not None, f"unknown rule line: {line!r}"
        found[rule] = verdict
    return found


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip()]


def assert_no_secrets(*texts: str) -> None:
    for text in texts:
        assert SESSION_TOKEN not in text
        assert "DISTINCTIVE" not in text
        assert SECRET_KEY not in text


def signature_of(token: str) -> str:
    return peers.decode_token(token)[1]["X-Amz-Signature"]


def botocore_token(host: str, at: datetime.datetime, region: str = "us-west-2", cluster: str = CLUSTER,
                   session_token: str | None = SESSION_TOKEN) -> str:
    """A token presigned by botocore (not by eks-auth) at instant ``at``."""
    url = peers.presign_token_url(f"https://{host}/", cluster, ACCESS_KEY, SECRET_KEY, session_token, region, at)
    return inspect_peers.token_for(url)


# ---------------------------------------------------------------------------------------------
# decode: good tokens
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("region", ["us-west-2", "us-east-1", "eu-central-1", "ap-southeast-2"])
@pytest.mark.parametrize("session", [True, False], ids=["session-token", "long-term-key"])
def test_decode_passes_every_rule_for_our_tokens(run, region, session):
    env = static_env(run, region, session)
    token = our_token(run, env)
    rc, out, err = run("decode", token, env=env)
    assert rc == 0, out + err
    assert err == ""
    assert checks(out) == {rule: "PASS" for rule in RULES}
    assert f"sts.{region}.amazonaws.com" in out
    assert ACCESS_KEY in out
    assert ("present (temporary credentials)" if session else "absent (long-term key)") in out
    assert signature_of(token) not in out
    assert_no_secrets(out, err)


@pytest.mark.parametrize("region", ["us-west-2", "us-east-1", "eu-west-1"])
def test_decode_passes_every_rule_for_aws_eks_get_token(run, region):
    env = static_env(run, region)
    document = json.loads(cli_exec_credential(run, env))
    token = document["status"]["token"]
    rc, out, err = run("decode", token, env=env)
    assert rc == 0, out + err
    assert checks(out) == {rule: "PASS" for rule in RULES}
    assert signature_of(token) not in out
    assert_no_secrets(out, err)


def test_decode_reads_an_exec_credential_from_stdin(run):
    env = static_env(run)
    rc, ours, err = run("token", "--cluster-name", CLUSTER, env=env)
    assert rc == 0, err
    theirs = cli_exec_credential(run, env)
    for document in (ours, theirs):
        rc, out, err = run("decode", "-", env=env, stdin=document)
        assert rc == 0, out + err
        assert checks(out) == {rule: "PASS" for rule in RULES}
        assert_no_secrets(out, err)
    # With no argument at all, stdin (not a terminal here) is read too.
    rc, out, err = run("decode", env=env, stdin=ours)
    assert rc == 0, out + err


def test_decode_json_output_parses_and_is_valid(run):
    env = static_env(run)
    token = our_token(run, env)
    rc, out, err = run("decode", token, "--output", "json", env=env)
    assert rc == 0, err
    report = json.loads(out)
    assert report["valid"] is True
    assert report["stsHost"] == "sts.us-west-2.amazonaws.com"
    assert report["region"] == "us-west-2"
    assert report["partition"] == "aws"
    assert report["accessKeyId"] == ACCESS_KEY
    assert report["sessionToken"] is True
    assert report["signedHeaders"] == ["host", "x-k8s-aws-id"]
    assert 800 <= report["secondsLeft"] <= 900
    assert [check["rule"] for check in report["checks"]] == RULES
    assert all(check["passed"] for check in report["checks"])
    assert signature_of(token) not in out
    assert_no_secrets(out, err)


def test_decode_accepts_a_token_botocore_presigned_just_now(run):
    token = botocore_token("sts.us-west-2.amazonaws.com", peers.utcnow())
    rc, out, err = run("decode", token)
    assert rc == 0, out + err
    assert checks(out) == {rule: "PASS" for rule in RULES}


# ---------------------------------------------------------------------------------------------
# decode: tampered tokens
# ---------------------------------------------------------------------------------------------

TAMPERINGS = [
    ("http scheme", "https://", "http://", "scheme"),
    ("custom endpoint host", "sts.us-west-2.amazonaws.com", "vpce-0abc.sts.us-west-2.vpce.amazonaws.com", "host"),
    ("loopback host", "https://sts.us-west-2.amazonaws.com", "https://127.0.0.1:8443", "host"),
    ("wrong path", ".com/?", ".com/sts/?", "path"),
    ("extra parameter", "&X-Amz-Signature=", "&X-Amz-Foo=bar&X-Amz-Signature=", "parameters"),
    ("duplicate parameter", "&X-Amz-Signature=", "&ACTION=GetCallerIdentity&X-Amz-Signature=", "parameters"),
    ("wrong action", "Action=GetCallerIdentity", "Action=GetSessionToken", "action"),
    ("wrong version", "Version=2011-06-15", "Version=2012-01-01", "version"),
    ("cluster header unsigned", "X-Amz-SignedHeaders=host%3Bx-k8s-aws-id", "X-Amz-SignedHeaders=host",
     "signed cluster header"),
    ("expires 901", "X-Amz-Expires=60", "X-Amz-Expires=901", "expires parameter"),
    ("expires not a number", "X-Amz-Expires=60", "X-Amz-Expires=1m", "expires parameter"),
    ("scope for s3", "%2Fsts%2Faws4_request", "%2Fs3%2Faws4_request", "credential scope"),
    ("scope for another region", "%2Fus-west-2%2Fsts", "%2Feu-west-1%2Fsts", "credential scope"),
    ("short signature", "X-Amz-Signature=", "X-Amz-Signature=abc", "signature"),
]


@pytest.mark.parametrize("find,replacement,rule", [t[1:] for t in TAMPERINGS], ids=[t[0] for t in TAMPERINGS])
def test_decode_shows_the_tampered_rule_as_fail(run, find, replacement, rule):
    env = static_env(run)
    token = inspect_peers.tampered(our_token(run, env), find, replacement)
    rc, out, err = run("decode", token, env=env)
    assert rc == 65, out + err
    verdicts = checks(out)
    assert [r for r, v in verdicts.items() if v == "FAIL"] == [rule], out
    assert error_lines(err) == [f"eks-auth: error: the token fails the server's checks: {rule}"]
    assert_no_secrets(out, err)


def test_decode_refuses_a_token_over_4096_bytes(run):
    env = static_env(run)
    env["AWS_SESSION_TOKEN"] = SESSION_TOKEN + "A" * 3600
    token = our_token(run, env)
    assert len(token) > 4096
    rc, out, err = run("decode", token, env=static_env(run))
    assert rc == 65, out + err
    assert [r for r, v in checks(out).items() if v == "FAIL"] == ["length"]
    assert "A" * 100 not in out + err


@pytest.mark.parametrize(
    "mutate,rule",
    [
        (lambda t: "k8s-aws-v2." + t[len(peers.TOKEN_PREFIX):], "prefix"),
        (lambda t: t + "==", "encoding"),
        (lambda t: peers.TOKEN_PREFIX + t[len(peers.TOKEN_PREFIX):].replace("-", "+").replace("_", "/") + "+/",
         "encoding"),
    ],
    ids=["wrong prefix", "padding", "standard base64 alphabet"],
)
def test_decode_refuses_a_wrong_prefix_or_encoding(run, mutate, rule):
    env = static_env(run)
    rc, out, err = run("decode", mutate(our_token(run, env)), env=env)
    assert rc == 65, out + err
    assert checks(out).get(rule) == "FAIL"
    assert error_lines(err) == [f"eks-auth: error: the token fails the server's checks: {rule}"]


def test_decode_fails_the_age_rule_for_a_token_signed_20_minutes_ago(run):
    old = peers.utcnow().replace(microsecond=0) - datetime.timedelta(minutes=20)
    token = botocore_token("sts.us-west-2.amazonaws.com", old)
    rc, out, err = run("decode", token)
    assert rc == 65, out + err
    assert [r for r, v in checks(out).items() if v == "FAIL"] == ["age"]
    assert "expired at" in out
    assert error_lines(err) == ["eks-auth: error: the token fails the server's checks: age"]


def test_decode_fails_the_age_rule_for_a_token_signed_in_the_future(run):
    later = peers.utcnow().replace(microsecond=0) + datetime.timedelta(minutes=30)
    rc, out, err = run("decode", botocore_token("sts.us-west-2.amazonaws.com", later))
    assert rc == 65, out + err
    assert [r for r, v in checks(out).items() if v == "FAIL"] == ["age"]
    assert "future" in out


def test_decode_accepts_a_token_with_a_crlf_line_end_on_stdin(run):
    env = static_env(run)
    rc, out, err = run("decode", "-", env=env, stdin=our_token(run, env) + "\r\n")
    assert rc == 0, out + err


# ---------------------------------------------------------------------------------------------
# decode: garbage
# ---------------------------------------------------------------------------------------------


def noise(size: int) -> str:
    generator = random.Random(1)
    alphabet = string.ascii_letters + string.digits + "+/=_-"
    return "".join(generator.choice(alphabet) for _ in range(size))


GARBAGE = [
    ("not a token", ["hello world"], ""),
    ("not base64", ["k8s-aws-v1.%%%not*base64%%%" + SESSION_TOKEN], ""),
    ("not a URL", [inspect_peers.token_for("just words " + SESSION_TOKEN)], ""),
    ("JSON that is not an ExecCredential", ["-"], json.dumps({"status": {"token": None}, "x": SESSION_TOKEN})),
    ("empty stdin", ["-"], ""),
    ("1 MB of noise on stdin", ["-"], noise(500_000) + SESSION_TOKEN + noise(500_000)),
    ("100 kB of noise as the argument", [noise(100_000)], ""),
]


@pytest.mark.parametrize("args,stdin", [g[1:] for g in GARBAGE], ids=[g[0] for g in GARBAGE])
def test_decode_answers_garbage_with_one_error_line_and_exit_65(run, args, stdin):
    rc, out, err = run("decode", *args, stdin=stdin)
    assert rc == 65, out + err
    lines = error_lines(err)
    assert len(lines) == 1, err
    assert lines[0].startswith("eks-auth: error: ")
    assert "Traceback" not in err and "Fatal error" not in err
    assert_no_secrets(out, err)
    assert len(out) < 5000


def test_decode_names_the_size_of_input_that_is_far_too_long(run):
    rc, out, err = run("decode", "-", stdin=noise(1_000_000))
    assert rc == 65
    assert out == ""
    assert "an EKS token is at most 4096" in err


# ---------------------------------------------------------------------------------------------
# verify and explain, through the STS replay peer
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sts_certificate(tmp_path_factory) -> tuple[str, str]:
    return inspect_peers.make_sts_certificate(str(tmp_path_factory.mktemp("sts-cert")))


@pytest.fixture
def replay(moto, sts_certificate):
    cert, key = sts_certificate
    server = inspect_peers.STSReplay(
        cert, key, upstream=moto.endpoint,
        static_identities={ACCESS_KEY: (SECRET_KEY, STATIC_USER_ARN, "AIDASTATICUSEREXAMPLE")},
    )
    try:
        yield server
    finally:
        server.close()


def proxied_env(run, replay, sts_certificate, tmp_path, who: dict | None = None) -> dict:
    """STS reached through the replay peer; credentials are alice's moto keys, else the static ones."""
    env = run.env(
        AWS_ACCESS_KEY_ID=who["AccessKeyId"] if who else ACCESS_KEY,
        AWS_SECRET_ACCESS_KEY=who["SecretAccessKey"] if who else SECRET_KEY,
        AWS_REGION="us-east-1",
        AWS_DEFAULT_REGION="us-east-1",
        HTTPS_PROXY=replay.endpoint,
        AWS_CA_BUNDLE=sts_certificate[0],
        EKS_AUTH_CACHE_DIR=str(tmp_path / "cache"),
    )
    return env


@pytest.fixture
def alice_token(run, moto, replay, sts_certificate, tmp_path) -> tuple[str, dict]:
    """alice's --role-arn token (AssumeRole through the replay peer to moto) and the env it was made in."""
    env = proxied_env(run, replay, sts_certificate, tmp_path, moto.alice)
    rc, out, err = run(
        "token", "--cluster-name", CLUSTER, "--role-arn", moto.role_arn, "--session-name", "alice", env=env
    )
    assert rc == 0, err
    assert replay.forwarded == ["AssumeRole"], replay.forwarded
    token = json.loads(out)["status"]["token"]
    url, params = peers.decode_token(token)
    assert url.startswith("https://sts.us-east-1.amazonaws.com/?") or url.startswith("https://sts.amazonaws.com/?")
    assert params["X-Amz-Credential"].startswith("ASIA")
    return token, env


def test_verify_proves_alice_assumed_the_role(run, alice_token, replay):
    token, env = alice_token
    rc, out, err = run("verify", token, "--cluster-name", CLUSTER, env=env)
    assert rc == 0, out + err
    assert checks(out) == {rule: "PASS" for rule in RULES}
    assert ALICE_SESSION_ARN in out
    assert ROLE_ARN in out
    assert "canonical ARN:" in out and "session name:" in out
    assert replay.verdicts() == ["OK"]
    sent = replay.replays[0]
    assert sent["x-k8s-aws-id"] == CLUSTER
    assert sent["accept"] == "application/json"
    assert sent["tunnel"] in ("sts.us-east-1.amazonaws.com", "sts.amazonaws.com")
    assert sent["path"] == peers.decode_token(token)[0].split(sent["tunnel"], 1)[1]
    issued = peers.moto_assumed_credentials(peers.decode_token(token)[1]["X-Amz-Credential"].split("/")[0])
    assert issued["SessionToken"] not in out + err
    assert issued["SecretAccessKey"] not in out + err


def test_verify_json_output_carries_the_identity(run, alice_token):
    token, env = alice_token
    rc, out, err = run("verify", "--cluster-name", CLUSTER, "--output", "json", "-", env=env, stdin=token)
    assert rc == 0, out + err
    report = json.loads(out)
    assert report["valid"] is True
    assert report["identity"]["arn"] == ALICE_SESSION_ARN
    assert report["identity"]["canonicalArn"] == ROLE_ARN
    assert report["identity"]["account"] == peers.ACCOUNT_ID
    assert report["identity"]["sessionName"] == "alice"


def test_verify_with_the_wrong_cluster_is_refused_with_exit_77(run, alice_token, replay):
    token, env = alice_token
    rc, out, err = run("verify", token, "--cluster-name", "prod-cluster", env=env)
    assert rc == 77, out + err
    assert replay.verdicts() == ["SignatureDoesNotMatch"]
    assert replay.replays[0]["x-k8s-aws-id"] == "prod-cluster"
    lines = error_lines(err)
    assert len(lines) >= 1
    assert lines[0].startswith("eks-auth: error: the token was not made for cluster 'prod-cluster'")
    assert "SignatureDoesNotMatch" in lines[0]
    assert ALICE_SESSION_ARN not in out


def test_verify_a_static_key_token(run, replay, sts_certificate, tmp_path):
    env = proxied_env(run, replay, sts_certificate, tmp_path)
    token = our_token(run, env)
    assert replay.forwarded == []  # no AssumeRole for static keys
    rc, out, err = run("verify", token, "--cluster-name", CLUSTER, env=env)
    assert rc == 0, out + err
    assert STATIC_USER_ARN in out
    assert replay.verdicts() == ["OK"]


def test_verify_a_token_altered_after_signing_is_refused_by_sts(run, replay, sts_certificate, tmp_path):
    env = proxied_env(run, replay, sts_certificate, tmp_path)
    token = our_token(run, env)
    # Still well-formed (every offline rule passes), but no longer the request that was signed.
    altered = inspect_peers.tampered(token, "X-Amz-Expires=60", "X-Amz-Expires=61")
    rc, out, err = run("verify", altered, "--cluster-name", CLUSTER, env=env)
    assert rc == 77, out + err
    assert replay.verdicts() == ["SignatureDoesNotMatch"]


def test_verify_an_expired_token_fails_the_rules_without_asking_sts(run, replay, sts_certificate, tmp_path):
    env = proxied_env(run, replay, sts_certificate, tmp_path)
    old = peers.utcnow().replace(microsecond=0) - datetime.timedelta(minutes=20)
    token = botocore_token("sts.us-east-1.amazonaws.com", old, region="us-east-1", session_token=None)
    rc, out, err = run("verify", token, "--cluster-name", CLUSTER, env=env)
    assert rc == 65, out + err
    assert [r for r, v in checks(out).items() if v == "FAIL"] == ["age"]
    assert replay.replays == []


def test_verify_a_loopback_token_fails_the_host_rule_without_asking_sts(run, moto, replay):
    env = static_env(run, "us-east-1", AWS_ENDPOINT_URL_STS=replay.endpoint)
    token = our_token(run, env)
    rc, out, err = run("verify", token, "--cluster-name", CLUSTER, env=env)
    assert rc == 65, out + err
    assert checks(out)["host"] == "FAIL"
    assert checks(out)["scheme"] == "FAIL"
    assert replay.replays == []
    assert_no_secrets(out, err)


def test_verify_when_sts_cannot_be_reached_exits_69(run, tmp_path):
    with peers.HungServer() as hung:
        env = static_env(run, "us-east-1", HTTPS_PROXY=hung.endpoint)
        token = our_token(run, static_env(run, "us-east-1"))
        rc, out, err = run("verify", token, "--cluster-name", CLUSTER, env=env, timeout=60)
    assert rc == 69, out + err
    assert error_lines(err)[0].startswith("eks-auth: error: ")


AWS_AUTH = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: aws-auth
  namespace: kube-system
data:
  mapRoles: |
    - rolearn: {role}
      username: dev:{{{{SessionName}}}}:{{{{AccessKeyID}}}}
      groups:
        - system:masters
        - dev-team
  mapUsers: |
    - userarn: arn:aws:iam::123456789012:user/static-user
      username: static
      groups:
        - viewers
"""


def write_aws_auth(tmp_path, role: str = ROLE_ARN) -> str:
    path = tmp_path / "aws-auth.yaml"
    path.write_text(AWS_AUTH.format(role=role))
    return str(path)


def test_explain_an_arn_that_is_mapped(run, tmp_path):
    rc, out, err = run("explain", "--aws-auth", write_aws_auth(tmp_path), "--arn", ALICE_SESSION_ARN)
    assert rc == 0, out + err
    assert f"matched:          mapRoles[0] {ROLE_ARN}" in out
    assert "username:         dev:alice:{{AccessKeyID}}" in out
    assert "groups:           system:masters, dev-team" in out
    assert "{{AccessKeyID}} is filled from the token's access key" in out


def test_explain_reads_aws_auth_from_stdin_as_json(run, tmp_path):
    import yaml

    document = yaml.safe_load(AWS_AUTH.format(role=ROLE_ARN))
    rc, out, err = run(
        "explain", "--aws-auth", "-", "--arn", STATIC_USER_ARN, "--output", "json", stdin=json.dumps(document)
    )
    assert rc == 0, out + err
    answer = json.loads(out)
    assert answer["mapped"] is True
    assert answer["matchedEntry"] == "mapUsers[0]"
    assert answer["username"] == "static"
    assert answer["groups"] == ["viewers"]


def test_explain_a_role_written_with_its_path_is_a_near_miss_with_exit_77(run, tmp_path):
    path_role = f"arn:aws:iam::{peers.ACCOUNT_ID}:role/teams/platform/{peers.ROLE_NAME}"
    rc, out, err = run("explain", "--aws-auth", write_aws_auth(tmp_path, path_role), "--arn", ALICE_SESSION_ARN)
    assert rc == 77, out + err
    assert "matched:          nothing" in out
    assert f"near miss: mapRoles[0] writes the role with its path ({path_role})" in out
    assert f"write {ROLE_ARN}" in out


def test_explain_an_unreadable_aws_auth_exits_65(run, tmp_path):
    path = tmp_path / "aws-auth.yaml"
    path.write_text("kind: Pod\nmetadata:\n  name: not-aws-auth\n")
    rc, out, err = run("explain", "--aws-auth", str(path), "--arn", ALICE_SESSION_ARN)
    assert rc == 65, out + err
    assert error_lines(err)[0].startswith("eks-auth: error: cannot read the aws-auth ConfigMap from ")
    assert out == ""


def test_explain_a_token_verifies_it_then_maps_its_identity(run, alice_token, replay, tmp_path):
    token, env = alice_token
    access_key = peers.decode_token(token)[1]["X-Amz-Credential"].split("/")[0]
    rc, out, err = run("explain", "--aws-auth", write_aws_auth(tmp_path), token, "--cluster-name", CLUSTER, env=env)
    assert rc == 0, out + err
    assert replay.verdicts() == ["OK"]
    assert f"identity:         {ALICE_SESSION_ARN}" in out
    assert f"username:         dev:alice:{access_key}" in out
    assert "groups:           system:masters, dev-team" in out
    assert "--cluster-name dev.my-eks-cluster" in out


def test_explain_a_token_whose_role_is_written_with_its_path_exits_77(run, alice_token, replay, tmp_path):
    token, env = alice_token
    path_role = f"arn:aws:iam::{peers.ACCOUNT_ID}:role/teams/{peers.ROLE_NAME}"
    rc, out, err = run(
        "explain", "--aws-auth", write_aws_auth(tmp_path, path_role), token, "--cluster-name", CLUSTER, env=env
    )
    assert rc == 77, out + err
    assert replay.verdicts() == ["OK"]
    assert "near miss: mapRoles[0] writes the role with its path" in out


def test_explain_checks_a_loopback_token_before_sending_it_anywhere(run, replay, tmp_path):
    env = static_env(run, "us-east-1", AWS_ENDPOINT_URL_STS=replay.endpoint)
    token = our_token(run, env)
    rc, out, err = run("explain", "--aws-auth", write_aws_auth(tmp_path), token, "--cluster-name", CLUSTER, env=env)
    assert rc == 65, out + err
    assert replay.replays == []
    assert error_lines(err)[0].startswith("eks-auth: error: the token fails the server's checks: scheme, host")


def test_explain_a_token_for_another_cluster_is_refused_by_sts(run, alice_token, replay, tmp_path):
    token, env = alice_token
    rc, out, err = run(
        "explain", "--aws-auth", write_aws_auth(tmp_path), token, "--cluster-name", "prod-cluster", env=env
    )
    assert rc == 77, out + err
    assert replay.verdicts() == ["SignatureDoesNotMatch"]
    assert error_lines(err)[0].startswith("eks-auth: error: the token was not made for cluster 'prod-cluster'")
    assert out == ""


def test_explain_accepts_an_exec_credential_as_the_token(run, alice_token, replay, tmp_path):
    token, env = alice_token
    document = json.dumps({"kind": "ExecCredential", "apiVersion": "client.authentication.k8s.io/v1beta1",
                           "spec": {}, "status": {"token": token}})
    rc, out, err = run("explain", "--aws-auth", write_aws_auth(tmp_path), document, "--cluster-name", CLUSTER, env=env)
    assert rc == 0, out + err
    assert "username:         dev:alice:ASIA" in out


def test_explain_warns_about_entries_the_authenticator_rejects(run, tmp_path):
    path = tmp_path / "aws-auth.yaml"
    path.write_text(
        "data:\n  mapRoles: |\n    - username: nobody\n    - rolearn: " + ROLE_ARN + "\n      username: dev\n"
    )
    rc, out, err = run("explain", "--aws-auth", str(path), "--arn", ALICE_SESSION_ARN)
    assert rc == 0, out + err
    assert "mapRoles[0] has no rolearn or sso" in err
    assert f"matched:          mapRoles[1] {ROLE_ARN}" in out


def test_explain_reads_the_token_from_stdin(run, alice_token, replay, tmp_path):
    token, env = alice_token
    rc, out, err = run(
        "explain", "--aws-auth", write_aws_auth(tmp_path), "-", "--cluster-name", CLUSTER, env=env, stdin=token
    )
    assert rc == 0, out + err
    assert f"identity:         {ALICE_SESSION_ARN}" in out


# ---------------------------------------------------------------------------------------------
# issue #14 kind 4: the server's rules, no looser and no stricter; every region token signs for exists
# ---------------------------------------------------------------------------------------------


def test_decode_passes_a_token_that_signs_x_k8s_aws_id_alone(run):
    # aws-iam-authenticator asks only that x-k8s-aws-id be signed (pkg/token/token.go), not host.
    env = static_env(run)
    token = inspect_peers.tampered(
        our_token(run, env), "X-Amz-SignedHeaders=host%3Bx-k8s-aws-id", "X-Amz-SignedHeaders=x-k8s-aws-id"
    )
    rc, out, err = run("decode", token, env=env)
    assert rc == 0, out + err
    assert checks(out)["signed cluster header"] == "PASS"


@pytest.mark.parametrize(
    "host,suggestion",
    [("sts.eu-wset-1.amazonaws.com", "eu-west-1"), ("sts.us-est-2.amazonaws.com", "us-east-2")],
)
def test_decode_fails_a_host_naming_a_mistyped_region_and_suggests_the_nearest(run, host, suggestion):
    region = host.split(".")[1]
    at = peers.utcnow().replace(microsecond=0)
    rc, out, err = run("decode", botocore_token(host, at, region=region))
    assert rc == 65, out + err
    assert [r for r, v in checks(out).items() if v == "FAIL"] == ["region"]
    assert f"did you mean '{suggestion}'?" in out
    assert error_lines(err) == ["eks-auth: error: the token fails the server's checks: region"]


@pytest.mark.parametrize(
    "flag,variable,source",
    [
        (["--region", "eu-wset-1"], {}, "--region"),
        ([], {"AWS_REGION": "eu-wset-1"}, "AWS_REGION"),
        ([], {"AWS_DEFAULT_REGION": "eu-wset-1"}, "AWS_DEFAULT_REGION"),
    ],
    ids=["flag", "AWS_REGION", "AWS_DEFAULT_REGION"],
)
def test_token_refuses_a_mistyped_region_naming_its_source(run, flag, variable, source):
    env = run.env(AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY, **variable)
    rc, out, err = run("token", "--cluster-name", CLUSTER, *flag, env=env)
    assert rc == 64 and out == ""
    assert error_lines(err)[0] == (
        f"eks-auth: error: unknown region 'eu-wset-1' (from {source}): did you mean 'eu-west-1'?"
    )


def test_token_refuses_a_mistyped_region_in_the_profile(run):
    config = run.home / ".aws" / "config"
    config.parent.mkdir()
    config.write_text("[profile lab]\nregion = us-wset-2\n")
    env = run.env(AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY, AWS_PROFILE="lab")
    rc, out, err = run("token", "--cluster-name", CLUSTER, env=env)
    assert rc == 64, err
    assert error_lines(err)[0] == (
        f"eks-auth: error: unknown region 'us-wset-2' (from region in profile 'lab' ({config}:2)): "
        "did you mean 'us-west-2'?"
    )


def test_token_takes_any_region_name_with_a_custom_sts_endpoint_and_aws_global(run):
    env = run.env(
        AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY, AWS_ENDPOINT_URL_STS="http://127.0.0.1:9"
    )
    rc, out, err = run("token", "--cluster-name", CLUSTER, "--region", "lab-local-1", env=env)
    assert rc == 0, err
    _, params = peers.decode_token(json.loads(out)["status"]["token"])
    assert "/lab-local-1/sts/" in params["X-Amz-Credential"]
    env.pop("AWS_ENDPOINT_URL_STS")
    rc, out, err = run("token", "--cluster-name", CLUSTER, "--region", "aws-global", env=env)
    assert rc == 0, err
    url, _ = peers.decode_token(json.loads(out)["status"]["token"])
    assert url.startswith("https://sts.amazonaws.com/?")


def test_explain_a_token_live_reads_the_clusters_access_entry(run, moto, alice_token, replay, tmp_path):
    """No mapping file: the token is verified with STS, then the cluster itself is read (DescribeCluster's
    mode, the access entries of the loopback EKS fake) and the role's entry decides."""
    import botocore.session

    import eks_fake

    with peers.moto_checking_off():
        session = botocore.session.Session()
        session.set_credentials(moto.alice["AccessKeyId"], moto.alice["SecretAccessKey"])
        eks = session.create_client("eks", region_name=peers.REGION, endpoint_url=moto.endpoint)
        try:
            eks.create_cluster(name=CLUSTER, roleArn=f"arn:aws:iam::{peers.ACCOUNT_ID}:role/eks-cluster",
                               resourcesVpcConfig={"subnetIds": []})
        except eks.exceptions.ResourceInUseException:
            pass
    token, env = alice_token
    with eks_fake.FakeEKS(moto.endpoint, {moto.alice["AccessKeyId"]: moto.alice["SecretAccessKey"]}) as fake:
        fake.entries[CLUSTER] = {moto.role_arn: {
            "principalArn": moto.role_arn, "kubernetesGroups": ["dev-team"], "type": "STANDARD",
            "associatedAccessPolicies": [{"policyArn": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy",
                                          "accessScope": {"type": "cluster", "namespaces": []}}]}}
        fake.modes[CLUSTER] = "API"
        env = dict(env, AWS_ENDPOINT_URL_EKS=fake.endpoint, AWS_REGION=peers.REGION)
        rc, out, err = run("explain", token, "--cluster-name", CLUSTER, env=env)
        assert rc == 0, out + err
        assert fake.signature_failures == []
    assert replay.verdicts() == ["OK"]
    assert f"identity:         {ALICE_SESSION_ARN}" in out
    assert f"decided by:       access entry {moto.role_arn} (STANDARD)" in out
    assert f"username:         arn:aws:sts::{peers.ACCOUNT_ID}:assumed-role/{peers.ROLE_NAME}/alice" in out
    assert "access policies:  AmazonEKSEditPolicy (cluster-wide)" in out
