"""Several roles on one cluster each get their own user entry, and replacing an entry that differs is
said (behave-like-the-AWS-CLI issue, kind 3: "never repoint someone else's entry")."""
from __future__ import annotations

import botocore.session

import peers
from test_kubeconfig import CLUSTER, REGION, cluster, env_for, kubectl_view  # noqa: F401  (cluster is a fixture)


def make_role(moto, name: str) -> str:
    with peers.moto_checking_off():
        session = botocore.session.Session()
        session.set_credentials(moto.alice["AccessKeyId"], moto.alice["SecretAccessKey"])
        iam = session.create_client("iam", region_name="us-east-1", endpoint_url=moto.endpoint)
        try:
            return iam.get_role(RoleName=name)["Role"]["Arn"]
        except iam.exceptions.NoSuchEntityException:
            trust = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}'
            return iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)["Role"]["Arn"]


def test_two_roles_on_one_cluster_get_two_users_and_neither_context_is_repointed(run, moto, cluster, home):
    admin, dev = make_role(moto, "k8s-admin"), make_role(moto, "k8s-dev")
    path = home / ".kube" / "config"
    with peers.moto_checking_off():
        for role, alias in [(admin, "demo-admin"), (dev, "demo-dev")]:
            rc, out, err = run("kubeconfig", "--cluster-name", CLUSTER, "--role-arn", role, "--alias", alias,
                               env=env_for(run, moto))
            assert rc == 0, err
            assert err == "", err  # nothing was replaced: each role has its own user entry
    view = kubectl_view(run, str(path))
    users = {u["name"]: u["user"]["exec"]["args"] for u in view["users"]}
    assert set(users) == {f"k8s-admin@{cluster['arn']}", f"k8s-dev@{cluster['arn']}"}, users
    contexts = {c["name"]: c["context"]["user"] for c in view["contexts"]}
    assert contexts["demo-admin"] == f"k8s-admin@{cluster['arn']}"
    assert contexts["demo-dev"] == f"k8s-dev@{cluster['arn']}"
    assert admin in users[contexts["demo-admin"]] and dev not in users[contexts["demo-admin"]]
    assert dev in users[contexts["demo-dev"]]


def test_replacing_an_entry_that_differs_says_so(run, moto, cluster, home):
    admin, dev = make_role(moto, "k8s-admin"), make_role(moto, "k8s-dev")
    with peers.moto_checking_off():
        rc, _, err = run("kubeconfig", "--cluster-name", CLUSTER, "--role-arn", admin, "--user-alias", "shared",
                         "--alias", "demo", env=env_for(run, moto))
        assert rc == 0 and err == "", err
        # The same again changes nothing, and says nothing.
        rc, _, err = run("kubeconfig", "--cluster-name", CLUSTER, "--role-arn", admin, "--user-alias", "shared",
                         "--alias", "demo", env=env_for(run, moto))
        assert rc == 0 and err == "", err
        # The same user name for another role: that entry differs, and the user is told.
        rc, out, err = run("kubeconfig", "--cluster-name", CLUSTER, "--role-arn", dev, "--user-alias", "shared",
                           "--alias", "demo", env=env_for(run, moto))
    assert rc == 0, err
    assert "eks-auth: warning: replaced the users entry 'shared' in" in err, err
    assert len(err.strip().splitlines()) == 1, err
    assert out.startswith("Updated context demo in ")
