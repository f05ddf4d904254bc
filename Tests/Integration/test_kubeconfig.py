"""eks-auth kubeconfig against moto's EKS (DescribeCluster), merged into real kubeconfig files and
read back by the real kubectl; then kubectl logs in through the written exec block."""
from __future__ import annotations

import json
import os
import shutil
import stat

import botocore.session
import pytest

import peers

CLUSTER = "dev.my-eks-cluster"
REGION = "eu-west-1"


@pytest.fixture(scope="module")
def cluster(moto):
    with peers.moto_checking_off():
        session = botocore.session.Session()
        session.set_credentials(moto.alice["AccessKeyId"], moto.alice["SecretAccessKey"])
        eks = session.create_client("eks", region_name=REGION, endpoint_url=moto.endpoint)
        try:
            eks.create_cluster(
                name=CLUSTER, roleArn="arn:aws:iam::123456789012:role/eks-cluster",
                resourcesVpcConfig={"subnetIds": []},
            )
        except eks.exceptions.ResourceInUseException:
            pass
        return eks.describe_cluster(name=CLUSTER)["cluster"]


def kubectl_view(run, path: str) -> dict:
    binary = shutil.which("kubectl")
    assert binary, "kubectl is required by the integration suite"
    rc, out, err = run.command([binary, "config", "view", "--kubeconfig", path, "-o", "json", "--raw"], env=run.env())
    assert rc == 0, err
    return json.loads(out)


def env_for(run, moto, **extra) -> dict:
    return run.env(
        AWS_ACCESS_KEY_ID=moto.alice["AccessKeyId"], AWS_SECRET_ACCESS_KEY=moto.alice["SecretAccessKey"],
        AWS_ENDPOINT_URL_EKS=moto.endpoint, AWS_ENDPOINT_URL_STS=moto.endpoint, AWS_REGION=REGION, **extra,
    )


EXISTING = {
    "apiVersion": "v1", "kind": "Config", "preferences": {},
    "clusters": [{"name": "other", "cluster": {"server": "https://other.example:6443"}}],
    "users": [{"name": "other", "user": {"token": "keep-me"}}],
    "contexts": [{"name": "other", "context": {"cluster": "other", "user": "other"}}],
    "current-context": "other",
}


def test_kubeconfig_merges_the_cluster_and_kubectl_reads_it(run, moto, cluster, home):
    path = home / ".kube" / "config"
    path.parent.mkdir(mode=0o700)
    path.write_text(json.dumps(EXISTING))
    with peers.moto_checking_off():
        rc, out, err = run(
            "kubeconfig", "--cluster-name", CLUSTER, "--role-arn", moto.role_arn, "--alias", "dev",
            env=env_for(run, moto),
        )
    assert rc == 0, err
    assert out.strip() == f"Added new context dev to {path}"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert json.loads((home / ".kube" / "config.eks-auth.bak").read_text()) == EXISTING
    view = kubectl_view(run, str(path))
    assert view["current-context"] == "dev"
    # kubectl lists entries sorted by name; the Swift suite pins that the file keeps its own order.
    clusters = {c["name"]: c["cluster"] for c in view["clusters"]}
    assert set(clusters) == {"other", cluster["arn"]}
    ours = clusters[cluster["arn"]]
    assert ours["server"] == cluster["endpoint"]
    assert ours["certificate-authority-data"] == cluster["certificateAuthority"]["data"]
    users = {u["name"]: u["user"] for u in view["users"]}
    assert users["other"] == {"token": "keep-me"}
    # With a role, the user entry is named after the role too: several roles on one cluster never share one.
    role_name = moto.role_arn.rsplit("/", 1)[-1]
    exec_block = users[f"{role_name}@{cluster['arn']}"]["exec"]
    assert exec_block["command"] == "eks-auth"
    assert exec_block["apiVersion"] == "client.authentication.k8s.io/v1beta1"
    assert exec_block["interactiveMode"] == "IfAvailable"
    assert exec_block["args"] == [
        "token", "--cluster-name", CLUSTER, "--region", REGION, "--role-arn", moto.role_arn,
    ]

    # Running it again changes nothing but the backup.
    first = path.read_text()
    with peers.moto_checking_off():
        rc, _, err = run(
            "kubeconfig", "--cluster-name", CLUSTER, "--role-arn", moto.role_arn, "--alias", "dev",
            env=env_for(run, moto),
        )
    assert rc == 0, err
    assert path.read_text() == first


def test_kubeconfig_honours_kubeconfig_and_dry_run(run, moto, cluster, home, tmp_path):
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    with peers.moto_checking_off():
        rc, out, err = run(
            "kubeconfig", "--cluster-name", CLUSTER, "--dry-run",
            env=env_for(run, moto, KUBECONFIG=f"{first}:{second}"),
        )
    assert rc == 0, err
    assert "command: eks-auth" in out and f"current-context: {cluster['arn']}" in out
    assert not first.exists() and not second.exists()
    with peers.moto_checking_off():
        rc, _, err = run("kubeconfig", "--cluster-name", CLUSTER, env=env_for(run, moto, KUBECONFIG=f"{first}:{second}"))
    assert rc == 0, err
    assert first.exists() and not second.exists()


def test_a_missing_cluster_is_a_clear_error(run, moto, cluster, home):
    with peers.moto_checking_off():
        rc, out, err = run("kubeconfig", "--cluster-name", "no-such-cluster", env=env_for(run, moto))
    assert rc == 78
    assert out == ""
    assert err.startswith("eks-auth: error: cluster 'no-such-cluster' not found in eu-west-1")
    assert not (home / ".kube" / "config").exists()


def test_kubectl_logs_in_through_the_written_exec_block_and_reuses_the_cache(
    run, moto, cluster, home, tmp_path, eks_auth, proxy
):
    """The kubeconfig eks-auth writes, pointed at a loopback API server, works with the real kubectl:
    a group member gets in through the assumed role; the second kubectl call makes no STS call."""
    cert, key = peers.make_self_signed_cert(str(tmp_path))

    def check(token):
        return peers.moto_issued_token_problems(token, CLUSTER)

    path = str(home / ".kube" / "config")
    with peers.moto_checking_off():
        rc, _, err = run("kubeconfig", "--cluster-name", CLUSTER, "--role-arn", moto.role_arn, env=env_for(run, moto))
    assert rc == 0, err
    kubectl = shutil.which("kubectl")
    with peers.FakeAPIServer(cert, key, check) as api:
        rc, _, err = run.command(
            [kubectl, "config", "set-cluster", cluster["arn"], "--kubeconfig", path, f"--server={api.endpoint}",
             f"--certificate-authority={cert}"], env=run.env())
        assert rc == 0, err
        # kubectl finds the exec command "eks-auth" on PATH, as it would after `make install`.
        env = run.env(
            PATH=f"{os.path.dirname(eks_auth)}:/usr/local/bin:/usr/bin:/bin",
            AWS_ACCESS_KEY_ID=moto.alice["AccessKeyId"], AWS_SECRET_ACCESS_KEY=moto.alice["SecretAccessKey"],
            AWS_ENDPOINT_URL_STS=proxy.endpoint, EKS_AUTH_CACHE_DIR=str(tmp_path / "cache"),
        )
        for _ in range(2):
            rc, out, err = run.command(
                [kubectl, "--kubeconfig", path, "--request-timeout=20s", "get", "--raw", "/api/v1/namespaces/default"],
                env=env, timeout=60)
            assert rc == 0, f"kubectl failed: {err}\nrejected: {api.rejections}"
            assert json.loads(out)["metadata"]["name"] == "default"
        assert len(api.tokens) >= 2 and not api.rejections
        assert proxy.count("AssumeRole") == 1, "the second kubectl call must use the cached session"


def test_kubeconfig_says_added_then_up_to_date_then_updated(run, moto, cluster, home):
    path = home / ".kube" / "config"
    args = ["kubeconfig", "--cluster-name", CLUSTER, "--alias", "dev"]
    with peers.moto_checking_off():
        rc, out, err = run(*args, env=env_for(run, moto))
        assert (rc, out.strip()) == (0, f"Added new context dev to {path}"), err
        written = path.stat().st_mtime_ns
        rc, out, err = run(*args, env=env_for(run, moto))
        assert (rc, out.strip()) == (0, f"Context dev in {path} is already up to date; nothing was written"), err
        assert path.stat().st_mtime_ns == written and not (home / ".kube" / "config.eks-auth.bak").exists()
        rc, out, err = run(*args, "--role-arn", moto.role_arn, env=env_for(run, moto))
        assert (rc, out.strip()) == (0, f"Updated context dev in {path}"), err
