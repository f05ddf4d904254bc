"""eks-auth setup against moto's IAM: the files, --apply creating the role, policies and attachments,
a second run changing nothing, a differing trust policy reported and left alone (exit 78); then the
plan proven end to end with moto's IAM policy evaluation (a group member assumes the new role).

Contract assumed (eks-auth setup):
  eks-auth setup --account ID --cluster-name NAME --group GROUP [--role-name R]
                 [--cluster-role view|edit|admin|cluster-admin] [--namespace NS] [--full-eks-access]
                 [--out DIR] [--region R] [--profile P] [--apply] [--verbose]
  names: group P.x.y -> role P.eks-access.role, policies P.eks-access.policy (role) and
  P.assume-eks-access-role.policy (group); IAM is reached through AWS_ENDPOINT_URL_IAM.
  Exit codes: 0 ok, 78 existing IAM resources differ from the plan (left alone).
"""
from __future__ import annotations

import json
import stat
import uuid
from pathlib import Path

import peers

CLUSTER = "dev.my-eks-cluster"
REGION = "eu-west-1"
ACCOUNT = peers.ACCOUNT_ID

FILES = {
    "role-trust-policy.json": 0o644,
    "role-eks-policy.json": 0o644,
    "group-assume-role-policy.json": 0o644,
    "iam.sh": 0o755,
    "aws-auth-mapRoles.yaml": 0o644,
    "eksctl.sh": 0o755,
    "access-entry.sh": 0o755,
    "rbac.yaml": 0o644,
    "kubeconfig.sh": 0o755,
    "README.md": 0o644,
}


class Names:
    """The names eks-auth plans for a fresh group prefix (distinct per test, never the seeded dev.*)."""

    def __init__(self, label: str):
        self.prefix = f"qa{label}{uuid.uuid4().hex[:8]}"
        self.group = f"{self.prefix}.test.group"
        self.role = f"{self.prefix}.eks-access.role"
        self.role_policy = f"{self.prefix}.eks-access.policy"
        self.group_policy = f"{self.prefix}.assume-eks-access-role.policy"
        self.role_arn = f"arn:aws:iam::{ACCOUNT}:role/{self.role}"
        self.role_policy_arn = f"arn:aws:iam::{ACCOUNT}:policy/{self.role_policy}"
        self.group_policy_arn = f"arn:aws:iam::{ACCOUNT}:policy/{self.group_policy}"


def iam_client(moto):
    return peers.botocore_client("iam", moto.endpoint, moto.alice["AccessKeyId"], moto.alice["SecretAccessKey"])


def setup_env(run, moto, **extra) -> dict:
    return run.env(
        AWS_ACCESS_KEY_ID=moto.alice["AccessKeyId"],
        AWS_SECRET_ACCESS_KEY=moto.alice["SecretAccessKey"],
        AWS_ENDPOINT_URL_IAM=moto.endpoint,
        **extra,
    )


def run_setup(run, moto, names: Names, out: Path, *extra: str):
    """``(rc, stdout, stderr)`` of ``eks-auth setup --apply`` for ``names``, with moto's checking off."""
    args = [
        "setup", "--account", ACCOUNT, "--cluster-name", CLUSTER, "--group", names.group,
        "--region", REGION, "--out", str(out), "--apply", *extra,
    ]
    with peers.moto_checking_off():
        return run(*args, env=setup_env(run, moto))


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("eks-auth: error:")]


def test_apply_writes_the_files_and_creates_the_role_policies_and_attachments(run, moto, tmp_path):
    names = Names("apply")
    out = tmp_path / "out"
    rc, stdout, stderr = run_setup(run, moto, names, out)
    assert rc == 0, stderr
    assert error_lines(stderr) == []

    # The files, with scripts executable and the rest not.
    assert sorted(path.name for path in out.iterdir()) == sorted(FILES)
    for name, mode in FILES.items():
        assert stat.S_IMODE((out / name).stat().st_mode) == mode, name
    assert stdout.splitlines() == [
        f"wrote 10 files to {out} (see README.md there)",
        f"created role {names.role}",
        f"created policy {names.role_policy}",
        f"attached {names.role_policy} to role {names.role}",
        f"created group {names.group}",
        f"created policy {names.group_policy}",
        f"attached {names.group_policy} to group {names.group}",
    ]

    trust_file = json.loads((out / "role-trust-policy.json").read_text())
    role_policy_file = json.loads((out / "role-eks-policy.json").read_text())
    group_policy_file = json.loads((out / "group-assume-role-policy.json").read_text())
    # The files say what the plan promises: least privilege, the new role only.
    assert trust_file["Statement"] == [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}
    ]
    assert role_policy_file["Statement"] == [
        {
            "Effect": "Allow",
            "Action": ["eks:DescribeCluster"],
            "Resource": f"arn:aws:eks:{REGION}:{ACCOUNT}:cluster/{CLUSTER}",
        }
    ]
    assert group_policy_file["Statement"] == [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": names.role_arn}
    ]

    # moto holds exactly those documents (botocore decodes them; compare by JSON meaning).
    with peers.moto_checking_off():
        iam = iam_client(moto)
        role = iam.get_role(RoleName=names.role)["Role"]
        assert role["Arn"] == names.role_arn
        assert role["AssumeRolePolicyDocument"] == trust_file
        for arn, expected in ((names.role_policy_arn, role_policy_file), (names.group_policy_arn, group_policy_file)):
            policy = iam.get_policy(PolicyArn=arn)["Policy"]
            version = iam.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])
            assert version["PolicyVersion"]["Document"] == expected, arn
        attached_role = iam.list_attached_role_policies(RoleName=names.role)["AttachedPolicies"]
        assert [p["PolicyArn"] for p in attached_role] == [names.role_policy_arn]
        iam.get_group(GroupName=names.group)
        attached_group = iam.list_attached_group_policies(GroupName=names.group)["AttachedPolicies"]
        assert [p["PolicyArn"] for p in attached_group] == [names.group_policy_arn]


def test_a_second_run_changes_nothing_and_says_unchanged(run, moto, tmp_path):
    names = Names("again")
    rc, _, stderr = run_setup(run, moto, names, tmp_path / "first")
    assert rc == 0, stderr
    with peers.moto_checking_off():
        iam = iam_client(moto)
        role_before = iam.get_role(RoleName=names.role)["Role"]
        versions_before = {
            arn: iam.list_policy_versions(PolicyArn=arn)["Versions"]
            for arn in (names.role_policy_arn, names.group_policy_arn)
        }

    rc, stdout, stderr = run_setup(run, moto, names, tmp_path / "second")
    assert rc == 0, stderr
    assert error_lines(stderr) == []
    lines = stdout.splitlines()
    assert f"unchanged role {names.role} (already as planned)" in lines
    assert f"unchanged policy {names.role_policy} (already as planned)" in lines
    assert f"unchanged group {names.group} (already as planned)" in lines
    assert f"unchanged policy {names.group_policy} (already as planned)" in lines
    assert not [line for line in lines if line.startswith("created")]
    # Every IAM line says unchanged, the attachments too: nothing claims an action it did not take.
    assert [line for line in lines[1:] if not line.startswith("unchanged ")] == [], lines
    assert f"unchanged attachment of {names.role_policy} to role {names.role} (already as planned)" in lines

    with peers.moto_checking_off():
        role_after = iam.get_role(RoleName=names.role)["Role"]
        assert role_after["RoleId"] == role_before["RoleId"]
        assert role_after["AssumeRolePolicyDocument"] == role_before["AssumeRolePolicyDocument"]
        for arn, before in versions_before.items():
            assert iam.list_policy_versions(PolicyArn=arn)["Versions"] == before, arn
        attached = iam.list_attached_role_policies(RoleName=names.role)["AttachedPolicies"]
        assert [p["PolicyArn"] for p in attached] == [names.role_policy_arn]


def test_a_changed_trust_policy_is_reported_with_exit_78_and_left_alone(run, moto, tmp_path):
    names = Names("conflict")
    rc, _, stderr = run_setup(run, moto, names, tmp_path / "first")
    assert rc == 0, stderr
    changed = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/alice"}, "Action": "sts:AssumeRole"}
        ],
    }
    with peers.moto_checking_off():
        iam = iam_client(moto)
        iam.update_assume_role_policy(RoleName=names.role, PolicyDocument=json.dumps(changed))

    rc, stdout, stderr = run_setup(run, moto, names, tmp_path / "third")
    assert rc == 78, (stdout, stderr)
    errors = error_lines(stderr)
    assert len(errors) == 1, stderr
    assert f"role {names.role}" in errors[0]
    assert "trust policy" in errors[0]
    # What differs is shown, existing value first.
    assert (f'Statement[0].Principal.AWS is "arn:aws:iam::{ACCOUNT}:user/alice", planned '
            f'"arn:aws:iam::{ACCOUNT}:root"') in errors[0], errors[0]
    # Only the role differs: the policies are not named as conflicts.
    assert names.role_policy not in errors[0] and names.group_policy not in errors[0]
    # The files are still written; stdout carries no ExecCredential or partial success claims.
    assert (tmp_path / "third" / "role-trust-policy.json").is_file()

    with peers.moto_checking_off():
        role = iam.get_role(RoleName=names.role)["Role"]
        assert role["AssumeRolePolicyDocument"] == changed


def test_a_group_member_assumes_the_new_role_under_moto_policy_evaluation(run, moto, tmp_path):
    names = Names("e2e")
    rc, _, stderr = run_setup(run, moto, names, tmp_path / "out")
    assert rc == 0, stderr
    user = f"{names.prefix}-member"
    outsider = f"{names.prefix}-outsider"
    with peers.moto_checking_off():
        iam = iam_client(moto)
        keys = {}
        for name in (user, outsider):
            iam.create_user(UserName=name)
            keys[name] = iam.create_access_key(UserName=name)["AccessKey"]
        iam.add_user_to_group(GroupName=names.group, UserName=user)

    # STS session names have 2 to 64 characters, so a one-letter name would be a usage error (64).
    SESSION = "s1"

    def token(who: str):
        return run(
            "token", "--cluster-name", CLUSTER, "--role-arn", names.role_arn, "--session-name", SESSION,
            env=run.env(
                AWS_ACCESS_KEY_ID=keys[who]["AccessKeyId"],
                AWS_SECRET_ACCESS_KEY=keys[who]["SecretAccessKey"],
                AWS_ENDPOINT_URL_STS=moto.endpoint,
                AWS_REGION="us-east-1",
                EKS_AUTH_CACHE_DIR=str(tmp_path / f"cache-{who}"),
            ),
        )

    def assert_assumed(rc: int, stdout: str, stderr: str) -> None:
        assert rc == 0, stderr
        document = json.loads(stdout)
        url, params = peers.decode_token(document["status"]["token"])
        assert url.startswith(moto.endpoint + "/?"), url
        access_key = params["X-Amz-Credential"].split("/")[0]
        assert access_key.startswith("ASIA"), access_key
        issued = peers.moto_assumed_credentials(access_key)
        assert issued is not None and issued["RoleArn"] == names.role_arn and issued["SessionName"] == SESSION

    # Checking is on (the session fixture's state) for every token call below.
    # With the product's trust policy, the account root as principal: in AWS this delegates to the
    # account's IAM policies, so the group member may assume the role. moto compares trust-policy
    # principals literally (facts, section 9), so it admits no user through `:root` and denies.
    rc, stdout, stderr = token(user)
    assert rc == 77, (rc, stdout, stderr)
    assert "AccessDenied" in stderr and names.role_arn in stderr

    # Make moto's literal matching see what AWS's root semantics mean: name both users in the trust
    # policy (as the seed does for dev.*). The product's trust policy is not weakened; this stands in
    # for AWS's own evaluation, so the group policy written by setup is what decides below.
    literal = json.loads((tmp_path / "out" / "role-trust-policy.json").read_text())
    literal["Statement"][0]["Principal"]["AWS"] = [
        f"arn:aws:iam::{ACCOUNT}:root",
        f"arn:aws:iam::{ACCOUNT}:user/{user}",
        f"arn:aws:iam::{ACCOUNT}:user/{outsider}",
    ]
    with peers.moto_checking_off():
        iam.update_assume_role_policy(RoleName=names.role, PolicyDocument=json.dumps(literal))

    assert_assumed(*token(user))
    # The outsider is admitted by the trust policy too, but is not in the group: no identity policy
    # allows sts:AssumeRole on the role, so moto denies it.
    rc, stdout, stderr = token(outsider)
    assert rc == 77, (rc, stdout, stderr)
    assert "AccessDenied" in stderr


def test_without_apply_it_only_writes_the_files_and_warns_about_broad_grants(run, tmp_path):
    # No credentials and no IAM endpoint: without --apply nothing reaches AWS.
    out = tmp_path / "plan"
    rc, stdout, stderr = run(
        "setup", "--account", ACCOUNT, "--cluster-name", CLUSTER, "--group", "qaplan.test.group",
        "--region", "cn-north-1", "--out", str(out), "--cluster-role", "cluster-admin", "--full-eks-access",
    )
    assert rc == 0, stderr
    assert stdout.splitlines() == [f"wrote 10 files to {out} (see README.md there)"]
    assert "cluster-admin" in stderr and "eks:* on *" in stderr
    assert error_lines(stderr) == []
    assert sorted(path.name for path in out.iterdir()) == sorted(FILES)
    role_policy = json.loads((out / "role-eks-policy.json").read_text())
    assert role_policy["Statement"] == [{"Effect": "Allow", "Action": "eks:*", "Resource": "*"}]
    trust = json.loads((out / "role-trust-policy.json").read_text())
    assert trust["Statement"][0]["Principal"] == {"AWS": f"arn:aws-cn:iam::{ACCOUNT}:root"}


def test_an_invalid_account_is_a_usage_error_before_anything_is_written(run, tmp_path):
    out = tmp_path / "never"
    rc, stdout, stderr = run(
        "setup", "--account", "12345", "--cluster-name", CLUSTER, "--group", "qabad.test.group",
        "--region", REGION, "--out", str(out), "--apply",
    )
    assert rc == 64, (stdout, stderr)
    assert stdout == ""
    assert error_lines(stderr) == ["eks-auth: error: invalid --account: expected a 12-digit account id"]
    assert not out.exists()


# -- IAM Identity Center permission sets ---------------------------------------------------------------
#
# Contract assumed (eks-auth setup --permission-set):
#   eks-auth setup --account ID --cluster-name NAME --permission-set SET [--sso-region R] [--aws-auth FILE]
#                  [--cluster-role …] [--namespace NS] [--out DIR] [--region R] [--profile P]
#                  [--apply [--access-entry]]
#   The set's role is found with IAM ListRoles under /aws-reserved/sso.amazonaws.com/ (always); aws-auth
#   gets its ARN without the path, the access entry with it; Kubernetes group eks-auth:sso:SET, user name
#   sso:SET:{{SessionName}}. Mappings to the set's earlier roles are reported as stale on stdout with
#   the command that removes them, never removed; exit 0.

SSO_PATH = "/aws-reserved/sso.amazonaws.com/eu-west-1/"
PS_CLUSTER = "qa-permission-set-cluster"
PS_FILES = {
    "aws-auth-mapRoles.yaml": 0o644,
    "eksctl.sh": 0o755,
    "access-entry.sh": 0o755,
    "access-entry.json": 0o644,
    "rbac.yaml": 0o644,
    "kubeconfig.sh": 0o755,
    "README.md": 0o644,
}
# What Identity Center writes as a permission set role's trust policy: the account's SAML provider.
SSO_TRUST = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE"},
        "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
        "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
    }],
})


def provision(moto, permission_set: str) -> dict:
    """What Identity Center does when it provisions ``permission_set`` to the account: a role with a new
    hash under the reserved path. Returns the role as IAM describes it."""
    with peers.moto_checking_off():
        role = iam_client(moto).create_role(
            RoleName=f"AWSReservedSSO_{permission_set}_{uuid.uuid4().hex[:16]}", Path=SSO_PATH,
            AssumeRolePolicyDocument=SSO_TRUST, MaxSessionDuration=43200)["Role"]
    assert role["Arn"].startswith(f"arn:aws:iam::{ACCOUNT}:role{SSO_PATH}AWSReservedSSO_"), role["Arn"]
    return role


def deprovision(moto, role: dict) -> None:
    with peers.moto_checking_off():
        iam_client(moto).delete_role(RoleName=role["RoleName"])


def pathless(role: dict) -> str:
    return f"arn:aws:iam::{ACCOUNT}:role/{role['RoleName']}"


def create_cluster(moto, name: str) -> None:
    import botocore.session

    with peers.moto_checking_off():
        session = botocore.session.Session()
        session.set_credentials(moto.alice["AccessKeyId"], moto.alice["SecretAccessKey"])
        eks = session.create_client("eks", region_name=peers.REGION, endpoint_url=moto.endpoint)
        try:
            eks.create_cluster(name=name, roleArn=f"arn:aws:iam::{ACCOUNT}:role/eks-cluster",
                               resourcesVpcConfig={"subnetIds": []})
        except eks.exceptions.ResourceInUseException:
            pass


def run_permission_set(run, moto, permission_set: str, out: Path, *extra: str, eks_endpoint: str | None = None):
    """``(rc, stdout, stderr)`` of ``eks-auth setup --permission-set`` in the fake EKS's region."""
    args = ["setup", "--account", ACCOUNT, "--cluster-name", PS_CLUSTER, "--permission-set", permission_set,
            "--region", peers.REGION, "--out", str(out), *extra]
    env = setup_env(run, moto, **({"AWS_ENDPOINT_URL_EKS": eks_endpoint} if eks_endpoint else {}))
    with peers.moto_checking_off():
        return run(*args, env=env)


def kubectl(*args: str, stdin: str | None = None) -> str:
    import shutil
    import subprocess

    binary = shutil.which("kubectl")
    assert binary, "kubectl is required by the integration suite"
    done = subprocess.run([binary, *args], input=stdin, capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "KUBECONFIG": "/dev/null", "HOME": "/nonexistent"})
    assert done.returncode == 0, done.stderr
    return done.stdout


def kubectl_reads(out: Path) -> tuple[dict, dict]:
    """kubectl reads the files written: rbac.yaml as an object (offline, ``label --local``), and the
    aws-auth entry as the ConfigMap's mapRoles (``create configmap --dry-run=client``). Returns both."""
    binding = json.loads(kubectl("label", "--local", "-f", str(out / "rbac.yaml"), "checked=yes", "-o", "json"))
    configmap = json.loads(kubectl("create", "configmap", "aws-auth", "-n", "kube-system",
                                   f"--from-file=mapRoles={out / 'aws-auth-mapRoles.yaml'}", "--dry-run=client",
                                   "-o", "json"))
    return binding, configmap


def test_a_permission_set_is_mapped_on_both_routes_and_a_reprovisioned_one_reports_the_stale_mapping(
        run, moto, tmp_path):
    from eks_fake import FakeEKS

    # Underscores in the name, and sets sharing its prefix or holding its name, which must not be chosen.
    permission_set = f"Qa_Dev_{uuid.uuid4().hex[:6]}"
    group = f"eks-auth:sso:{permission_set}"
    username = f"sso:{permission_set}:{{{{SessionName}}}}"
    decoys = [provision(moto, permission_set + "Ops"), provision(moto, permission_set + "_Ops"),
              provision(moto, permission_set[:-1])]
    first = provision(moto, permission_set)
    create_cluster(moto, PS_CLUSTER)

    with FakeEKS(moto.endpoint, {moto.alice["AccessKeyId"]: moto.alice["SecretAccessKey"]}) as fake:
        out = tmp_path / "first"
        rc, stdout, stderr = run_permission_set(run, moto, permission_set, out, "--apply", "--access-entry",
                                                eks_endpoint=fake.endpoint)
        assert rc == 0, stderr
        assert error_lines(stderr) == []
        assert fake.signature_failures == []
        assert stdout.splitlines() == [
            f"found {first['RoleName']} for permission set {permission_set}: {first['Arn']}",
            f"wrote 7 files to {out} (see README.md there)",
            f"nothing to create in IAM: IAM Identity Center owns {first['RoleName']} and who may use it",
            f"created access entry for {first['RoleName']} → {group}",
        ]
        assert sorted(path.name for path in out.iterdir()) == sorted(PS_FILES)
        for name, mode in PS_FILES.items():
            assert stat.S_IMODE((out / name).stat().st_mode) == mode, name

        # The access entry has the ARN as IAM returns it, path included (the fake checks moto has it).
        entry = fake.entries[PS_CLUSTER][first["Arn"]]
        assert entry["kubernetesGroups"] == [group]
        assert entry["username"] == username
        assert entry["type"] == "STANDARD"
        assert json.loads((out / "access-entry.json").read_text()) == [
            {"principalArn": first["Arn"], "kubernetesGroups": [group], "username": username, "type": "STANDARD"}]

        # aws-auth has it without the path; kubectl reads both YAML files.
        binding, configmap = kubectl_reads(out)
        assert binding["kind"] == "ClusterRoleBinding"
        assert binding["metadata"]["name"] == group
        assert binding["subjects"] == [{"kind": "Group", "name": group, "apiGroup": "rbac.authorization.k8s.io"}]
        assert binding["roleRef"]["name"] == "view"
        import yaml

        entries = yaml.safe_load(configmap["data"]["mapRoles"])
        assert entries == [{"rolearn": pathless(first), "username": username, "groups": [group]}]

        # The saved ConfigMap maps a session of the role as the server would: eks-auth explain agrees.
        saved = tmp_path / "aws-auth.yaml"
        saved.write_text(json.dumps(configmap))
        session = f"arn:aws:sts::{ACCOUNT}:assumed-role/{first['RoleName']}/alice@example.com"
        rc, explained, err = run("explain", "--aws-auth", str(saved), "--arn", session, "--output", "json")
        assert rc == 0, explained + err
        answer = json.loads(explained)
        assert answer["mapped"] is True and answer["groups"] == [group], answer

        # The kubeconfig step takes each person's SSO profile; no --role-arn. Run it, with a profile of
        # static keys standing in for the SSO profile, and let kubectl read what it wrote.
        commands = [line for line in (out / "kubeconfig.sh").read_text().splitlines() if not line.startswith("#")]
        assert not any("--role-arn" in line for line in commands), commands
        aws = run.home / ".aws"
        aws.mkdir(exist_ok=True)
        (aws / "config").write_text("[profile qa-sso]\nregion = us-east-1\n")
        (aws / "credentials").write_text(f"[qa-sso]\naws_access_key_id = {moto.alice['AccessKeyId']}\n"
                                         f"aws_secret_access_key = {moto.alice['SecretAccessKey']}\n")
        kubeconfig = tmp_path / "kube" / "config"
        env = run.env(PATH=f"{Path(run.binary).parent}:/usr/local/bin:/usr/bin:/bin", KUBECONFIG=str(kubeconfig),
                      AWS_ENDPOINT_URL_EKS=fake.endpoint)
        with peers.moto_checking_off():
            rc, _, err = run.command(["sh", str(out / "kubeconfig.sh")], env=env)
            assert rc != 0 and "usage: sh kubeconfig.sh PROFILE" in err, err
            rc, _, err = run.command(["sh", str(out / "kubeconfig.sh"), "qa-sso"], env=env)
        assert rc == 0, err
        view = json.loads(kubectl("config", "view", "--kubeconfig", str(kubeconfig), "-o", "json"))
        exec_block = view["users"][0]["user"]["exec"]
        assert "--role-arn" not in exec_block["args"] and "-r" not in exec_block["args"], exec_block
        assert "qa-sso" in json.dumps(exec_block), exec_block

        # Identity Center provisions the set again: a new role with a new hash; the old one is gone.
        deprovision(moto, first)
        second = provision(moto, permission_set)
        again = tmp_path / "second"
        rc, stdout, stderr = run_permission_set(run, moto, permission_set, again, "--apply", "--access-entry",
                                                "--aws-auth", str(saved), eks_endpoint=fake.endpoint)
        assert rc == 0, stderr
        assert error_lines(stderr) == []
        delete = (f"aws eks delete-access-entry --region '{peers.REGION}' --cluster-name '{PS_CLUSTER}' "
                  f"--principal-arn '{first['Arn']}'")
        assert stdout.splitlines() == [
            f"found {second['RoleName']} for permission set {permission_set}: {second['Arn']}",
            f"wrote 7 files to {again} (see README.md there)",
            f"{saved} mapRoles[0]: stale {first['RoleName']} (the permission set's role is now "
            f"{second['RoleName']}); remove it with: eks-auth aws-auth remove --role-arn '{pathless(first)}' "
            f"--file '{saved}'",
            f"{saved}: no mapRoles entry for {second['RoleName']} yet; add it with: eks-auth aws-auth add "
            f"--role-arn '{pathless(second)}' --username '{username}' --group '{group}' --file '{saved}'",
            f"nothing to create in IAM: IAM Identity Center owns {second['RoleName']} and who may use it",
            f"created access entry for {second['RoleName']} → {group}",
            f"access entry: stale {first['RoleName']} (the permission set's role is now {second['RoleName']}); "
            f"remove it with: {delete}",
        ]
        # The new mapping was added; the stale one is only reported, never deleted; the file only read.
        assert fake.entries[PS_CLUSTER][second["Arn"]]["kubernetesGroups"] == [group]
        assert first["Arn"] in fake.entries[PS_CLUSTER]
        assert not any(call.startswith("Delete") for call in fake.calls)
        assert json.loads(saved.read_text()) == configmap
        _, configmap_again = kubectl_reads(again)
        assert yaml.safe_load(configmap_again["data"]["mapRoles"])[0]["rolearn"] == pathless(second)
        # The decoys' roles were never mapped.
        for decoy in decoys:
            assert decoy["Arn"] not in fake.entries[PS_CLUSTER]

        # A third run changes nothing and still reports the stale entry.
        rc, stdout, stderr = run_permission_set(run, moto, permission_set, tmp_path / "third", "--apply",
                                                "--access-entry", eks_endpoint=fake.endpoint)
        assert rc == 0, stderr
        assert f"unchanged access entry for {second['RoleName']} (already as planned)" in stdout.splitlines()
        assert stdout.splitlines()[-1].endswith(delete)


def test_a_permission_set_without_a_role_in_the_account_names_the_nearest_sets(run, moto, tmp_path):
    prefix = f"QaNear{uuid.uuid4().hex[:6]}"
    provision(moto, prefix + "Developer")
    out = tmp_path / "never"
    rc, stdout, stderr = run_permission_set(run, moto, prefix + "Devloper", out)
    assert rc == 78, (stdout, stderr)
    assert stdout == ""
    assert error_lines(stderr) == [
        f"eks-auth: error: no role of permission set '{prefix}Devloper' in account {ACCOUNT}: IAM has no role "
        f"AWSReservedSSO_{prefix}Devloper_<hash> under /aws-reserved/sso.amazonaws.com/"]
    hint = [line for line in stderr.splitlines() if line.startswith("eks-auth: hint:")]
    assert len(hint) == 1 and f"permission sets found: {prefix}Developer" in hint[0], stderr
    assert "aws iam list-roles --path-prefix /aws-reserved/sso.amazonaws.com/" in hint[0]
    assert not out.exists()


def test_a_permission_set_with_roles_under_two_regions_paths_is_refused_unless_sso_region_picks(run, moto, tmp_path):
    permission_set = f"QaTwo{uuid.uuid4().hex[:6]}"
    europe = provision(moto, permission_set)
    with peers.moto_checking_off():
        virginia = iam_client(moto).create_role(
            RoleName=f"AWSReservedSSO_{permission_set}_{uuid.uuid4().hex[:16]}",
            Path="/aws-reserved/sso.amazonaws.com/", AssumeRolePolicyDocument=SSO_TRUST)["Role"]
    rc, stdout, stderr = run_permission_set(run, moto, permission_set, tmp_path / "refused")
    assert rc == 78, (stdout, stderr)
    errors = error_lines(stderr)
    assert len(errors) == 1 and europe["Arn"] in errors[0] and virginia["Arn"] in errors[0], stderr
    assert "--sso-region" in stderr

    rc, stdout, stderr = run_permission_set(run, moto, permission_set, tmp_path / "us", "--sso-region", "us-east-1")
    assert rc == 0, stderr
    assert stdout.splitlines()[0].endswith(virginia["Arn"])
    assert f"'{virginia['Arn']}'" in (tmp_path / "us" / "access-entry.sh").read_text()


def test_permission_set_usage_errors(run, tmp_path):
    base = ["setup", "--account", ACCOUNT, "--cluster-name", PS_CLUSTER, "--region", REGION, "--out",
            str(tmp_path / "never")]
    for extra, wording in (
        (["--group", "g", "--permission-set", "Dev"], "either --group GROUP or --permission-set NAME"),
        ([], "either --group GROUP or --permission-set NAME"),
        (["--permission-set", "Dev", "--role-name", "r"], "--role-name applies to --group only"),
        (["--group", "g", "--aws-auth", "a.yaml"], "--aws-auth applies to --permission-set only"),
        (["--permission-set", "Dev Ops"], "invalid permission set name 'Dev Ops'"),
        (["--permission-set", "Dev", "--access-entry"], "invalid --access-entry: expected --apply as well"),
    ):
        rc, stdout, stderr = run(*base, *extra)
        assert rc == 64, (extra, stdout, stderr)
        assert stdout == ""
        assert wording in stderr, (extra, stderr)
    assert not (tmp_path / "never").exists()
