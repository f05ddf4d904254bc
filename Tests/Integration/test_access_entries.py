"""Access entries end to end: `eks-auth explain` and `eks-auth migrate` against moto (IAM with role
paths, EKS clusters) and the loopback EKS access-entry fake (eks_fake.FakeEKS), which checks every
request's SigV4 signature with botocore and answers as the EKS API reference says, errors included."""
from __future__ import annotations

import json

import botocore.session
import pytest

import eks_fake
import peers

CLUSTER = "dev.access-cluster"
REGION = peers.REGION
ACCOUNT = peers.ACCOUNT_ID
VIEW = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"
ADMIN = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"


def session(keys: dict):
    s = botocore.session.Session()
    s.set_credentials(keys["AccessKeyId"], keys["SecretAccessKey"])
    return s


@pytest.fixture(scope="module")
def world(moto):
    """The cluster, the roles (one with a path), and an admin user allowed iam:GetRole."""
    with peers.moto_checking_off():
        s = session(moto.alice)
        eks = s.create_client("eks", region_name=REGION, endpoint_url=moto.endpoint)
        try:
            eks.create_cluster(name=CLUSTER, roleArn=f"arn:aws:iam::{ACCOUNT}:role/eks-cluster",
                               resourcesVpcConfig={"subnetIds": []})
        except eks.exceptions.ResourceInUseException:
            pass
        iam = s.create_client("iam", region_name=REGION, endpoint_url=moto.endpoint)
        trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
            "AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}]})
        roles = {}
        for name, path in (("team-dev", "/team/"), ("eks-admins", "/"), ("ng-1", "/")):
            try:
                roles[name] = iam.create_role(RoleName=name, Path=path, AssumeRolePolicyDocument=trust)["Role"]["Arn"]
            except iam.exceptions.EntityAlreadyExistsException:
                roles[name] = iam.get_role(RoleName=name)["Role"]["Arn"]
        try:
            iam.create_user(UserName="eks-admin")
            iam.put_user_policy(UserName="eks-admin", PolicyName="read-roles", PolicyDocument=json.dumps({
                "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["iam:GetRole", "iam:ListRoles"],
                                                        "Resource": "*"}]}))
        except iam.exceptions.EntityAlreadyExistsException:
            pass
        key = iam.create_access_key(UserName="eks-admin")["AccessKey"]
    admin = {"AccessKeyId": key["AccessKeyId"], "SecretAccessKey": key["SecretAccessKey"]}
    return {"roles": roles, "admin": admin}


@pytest.fixture
def fake(moto, world):
    secrets = {world["admin"]["AccessKeyId"]: world["admin"]["SecretAccessKey"],
               moto.alice["AccessKeyId"]: moto.alice["SecretAccessKey"]}
    server = eks_fake.FakeEKS(moto.endpoint, secrets)
    try:
        yield server
    finally:
        assert server.signature_failures == [], server.signature_failures
        server.close()


def env_for(run, moto, fake, tmp_path, who: dict) -> dict:
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700, exist_ok=True)
    return run.env(AWS_ACCESS_KEY_ID=who["AccessKeyId"], AWS_SECRET_ACCESS_KEY=who["SecretAccessKey"],
                   AWS_ENDPOINT_URL_STS=moto.endpoint, AWS_ENDPOINT_URL_IAM=moto.endpoint,
                   AWS_ENDPOINT_URL_EKS=fake.endpoint, AWS_REGION=REGION, AWS_EC2_METADATA_DISABLED="true",
                   EKS_AUTH_CACHE_DIR=str(cache))


def add_entry(fake, principal: str, groups=(), policies=(), kind="STANDARD", username=None, tags=None):
    entry = {"clusterName": CLUSTER, "principalArn": principal, "kubernetesGroups": list(groups), "type": kind,
             "tags": dict(tags or {}),
             "username": username or eks_fake.default_username(principal, kind),
             "associatedAccessPolicies": [{"policyArn": arn, "accessScope": scope} for arn, scope in policies]}
    fake.entries.setdefault(CLUSTER, {})[principal] = entry


def aws_auth_file(tmp_path, map_roles: str, map_users: str = "", map_accounts: str = "") -> str:
    def block(text: str) -> str:
        return "".join(f"    {line}\n" for line in text.strip("\n").splitlines())
    data = f"  mapRoles: |\n{block(map_roles)}"
    if map_users:
        data += f"  mapUsers: |\n{block(map_users)}"
    if map_accounts:
        data += f"  mapAccounts: |\n{block(map_accounts)}"
    path = tmp_path / "aws-auth.yaml"
    path.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\n"
                    f"data:\n{data}")
    return str(path)


# -- explain, live ---------------------------------------------------------------------------------

def test_explain_live_finds_the_entry_of_a_role_with_a_path_and_its_scoped_policy(run, moto, fake, world, tmp_path):
    role = world["roles"]["team-dev"]
    assert "/team/" in role
    add_entry(fake, role, groups=["dev"], policies=[(VIEW, {"type": "namespace", "namespaces": ["apps", "web-*"]})])
    for other in range(3):  # more entries than one page: ListAccessEntries is paged
        add_entry(fake, f"arn:aws:iam::{ACCOUNT}:role/other-{other}", groups=["x"])
    env = env_for(run, moto, fake, tmp_path, world["admin"])
    session_arn = f"arn:aws:sts::{ACCOUNT}:assumed-role/team-dev/alice@example.com"
    rc, out, err = run("explain", "--cluster-name", CLUSTER, "--arn", session_arn, "--output", "json", env=env)
    assert rc == 0, err
    report = json.loads(out)
    assert report["decidedBy"] == "accessEntry" and report["accessEntry"] == role
    assert report["authenticationMode"] == "API_AND_CONFIG_MAP" and report["modeSource"] == "DescribeCluster"
    assert report["username"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/team-dev/alice-example.com"
    assert report["groups"] == ["dev"]
    assert report["accessPolicies"] == [{"policyArn": VIEW, "accessScope": {"type": "namespace",
                                                                             "namespaces": ["apps", "web-*"]}}]
    # Only the matching entry is described, every page is listed.
    assert fake.calls.count("ListAccessEntries") == 2  # four entries, two a page
    assert fake.calls.count("DescribeAccessEntry") == 1
    rc, out, err = run("explain", "--cluster-name", CLUSTER, "--arn", session_arn, env=env)
    assert rc == 0, err
    assert "decided by:       access entry " + role in out
    assert "AmazonEKSViewPolicy (namespaces apps, web-*)" in out


def test_explain_live_config_map_mode_ignores_the_entry(run, moto, fake, world, tmp_path):
    role = world["roles"]["team-dev"]
    add_entry(fake, role, groups=["dev"])
    fake.modes[CLUSTER] = "CONFIG_MAP"
    env = env_for(run, moto, fake, tmp_path, world["admin"])
    path = aws_auth_file(tmp_path, f"- rolearn: arn:aws:iam::{ACCOUNT}:role/team-dev\n  username: dev\n  groups: [old]")
    rc, out, err = run("explain", "--access-entries", "-", "--aws-auth", path, "--authentication-mode", "CONFIG_MAP",
                       "--arn", f"arn:aws:sts::{ACCOUNT}:assumed-role/team-dev/bob", "--output", "json", env=env,
                       stdin=json.dumps([fake.entries[CLUSTER][role]]))
    assert rc == 0, err
    report = json.loads(out)
    assert report["decidedBy"] == "awsAuth" and report["groups"] == ["old"]
    assert any("ignored: the authentication mode is CONFIG_MAP" in note for note in report["notes"])
    # Live: the cluster says CONFIG_MAP, so the entry is not even read.
    rc, out, err = run("explain", "--cluster-name", CLUSTER, "--arn", f"arn:aws:sts::{ACCOUNT}:assumed-role/team-dev/b",
                       env=env)
    assert rc == 77, (out, err)
    assert "CONFIG_MAP (from DescribeCluster)" in out
    assert "ListAccessEntries" not in fake.calls


def test_explain_live_unmapped_caller_gets_near_misses_and_77(run, moto, fake, world, tmp_path):
    add_entry(fake, world["roles"]["team-dev"], groups=["dev"])
    fake.modes[CLUSTER] = "API"
    env = env_for(run, moto, fake, tmp_path, world["admin"])
    rc, out, err = run("explain", "--cluster-name", CLUSTER, "--arn",
                       "arn:aws:sts::210987654321:assumed-role/team-dev/eve", env=env)
    assert rc == 77, (out, err)
    assert "nothing: the cluster answers Unauthorized" in out
    assert "same name in account 123456789012, not 210987654321" in out


def test_explain_live_missing_cluster_is_one_line(run, moto, fake, world, tmp_path):
    env = env_for(run, moto, fake, tmp_path, world["admin"])
    rc, out, err = run("explain", "--cluster-name", "no-such-cluster", "--arn", world["roles"]["ng-1"], env=env)
    assert rc == 78 and out == ""
    assert "cluster 'no-such-cluster' not found" in err and "Traceback" not in err


# -- migrate ---------------------------------------------------------------------------------------

def migration_file(tmp_path) -> str:
    return aws_auth_file(
        tmp_path,
        map_roles=f"""
# the team's role: IAM keeps it under /team/, aws-auth names it without the path
- rolearn: arn:aws:iam::{ACCOUNT}:role/team-dev
  username: dev:{{{{SessionName}}}}
  groups: [dev, system:authenticated]
- rolearn: arn:aws:iam::{ACCOUNT}:role/eks-admins
  username: admin
  groups: [system:masters]
- rolearn: arn:aws:iam::{ACCOUNT}:role/ng-1
  username: system:node:{{{{EC2PrivateDNSName}}}}
  groups: [system:bootstrappers, system:nodes]
- rolearn: arn:aws:iam::{ACCOUNT}:role/deleted-long-ago
  username: ghost
  groups: [dev]
""",
        map_accounts='- "210987654321"')


def test_migrate_plans_applies_and_is_idempotent(run, moto, fake, world, tmp_path):
    env = env_for(run, moto, fake, tmp_path, world["admin"])
    path = migration_file(tmp_path)
    rc, out, err = run("migrate", "--cluster-name", CLUSTER, "--aws-auth", path, "--output", "json", env=env)
    assert rc == 0, err
    plan = json.loads(out)
    actions = {step["source"]: step for step in plan["steps"]}
    dev = actions["mapRoles[0]"]
    assert dev["action"] == "create" and dev["principalArn"] == world["roles"]["team-dev"]  # the path from IAM
    assert dev["kubernetesGroups"] == ["dev"] and dev["username"] == "dev:{{SessionName}}"
    admins = actions["mapRoles[1]"]
    assert admins["action"] == "create" and admins["username"] == "admin"  # no reserved prefix: kept
    assert admins["accessPolicies"] == [{"policyArn": ADMIN, "accessScope": {"type": "cluster", "namespaces": []}}]
    assert actions["mapRoles[2]"]["action"] == "manual" and "--type EC2_LINUX" in actions["mapRoles[2]"]["instead"]
    assert actions["mapRoles[3]"]["action"] == "skip" and "IAM has no such role" in actions["mapRoles[3]"]["notes"][0]
    assert actions["mapAccounts[0]"]["action"] == "manual"
    assert fake.entries.get(CLUSTER, {}) == {}  # a plan changes nothing

    rc, out, err = run("migrate", "--cluster-name", CLUSTER, "--aws-auth", path, "--apply", env=env)
    assert rc == 0, err
    entries = fake.entries[CLUSTER]
    assert set(entries) == {world["roles"]["team-dev"], world["roles"]["eks-admins"]}
    assert entries[world["roles"]["team-dev"]]["kubernetesGroups"] == ["dev"]
    assert [p["policyArn"] for p in entries[world["roles"]["eks-admins"]]["associatedAccessPolicies"]] == [ADMIN]
    assert "done: created access entry for " + world["roles"]["team-dev"] in out
    assert "authenticationMode=API " in out and "aws-auth is never changed or deleted" in out

    creates = fake.calls.count("CreateAccessEntry")
    rc, out, err = run("migrate", "--cluster-name", CLUSTER, "--aws-auth", path, "--apply", "--output", "json", env=env)
    assert rc == 0, err
    again = json.loads(out)
    assert again["applied"] == [] and fake.calls.count("CreateAccessEntry") == creates
    assert [s["action"] for s in again["steps"]] == ["unchanged", "unchanged", "manual", "skip", "manual"]


def test_migrate_resumes_a_missing_policy_and_leaves_a_differing_entry(run, moto, fake, world, tmp_path):
    env = env_for(run, moto, fake, tmp_path, world["admin"])
    # migrate created this one (its tag), then stopped before the policy: it is completed.
    add_entry(fake, world["roles"]["eks-admins"], groups=[], username="admin",
              tags={"eks-auth:migrated-from": "aws-auth mapRoles[1]"})
    add_entry(fake, world["roles"]["team-dev"], groups=["somebody-else"])
    rc, out, err = run("migrate", "--cluster-name", CLUSTER, "--aws-auth", migration_file(tmp_path), "--apply",
                       env=env)
    assert rc == 0, err
    assert "associate " in out.split("\n")[3] or "associate" in out
    admins = fake.entries[CLUSTER][world["roles"]["eks-admins"]]
    assert [p["policyArn"] for p in admins["associatedAccessPolicies"]] == [ADMIN]
    assert fake.entries[CLUSTER][world["roles"]["team-dev"]]["kubernetesGroups"] == ["somebody-else"]
    assert "an access entry exists and differs" in out and "left alone" in out


def test_migrate_never_raises_someone_elses_entry_to_cluster_admin(run, moto, fake, world, tmp_path):
    """An entry made by hand (no eks-auth tag) with the planned groups but without the admin policy
    aws-auth's system:masters implies already wins over aws-auth: it differs, and is left as it is."""
    env = env_for(run, moto, fake, tmp_path, world["admin"])
    add_entry(fake, world["roles"]["eks-admins"], groups=[], username="admin",
              policies=[(VIEW, {"type": "cluster", "namespaces": []})])
    rc, out, err = run("migrate", "--cluster-name", CLUSTER, "--aws-auth", migration_file(tmp_path), "--apply",
                       "--output", "json", env=env)
    assert rc == 0, err
    step = {s["source"]: s for s in json.loads(out)["steps"]}["mapRoles[1]"]
    assert step["action"] == "differs"
    assert any("access policies [AmazonEKSViewPolicy], planned [AmazonEKSClusterAdminPolicy]" in n for n in step["notes"])
    admins = fake.entries[CLUSTER][world["roles"]["eks-admins"]]
    assert [p["policyArn"] for p in admins["associatedAccessPolicies"]] == [VIEW]
    assert "AssociateAccessPolicy" not in fake.calls
    # What migrate creates carries its tag, so only its own entries are ever completed.
    created = fake.entries[CLUSTER][world["roles"]["team-dev"]]
    assert created["tags"] == {"eks-auth:migrated-from": "aws-auth mapRoles[0]"}


def test_migrate_apply_in_config_map_mode_creates_nothing(run, moto, fake, world, tmp_path):
    fake.modes[CLUSTER] = "CONFIG_MAP"
    env = env_for(run, moto, fake, tmp_path, world["admin"])
    path = migration_file(tmp_path)
    rc, out, err = run("migrate", "--cluster-name", CLUSTER, "--aws-auth", path, env=env)
    assert rc == 0, err
    assert f"aws eks update-cluster-config --name {CLUSTER} --access-config authenticationMode=API_AND_CONFIG_MAP" in out
    rc, out, err = run("migrate", "--cluster-name", CLUSTER, "--aws-auth", path, "--apply", env=env)
    assert rc == 78 and out == ""
    assert "authentication mode CONFIG_MAP" in err and "authenticationMode=API_AND_CONFIG_MAP" in err
    assert "CreateAccessEntry" not in fake.calls


def test_migrate_reports_what_eks_refuses_and_goes_on(run, moto, fake, world, tmp_path):
    """A mapUsers entry for a user IAM does not have: EKS answers InvalidParameterException; the rest
    is created, the failure is one line, and the exit is 78."""
    env = env_for(run, moto, fake, tmp_path, world["admin"])
    path = aws_auth_file(
        tmp_path, map_roles=f"- rolearn: arn:aws:iam::{ACCOUNT}:role/team-dev\n  username: d\n  groups: [dev]",
        map_users=f"- userarn: arn:aws:iam::{ACCOUNT}:user/nobody-here\n  username: n\n  groups: [dev]")
    rc, out, err = run("migrate", "--cluster-name", CLUSTER, "--aws-auth", path, "--apply", env=env)
    assert rc == 78, (out, err)
    assert "failed: mapUsers[0] arn:aws:iam::123456789012:user/nobody-here" in out
    assert "InvalidParameterException" in out
    assert world["roles"]["team-dev"] in fake.entries[CLUSTER]
    assert "could not be created" in err


def test_migrate_without_iam_rights_notes_unchecked_paths(run, moto, fake, world, tmp_path):
    """alice may not call iam:GetRole: the plan still comes, each role noting its path was not checked."""
    env = env_for(run, moto, fake, tmp_path, moto.alice)
    rc, out, err = run("migrate", "--cluster-name", CLUSTER, "--aws-auth", migration_file(tmp_path), "--output",
                       "json", env=env)
    assert rc == 0, err
    step = json.loads(out)["steps"][0]
    assert step["principalArn"] == f"arn:aws:iam::{ACCOUNT}:role/team-dev"
    assert any("path was not checked" in note and "AccessDenied" in note for note in step["notes"]), step["notes"]


def test_migrate_offline_plan_from_files(run, tmp_path):
    path = migration_file(tmp_path)
    rc, out, err = run("migrate", "--aws-auth", path)
    assert rc == 0, err
    assert "Migration of the aws-auth file to access entries" in out
    assert "run with --cluster-name CLUSTER" in out
    rc, out, err = run("migrate", "--aws-auth", path, "--apply")
    assert rc == 64 and "--apply needs --cluster-name" in err


# -- the live aws-auth, through the cluster's Kubernetes API ----------------------------------------

@pytest.fixture
def api_server(world, tmp_path_factory):
    """A loopback API server keeping an aws-auth that maps team-dev (path-less, as aws-auth must), which
    accepts only tokens signed with the admin's keys for this cluster; the moto cluster points at it."""
    import base64

    from moto.eks.models import eks_backends

    cert, key = peers.make_self_signed_cert(str(tmp_path_factory.mktemp("api")))
    admin = world["admin"]
    config_map = {"apiVersion": "v1", "kind": "ConfigMap",
                  "metadata": {"name": "aws-auth", "namespace": "kube-system"},
                  "data": {"mapRoles": f"- rolearn: arn:aws:iam::{ACCOUNT}:role/team-dev\n  username: dev:{{{{SessionName}}}}\n"
                                       "  groups:\n    - system:masters\n    - dev\n"}}
    server = peers.FakeAPIServer(
        cert, key, lambda token: peers.token_problems(token, CLUSTER, admin["AccessKeyId"], admin["SecretAccessKey"]),
        config_map=config_map)
    cluster = eks_backends[ACCOUNT][REGION].clusters[CLUSTER]
    before = (cluster.endpoint, cluster.certificate_authority)
    cluster.endpoint = server.endpoint
    with open(cert, "rb") as pem:
        cluster.certificate_authority = {"data": base64.b64encode(pem.read()).decode()}
    try:
        yield server
    finally:
        cluster.endpoint, cluster.certificate_authority = before
        server.close()


def test_explain_live_reads_aws_auth_from_the_cluster_when_no_entry_maps(run, moto, fake, world, api_server,
                                                                         tmp_path):
    env = env_for(run, moto, fake, tmp_path, world["admin"])
    rc, out, err = run("explain", "--cluster-name", CLUSTER, "--arn",
                       f"arn:aws:sts::{ACCOUNT}:assumed-role/team-dev/carol", "--output", "json", env=env)
    assert rc == 0, err
    report = json.loads(out)
    assert report["decidedBy"] == "awsAuth" and report["awsAuthEntry"] == "mapRoles[0]"
    assert report["username"] == "dev:carol" and report["groups"] == ["system:masters", "dev"]
    assert ("GET", peers.FakeAPIServer.AWS_AUTH) in api_server.paths
    assert api_server.rejections == []
    # With an access entry for the role, the entry wins and aws-auth is named as shadowed.
    add_entry(fake, world["roles"]["team-dev"], groups=["dev"])
    rc, out, err = run("explain", "--cluster-name", CLUSTER, "--arn",
                       f"arn:aws:sts::{ACCOUNT}:assumed-role/team-dev/carol", env=env)
    assert rc == 0, err
    assert "note: aws-auth maps it too (mapRoles[0]), but the access entry wins" in out


def test_explain_live_notes_an_aws_auth_it_may_not_read(run, moto, fake, world, api_server, tmp_path):
    """alice's token is refused by the API server: explain still answers from the access entries and says
    why aws-auth is missing."""
    env = env_for(run, moto, fake, tmp_path, moto.alice)
    add_entry(fake, world["roles"]["team-dev"], groups=["dev"])
    rc, out, err = run("explain", "--cluster-name", CLUSTER, "--arn",
                       f"arn:aws:sts::{ACCOUNT}:assumed-role/team-dev/carol", env=env)
    assert rc == 0, err
    assert "note: aws-auth was not read: " in out and "give --aws-auth FILE" in out


def test_migrate_live_reads_aws_auth_from_the_cluster_and_never_writes_it(run, moto, fake, world, api_server,
                                                                          tmp_path):
    env = env_for(run, moto, fake, tmp_path, world["admin"])
    before = json.dumps(api_server.config_map, sort_keys=True)
    rc, out, err = run("migrate", "--cluster-name", CLUSTER, "--apply", "--output", "json", env=env)
    assert rc == 0, err
    step = json.loads(out)["steps"][0]
    assert step["action"] == "create" and step["principalArn"] == world["roles"]["team-dev"]
    assert [p["policyArn"] for p in step["accessPolicies"]] == [ADMIN]
    entry = fake.entries[CLUSTER][world["roles"]["team-dev"]]
    assert entry["kubernetesGroups"] == ["dev"] and entry["username"] == "dev:{{SessionName}}"
    assert api_server.writes == [] and json.dumps(api_server.config_map, sort_keys=True) == before
