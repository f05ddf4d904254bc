"""A hostile file system, for real (hardening issue): a cache directory another user owns and anyone
can write, links planted where we write, a full disk, a read-only one, and a kubeconfig that is a link
into a dotfiles repository. Needs root (as CI runs): it creates a second local user and mounts tmpfs."""
from __future__ import annotations

import fcntl
import json
import os
import pwd
import shutil
import stat
import subprocess
import time
from pathlib import Path

import pytest

import peers
from test_kubeconfig import cluster  # noqa: F401  (a fixture: the EKS cluster in moto)

OTHER_USER = "eks-auth-other"
CLUSTER = "dev.my-eks-cluster"


@pytest.fixture(scope="module")
def other_uid() -> int:
    """A second local user, created for these tests."""
    assert os.geteuid() == 0, "these tests need root: they create a user and mount tmpfs (CI runs as root)"
    try:
        return pwd.getpwnam(OTHER_USER).pw_uid
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", OTHER_USER],
                       check=True, capture_output=True)
        return pwd.getpwnam(OTHER_USER).pw_uid


@pytest.fixture
def tmpfs(tmp_path):
    """A 256 KiB tmpfs, unmounted afterwards."""
    mount = tmp_path / "small"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs", str(mount)], check=True,
                   capture_output=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def fill(mount: Path) -> None:
    """Fills the file system at `mount` to the last byte."""
    fd = os.open(mount / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    try:
        while True:
            os.write(fd, b"\0")
    except OSError:
        pass
    os.close(fd)


def role_env(run, moto, cache: Path, **extra) -> dict:
    return run.env(AWS_ACCESS_KEY_ID=moto.alice["AccessKeyId"], AWS_SECRET_ACCESS_KEY=moto.alice["SecretAccessKey"],
                   AWS_ENDPOINT_URL_STS=moto.endpoint, AWS_REGION="us-east-1", EKS_AUTH_CACHE_DIR=str(cache), **extra)


def token_args(moto) -> list[str]:
    return ["token", "--cluster-name", CLUSTER, "--role-arn", moto.role_arn, "--session-name", "alice"]


def leftovers(directory: Path) -> list[str]:
    return sorted(name for name in os.listdir(directory) if name.startswith(".eks-auth-tmp-"))


def test_a_cache_directory_of_another_user_writable_by_all_is_not_used_nor_waited_on(run, moto, tmp_path, other_uid):
    cache = tmp_path / "shared-cache"
    cache.mkdir()
    os.chown(cache, other_uid, -1)
    os.chmod(cache, 0o777)
    # The other user holds every lock file it could; and plants a link where our lock would go.
    lock_name = "0" * 64 + ".lock"
    held = open(cache / lock_name, "w")
    fcntl.flock(held, fcntl.LOCK_EX)
    victim = tmp_path / "victim-file"
    started = time.monotonic()
    rc, out, err = run(*token_args(moto), env=role_env(run, moto, cache), timeout=60)
    elapsed = time.monotonic() - started
    held.close()
    assert rc == 0, err
    assert json.loads(out)["status"]["token"].startswith("k8s-aws-v1.")
    assert elapsed < 10, f"waited {elapsed:.1f} s"
    assert f"belongs to uid {other_uid}" in err, err
    # Nothing of ours was written into it, and nothing was created through a link.
    assert sorted(os.listdir(cache)) == [lock_name]
    assert not victim.exists()


def test_a_link_planted_at_our_lock_path_is_not_followed(run, moto, tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    # Learn the lock's name from a first run (the digest names the entry and its lock), then plant a link there.
    rc, _, err = run(*token_args(moto), env=role_env(run, moto, cache))
    assert rc == 0, err
    entries = [name for name in os.listdir(cache) if name.endswith(".json")]
    assert len(entries) == 1 and not [n for n in os.listdir(cache) if n.endswith(".lock")], os.listdir(cache)
    locks = [entries[0][: -len(".json")] + ".lock"]
    os.unlink(cache / entries[0])
    victim = tmp_path / "victim-file"
    os.symlink(victim, cache / locks[0])
    rc, out, err = run(*token_args(moto), env=role_env(run, moto, cache))
    assert rc == 0, err
    assert not victim.exists(), "the lock was created through the planted link"
    assert "cannot lock" in err, err
    assert os.path.islink(cache / locks[0])


def test_a_full_disk_under_the_cache_warns_and_still_prints_the_token(run, moto, tmpfs):
    cache = tmpfs / "cache"
    cache.mkdir(mode=0o700)
    fill(tmpfs)
    rc, out, err = run(*token_args(moto), env=role_env(run, moto, cache))
    assert rc == 0, err
    assert json.loads(out)["status"]["token"].startswith("k8s-aws-v1.")
    assert "could not write cache file" in err and "No space left on device" in err, err
    assert leftovers(cache) == []
    assert not any(name.endswith(".json") for name in os.listdir(cache))


def test_a_read_only_cache_warns_and_still_prints_the_token(run, moto, tmpfs):
    cache = tmpfs / "cache"
    cache.mkdir(mode=0o700)
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True, capture_output=True)
    rc, out, err = run(*token_args(moto), env=role_env(run, moto, cache))
    assert rc == 0, err
    assert json.loads(out)["status"]["token"].startswith("k8s-aws-v1.")
    assert "Read-only file system" in err, err


def test_kubeconfig_on_a_full_disk_fails_cleanly_and_leaves_the_old_file_whole(run, moto, cluster, tmpfs):
    kubeconfig = tmpfs / "config"
    original = "apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n"
    kubeconfig.write_text(original)
    fill(tmpfs)
    with peers.moto_checking_off():
        rc, out, err = run("kubeconfig", "--cluster-name", CLUSTER, "--kubeconfig", str(kubeconfig),
                           env=run.env(AWS_ACCESS_KEY_ID=moto.alice["AccessKeyId"],
                                       AWS_SECRET_ACCESS_KEY=moto.alice["SecretAccessKey"],
                                       AWS_ENDPOINT_URL_EKS=moto.endpoint, AWS_REGION="eu-west-1"))
    assert rc != 0
    assert len(err.strip().splitlines()) <= 2 and str(tmpfs) in err, err
    assert kubeconfig.read_text() == original
    assert leftovers(tmpfs) == []


def test_links_planted_at_the_files_we_write_are_replaced_never_written_through(run, moto, cluster, tmp_path):
    victim = tmp_path / "precious"
    victim.write_text("precious\n")
    os.chmod(victim, 0o600)
    # The cache entry.
    cache = tmp_path / "cache"
    rc, _, err = run(*token_args(moto), env=role_env(run, moto, cache))
    assert rc == 0, err
    (entry,) = [cache / n for n in os.listdir(cache) if n.endswith(".json")]
    entry.unlink()
    os.symlink(victim, entry)
    rc, _, err = run(*token_args(moto), "--no-cache", env=role_env(run, moto, cache))
    assert rc == 0, err
    rc, _, err = run(*token_args(moto), env=role_env(run, moto, cache))
    assert rc == 0, err
    assert victim.read_text() == "precious\n"
    assert not os.path.islink(entry) and json.loads(entry.read_text())["version"] == 1
    # The kubeconfig's backup.
    kube = tmp_path / "kube"
    kube.mkdir()
    config = kube / "config"
    config.write_text("apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n")
    os.symlink(victim, kube / "config.eks-auth.bak")
    with peers.moto_checking_off():
        rc, _, err = run("kubeconfig", "--cluster-name", CLUSTER, "--kubeconfig", str(config),
                         env=run.env(AWS_ACCESS_KEY_ID=moto.alice["AccessKeyId"],
                                     AWS_SECRET_ACCESS_KEY=moto.alice["SecretAccessKey"],
                                     AWS_ENDPOINT_URL_EKS=moto.endpoint, AWS_REGION="eu-west-1"))
    assert rc == 0, err
    assert victim.read_text() == "precious\n"
    assert not os.path.islink(kube / "config.eks-auth.bak")
    assert "kind: Config" in (kube / "config.eks-auth.bak").read_text()


def test_kubeconfig_never_writes_over_a_device(run, moto, cluster, tmp_path):
    # A private copy of /dev/null (major 1, minor 3): KUBECONFIG=/dev/null is a common idiom.
    devices = tmp_path / "devices"
    devices.mkdir()
    device = devices / "null"
    os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    link = devices / "config-link"
    os.symlink(device, link)
    for path in (device, link):
        with peers.moto_checking_off():
            rc, out, err = run("kubeconfig", "--cluster-name", CLUSTER, "--kubeconfig", str(path),
                               env=run.env(AWS_ACCESS_KEY_ID=moto.alice["AccessKeyId"],
                                           AWS_SECRET_ACCESS_KEY=moto.alice["SecretAccessKey"],
                                           AWS_ENDPOINT_URL_EKS=moto.endpoint, AWS_REGION="eu-west-1"))
        assert rc == 65, err
        assert err.strip().splitlines() == [
            f"eks-auth: error: cannot write {path}: not a regular file",
            "eks-auth: hint: write another file with --kubeconfig PATH (or the first file of KUBECONFIG), "
            "or see the result with --dry-run"], err
    assert stat.S_ISCHR(os.stat(device).st_mode) and os.readlink(link) == str(device)
    assert sorted(os.listdir(devices)) == ["config-link", "null"]  # no backup, no temporary file


def test_cache_clear_removes_only_regular_files_of_ours_in_a_directory_of_ours(run, tmp_path, other_uid):
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    mine = cache / ("a" * 64 + ".json")
    mine.write_text("{}")
    theirs = cache / ("b" * 64 + ".json")
    theirs.write_text("{}")
    os.chown(theirs, other_uid, -1)
    os.mkfifo(cache / ("c" * 64 + ".json"))
    (cache / ("d" * 64 + ".json")).mkdir()
    target = tmp_path / "elsewhere.json"
    target.write_text("keep")
    os.symlink(target, cache / ("e" * 64 + ".json"))
    (cache / "notes.txt").write_text("keep")
    rc, out, err = run("cache", "clear", env=run.env(EKS_AUTH_CACHE_DIR=str(cache)))
    assert rc == 0, err
    assert out.strip() == f"removed 1 cached session from {cache}"
    assert sorted(os.listdir(cache)) == sorted(["b" * 64 + ".json", "c" * 64 + ".json", "d" * 64 + ".json",
                                                "e" * 64 + ".json", "notes.txt"])
    assert target.read_text() == "keep"


def test_cache_clear_refuses_a_directory_of_another_user_or_writable_by_others(run, tmp_path, other_uid):
    for owner, mode in [(other_uid, 0o700), (os.getuid(), 0o777)]:
        cache = tmp_path / f"cache-{owner}-{mode:o}"
        cache.mkdir()
        os.chmod(cache, mode)
        entry = cache / ("a" * 64 + ".json")
        entry.write_text("{}")
        os.chown(cache, owner, -1)
        rc, out, err = run("cache", "clear", env=run.env(EKS_AUTH_CACHE_DIR=str(cache)))
        assert rc == 65, err
        assert err.startswith(f"eks-auth: error: cannot clear {cache}: "), err
        assert "nothing was removed" in err and out == ""
        assert entry.exists()
