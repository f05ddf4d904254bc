"""eks-auth kubeconfig convert: the kubeconfig the real `aws eks update-kubeconfig` (awscli v1) writes
against moto's EKS, converted, then used by the real kubectl against a loopback HTTPS API server; the
aws-iam-authenticator form; dry-run diff, backup, restore, idempotence, symbolic links, KUBECONFIG lists."""
from __future__ import annotations

import json
import os
import shutil
import stat

import yaml

import peers
from test_kubeconfig import CLUSTER, REGION, cluster, kubectl_view  # noqa: F401  (cluster is a fixture)

BACKUP = ".eks-auth-convert.bak"


def aws_update_kubeconfig(run, moto, home, path, *extra: str) -> None:
    """Runs the real `aws eks update-kubeconfig` against moto, with alice's keys in profile 'team'."""
    aws_dir = home / ".aws"
    aws_dir.mkdir(exist_ok=True)
    (aws_dir / "credentials").write_text(
        f"[team]\naws_access_key_id = {moto.alice['AccessKeyId']}\n"
        f"aws_secret_access_key = {moto.alice['SecretAccessKey']}\n")
    (aws_dir / "config").write_text(f"[profile team]\nregion = {REGION}\n")
    aws = shutil.which("aws")
    assert aws, "the AWS CLI is required by the integration suite"
    env = run.env(AWS_ENDPOINT_URL_EKS=moto.endpoint, PATH=os.environ["PATH"])
    with peers.moto_checking_off():
        rc, out, err = run.command(
            [aws, "eks", "update-kubeconfig", "--name", CLUSTER, "--region", REGION, "--profile", "team",
             "--kubeconfig", str(path), *extra], env=env, timeout=120)
    assert rc == 0, err


def exec_of(path, user: str) -> dict:
    users = {u["name"]: u["user"] for u in yaml.safe_load(open(path))["users"]}
    return users[user]["exec"]


def kubectl_get(run, eks_auth, path, **env):
    kubectl = shutil.which("kubectl")
    return run.command(
        [kubectl, "--kubeconfig", str(path), "--request-timeout=20s", "get", "--raw", "/api/v1/namespaces/default"],
        env=run.env(PATH=f"{os.path.dirname(eks_auth)}:/usr/local/bin:/usr/bin:/bin", **env), timeout=60)


def point_at(run, path, cluster_name: str, endpoint: str, cert: str) -> None:
    rc, _, err = run.command(
        [shutil.which("kubectl"), "config", "set-cluster", cluster_name, "--kubeconfig", str(path),
         f"--server={endpoint}", f"--certificate-authority={cert}"], env=run.env())
    assert rc == 0, err


def test_what_aws_update_kubeconfig_writes_is_converted_and_kubectl_gets_through(
    run, moto, cluster, home, tmp_path, eks_auth, proxy
):
    path = home / ".kube" / "config"
    aws_update_kubeconfig(run, moto, home, path, "--role-arn", moto.role_arn)
    os.chmod(path, 0o640)
    original = path.read_text()
    before = exec_of(path, cluster["arn"])
    assert before["command"] == "aws" and "get-token" in before["args"], before
    assert before["env"] == [{"name": "AWS_PROFILE", "value": "team"}]

    # --dry-run: a unified diff on stdout, nothing written.
    rc, out, err = run("kubeconfig", "convert", "--dry-run")
    assert rc == 0, err
    assert out.startswith(f"--- {path}\n+++ {path} (converted)\n@@ "), out
    assert "-      command: aws\n" in out and "+      command: eks-auth\n" in out, out
    assert path.read_text() == original and not (home / ".kube" / ("config" + BACKUP)).exists()

    rc, out, err = run("kubeconfig", "convert")
    assert rc == 0, err
    assert f"Converted user {cluster['arn']} in {path} (was aws eks get-token)" in out
    assert f"the previous file is kept at {path}{BACKUP}" in out
    assert (home / ".kube" / ("config" + BACKUP)).read_text() == original
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    after = exec_of(path, cluster["arn"])
    assert after["command"] == "eks-auth"
    assert after["args"] == ["token", "--cluster-name", CLUSTER, "--region", REGION, "--role-arn", moto.role_arn]
    # Everything else in the block is kept: the profile stays in env, the API version as it was.
    assert {k: v for k, v in after.items() if k not in ("command", "args")} == {
        k: v for k, v in before.items() if k not in ("command", "args")}
    # Only the exec block's lines changed.
    view = kubectl_view(run, str(path))
    assert view["current-context"] == cluster["arn"]
    assert [c["name"] for c in view["clusters"]] == [cluster["arn"]]

    # Again: nothing to do, nothing written.
    converted = path.read_text()
    rc, out, err = run("kubeconfig", "convert")
    assert rc == 0, err
    assert out.strip() == f"Nothing to convert in {path}"
    assert path.read_text() == converted

    cert, key = peers.make_self_signed_cert(str(tmp_path))
    with peers.FakeAPIServer(cert, key, lambda token: peers.moto_issued_token_problems(token, CLUSTER)) as api:
        point_at(run, path, cluster["arn"], api.endpoint, cert)
        rc, out, err = kubectl_get(
            run, eks_auth, path, AWS_ENDPOINT_URL_STS=proxy.endpoint, EKS_AUTH_CACHE_DIR=str(tmp_path / "cache"))
        assert rc == 0, f"kubectl failed: {err}\nrejected: {api.rejections}"
        assert json.loads(out)["metadata"]["name"] == "default"
        assert api.tokens and not api.rejections
    assert proxy.count("AssumeRole") == 1, "the role of --role must be assumed"

    # kubectl rewrote the file since: restoring the backup would lose the new server, so it is refused.
    changed = path.read_text()
    rc, out, err = run("kubeconfig", "convert", "--restore")
    assert rc == 65, err
    assert f"{path} changed since it was converted" in err
    assert path.read_text() == changed


def test_restore_puts_back_the_file_aws_wrote(run, moto, cluster, home):
    path = home / ".kube" / "config"
    aws_update_kubeconfig(run, moto, home, path)
    original = path.read_text()
    rc, _, err = run("kubeconfig", "convert")
    assert rc == 0, err
    assert exec_of(path, cluster["arn"])["args"] == ["token", "--cluster-name", CLUSTER, "--region", REGION]
    rc, out, err = run("kubeconfig", "convert", "--restore")
    assert rc == 0, err
    assert out.strip() == f"Restored {path} from {path}{BACKUP}"
    assert path.read_text() == original


def test_restore_without_a_backup_is_an_error(run, home):
    rc, out, err = run("kubeconfig", "convert", "--restore")
    assert rc == 65 and out == ""
    assert f"no backup to restore: {home}/.kube/config{BACKUP} does not exist" in err


AUTHENTICATOR = """\
apiVersion: v1
kind: Config
clusters:
- name: dev
  cluster:
    server: https://example.invalid
contexts:
- name: dev
  context: {{cluster: dev, user: dev}}
current-context: dev
users:
- name: dev
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: /usr/local/bin/aws-iam-authenticator
      args:
        - token
        - -i
        - {cluster}
      env:
        - name: AWS_REGION
          value: us-west-2
- name: cached
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: aws-iam-authenticator
      args: [token, -i, {cluster}, --cache]
"""


def test_the_authenticator_form_converts_and_kubectl_gets_through(run, moto, home, tmp_path, eks_auth):
    path = tmp_path / "kubeconfig"
    path.write_text(AUTHENTICATOR.format(cluster=CLUSTER))
    rc, out, err = run("kubeconfig", "convert", "--kubeconfig", str(path))
    assert rc == 0, err
    assert f"Converted user dev in {path} (was aws-iam-authenticator token)" in out
    # The one with --cache is listed with why, and left as it was.
    assert f"left user cached in {path} as it is: it passes --cache, which eks-auth does not convert exactly" in err
    assert exec_of(path, "cached")["command"] == "aws-iam-authenticator"
    assert exec_of(path, "dev") == {
        "apiVersion": "client.authentication.k8s.io/v1beta1", "command": "eks-auth",
        "args": ["token", "--cluster-name", CLUSTER], "env": [{"name": "AWS_REGION", "value": "us-west-2"}],
    }
    cert, key = peers.make_self_signed_cert(str(tmp_path))
    access, secret = moto.alice["AccessKeyId"], moto.alice["SecretAccessKey"]
    with peers.FakeAPIServer(cert, key, lambda token: peers.token_problems(token, CLUSTER, access, secret)) as api:
        point_at(run, path, "dev", api.endpoint, cert)
        rc, out, err = kubectl_get(run, eks_auth, path, AWS_ACCESS_KEY_ID=access, AWS_SECRET_ACCESS_KEY=secret)
        assert rc == 0, f"kubectl failed: {err}\nrejected: {api.rejections}"
        assert api.tokens and not api.rejections
        url, _ = peers.decode_token(api.tokens[0])
        assert url.startswith("https://sts.us-west-2.amazonaws.com/?"), url


def test_every_kubeconfig_file_is_converted_and_a_symlink_stays_a_link(run, home, tmp_path):
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    target = dotfiles / "kubeconfig"
    target.write_text(AUTHENTICATOR.format(cluster="a"))
    link = tmp_path / "a.yaml"
    os.symlink(target, link)
    other = tmp_path / "b.yaml"
    other.write_text(AUTHENTICATOR.format(cluster="b"))
    missing = tmp_path / "missing.yaml"
    rc, out, err = run("kubeconfig", "convert", env=run.env(KUBECONFIG=f"{link}:{missing}:{other}"))
    assert rc == 0, err
    assert os.path.islink(link)
    assert exec_of(target, "dev")["args"] == ["token", "--cluster-name", "a"]
    assert exec_of(other, "dev")["args"] == ["token", "--cluster-name", "b"]
    assert (tmp_path / ("a.yaml" + BACKUP)).read_text() == AUTHENTICATOR.format(cluster="a")
    assert not missing.exists()
    assert not [name for name in os.listdir(dotfiles) if name != "kubeconfig"]


def test_user_picks_users_and_an_unknown_one_is_an_error(run, tmp_path):
    path = tmp_path / "kubeconfig"
    text = AUTHENTICATOR.format(cluster=CLUSTER)
    path.write_text(text)
    rc, out, err = run("kubeconfig", "convert", "--kubeconfig", str(path), "--user", "nobody")
    assert rc == 65 and out == ""
    assert f"no user nobody in {path} (--user)" in err
    assert path.read_text() == text
    rc, out, err = run("kubeconfig", "convert", "--kubeconfig", str(path), "--user", "cached")
    assert rc == 0, err
    assert out.strip() == f"Nothing to convert in {path}"
    assert path.read_text() == text


SECOND_USER = """\
- name: second
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: aws-iam-authenticator
      args: [token, -i, other-cluster]
"""


def test_restore_after_converting_one_user_puts_the_file_back(run, tmp_path):
    """`convert --user` converts one of several users; `--restore` must still recognise its own work."""
    path = tmp_path / "kubeconfig"
    text = AUTHENTICATOR.format(cluster=CLUSTER) + SECOND_USER
    path.write_text(text)
    rc, out, err = run("kubeconfig", "convert", "--kubeconfig", str(path), "--user", "second")
    assert rc == 0, err
    assert exec_of(path, "second")["args"] == ["token", "--cluster-name", "other-cluster"]
    assert exec_of(path, "dev")["command"] == "/usr/local/bin/aws-iam-authenticator"
    rc, out, err = run("kubeconfig", "convert", "--kubeconfig", str(path), "--restore")
    assert rc == 0, err
    assert path.read_text() == text
