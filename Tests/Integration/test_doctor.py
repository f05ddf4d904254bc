"""eks-auth doctor against real peers: moto's STS, IAM and EKS (the cluster's endpoint and CA pointed at
a loopback HTTPS API server that verifies each token with botocore and answers SelfSubjectReview and
the aws-auth ConfigMap), healthy and with each fault the issue lists."""
from __future__ import annotations

import base64
import json
import os
import subprocess

import botocore.session
import pytest

import peers
from proxy_fake import ForwardProxy

CLUSTER = "dev.doctor-cluster"
REGION = peers.REGION
CHECKS = ["settings", "proxy", "clock", "credentials", "cache", "role", "cluster", "endpoint", "mapping", "identity"]


def aws_auth_mapping(role_arn: str) -> dict:
    """The aws-auth ConfigMap (as the API serves it) mapping ``role_arn`` to a user and a group."""
    entry = f"- rolearn: {role_arn}\n  username: dev:{{{{SessionName}}}}\n  groups:\n  - dev-team\n"
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "aws-auth", "namespace": "kube-system"},
            "data": {"mapRoles": entry}}


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    return peers.make_self_signed_cert(str(tmp_path_factory.mktemp("apiserver")))


@pytest.fixture(scope="module")
def other_ca(tmp_path_factory):
    """A second self-signed certificate: a CA that did not issue the API server's."""
    return peers.make_self_signed_cert(str(tmp_path_factory.mktemp("other-ca")))


def create_cluster(moto, name: str) -> None:
    with peers.moto_checking_off():
        session = botocore.session.Session()
        session.set_credentials(moto.alice["AccessKeyId"], moto.alice["SecretAccessKey"])
        eks = session.create_client("eks", region_name=REGION, endpoint_url=moto.endpoint)
        try:
            eks.create_cluster(name=name, roleArn="arn:aws:iam::123456789012:role/eks-cluster",
                               resourcesVpcConfig={"subnetIds": []})
        except eks.exceptions.ResourceInUseException:
            pass


def point_cluster_at(name: str, endpoint: str, ca_file: str) -> None:
    """Make moto's cluster ``name`` answer DescribeCluster with ``endpoint`` and the CA in ``ca_file``."""
    from moto.eks.models import eks_backends

    cluster = eks_backends[peers.ACCOUNT_ID][REGION].clusters[name]
    cluster.endpoint = endpoint
    with open(ca_file, "rb") as pem:
        cluster.certificate_authority = {"data": base64.b64encode(pem.read()).decode()}


def user_info(token: str) -> dict:
    """What the EKS authenticator would make of one of our tokens: the assumed role's session."""
    _, params = peers.decode_token(token)
    issued = peers.moto_assumed_credentials(params["X-Amz-Credential"].split("/")[0]) or {}
    return {"username": f"dev:{issued.get('SessionName', '?')}", "uid": "aws-iam-authenticator:123456789012:AROA",
            "groups": ["dev-team", "system:authenticated"],
            "extra": {"arn": [issued.get("RoleArn", "?")], "accessKeyId": [issued.get("AccessKeyId", "?")]}}


@pytest.fixture
def api(moto, tls):
    """The loopback API server, accepting tokens botocore verifies as moto-issued, mapping the role."""
    create_cluster(moto, CLUSTER)
    cert, key = tls
    server = peers.FakeAPIServer(
        cert, key, lambda token: peers.moto_issued_token_problems(token, CLUSTER), user_info=user_info,
        aws_auth=(200, aws_auth_mapping(moto.role_arn)))
    point_cluster_at(CLUSTER, server.endpoint, cert)
    try:
        yield server
    finally:
        server.close()


def doctor_env(run, moto, tmp_path, who: dict | None = None, **extra) -> dict:
    who = who or moto.alice
    cache = tmp_path / "cache"
    if not cache.exists():
        cache.mkdir(mode=0o700)
    values = dict(AWS_ACCESS_KEY_ID=who["AccessKeyId"], AWS_SECRET_ACCESS_KEY=who["SecretAccessKey"],
                  AWS_ENDPOINT_URL_STS=moto.endpoint, AWS_ENDPOINT_URL_EKS=moto.endpoint, AWS_REGION=REGION,
                  AWS_EC2_METADATA_DISABLED="true", EKS_AUTH_CACHE_DIR=str(cache))
    values.update(extra)
    return run.env(**{key: value for key, value in values.items() if value is not None})


def doctor(run, env, *args: str, cluster: bool = True, argv_prefix: list[str] | None = None):
    """``(rc, report, stdout, stderr)`` of ``eks-auth doctor --output json``; DescribeCluster needs moto's
    request checking off (moto cannot check signed REST-JSON GETs), so runs that reach it switch it off."""
    command = [run.binary, "doctor", "--output", "json", *args]
    if cluster:
        command += ["--cluster-name", CLUSTER]
    if cluster:
        with peers.moto_checking_off():
            rc, out, err = run.command((argv_prefix or []) + command, env=env, timeout=90)
    else:
        rc, out, err = run.command((argv_prefix or []) + command, env=env, timeout=90)
    try:
        report = json.loads(out)
    except json.JSONDecodeError:
        pytest.fail(f"doctor printed no JSON report (rc {rc}): {out!r}\n{err}")
    assert [check["check"] for check in report["checks"]] == CHECKS
    return rc, {check["check"]: check for check in report["checks"]}, out, err


def assert_no_secrets(moto, *texts: str) -> None:
    for text in texts:
        for who in (moto.alice, moto.mallory):
            assert who["SecretAccessKey"] not in text
            assert who["AccessKeyId"] not in text
        assert "k8s-aws-v1." not in text
        for issued in list(_issued_keys()):
            assert issued["SecretAccessKey"] not in text
            assert issued["SessionToken"] not in text
            assert issued["AccessKeyId"] not in text


def _issued_keys():
    from moto.sts.models import sts_backends

    for account_id in list(sts_backends.keys()):
        for partition in list(sts_backends[account_id].keys()):
            for role in list(sts_backends[account_id][partition].assumed_roles):
                yield {"AccessKeyId": role.access_key_id, "SecretAccessKey": role.secret_access_key,
                       "SessionToken": role.session_token}


def statuses(checks: dict) -> dict:
    return {name: check["status"] for name, check in checks.items()}


def test_a_healthy_setup_passes_every_check_and_exits_0(run, moto, api, tmp_path):
    env = doctor_env(run, moto, tmp_path)
    rc, checks, out, err = doctor(run, env, "--role-arn", moto.role_arn, "--session-name", "doctor")
    assert rc == 0, out + err
    assert statuses(checks) == {name: "ok" for name in CHECKS}, out
    assert json.loads(out)["result"] == "ok"
    assert all(set(check) == {"check", "status", "summary", "details", "fix"} for check in checks.values())
    assert all(check["fix"] is None for check in checks.values())
    assert checks["role"]["summary"].startswith(f"assumed {moto.role_arn} as arn:aws:sts::")
    assert checks["cluster"]["summary"] == f"{CLUSTER} is ACTIVE in {REGION}"
    assert "Kubernetes v1.32.0-fake" in checks["endpoint"]["details"]
    assert checks["mapping"]["summary"] == (
        f"{moto.role_arn} is user dev:doctor with groups dev-team (mapRoles[0])")
    assert checks["identity"]["summary"] == "the cluster knows you as dev:doctor with groups dev-team, system:authenticated"
    # The token reached the API server (and only there), and botocore verified it.
    assert api.tokens and not api.rejections
    assert ("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews") in api.paths
    assert any(line.startswith("extra accessKeyId: ****************") for line in checks["identity"]["details"])
    assert_no_secrets(moto, out, err)


def test_the_text_report_marks_each_check_and_ends_with_a_tally(run, moto, api, tmp_path):
    env = doctor_env(run, moto, tmp_path)
    with peers.moto_checking_off():
        rc, out, err = run("doctor", "--cluster-name", CLUSTER, "--role-arn", moto.role_arn, env=env, timeout=90)
    assert rc == 0, out + err
    lines = out.splitlines()
    assert [line.split()[1] for line in lines[:-1]] == CHECKS
    assert all(line.startswith("[ok]") for line in lines[:-1]), out
    assert lines[-1] == "0 failed, 0 warnings, 10 ok, 0 skipped"
    assert err == ""


def test_without_a_cluster_name_the_cluster_checks_are_skipped(run, moto, tmp_path):
    rc, checks, out, err = doctor(run, doctor_env(run, moto, tmp_path), cluster=False)
    assert rc == 0, out + err
    assert [checks[name]["status"] for name in ("cluster", "endpoint", "identity")] == ["skipped"] * 3
    assert checks["cluster"]["summary"] == "no --cluster-name given"
    assert checks["credentials"]["summary"] == "environment variables; long-term keys, no expiry"
    assert "identity: arn:aws:iam::123456789012:user/alice (account 123456789012)" in checks["credentials"]["details"]


def test_a_clock_ten_minutes_ahead_fails_the_clock_check_with_exit_78(run, moto, tmp_path):
    env = doctor_env(run, moto, tmp_path)
    rc, checks, out, err = doctor(run, env, cluster=False, argv_prefix=["faketime", "-f", "+10m"])
    assert checks["clock"]["status"] == "failure", out
    assert checks["clock"]["summary"].startswith("the clock is 10 min ahead of STS's"), out
    assert "timedatectl" in checks["clock"]["fix"]
    assert rc == 78


def test_a_proxy_that_does_not_answer_fails_the_proxy_check_with_exit_69(run, moto, tmp_path):
    dead = peers.free_port()
    env = doctor_env(run, moto, tmp_path, HTTP_PROXY=f"http://user:secret-pw@127.0.0.1:{dead}")
    rc, checks, out, err = doctor(run, env, cluster=False)
    assert rc == 69, out + err
    assert checks["proxy"]["status"] == "failure"
    assert checks["proxy"]["summary"] == (
        f"STS at {moto.endpoint}/ did not answer: proxy http://***:***@127.0.0.1:{dead} (from HTTP_PROXY): "
        "connection refused")
    assert "NO_PROXY" in checks["proxy"]["fix"]
    assert checks["clock"]["status"] == "skipped"
    assert "secret-pw" not in out + err


def test_an_unreadable_proxy_variable_fails_the_proxy_check(run, moto, tmp_path):
    env = doctor_env(run, moto, tmp_path, HTTP_PROXY="http://proxy.corp:notaport")
    rc, checks, out, err = doctor(run, env, cluster=False)
    assert rc != 0
    assert checks["proxy"]["status"] == "failure"
    assert "HTTP_PROXY" in checks["proxy"]["summary"], out


def test_no_credentials_fail_with_exit_78_and_the_later_checks_are_skipped(run, moto, tmp_path):
    env = doctor_env(run, moto, tmp_path, AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None)
    env.pop("AWS_ACCESS_KEY_ID", None)
    env.pop("AWS_SECRET_ACCESS_KEY", None)
    rc, checks, out, err = doctor(run, env, "--role-arn", moto.role_arn)
    assert rc == 78, out + err
    assert checks["credentials"]["status"] == "failure"
    assert checks["credentials"]["summary"].startswith("no AWS credentials found")
    assert checks["credentials"]["fix"]
    assert {name: checks[name]["status"] for name in ("role", "cluster", "endpoint", "mapping", "identity")} == {
        name: "skipped" for name in ("role", "cluster", "endpoint", "mapping", "identity")}


def test_expired_credentials_fail_with_exit_77_and_no_secret_is_shown(run, moto, tmp_path, home):
    secret = "expiredSecretEXAMPLE/+/expiredSecret0000"
    session = "FwoGZXIvYXdzEXPIREDSESSIONTOKEN/+=EXAMPLE"
    script = tmp_path / "creds.sh"
    script.write_text("#!/bin/sh\necho '" + json.dumps({
        "Version": 1, "AccessKeyId": "ASIAEXPIREDEXAMPLE01", "SecretAccessKey": secret, "SessionToken": session,
        "Expiration": "2020-01-01T00:00:00Z"}) + "'\n")
    script.chmod(0o755)
    aws = home / ".aws"
    aws.mkdir(mode=0o700)
    (aws / "config").write_text(f"[default]\ncredential_process = {script}\n")
    env = doctor_env(run, moto, tmp_path)
    env.pop("AWS_ACCESS_KEY_ID")
    env.pop("AWS_SECRET_ACCESS_KEY")
    rc, checks, out, err = doctor(run, env, cluster=False)
    assert checks["credentials"]["status"] == "failure", out
    assert "expired" in checks["credentials"]["summary"]
    assert "credential_process of profile 'default'" in checks["credentials"]["summary"]
    assert rc == 77, out + err
    assert secret not in out + err and session not in out + err
    assert "ASIAEXPIREDEXAMPLE01" not in out + err


def test_a_cache_directory_writable_by_others_fails_with_exit_65(run, moto, tmp_path):
    env = doctor_env(run, moto, tmp_path)
    os.chmod(tmp_path / "cache", 0o777)
    rc, checks, out, err = doctor(run, env, cluster=False)
    assert rc == 65, out + err
    assert checks["cache"]["status"] == "failure"
    assert "writable by others (mode 777)" in checks["cache"]["summary"]
    assert checks["cache"]["fix"] == f"chmod 700 {tmp_path / 'cache'}"


def test_a_read_only_cache_directory_fails_with_exit_65(run, moto, tmp_path):
    cache = tmp_path / "ro-cache"
    cache.mkdir(mode=0o700)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,mode=0700,ro", "tmpfs", str(cache)], check=True,
                   capture_output=True)
    try:
        env = doctor_env(run, moto, tmp_path, EKS_AUTH_CACHE_DIR=str(cache))
        rc, checks, out, err = doctor(run, env, cluster=False)
    finally:
        subprocess.run(["umount", "-l", str(cache)], capture_output=True)
    assert rc == 65, out + err
    assert checks["cache"]["summary"] == (
        f"{cache} cannot be written: Read-only file system; sessions are not cached"), out


def test_a_role_that_cannot_be_assumed_fails_with_exit_77(run, moto, tmp_path):
    env = doctor_env(run, moto, tmp_path, who=moto.mallory)
    # moto's request checking stays on: it is what denies mallory.
    rc, checks, out, err = doctor(run, env, "--role-arn", moto.role_arn, cluster=False)
    assert rc == 77, out + err
    assert checks["credentials"]["status"] == "ok"
    assert checks["role"]["status"] == "failure"
    assert "AccessDenied" in checks["role"]["summary"]
    assert "sts:AssumeRole" in checks["role"]["fix"]
    assert_no_secrets(moto, out, err)


def test_a_cluster_that_does_not_exist_fails_with_exit_78(run, moto, tmp_path):
    env = doctor_env(run, moto, tmp_path)
    with peers.moto_checking_off():
        rc, out, err = run("doctor", "--output", "json", "--cluster-name", "no-such-cluster", env=env, timeout=90)
    checks = {check["check"]: check for check in json.loads(out)["checks"]}
    assert rc == 78, out + err
    assert checks["cluster"]["summary"] == f"cluster 'no-such-cluster' not found in {REGION} (ResourceNotFoundException)"
    assert checks["endpoint"]["summary"] == "needs the cluster (cluster failed)"
    assert checks["identity"]["status"] == "skipped"


def test_an_endpoint_with_a_certificate_from_another_ca_fails_with_exit_78(run, moto, api, tmp_path, other_ca):
    point_cluster_at(CLUSTER, api.endpoint, other_ca[0])
    env = doctor_env(run, moto, tmp_path)
    rc, checks, out, err = doctor(run, env, "--role-arn", moto.role_arn)
    assert rc == 78, out + err
    assert checks["endpoint"]["status"] == "failure"
    assert checks["endpoint"]["summary"] == f"{api.endpoint} presents a certificate the cluster's CA did not issue"
    assert checks["identity"]["summary"] == "needs the cluster endpoint (endpoint failed)"
    assert api.tokens == []


def test_a_token_the_cluster_refuses_fails_the_identity_check_with_exit_77(run, moto, tls, tmp_path):
    create_cluster(moto, CLUSTER)
    cert, key = tls
    with peers.FakeAPIServer(cert, key, lambda token: ["refused by the test"], user_info=user_info) as refusing:
        point_cluster_at(CLUSTER, refusing.endpoint, cert)
        env = doctor_env(run, moto, tmp_path)
        rc, checks, out, err = doctor(run, env, "--role-arn", moto.role_arn)
    assert rc == 77, out + err
    assert checks["identity"]["status"] == "failure"
    assert checks["identity"]["summary"] == "the cluster refused the token (HTTP 401 Unauthorized)"
    assert "--cluster-name" in checks["identity"]["fix"]
    assert checks["mapping"]["status"] == "skipped"
    assert "--aws-auth FILE" in checks["mapping"]["summary"]
    assert_no_secrets(moto, out, err)


def test_an_identity_aws_auth_does_not_map_fails_the_mapping_check_with_exit_77(run, moto, tls, tmp_path):
    create_cluster(moto, CLUSTER)
    cert, key = tls
    aws_auth = tmp_path / "aws-auth.yaml"
    aws_auth.write_text(
        "apiVersion: v1\nkind: ConfigMap\ndata:\n  mapRoles: |\n"
        "    - rolearn: arn:aws:iam::123456789012:role/someone-else\n      username: other\n")
    with peers.FakeAPIServer(cert, key, lambda token: ["not mapped"], user_info=user_info) as refusing:
        point_cluster_at(CLUSTER, refusing.endpoint, cert)
        env = doctor_env(run, moto, tmp_path)
        rc, checks, out, err = doctor(run, env, "--role-arn", moto.role_arn, "--aws-auth", str(aws_auth))
    assert rc == 77, out + err
    assert checks["mapping"]["status"] == "failure"
    assert checks["mapping"]["summary"] == f"no aws-auth entry maps {moto.role_arn}"
    assert f"aws-auth: {aws_auth}" in checks["mapping"]["details"]
    assert "create-access-entry" in checks["mapping"]["fix"]
    assert checks["identity"]["status"] == "failure"


def test_aws_auth_the_caller_may_not_read_is_a_warning_pointing_at_the_offline_flag(run, moto, tls, tmp_path):
    create_cluster(moto, CLUSTER)
    cert, key = tls
    with peers.FakeAPIServer(cert, key, lambda token: peers.moto_issued_token_problems(token, CLUSTER),
                             user_info=user_info, aws_auth=(403, None)) as forbidding:
        point_cluster_at(CLUSTER, forbidding.endpoint, cert)
        env = doctor_env(run, moto, tmp_path)
        rc, checks, out, err = doctor(run, env, "--role-arn", moto.role_arn)
    assert rc == 0, out + err
    assert json.loads(out)["result"] == "warning"
    assert checks["mapping"]["status"] == "warning"
    assert checks["mapping"]["summary"] == "not allowed to read kube-system/aws-auth (HTTP 403)"
    assert checks["mapping"]["fix"].startswith("give the ConfigMap with --aws-auth FILE")
    assert checks["identity"]["status"] == "ok"


def test_sts_through_a_working_proxy_passes_and_names_the_proxy(run, moto, tmp_path):
    with ForwardProxy() as proxy:
        env = doctor_env(run, moto, tmp_path, HTTP_PROXY=proxy.url)
        rc, checks, out, err = doctor(run, env, cluster=False)
    assert rc == 0, out + err
    # Any answer proves the path (moto answers an unsigned request with a 500, STS with a 403).
    assert checks["proxy"]["summary"].startswith(
        f"STS answered through proxy http://127.0.0.1:{proxy.port} (from HTTP_PROXY) (HTTP "), out
    assert ("GET", f"{moto.endpoint}/?Action=GetCallerIdentity&Version=2011-06-15") in proxy.requests
    assert checks["clock"]["status"] == "ok"


def test_a_proxy_that_wants_other_credentials_fails_with_exit_69(run, moto, tmp_path):
    with ForwardProxy(credentials=("doctor", "right")) as proxy:
        env = doctor_env(run, moto, tmp_path, HTTP_PROXY=proxy.url_with("doctor", "wrong-pw"))
        rc, checks, out, err = doctor(run, env, cluster=False)
    assert rc == 69, out + err
    assert checks["proxy"]["summary"] == (
        f"STS at {moto.endpoint}/ did not answer: proxy http://***:***@127.0.0.1:{proxy.port} (from HTTP_PROXY) "
        "answered 407 Proxy Authentication Required")
    assert checks["proxy"]["fix"] == "give the proxy's user name and password in HTTP_PROXY (http://user:password@host:port)"
    assert "wrong-pw" not in out + err


def test_the_cluster_endpoint_through_a_connect_tunnel_is_checked_against_the_cluster_ca(run, moto, api, tmp_path):
    """kubectl sends https through HTTPS_PROXY too; the tunnel's TLS must still trust only the cluster's CA."""
    with ForwardProxy() as proxy:
        env = doctor_env(run, moto, tmp_path, HTTPS_PROXY=proxy.url)
        rc, checks, out, err = doctor(run, env, "--role-arn", moto.role_arn)
    assert rc == 0, out + err
    assert statuses(checks) == {name: "ok" for name in CHECKS}, out
    netloc = api.endpoint.removeprefix("https://")
    assert ("CONNECT", netloc) in proxy.requests
