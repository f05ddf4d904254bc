"""eks-auth aws-auth add/remove: files in and out (each one read back by a real kubectl, offline), stdin to
stdout, dry runs; and live against a loopback HTTPS API server that keeps the ConfigMap and checks its
resourceVersion, with the cluster's endpoint and CA from moto's EKS."""
from __future__ import annotations

import json
import os
import shutil
import stat

import pytest

import peers
from test_doctor import create_cluster, point_cluster_at

CLUSTER = "dev.aws-auth-edit"
REGION = peers.REGION
ADMIN = "arn:aws:iam::111122223333:role/admin"
NODE = "arn:aws:iam::111122223333:role/eks-node"

SAVED = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: aws-auth
  namespace: kube-system
  resourceVersion: "4242"
data:
  # edited by hand: keep this comment
  mapRoles: |
    # the nodes
    - rolearn: arn:aws:iam::111122223333:role/eks-node
      username: system:node:{{EC2PrivateDNSName}}
      groups:
        - system:bootstrappers
        - system:nodes
  mapUsers: |
    - userarn: arn:aws:iam::111122223333:user/bob
      username: bob
      groups:
        - viewers
"""

ADDED = SAVED.replace(
    "        - system:nodes\n",
    "        - system:nodes\n"
    "    - rolearn: arn:aws:iam::111122223333:role/admin\n"
    "      username: admin\n"
    "      groups:\n"
    "        - system:masters\n",
)


def kubectl_reads(run, path) -> dict:
    """The ConfigMap as a real kubectl reads ``path``, offline: ``kubectl label --local`` parses the file
    and needs no server (KUBECONFIG is /dev/null, and nothing listens)."""
    kubectl = shutil.which("kubectl")
    assert kubectl, "kubectl is required by the integration suite"
    rc, out, err = run.command(
        [kubectl, "label", "--local", "-f", str(path), "eks-auth-check=read", "-o", "json"],
        env=run.env(KUBECONFIG="/dev/null"), timeout=30)
    assert rc == 0, f"kubectl cannot read {path}: {err}"
    return json.loads(out)


def add_admin(*place: str) -> list[str]:
    return ["aws-auth", "add", "--role-arn", ADMIN, "--username", "admin", "--group", "system:masters", *place]


def test_add_in_place_keeps_every_other_byte_and_the_mode_and_kubectl_reads_it(run, tmp_path):
    path = tmp_path / "aws-auth.yaml"
    path.write_text(SAVED)
    path.chmod(0o640)
    rc, out, err = run(*add_admin("--file", str(path)))
    assert rc == 0, err
    assert out == f"added the mapRoles entry for {ADMIN} in {path}\n"
    assert path.read_text() == ADDED
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    read = kubectl_reads(run, path)
    assert "- rolearn: arn:aws:iam::111122223333:role/admin\n  username: admin\n" in read["data"]["mapRoles"]
    assert read["data"]["mapUsers"].startswith("- userarn: arn:aws:iam::111122223333:user/bob")
    # Again: unchanged, and the file is not written.
    written = path.stat().st_mtime_ns
    rc, out, err = run(*add_admin("--file", str(path)))
    assert rc == 0, err
    assert out.startswith("unchanged: the mapRoles entry for ")
    assert path.stat().st_mtime_ns == written


def test_remove_to_another_file_then_back_gives_the_original(run, tmp_path):
    source = tmp_path / "added.yaml"
    source.write_text(ADDED)
    target = tmp_path / "removed.yaml"
    rc, out, err = run("aws-auth", "remove", "--role-arn", ADMIN, "--file", str(source), "--out", str(target))
    assert rc == 0, err
    assert target.read_text() == SAVED
    assert source.read_text() == ADDED
    kubectl_reads(run, target)


def test_stdin_to_stdout_with_the_summary_on_stderr(run):
    rc, out, err = run(*add_admin("--file", "-"), stdin=SAVED)
    assert rc == 0, err
    assert out == ADDED
    assert f"added the mapRoles entry for {ADMIN}" in err


def test_json_in_json_out_is_read_by_kubectl(run, tmp_path):
    path = tmp_path / "aws-auth.json"
    original = {"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "aws-auth", "namespace": "kube-system"},
                "data": {"mapRoles": f"- rolearn: {NODE}\n  username: node\n"}}
    path.write_text(json.dumps(original, indent=4) + "\n")
    rc, _, err = run("aws-auth", "add", "--user-arn", "arn:aws:iam::111122223333:user/bob", "--username", "bob",
                     "--file", str(path))
    assert rc == 0, err
    edited = json.loads(path.read_text())
    assert list(edited) == list(original)
    assert edited["data"]["mapRoles"] == original["data"]["mapRoles"]
    assert edited["data"]["mapUsers"] == "- userarn: arn:aws:iam::111122223333:user/bob\n  username: bob\n"
    assert kubectl_reads(run, path)["data"] == edited["data"]


def test_dry_run_prints_the_diff_and_writes_nothing(run, tmp_path):
    path = tmp_path / "aws-auth.yaml"
    path.write_text(SAVED)
    rc, out, err = run(*add_admin("--file", str(path), "--dry-run"))
    assert rc == 0, err
    assert out.startswith("--- a/mapRoles\n+++ b/mapRoles\n@@ ")
    assert f"+- rolearn: {ADMIN}\n" in out
    assert "+  groups:\n+    - system:masters\n" in out
    assert path.read_text() == SAVED


def test_a_role_path_is_dropped_with_a_warning(run, tmp_path):
    path = tmp_path / "aws-auth.yaml"
    path.write_text(SAVED)
    rc, _, err = run("aws-auth", "add", "--role-arn", "arn:aws:iam::111122223333:role/team/admin", "--username",
                     "admin", "--group", "system:masters", "--file", str(path))
    assert rc == 0, err
    assert "warning: wrote arn:aws:iam::111122223333:role/admin without the path '/team/'" in err
    assert path.read_text() == ADDED


@pytest.mark.parametrize("args, code, message", [
    (["--role-arn", "arn:aws:sts::111122223333:assumed-role/admin/alice", "--username", "a"], 64,
     "hint: map the role: --role-arn arn:aws:iam::111122223333:role/admin"),
    (["--role-arn", NODE, "--username", "other"], 78, "hint: add --replace"),
    (["--role-arn", ADMIN], 64, "--username is required"),
    (["--account", "12345"], 64, "is not a 12-digit account id"),
])
def test_refusals_leave_the_file_alone(run, tmp_path, args, code, message):
    path = tmp_path / "aws-auth.yaml"
    path.write_text(SAVED)
    rc, out, err = run("aws-auth", "add", *args, "--file", str(path))
    assert rc == code, err
    assert message in err
    assert out == ""
    assert path.read_text() == SAVED


def test_remove_of_a_missing_entry_fails_unless_ignore_missing(run, tmp_path):
    path = tmp_path / "aws-auth.yaml"
    path.write_text(SAVED)
    rc, _, err = run("aws-auth", "remove", "--role-arn", ADMIN, "--file", str(path))
    assert rc == 78
    assert f"has no mapRoles entry for {ADMIN}" in err
    rc, out, err = run("aws-auth", "remove", "--role-arn", ADMIN, "--file", str(path), "--ignore-missing")
    assert rc == 0, err
    assert out.startswith("unchanged")
    assert path.read_text() == SAVED


# ---------------------------------------------------------------------------------------------
# Live, against moto's EKS and a loopback API server that keeps the ConfigMap
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    return peers.make_self_signed_cert(str(tmp_path_factory.mktemp("apiserver")))


def served_config_map() -> dict:
    """aws-auth as the API server serves it: metadata with fields eks-auth must send back as they are."""
    return {"kind": "ConfigMap", "apiVersion": "v1",
            "metadata": {"name": "aws-auth", "namespace": "kube-system", "uid": "7c4f-uid",
                         "creationTimestamp": "2024-01-02T03:04:05Z",
                         "annotations": {"note": "<keep & this>"},
                         "managedFields": [{"manager": "eksctl", "operation": "Update", "apiVersion": "v1",
                                            "fieldsType": "FieldsV1", "fieldsV1": {"f:data": {".": {}, "f:mapRoles": {}}}}]},
            "data": {"mapRoles": f"- rolearn: {NODE}\n  username: system:node:{{{{EC2PrivateDNSName}}}}\n"
                                 "  groups:\n  - system:bootstrappers\n  - system:nodes\n"}}


def live_env(run, moto, **extra) -> dict:
    return run.env(AWS_ACCESS_KEY_ID=moto.alice["AccessKeyId"], AWS_SECRET_ACCESS_KEY=moto.alice["SecretAccessKey"],
                   AWS_ENDPOINT_URL_STS=moto.endpoint, AWS_ENDPOINT_URL_EKS=moto.endpoint, AWS_REGION=REGION,
                   AWS_EC2_METADATA_DISABLED="true", **extra)


@pytest.fixture
def live(moto, tls):
    """A cluster in moto pointed at an API server that keeps aws-auth and accepts alice's tokens."""
    create_cluster(moto, CLUSTER)
    cert, key = tls

    def check(token):
        return peers.token_problems(token, CLUSTER, moto.alice["AccessKeyId"], moto.alice["SecretAccessKey"])

    server = peers.FakeAPIServer(cert, key, check, config_map=served_config_map())
    point_cluster_at(CLUSTER, server.endpoint, cert)
    try:
        yield server
    finally:
        server.close()


def run_live(run, moto, *args: str, env: dict | None = None):
    # DescribeCluster is a signed REST-JSON GET moto cannot check (as in test_doctor.py).
    with peers.moto_checking_off():
        return run(*args, "--cluster-name", CLUSTER, env=env or live_env(run, moto), timeout=90)


def test_live_add_puts_the_object_back_with_its_resource_version_and_every_other_field(run, moto, live):
    rc, out, err = run_live(run, moto, *add_admin())
    assert rc == 0, err
    assert out == f"added the mapRoles entry for {ADMIN} in configmap kube-system/aws-auth of cluster {CLUSTER}\n"
    method, sent = live.writes[-1]
    assert method == "PUT"
    assert sent["metadata"]["resourceVersion"] == "100"
    expected = served_config_map()
    expected["metadata"]["resourceVersion"] = "100"
    expected["data"]["mapRoles"] += f"- rolearn: {ADMIN}\n  username: admin\n  groups:\n  - system:masters\n"
    assert sent == expected
    assert list(sent) == list(expected) and list(sent["metadata"]) == list(expected["metadata"])
    assert live.resource_version == 101
    assert not live.rejections
    # Again: unchanged, no write.
    rc, out, err = run_live(run, moto, *add_admin())
    assert rc == 0, err
    assert out.startswith("unchanged: ")
    assert len(live.writes) == 1
    rc, out, err = run_live(run, moto, "aws-auth", "remove", "--role-arn", ADMIN)
    assert rc == 0, err
    assert live.config_map["data"] == served_config_map()["data"]


def test_live_conflict_writes_nothing_and_says_run_again(run, moto, live):
    live.on_write = live.bump
    rc, out, err = run_live(run, moto, *add_admin())
    assert rc == 69, err
    assert out == ""
    assert (f"eks-auth: error: aws-auth changed on cluster {CLUSTER} since it was read (resourceVersion 100); "
            "nothing was written; run again") in err
    assert live.config_map == served_config_map()
    # Run again: it applies on top of the other change.
    rc, _, err = run_live(run, moto, *add_admin())
    assert rc == 0, err
    assert ADMIN in live.config_map["data"]["mapRoles"]


def test_live_refused_token_names_the_identity_and_points_at_doctor(run, moto, tls):
    create_cluster(moto, CLUSTER)
    cert, key = tls
    with peers.FakeAPIServer(cert, key, lambda token: ["refused"], config_map=served_config_map()) as refusing:
        point_cluster_at(CLUSTER, refusing.endpoint, cert)
        rc, out, err = run_live(run, moto, *add_admin())
    assert rc == 77, err
    assert f"refused the token of arn:aws:iam::{peers.ACCOUNT_ID}:user/alice (HTTP 401 Unauthorized)" in err
    assert f"eks-auth doctor --cluster-name {CLUSTER}" in err
    assert moto.alice["SecretAccessKey"] not in err and "k8s-aws-v1." not in err


def test_live_add_creates_a_missing_config_map_with_post_and_kubectl_reads_it(run, moto, tls, home, tmp_path, eks_auth):
    create_cluster(moto, CLUSTER)
    cert, key = tls

    def check(token):
        return peers.token_problems(token, CLUSTER, moto.alice["AccessKeyId"], moto.alice["SecretAccessKey"])

    with peers.FakeAPIServer(cert, key, check, config_map=peers.FakeAPIServer.ABSENT) as api:
        point_cluster_at(CLUSTER, api.endpoint, cert)
        rc, _, err = run_live(run, moto, "aws-auth", "remove", "--role-arn", ADMIN)
        assert rc == 78 and "has no aws-auth ConfigMap" in err
        rc, _, err = run_live(run, moto, *add_admin())
        assert rc == 0, err
        assert [method for method, _ in api.writes] == ["POST"]
        assert api.config_map["data"] == {
            "mapRoles": f"- rolearn: {ADMIN}\n  username: admin\n  groups:\n    - system:masters\n"}
        # A real kubectl, through the kubeconfig eks-auth writes (so eks-auth as its exec plugin), reads the
        # ConfigMap back (raw: the fake serves no discovery documents).
        kubeconfig = home / ".kube" / "config"
        env = live_env(run, moto, PATH=f"{os.path.dirname(eks_auth)}:/usr/local/bin:/usr/bin:/bin",
                       KUBECONFIG=str(kubeconfig))
        with peers.moto_checking_off():
            rc, _, err = run("kubeconfig", "--cluster-name", CLUSTER, env=env, timeout=90)
        assert rc == 0, err
        kubectl = shutil.which("kubectl")
        rc, out, err = run.command(
            [kubectl, "--request-timeout=20s", "get", "--raw", peers.FakeAPIServer.AWS_AUTH],
            env=env, timeout=60)
        assert rc == 0, f"kubectl failed: {err}\nrejected: {api.rejections}"
        assert json.loads(out)["data"] == api.config_map["data"]
