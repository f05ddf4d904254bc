"""kubectl runs eks-auth with credentials from the new sources of the chain: a credential_process
profile (run once, then cached across kubectl calls) and web identity (IRSA's variables, against
moto's STS). The API server accepts only tokens botocore verifies with the issued keys."""
from __future__ import annotations

import json
import sys

import pytest

import peers
from test_kubectl import CLUSTER, kubectl, write_kubeconfig

PROCESS_KEY = "ASIAPROCESSEXAMPLE01"
PROCESS_SECRET = "process/secret+KEY/EXAMPLEKEYEXAMPLEKEY"
PROCESS_TOKEN = "process-session-token-EXAMPLE"


@pytest.fixture
def tls(tmp_path):
    return peers.make_self_signed_cert(str(tmp_path))


def test_kubectl_runs_credential_process_once_for_two_calls(run, eks_auth, home, tmp_path, tls):
    cert, key = tls
    runs = tmp_path / "runs"
    script = tmp_path / "get creds.py"
    script.write_text(
        "import json, pathlib\n"
        f"pathlib.Path({str(runs)!r}).open('a').write('run\\n')\n"
        f"print(json.dumps({{'Version': 1, 'AccessKeyId': {PROCESS_KEY!r}, 'SecretAccessKey': {PROCESS_SECRET!r},"
        f" 'SessionToken': {PROCESS_TOKEN!r}, 'Expiration': '2099-01-01T00:00:00Z'}}))\n"
    )
    (home / ".aws").mkdir()
    (home / ".aws" / "config").write_text(f"[profile dev]\ncredential_process = {sys.executable} \"{script}\"\n")

    def check(token):
        return peers.token_problems(token, CLUSTER, PROCESS_KEY, PROCESS_SECRET, PROCESS_TOKEN)

    with peers.FakeAPIServer(cert, key, check) as api:
        kubeconfig = write_kubeconfig(
            home, api.endpoint, cert, eks_auth, ["token", "--cluster-name", CLUSTER, "--profile", "dev"],
            {"AWS_REGION": "eu-west-1", "EKS_AUTH_CACHE_DIR": str(tmp_path / "cache"),
             "AWS_EC2_METADATA_DISABLED": "true"},
        )
        for _ in range(2):
            rc, out, err = kubectl(run, kubeconfig, run.env())
            assert rc == 0, f"kubectl failed: {err}\nrejected: {api.rejections}"
            assert json.loads(out)["metadata"]["name"] == "default"
        assert len(api.tokens) >= 2 and not api.rejections
    assert runs.read_text().splitlines() == ["run"], "the second kubectl call ran credential_process again"


def test_kubectl_authenticates_with_web_identity(run, eks_auth, home, tmp_path, tls, moto, proxy):
    cert, key = tls
    token_file = tmp_path / "token"
    token_file.write_text("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6ZGV2OmFwcCJ9.c2ln")
    role_arn = "arn:aws:iam::123456789012:role/irsa-app"

    def check(token):
        problems = peers.moto_issued_token_problems(token, CLUSTER)
        if not problems:
            _, params = peers.decode_token(token)
            issued = peers.moto_assumed_credentials(params["X-Amz-Credential"].split("/")[0])
            if issued["RoleArn"] != role_arn or issued["SessionName"] != "app-pod":
                problems.append(f"issued for {issued['RoleArn']} / {issued['SessionName']}")
        return problems

    with peers.moto_checking_off(), peers.FakeAPIServer(cert, key, check) as api:
        kubeconfig = write_kubeconfig(
            home, api.endpoint, cert, eks_auth, ["token", "--cluster-name", CLUSTER],
            {"AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL_STS": proxy.endpoint,
             "EKS_AUTH_CACHE_DIR": str(tmp_path / "cache"), "AWS_EC2_METADATA_DISABLED": "true"},
        )
        env = run.env(
            AWS_WEB_IDENTITY_TOKEN_FILE=str(token_file), AWS_ROLE_ARN=role_arn, AWS_ROLE_SESSION_NAME="app-pod")
        for _ in range(2):
            rc, out, err = kubectl(run, kubeconfig, env)
            assert rc == 0, f"kubectl failed: {err}\nrejected: {api.rejections}"
        assert api.tokens and not api.rejections
        assert proxy.count("AssumeRoleWithWebIdentity") == 1, proxy.counts()
        assert token_file.read_text() not in err
