"""eks-auth kubeconfig --all against moto's STS, EC2 (DescribeRegions) and EKS (ListClusters,
DescribeCluster) in several regions; the result read back by the real kubectl; templates, --prune,
and a region that fails while the others are written."""
from __future__ import annotations

import json
import shutil

import botocore.session
import pytest

import peers

ACCOUNT = peers.ACCOUNT_ID
# Regions no other test creates clusters in (moto is shared by the session).
CLUSTERS = {"ca-central-1": ["alpha", "beta"], "sa-east-1": ["gamma"], "ap-northeast-2": ["alpha"]}
REGIONS = ",".join(CLUSTERS)


def eks_client(moto, region):
    session = botocore.session.Session()
    session.set_credentials(moto.alice["AccessKeyId"], moto.alice["SecretAccessKey"])
    return session.create_client("eks", region_name=region, endpoint_url=moto.endpoint)


def create(moto, region, name):
    with peers.moto_checking_off():
        eks = eks_client(moto, region)
        try:
            eks.create_cluster(name=name, roleArn=f"arn:aws:iam::{ACCOUNT}:role/eks-cluster",
                               resourcesVpcConfig={"subnetIds": []})
        except eks.exceptions.ResourceInUseException:
            pass


def delete(moto, region, name):
    with peers.moto_checking_off():
        eks_client(moto, region).delete_cluster(name=name)


@pytest.fixture
def clusters(moto):
    for region, names in CLUSTERS.items():
        for name in names:
            create(moto, region, name)
    yield
    for region, names in CLUSTERS.items():
        for name in names:
            try:
                delete(moto, region, name)
            except Exception:  # noqa: BLE001  (already deleted by the test)
                pass


def arn(region, name):
    return f"arn:aws:eks:{region}:{ACCOUNT}:cluster/{name}"


def env_for(run, moto, endpoint=None, **extra):
    return run.env(
        AWS_ACCESS_KEY_ID=moto.alice["AccessKeyId"], AWS_SECRET_ACCESS_KEY=moto.alice["SecretAccessKey"],
        AWS_ENDPOINT_URL_EKS=endpoint or moto.endpoint, AWS_ENDPOINT_URL_STS=moto.endpoint,
        AWS_ENDPOINT_URL_EC2=moto.endpoint, AWS_REGION="us-east-1", **extra)


def all_(run, moto, *args, endpoint=None, **env):
    with peers.moto_checking_off():
        return run("kubeconfig", "--all", *args, env=env_for(run, moto, endpoint, **env), timeout=120)


def contexts(run, path) -> dict:
    rc, out, err = run.command(
        [shutil.which("kubectl"), "config", "view", "--kubeconfig", str(path), "-o", "json", "--raw"], env=run.env())
    assert rc == 0, err
    return json.loads(out)


def get_contexts(run, path) -> list[str]:
    rc, out, err = run.command(
        [shutil.which("kubectl"), "config", "get-contexts", "--kubeconfig", str(path), "-o", "name"], env=run.env())
    assert rc == 0, err
    return sorted(out.split())


def test_all_writes_a_context_per_cluster_in_every_region_and_kubectl_reads_them(run, moto, clusters, home):
    path = home / ".kube" / "config"
    rc, out, err = all_(run, moto, "--regions", REGIONS, "--alias", "{cluster}@{region}")
    assert rc == 0, err
    expected = sorted(f"{name}@{region}" for region, names in CLUSTERS.items() for name in names)
    assert get_contexts(run, path) == expected
    # One progress line per region on stderr, not one per call.
    assert sorted(line.split("] ", 1)[1] for line in err.splitlines() if line.startswith("eks-auth: [")) == [
        "ap-northeast-2: 1 cluster", "ca-central-1: 2 clusters", "sa-east-1: 1 cluster"]
    assert f"{path}: 4 added, 0 updated, 0 already up to date, 0 removed, from 3 of 3 regions" in out
    view = contexts(run, path)
    assert "current-context" not in view or view["current-context"] == ""
    users = {u["name"]: u["user"] for u in view["users"]}
    assert users[arn("sa-east-1", "gamma")]["exec"]["args"] == [
        "token", "--cluster-name", "gamma", "--region", "sa-east-1"]
    ctx = {c["name"]: c["context"] for c in view["contexts"]}
    assert ctx["alpha@ap-northeast-2"] == {"cluster": arn("ap-northeast-2", "alpha"),
                                           "user": arn("ap-northeast-2", "alpha")}

    # Again: nothing changes.
    before = path.read_text()
    rc, out, err = all_(run, moto, "--regions", REGIONS, "--alias", "{cluster}@{region}")
    assert rc == 0, err
    assert "0 added, 0 updated, 4 already up to date" in out and "nothing was written" in out
    assert path.read_text() == before


def test_all_without_regions_asks_ec2_which_regions_are_enabled(run, moto, clusters, home):
    path = home / ".kube" / "config"
    rc, out, err = all_(run, moto, "--alias", "{account}/{region}/{cluster}")
    assert rc == 0, err
    names = get_contexts(run, path)
    for region, cluster_names in CLUSTERS.items():
        for name in cluster_names:
            assert f"{ACCOUNT}/{region}/{name}" in names
    # moto's DescribeRegions lists many regions; each gets one progress line.
    assert sum(line.startswith("eks-auth: [") for line in err.splitlines()) > 10


def test_a_context_per_role_named_by_the_role_template(run, moto, clusters, home):
    path = home / ".kube" / "config"
    admin, viewer = f"arn:aws:iam::{ACCOUNT}:role/admin", f"arn:aws:iam::{ACCOUNT}:role/viewer"
    role_env = {"AWS_ENDPOINT_URL_IAM": moto.endpoint}
    with peers.moto_checking_off():
        iam = botocore.session.Session()
        iam.set_credentials(moto.alice["AccessKeyId"], moto.alice["SecretAccessKey"])
        client = iam.create_client("iam", region_name="us-east-1", endpoint_url=moto.endpoint)
        trust = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}]})
        for name in ("admin", "viewer"):
            try:
                client.create_role(RoleName=name, AssumeRolePolicyDocument=trust)
            except client.exceptions.EntityAlreadyExistsException:
                pass
    rc, out, err = all_(run, moto, "--regions", "sa-east-1", "--role-arn", admin, "--role-arn", viewer,
                        "--alias", "{cluster}-{role}", "--user-alias", "{role}@{cluster}",
                        EKS_AUTH_CACHE_DIR=str(home / "cache"), **role_env)
    assert rc == 0, err
    assert get_contexts(run, path) == ["gamma-admin", "gamma-viewer"]
    users = {u["name"]: u["user"]["exec"]["args"] for u in contexts(run, path)["users"]}
    assert users["viewer@gamma"] == ["token", "--cluster-name", "gamma", "--region", "sa-east-1", "--role-arn", viewer]


HAND_MADE = """\
apiVersion: v1
kind: Config
clusters:
- name: on-prem
  cluster: {server: "https://k8s.example.invalid"}
contexts:
- name: gamma
  context: {cluster: on-prem, user: gamma}
- name: alpha@ca-central-1
  context: {cluster: on-prem, user: admin}
current-context: gamma
users:
- name: gamma
  user: {token: hand-made-token}
- name: admin
  user: {token: hand-made-token}
"""


def test_a_template_never_writes_over_entries_eks_auth_did_not_write(run, moto, clusters, home):
    """A context or user of a template's name that is someone else's (another cluster, a hand-made user) is
    left as it is, with a warning; the other clusters are written."""
    path = home / ".kube" / "config"
    path.parent.mkdir(mode=0o700, exist_ok=True)
    path.write_text(HAND_MADE)
    rc, out, err = all_(run, moto, "--regions", "sa-east-1,ca-central-1", "--alias", "{cluster}@{region}")
    assert rc == 0, err
    assert "not writing context alpha@ca-central-1 for arn:aws:eks:ca-central-1" in err, err
    view = contexts(run, path)
    by_name = {c["name"]: c["context"] for c in view["contexts"]}
    assert by_name["alpha@ca-central-1"] == {"cluster": "on-prem", "user": "admin"}
    assert by_name["gamma"] == {"cluster": "on-prem", "user": "gamma"}
    assert by_name["beta@ca-central-1"]["cluster"] == arn("ca-central-1", "beta")
    assert by_name["gamma@sa-east-1"]["cluster"] == arn("sa-east-1", "gamma")
    assert "1 left alone (not eks-auth's)" in out, out
    # A user template naming a hand-made user: that cluster is skipped too.
    rc, out, err = all_(run, moto, "--regions", "sa-east-1", "--alias", "g", "--user-alias", "{cluster}")
    assert rc == 0, err
    assert "a user named gamma exists" in err, err
    assert {u["name"]: u["user"] for u in contexts(run, path)["users"]}["gamma"] == {"token": "hand-made-token"}
    assert "g" not in {c["name"] for c in contexts(run, path)["contexts"]}


@pytest.mark.parametrize("args, message", [
    (["--alias", "{cluster}-{zone}"], "--alias '{cluster}-{zone}': unknown placeholder {zone}"),
    (["--alias", "{role}"], "--alias '{role}': {role} needs --role-arn"),
    (["--alias", "{cluster}"], "two entries would be the context 'alpha'"),
])
def test_bad_templates_and_clashing_names_are_usage_errors_before_anything_is_written(
    run, moto, clusters, home, args, message
):
    rc, out, err = all_(run, moto, "--regions", REGIONS, *args)
    assert rc == 64, err
    assert message in err
    assert not (home / ".kube" / "config").exists()


def test_prune_removes_exactly_eks_auths_contexts_of_clusters_gone_from_the_regions_scanned(run, moto, clusters, home):
    path = home / ".kube" / "config"
    path.parent.mkdir(mode=0o700)
    # Someone else's entries, and an eks-auth context for a cluster of a region not scanned: all kept.
    path.write_text(json.dumps({
        "apiVersion": "v1", "kind": "Config",
        "clusters": [{"name": arn("ca-central-1", "handmade"), "cluster": {"server": "https://h.example"}},
                     {"name": arn("eu-north-1", "elsewhere"), "cluster": {"server": "https://e.example"}}],
        "users": [{"name": "static", "user": {"token": "t"}},
                  {"name": "eks", "user": {"exec": {"apiVersion": "client.authentication.k8s.io/v1beta1",
                                                    "command": "eks-auth", "args": ["token"]}}}],
        "contexts": [{"name": "handmade", "context": {"cluster": arn("ca-central-1", "handmade"), "user": "static"}},
                     {"name": "elsewhere", "context": {"cluster": arn("eu-north-1", "elsewhere"), "user": "eks"}}],
        "current-context": "handmade",
    }))
    rc, out, err = all_(run, moto, "--regions", REGIONS)
    assert rc == 0, err
    delete(moto, "ca-central-1", "beta")
    rc, out, err = all_(run, moto, "--regions", REGIONS, "--prune")
    assert rc == 0, err
    assert f"Removed context {arn('ca-central-1', 'beta')} (its cluster no longer exists)" in out
    view = contexts(run, path)
    names = sorted(c["name"] for c in view["contexts"])
    assert names == sorted([arn("ca-central-1", "alpha"), arn("sa-east-1", "gamma"), arn("ap-northeast-2", "alpha"),
                            "handmade", "elsewhere"])
    assert arn("ca-central-1", "beta") not in [u["name"] for u in view["users"]]
    assert arn("ca-central-1", "beta") not in [c["name"] for c in view["clusters"]]
    assert {"static", "eks"} <= {u["name"] for u in view["users"]}
    assert view["current-context"] == "handmade"


class DenyingRegion(peers.CountingProxy):
    """Forwards to moto, except EKS calls signed for one region: AccessDeniedException."""

    def __init__(self, upstream: str, region: str):
        self.region = region
        super().__init__(upstream)

    def handle(self, handler, method: str) -> None:
        if f"/{self.region}/eks/aws4_request" in handler.headers.get("Authorization", ""):
            handler.read_body()
            handler.reply(403, json.dumps({"message": "User is not authorized to perform: eks:ListClusters"}).encode(),
                          [("Content-Type", "application/json"), ("x-amzn-ErrorType", "AccessDeniedException")])
            return
        super().handle(handler, method)


def test_a_failing_region_is_reported_and_the_others_are_still_written(run, moto, clusters, home):
    path = home / ".kube" / "config"
    proxy = DenyingRegion(moto.endpoint, "sa-east-1")
    try:
        rc, out, err = all_(run, moto, "--regions", REGIONS, "--alias", "{cluster}@{region}", endpoint=proxy.endpoint)
    finally:
        proxy.close()
    assert rc == 77, err
    assert "sa-east-1: failed: ListClusters failed: AccessDeniedException" in err, err
    assert "1 region could not be scanned: sa-east-1" in err
    assert get_contexts(run, path) == ["alpha@ap-northeast-2", "alpha@ca-central-1", "beta@ca-central-1"]


@pytest.mark.parametrize("args, message", [
    (["kubeconfig", "--all", "--cluster-name", "x"], "--all and --cluster-name cannot be used together"),
    (["kubeconfig", "--cluster-name", "x", "--prune"], "--regions and --prune go with --all"),
    (["kubeconfig", "--prune"], "--prune goes with --all (every cluster of the account), as in "
                                "'eks-auth kubeconfig --all --prune'"),
    (["kubeconfig", "--regions", "us-east-1"], "--regions goes with --all (every cluster of the account)"),
    (["kubeconfig", "--cluster-name", "x", "--role-arn", "arn:aws:iam::1:role/a", "--role-arn", "arn:aws:iam::1:role/b"],
     "--role-arn can be given more than once only with --all"),
    (["kubeconfig", "convert", "--all"], "--all does not go with 'kubeconfig convert'"),
    (["kubeconfig", "convert", "--cluster-name", "x"], "--cluster-name does not go with 'kubeconfig convert'"),
    (["kubeconfig", "convert", "--restore", "--dry-run"], "--restore takes neither --dry-run nor --user"),
])
def test_flags_that_do_not_go_together_are_usage_errors(run, home, args, message):
    rc, out, err = run(*args)
    assert (rc, out) == (64, ""), err
    assert f"eks-auth: error: {message}" in err
    assert not (home / ".kube").exists()
