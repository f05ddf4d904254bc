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
