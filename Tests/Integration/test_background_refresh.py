"""Background refresh (issue #13): a cached session inside its refresh window (but above the 2-minute
floor) is answered at once and renewed by a detached eks-auth, started with the same arguments and
EKS_AUTH_BACKGROUND_REFRESH=1. Against moto through a recording proxy that can be made slow."""
from __future__ import annotations

import datetime
import json
import os
import re
import subprocess
import time
from pathlib import Path

import pytest

import credential_fakes as fakes
import peers
from test_kubectl import kubectl, write_kubeconfig

CLUSTER = "dev.my-eks-cluster"
PID = re.compile(r"refreshing in the background \(pid (\d+)\)")


class SlowProxy(fakes.RecordingProxy):
    """RecordingProxy that waits ``delay`` seconds before forwarding each call: a slow STS."""

    def __init__(self, upstream: str, delay: float = 0.0):
        self.delay = delay
        self.deny = False  # answer every call AccessDenied, as an STS that refuses the renewal
        super().__init__(upstream)

    def handle(self, handler, method: str) -> None:
        time.sleep(self.delay)
        if self.deny:
            handler.read_body()
            with self._lock:
                self.calls.append(fakes.STSCall("denied", {}, None))
            handler.reply(403, DENIED, [("Content-Type", "text/xml")])
            return
        super().handle(handler, method)


DENIED = (b'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
          b'<Code>AccessDenied</Code><Message>not now</Message></Error><RequestId>1</RequestId></ErrorResponse>')


@pytest.fixture
def sts(moto):
    proxy = SlowProxy(moto.endpoint)
    yield proxy
    proxy.close()


def role_env(run, moto, sts, cache: Path, **extra) -> dict:
    return run.env(AWS_ACCESS_KEY_ID=moto.alice["AccessKeyId"], AWS_SECRET_ACCESS_KEY=moto.alice["SecretAccessKey"],
                   AWS_ENDPOINT_URL_STS=sts.endpoint, AWS_REGION="us-east-1", EKS_AUTH_CACHE_DIR=str(cache), **extra)


def token_args(moto, *extra: str) -> list[str]:
    return ["token", "--cluster-name", CLUSTER, "--role-arn", moto.role_arn, *extra]


def the_entry(cache: Path) -> Path:
    entries = [cache / name for name in os.listdir(cache) if name.endswith(".json") and len(name) == 69]
    assert len(entries) == 1, entries
    return entries[0]


def put_in_window(cache: Path, seconds: int = 300) -> tuple[str, str]:
    """Rewrites the one entry's expiry to ``seconds`` from now (inside the 15-minute window, above the
    2-minute floor); its access key id and the new expiry as written."""
    path = the_entry(cache)
    entry = json.loads(path.read_text())
    expiry = (peers.utcnow() + datetime.timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")
    entry["expiration"] = expiry
    path.write_text(json.dumps(entry, sort_keys=True))
    return entry["accessKeyId"], expiry


def key_of(cache: Path) -> str:
    return json.loads(the_entry(cache).read_text())["accessKeyId"]


def signing_key(stdout: str) -> str:
    _, params = peers.decode_token(json.loads(stdout)["status"]["token"])
    return params["X-Amz-Credential"].split("/")[0]


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie nobody reaped yet counts as ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_for_exit(pids, timeout: float = 60.0) -> None:
    assert fakes.wait_until(lambda: not any(alive(pid) for pid in pids), timeout), \
        f"background processes still running: {[pid for pid in pids if alive(pid)]}"


def background_pids(stderr: str) -> list[int]:
    return [int(pid) for pid in PID.findall(stderr)]


def test_a_session_in_its_window_is_answered_at_once_and_renewed_in_the_background(run, moto, sts, tmp_path):
    cache = tmp_path / "cache"
    env = role_env(run, moto, sts, cache)
    rc, _, err = run(*token_args(moto), env=env)
    assert rc == 0, err
    assert sts.count("AssumeRole") == 1
    old_key, expiry = put_in_window(cache)

    rc, out, err = run(*token_args(moto, "--verbose"), env=env)
    assert rc == 0, err
    # The old session's token, expiring with the session (not 14 minutes from now).
    assert signing_key(out) == old_key
    assert json.loads(out)["status"]["expirationTimestamp"] == expiry
    left = re.search(r"cache: session expires in (\d+) s", err)
    assert left and 280 <= int(left.group(1)) <= 300, err
    assert "token: expiry capped by the session's" in err, err
    pids = background_pids(err)
    assert len(pids) == 1, err

    wait_for_exit(pids)
    assert key_of(cache) != old_key, "the background process did not renew the session"
    assert sts.count("AssumeRole") == 2, sts.counts
    # The next call is a plain hit on the renewed session: no further process, no call.
    rc, out, err = run(*token_args(moto, "--verbose"), env=env)
    assert rc == 0 and "background" not in err, err
    assert signing_key(out) == key_of(cache)
    assert sts.count("AssumeRole") == 2
    assert not [name for name in os.listdir(cache) if name.endswith(".lock") or name.startswith(".eks-auth-tmp-")]
    assert not (cache / "last-failure.json").exists()


def test_forty_parallel_calls_in_the_window_make_one_assume_role(run, moto, sts, tmp_path):
    cache = tmp_path / "cache"
    env = role_env(run, moto, sts, cache)
    rc, _, err = run(*token_args(moto), env=env)
    assert rc == 0, err
    old_key, _ = put_in_window(cache)
    sts.delay = 0.5  # the renewal is still going on while most of the forty run
    results = peers.run_concurrently([run.binary, *token_args(moto, "--verbose")], env, 40, str(run.home))
    assert all(rc == 0 for rc, _, _ in results), [err for rc, _, err in results if rc != 0][:3]
    assert all(signing_key(out) == old_key for _, out, _ in results)
    pids = [pid for _, _, err in results for pid in background_pids(err)]
    assert pids, "no background refresh was started"
    wait_for_exit(pids)
    assert key_of(cache) != old_key
    assert sts.count("AssumeRole") == 2, sts.counts  # the cold one, and one renewal


def test_the_floor_and_the_switches_renew_while_the_caller_waits(run, moto, sts, tmp_path):
    cache = tmp_path / "cache"
    env = role_env(run, moto, sts, cache)
    rc, _, err = run(*token_args(moto), env=env)
    assert rc == 0, err
    # Under the 2-minute floor: renewed synchronously.
    old_key, _ = put_in_window(cache, seconds=100)
    rc, out, err = run(*token_args(moto, "--verbose"), env=env)
    assert rc == 0 and "background" not in err, err
    assert signing_key(out) != old_key and sts.count("AssumeRole") == 2
    # EKS_AUTH_NO_BACKGROUND_REFRESH=1: synchronously, inside the window too.
    old_key, _ = put_in_window(cache)
    rc, out, err = run(*token_args(moto, "--verbose"), env={**env, "EKS_AUTH_NO_BACKGROUND_REFRESH": "1"})
    assert rc == 0 and "background" not in err, err
    assert signing_key(out) != old_key and sts.count("AssumeRole") == 3
    # Another command (whoami) renews while it waits too: only token and credential-process hand it off.
    old_key, _ = put_in_window(cache)
    rc, _, err = run("whoami", "--role-arn", moto.role_arn, "--verbose", env=env)
    assert rc == 0 and "background" not in err, err
    assert key_of(cache) != old_key and sts.count("AssumeRole") == 4


def test_credential_process_answers_at_once_and_renews_in_the_background(run, moto, sts, tmp_path):
    cache = tmp_path / "cache"
    env = role_env(run, moto, sts, cache)
    argv = ["credential-process", "--role-arn", moto.role_arn, "--verbose"]
    rc, _, err = run(*argv, env=env)
    assert rc == 0, err
    old_key, expiry = put_in_window(cache)
    rc, out, err = run(*argv, env=env)
    assert rc == 0, err
    printed = json.loads(out)
    assert printed["AccessKeyId"] == old_key and printed["Expiration"] == expiry
    pids = background_pids(err)
    assert len(pids) == 1, err
    wait_for_exit(pids)
    assert key_of(cache) != old_key and sts.count("AssumeRole") == 2


def test_the_background_process_is_detached_silent_and_outlives_its_parent(run, moto, sts, tmp_path):
    cache = tmp_path / "cache"
    env = role_env(run, moto, sts, cache)
    rc, _, err = run(*token_args(moto), env=env)
    assert rc == 0, err
    old_key, _ = put_in_window(cache)
    sts.delay = 3.0
    started = time.monotonic()
    parent = subprocess.Popen([run.binary, *token_args(moto, "--verbose")], env=env, cwd=str(run.home),
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    pipes = {os.readlink(f"/proc/self/fd/{stream.fileno()}") for stream in (parent.stdout, parent.stderr)}
    out, err = parent.communicate(timeout=30)  # EOF on both pipes: nobody else holds them
    took = time.monotonic() - started
    assert parent.returncode == 0, err
    assert took < sts.delay / 2, f"the caller waited {took:.2f} s for a {sts.delay} s STS"
    json.loads(out)  # one ExecCredential and nothing else
    assert out.count("\n") == 1
    (pid,) = background_pids(err)
    # The parent has exited; the child still runs (waiting on the slow STS), in its own session, on /dev/null.
    assert alive(pid), "the background process did not outlive its parent"
    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    assert int(stat[3]) == pid, "the background process is not a session leader"
    for fd in (0, 1, 2):
        assert os.readlink(f"/proc/{pid}/fd/{fd}") == "/dev/null"
    held = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            held.add(os.readlink(f"/proc/{pid}/fd/{fd}"))
        except OSError:
            pass
    assert not held & pipes, "the background process holds the caller's pipes"
    environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    assert b"EKS_AUTH_BACKGROUND_REFRESH=1" in environ
    assert not [var for var in environ if var.startswith(b"KUBERNETES_EXEC_INFO=")]
    wait_for_exit([pid])
    assert key_of(cache) != old_key and sts.count("AssumeRole") == 2


def test_kubectl_does_not_wait_for_the_background_refresh(run, eks_auth, home, tmp_path, moto, sts):
    cert, key = peers.make_self_signed_cert(str(tmp_path))
    cache = tmp_path / "cache"
    with peers.FakeAPIServer(cert, key, lambda token: peers.moto_issued_token_problems(token, CLUSTER)) as api:
        kubeconfig = write_kubeconfig(
            home, api.endpoint, cert, eks_auth, token_args(moto),
            {"AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL_STS": sts.endpoint, "EKS_AUTH_CACHE_DIR": str(cache)})
        env = run.env(AWS_ACCESS_KEY_ID=moto.alice["AccessKeyId"], AWS_SECRET_ACCESS_KEY=moto.alice["SecretAccessKey"])
        rc, _, err = kubectl(run, kubeconfig, env)
        assert rc == 0, err
        old_key, _ = put_in_window(cache)
        sts.delay = 4.0
        started = time.monotonic()
        rc, _, err = kubectl(run, kubeconfig, env)
        took = time.monotonic() - started
        assert rc == 0, f"kubectl failed: {err}\nrejected: {api.rejections}"
        assert took < sts.delay / 2, f"kubectl waited {took:.2f} s for a {sts.delay} s STS behind the refresh"
        assert fakes.wait_until(lambda: key_of(cache) != old_key, timeout=30)
        assert sts.count("AssumeRole") == 2
        assert not api.rejections


def test_a_failing_renewal_is_said_on_later_calls_paused_and_never_a_remembered_failure(run, moto, sts, tmp_path):
    # Under kubectl (KUBERNETES_EXEC_INFO set), a failure is remembered for the next calls; the background
    # process runs without it, so its failure never fails the caller. It is noted in the entry: the next
    # calls say so (the session still answers them) and start no new renewal for 60 s.
    cache = tmp_path / "cache"
    env = role_env(run, moto, sts, cache, KUBERNETES_EXEC_INFO=json.dumps(
        {"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential", "spec": {"interactive": False}}))
    rc, _, err = run(*token_args(moto), env=env)
    assert rc == 0, err
    old_key, _ = put_in_window(cache)
    sts.deny = True
    rc, out, err = run(*token_args(moto, "--verbose"), env=env)
    assert rc == 0 and signing_key(out) == old_key, err
    assert "warning" not in err, err
    pids = background_pids(err)
    assert len(pids) == 1, err
    wait_for_exit(pids)
    denied = len(sts.of("denied"))
    assert denied, "the background process made no call"
    assert not (cache / "last-failure.json").exists()
    assert key_of(cache) == old_key
    for _ in range(3):
        rc, out, err = run(*token_args(moto), env=env)
        assert rc == 0 and signing_key(out) == old_key, err
        warnings = [line for line in err.splitlines() if line.startswith("eks-auth: warning: renewing the cached")]
        assert len(warnings) == 1 and "in the background failed" in warnings[0] and "AccessDenied" in warnings[0], err
    time.sleep(1)
    assert len(sts.of("denied")) == denied, "no new renewal within 60 s of the failure"
    assert not (cache / "last-failure.json").exists()


def test_a_credential_process_that_is_eks_auth_prints_for_the_background_process(run, moto, sts, tmp_path):
    # `token --profile eks-dev`, whose credential_process is `eks-auth credential-process`: the background
    # process runs that command, which must print (the background marker is not passed on to it).
    from test_credential_process import write_config
    cache = tmp_path / "cache"
    env = run.env(**write_config(run, tmp_path, moto), AWS_ENDPOINT_URL_STS=sts.endpoint)
    argv = ["token", "--cluster-name", CLUSTER, "--profile", "eks-dev", "--verbose"]
    rc, _, err = run(*argv, env=env)
    assert rc == 0, err
    process_entries = [cache / name for name in os.listdir(cache)
                       if name.endswith(".json") and json.loads((cache / name).read_text()).get("kind") == "process"]
    assert len(process_entries) == 1, os.listdir(cache)
    entry = json.loads(process_entries[0].read_text())
    soon = (peers.utcnow() + datetime.timedelta(seconds=300)).strftime("%Y-%m-%dT%H:%M:%SZ")
    entry["expiration"] = soon
    process_entries[0].write_text(json.dumps(entry, sort_keys=True))
    rc, out, err = run(*argv, env=env)
    assert rc == 0, err
    assert json.loads(out)["status"]["expirationTimestamp"] == soon
    pids = background_pids(err)
    assert len(pids) == 1, err
    wait_for_exit(pids)
    renewed = json.loads(process_entries[0].read_text())
    assert renewed["expiration"] != soon, "the background process did not renew the credential_process entry"
    assert sts.count("AssumeRole") == 1  # the inner eks-auth answered from its own (fresh) cached role
