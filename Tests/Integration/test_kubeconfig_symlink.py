"""A kubeconfig that is a symbolic link (into a dotfiles repository) is written through to its target,
atomically, as kubectl writes it; the link stays a link (hardening issue)."""
from __future__ import annotations

import os

import peers
from test_kubeconfig import CLUSTER, cluster, env_for, kubectl_view  # noqa: F401  (cluster is a fixture)


def test_a_symlinked_kubeconfig_is_written_through_to_its_target(run, moto, cluster, home, tmp_path):
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    target = dotfiles / "kubeconfig"
    target.write_text("apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n")
    kube = home / ".kube"
    kube.mkdir()
    # A relative link, then a link to that link: the chain is followed to its end.
    os.symlink("../../dotfiles/kubeconfig", kube / "real-link")
    os.symlink("real-link", kube / "config")
    with peers.moto_checking_off():
        rc, out, err = run("kubeconfig", "--cluster-name", CLUSTER, env=env_for(run, moto))
    assert rc == 0, err
    assert os.path.islink(kube / "config") and os.path.islink(kube / "real-link")
    assert os.readlink(kube / "config") == "real-link"
    view = kubectl_view(run, str(target))
    assert [c["name"] for c in view["clusters"]] == [cluster["arn"]]
    assert not [name for name in os.listdir(dotfiles) if name.startswith(".eks-auth-tmp-")]


def test_a_dangling_kubeconfig_link_gets_its_target_created(run, moto, cluster, home, tmp_path):
    target = tmp_path / "dotfiles" / "kubeconfig"
    target.parent.mkdir()
    kube = home / ".kube"
    kube.mkdir()
    os.symlink(target, kube / "config")
    with peers.moto_checking_off():
        rc, out, err = run("kubeconfig", "--cluster-name", CLUSTER, env=env_for(run, moto))
    assert rc == 0, err
    assert os.path.islink(kube / "config")
    assert target.is_file()
    assert kubectl_view(run, str(kube / "config"))["current-context"] == cluster["arn"]
