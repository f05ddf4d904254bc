"""kubectl 1.32 runs eks-auth as its exec credential plugin against a loopback HTTPS API server
that accepts only tokens botocore verifies."""
from __future__ import annotations

import json
import shutil

import pytest

import peers

CLUSTER = "dev.my-eks-cluster"
ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


@pytest.fixture
def tls(tmp_path):
    return peers.make_self_signed_cert(str(tmp_path))


def write_kubeconfig(home, server: str, ca_file: str, eks_auth: str, args: list[str], env: dict,
                     api_version: str = "client.authentication.k8s.io/v1") -> str:
    # JSON is YAML; an absolute command path (kubectl resolves relative ones against the file's dir).
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": CLUSTER, "cluster": {"server": server, "certificate-authority": ca_file}}],
        "users": [{
            "name": "eks",
            "user": {"exec": {
                "apiVersion": api_version,
                "command": eks_auth,
                "args": args,
                "env": [{"name": key, "value": value} for key, value in env.items()],
                "interactiveMode": "Never",
                "provideClusterInfo": False,
            }},
        }],
        "contexts": [{"name": "dev", "context": {"cluster": CLUSTER, "user": "eks"}}],
        "current-context": "dev",
    }
    path = home / ".kube" / "config"
    path.parent.mkdir(mode=0o700, exist_ok=True)
    path.write_text(json.dumps(config, indent=2))
    path.chmod(0o600)
    return str(path)


def kubectl(run, kubeconfig: str, env: dict):
    binary = shutil.which("kubectl")
    assert binary, "kubectl is required by the integration suite"
    return run.command(
        [binary, "--kubeconfig", kubeconfig, "--request-timeout=20s", "get", "--raw", "/api/v1/namespaces/default"],
        env=env, timeout=60,
    )


@pytest.mark.parametrize("api_version", ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"])
def test_kubectl_authenticates_with_a_static_credentials_token(run, eks_auth, home, tls, api_version):
    cert, key = tls

    def check(token):
        return peers.token_problems(token, CLUSTER, ACCESS_KEY, SECRET_KEY)

    with peers.FakeAPIServer(cert, key, check) as api:
        kubeconfig = write_kubeconfig(
            home, api.endpoint, cert, eks_auth, ["token", "--cluster-name", CLUSTER], {"AWS_REGION": "us-west-2"},
            api_version,
        )
        env = run.env(AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY)
        rc, out, err = kubectl(run, kubeconfig, env)
        assert rc == 0, f"kubectl failed: {err}\nrejected: {api.rejections}"
        assert json.loads(out)["metadata"]["name"] == "default"
        assert api.tokens and not api.rejections
        url, _ = peers.decode_token(api.tokens[0])
        assert url.startswith("https://sts.us-west-2.amazonaws.com/?")


def test_kubectl_authenticates_with_an_assumed_role(run, eks_auth, home, tmp_path, tls, moto, proxy):
    cert, key = tls

    def check(token):
        return peers.moto_issued_token_problems(token, CLUSTER)

    with peers.FakeAPIServer(cert, key, check) as api:
        kubeconfig = write_kubeconfig(
            home, api.endpoint, cert, eks_auth,
            ["token", "--cluster-name", CLUSTER, "--role-arn", moto.role_arn],
            {"AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL_STS": proxy.endpoint,
             "EKS_AUTH_CACHE_DIR": str(tmp_path / "cache")},
        )
        env = run.env(AWS_ACCESS_KEY_ID=moto.alice["AccessKeyId"], AWS_SECRET_ACCESS_KEY=moto.alice["SecretAccessKey"])
        rc, out, err = kubectl(run, kubeconfig, env)
        assert rc == 0, f"kubectl failed: {err}\nrejected: {api.rejections}"
        assert api.tokens and not api.rejections
        assert proxy.count("AssumeRole") == 1


def test_kubectl_shows_the_plugin_error_when_the_role_is_denied(run, eks_auth, home, tmp_path, tls, moto, proxy):
    cert, key = tls
    with peers.FakeAPIServer(cert, key, lambda token: ["no token should arrive"]) as api:
        kubeconfig = write_kubeconfig(
            home, api.endpoint, cert, eks_auth,
            ["token", "--cluster-name", CLUSTER, "--role-arn", moto.role_arn],
            {"AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL_STS": proxy.endpoint,
             "EKS_AUTH_CACHE_DIR": str(tmp_path / "cache")},
        )
        env = run.env(
            AWS_ACCESS_KEY_ID=moto.mallory["AccessKeyId"], AWS_SECRET_ACCESS_KEY=moto.mallory["SecretAccessKey"]
        )
        rc, out, err = kubectl(run, kubeconfig, env)
        assert rc != 0
        assert "eks-auth: error:" in err
        assert "AccessDenied" in err or "not authorized" in err
        assert moto.mallory["SecretAccessKey"] not in err
        assert api.tokens == []


def test_a_denied_role_costs_one_sts_call_however_often_kubectl_runs_the_plugin(run, eks_auth, home, tmp_path, tls,
                                                                                moto, proxy):
    # kubectl runs a failing plugin again (per attempt and per API call); the failure is remembered for
    # 10 s under kubectl, keyed by every input, and said to be remembered. By hand it is never remembered.
    cert, key = tls
    cache = tmp_path / "cache"
    with peers.FakeAPIServer(cert, key, lambda token: ["no token should arrive"]) as api:
        kubeconfig = write_kubeconfig(
            home, api.endpoint, cert, eks_auth,
            ["token", "--cluster-name", CLUSTER, "--role-arn", moto.role_arn, "--session-name", "mallory"],
            {"AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL_STS": proxy.endpoint, "EKS_AUTH_CACHE_DIR": str(cache)},
        )
        env = run.env(
            AWS_ACCESS_KEY_ID=moto.mallory["AccessKeyId"], AWS_SECRET_ACCESS_KEY=moto.mallory["SecretAccessKey"]
        )
        binary = shutil.which("kubectl")
        for attempt in range(3):
            rc, _, err = run.command([binary, "--kubeconfig", kubeconfig, "--request-timeout=20s", "get", "namespaces"],
                                     env=env, timeout=60)
            assert rc != 0 and "eks-auth: error:" in err, err
        assert proxy.count("AssumeRole") == 1, proxy.counts
        assert "remembered from" in err, err
        assert (cache / "last-failure.json").stat().st_mode & 0o777 == 0o600
        assert moto.mallory["SecretAccessKey"] not in (cache / "last-failure.json").read_text()

        # By hand: a fresh answer, and the same exit code.
        rc, _, err = run("token", "--cluster-name", CLUSTER, "--role-arn", moto.role_arn, "--session-name", "mallory",
                         env={**env, "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL_STS": proxy.endpoint,
                              "EKS_AUTH_CACHE_DIR": str(cache)})
        assert rc == 77 and "remembered" not in err, err
        assert proxy.count("AssumeRole") == 2
        # Under kubectl with one input changed (another session name): a fresh answer at once.
        rc, _, err = run("token", "--cluster-name", CLUSTER, "--role-arn", moto.role_arn, "--session-name", "other",
                         env={**env, "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL_STS": proxy.endpoint,
                              "EKS_AUTH_CACHE_DIR": str(cache), "KUBERNETES_EXEC_INFO": "{}"})
        assert rc == 77 and "remembered" not in err, err
        assert proxy.count("AssumeRole") == 3
