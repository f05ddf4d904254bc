"""Re-login from inside kubectl: when the IAM Identity Center token is expired, missing or refused and
a person can answer, eks-auth runs the device authorization flow against sso-oidc, writes the token
as the AWS CLI does, and goes on. Against ``credential_fakes.SSOFake`` (a loopback sso-oidc and
portal written from the SSO OIDC API reference), botocore as the peer that reads the token cache,
and kubectl 1.32 on a pseudo-terminal."""
from __future__ import annotations

import hashlib
import json
import os
import pty
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

import credential_fakes as fakes
import peers
from test_credential_sources import (  # noqa: F401 - box is a fixture
    CLUSTER, SSO_ACCESS_TOKEN, SSO_ACCOUNT, SSO_KEYS, SSO_ROLE, SSO_SESSION, SSO_START_URL, Sandbox,
    assert_no_leak, assert_signed_with, box, hint_lines, one_error, sso_cache_file, sso_config, sso_env,
    write_sso_token)
from test_kubectl import write_kubeconfig

INTERACTIVE = json.dumps({"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential",
                          "spec": {"interactive": True}})
NOT_INTERACTIVE = json.dumps({"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential",
                              "spec": {"interactive": False}})
FIGURES = Path("/tmp/eks-auth-sso-login.txt")


@pytest.fixture
def sso():
    with fakes.SSOFake(SSO_ACCOUNT, SSO_ROLE, [SSO_ACCESS_TOKEN], SSO_KEYS) as fake:
        yield fake


def login_env(box: Sandbox, sso: fakes.SSOFake, **extra) -> dict:
    return sso_env(box, sso, KUBERNETES_EXEC_INFO=INTERACTIVE, **extra)


def approve_when_asked(sso: fakes.SSOFake, delay: float = 0.3, deny: bool = False) -> threading.Thread:
    """A person: once a device code is handed out, waits ``delay`` s, then opens the link and approves
    (a GET of the verification link with ``approve=1``) or denies."""

    def person():
        deadline = time.monotonic() + 30
        while not sso.devices and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(delay)
        if deny:
            sso.deny()
            return
        for device in list(sso.devices.values()):
            urllib.request.urlopen(f"{sso.endpoint}/device?user_code={device['user_code']}&approve=1").read()

    thread = threading.Thread(target=person, daemon=True)
    thread.start()
    return thread


def registration_file(home: Path, form: str) -> Path:
    """Where the AWS CLI v2 caches the client registration (awscli SSOTokenFetcher._registration_cache_key)."""
    if form == "legacy":
        return home / ".aws" / "sso" / "cache" / "botocore-client-id-eu-west-1.json"
    args = {"tool": "botocore", "startUrl": SSO_START_URL, "region": "eu-west-1", "scopes": ["sso:account:access"],
            "session_name": SSO_SESSION}
    name = hashlib.sha1(json.dumps(args, sort_keys=True).encode("utf-8")).hexdigest()
    return home / ".aws" / "sso" / "cache" / f"{name}.json"


def device_calls(sso: fakes.SSOFake) -> tuple[int, int]:
    return len(sso.received("/client/register")), len(sso.received("/device_authorization"))


@pytest.mark.parametrize("form", ["session", "legacy"])
def test_an_expired_token_under_interactive_kubectl_logs_in_and_writes_the_aws_cli_cache(box, sso, form):
    key = sso_config(box, form)
    write_sso_token(box.home, key, SSO_ACCESS_TOKEN, -60)
    approve_when_asked(sso)
    rc, out, err = box.token("--profile", "sso", env=login_env(box, sso), timeout=60)
    assert rc == 0, err
    assert_signed_with(out, SSO_KEYS)
    assert f"{sso.endpoint}/device?user_code=ABCD-0001" in err, err
    assert "the code ABCD-0001" in err, err
    assert "logged in to IAM Identity Center" in err, err
    assert device_calls(sso) == (1, 1)
    register = sso.received("/client/register")[0].json()
    assert register["clientType"] == "public"
    assert register.get("scopes") == (["sso:account:access"] if form == "session" else None)

    document = json.loads(sso_cache_file(box.home, key).read_text())
    assert set(document) == {"startUrl", "region", "accessToken", "expiresAt", "clientId", "clientSecret",
                             "registrationExpiresAt", "refreshToken"}, document
    assert document["startUrl"] == SSO_START_URL and document["region"] == "eu-west-1"
    assert document["accessToken"].startswith("device-access-token-")
    assert document["clientId"] == "device-client-1"
    for field in ("expiresAt", "registrationExpiresAt"):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", document[field]), document[field]
    assert sso_cache_file(box.home, key).stat().st_mode & 0o777 == 0o600
    registration = json.loads(registration_file(box.home, form).read_text())
    assert registration["clientId"] == "device-client-1"
    assert registration_file(box.home, form).stat().st_mode & 0o777 == 0o600
    assert [call.headers.get("x-amz-sso_bearer_token") for call in sso.portal_calls] == [document["accessToken"]]
    assert_no_leak(out, err, document["accessToken"], document["clientSecret"], document["refreshToken"],
                   "device-code-1")

    # The peer sees the login: botocore (the AWS CLI's credential chain) gets the role's credentials
    # with the token eks-auth wrote, without a login of its own.
    env = sso_env(box, sso)
    code = ("import botocore.session; c = botocore.session.Session(profile='sso').get_credentials()"
            ".get_frozen_credentials(); print(c.access_key)")
    peer = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert peer.returncode == 0, peer.stderr
    assert peer.stdout.strip() == SSO_KEYS.access_key
    assert device_calls(sso) == (1, 1)
    assert sso.portal_calls[-1].headers.get("x-amz-sso_bearer_token") == document["accessToken"]


def test_a_missing_token_logs_in_and_a_cached_registration_is_reused(box, sso):
    key = sso_config(box, "session")
    registration = registration_file(box.home, "session")
    registration.parent.mkdir(parents=True, mode=0o700)
    registration.write_text(json.dumps({"clientId": "device-client-9", "clientSecret": "cached-secret-SSOEXAMPLE",
                                        "expiresAt": "2099-01-01T00:00:00Z", "scopes": ["sso:account:access"]}))
    sso.clients["device-client-9"] = "cached-secret-SSOEXAMPLE"
    approve_when_asked(sso)
    rc, out, err = box.token("--profile", "sso", env=login_env(box, sso), timeout=60)
    assert rc == 0, err
    assert device_calls(sso) == (0, 1), "the AWS CLI's cached registration is reused"
    assert json.loads(sso_cache_file(box.home, key).read_text())["clientId"] == "device-client-9"


@pytest.mark.parametrize("how", ["kubectl-not-interactive", "no-terminal", "opted-out"])
def test_without_a_person_the_remedy_is_unchanged_and_nothing_reaches_sso_oidc(box, sso, how):
    key = sso_config(box, "session")
    write_sso_token(box.home, key, SSO_ACCESS_TOKEN, -60)
    extra = {"kubectl-not-interactive": {"KUBERNETES_EXEC_INFO": NOT_INTERACTIVE}, "no-terminal": {},
             "opted-out": {"KUBERNETES_EXEC_INFO": INTERACTIVE, "EKS_AUTH_NO_SSO_LOGIN": "1"}}[how]
    rc, out, err = box.token("--profile", "sso", env=sso_env(box, sso, **extra))
    assert rc == 77, (rc, err)
    assert out == ""
    one_error(err)
    assert hint_lines(err) == ["eks-auth: hint: run 'aws sso login --profile sso' and try again"], err
    assert sso.requests == []


def test_a_denied_login_fails_with_its_reason_and_leaves_the_token_file(box, sso):
    key = sso_config(box, "session")
    path = write_sso_token(box.home, key, SSO_ACCESS_TOKEN, -60)
    before = path.read_bytes()
    approve_when_asked(sso, deny=True)
    rc, out, err = box.token("--profile", "sso", env=login_env(box, sso), timeout=60)
    assert rc == 77, (rc, err)
    assert out == ""
    assert "was denied in the browser" in one_error(err), err
    assert path.read_bytes() == before
    assert sso.portal_calls == []


def test_a_device_code_that_expires_unapproved_fails_without_polling_on(box, sso):
    sso_config(box, "session")
    sso.device_code_lifetime = 2
    started = time.monotonic()
    rc, out, err = box.token("--profile", "sso", env=login_env(box, sso), timeout=60)
    elapsed = time.monotonic() - started
    assert rc == 77, (rc, err)
    assert "was not approved before its code expired" in one_error(err), err
    assert len(sso.device_polls) <= 4, "polls stop once the code's lifetime is over"
    assert elapsed < 30


def test_slow_down_makes_the_polls_5_seconds_further_apart(box, sso):
    sso_config(box, "session")
    sso.slow_downs = 1
    approve_when_asked(sso, delay=1.5)
    rc, out, err = box.token("--profile", "sso", env=login_env(box, sso), timeout=60)
    assert rc == 0, err
    polls = sso.device_polls
    assert len(polls) >= 2
    gaps = [later.at - earlier.at for earlier, later in zip(polls, polls[1:])]
    assert gaps[0] >= 5.8, gaps  # 1 s interval + 5 s after slow_down
    assert all(gap >= 0.8 for gap in gaps), gaps


def test_the_portal_refusing_a_token_leads_to_a_login(box, sso):
    key = sso_config(box, "session")
    write_sso_token(box.home, key, "revoked-token-SSOEXAMPLE", 3600)
    approve_when_asked(sso)
    rc, out, err = box.token("--profile", "sso", env=login_env(box, sso), timeout=60)
    assert rc == 0, err
    assert_signed_with(out, SSO_KEYS)
    tokens = [call.headers.get("x-amz-sso_bearer_token") for call in sso.portal_calls]
    assert tokens[0] == "revoked-token-SSOEXAMPLE" and tokens[-1].startswith("device-access-token-"), tokens


def fake_browser(tmp_path: Path) -> tuple[Path, Path]:
    """An ``xdg-open`` that records its arguments and opens the link as a browser would (approving)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    record = tmp_path / "browser.log"
    script = bin_dir / "xdg-open"
    fds = tmp_path / "browser.fds"
    script.write_text(
        f"#!{sys.executable}\nimport os, sys, urllib.request\n"
        "listing = ' '.join(sorted(os.listdir('/proc/self/fd'), key=int))\n"
        f"open({str(fds)!r}, 'w').write(listing)\n"
        f"open({str(record)!r}, 'a').write(' '.join(sys.argv[1:]) + '\\n')\n"
        "urllib.request.urlopen(sys.argv[1] + '&approve=1').read()\n")
    script.chmod(0o755)
    return bin_dir, record


@pytest.mark.parametrize("desktop", ["display", "no-browser", "no-display"])
def test_the_browser_opens_only_on_a_desktop_and_never_when_told_not_to(box, sso, tmp_path, desktop):
    sso_config(box, "session")
    bin_dir, record = fake_browser(tmp_path)
    extra = {"PATH": f"{bin_dir}:/usr/local/bin:/usr/bin:/bin"}
    if desktop != "no-display":
        extra["DISPLAY"] = ":99"
    if desktop == "no-browser":
        extra["EKS_AUTH_NO_BROWSER"] = "1"
    if desktop != "display":
        approve_when_asked(sso)
    rc, out, err = box.token("--profile", "sso", env=login_env(box, sso, **extra), timeout=60)
    assert rc == 0, err
    if desktop == "display":
        assert record.read_text() == f"{sso.endpoint}/device?user_code=ABCD-0001\n"
        assert "opening the page in your browser" in err
        # Nothing of eks-auth's (sockets, pipes) lives on in the browser: 0-2 are /dev/null, 3 is the listing.
        assert (tmp_path / "browser.fds").read_text() == "0 1 2 3", (tmp_path / "browser.fds").read_text()
    else:
        assert not record.exists(), record.read_text()


def test_forty_parallel_plugins_open_one_login_and_all_use_it(box, sso, eks_auth):
    """kubectl, k9s or a script may start many plugins at once: one login, the others wait for it."""
    sso_config(box, "session")
    env = login_env(box, sso)
    approval_delay = 1.0
    approve_when_asked(sso, delay=approval_delay)
    started = time.monotonic()
    processes = [
        subprocess.Popen([eks_auth, "token", "--cluster-name", CLUSTER, "--profile", "sso"], env=env,
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(40)
    ]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        results.append((process.returncode, out, err, time.monotonic() - started))
    for rc, out, err, _ in results:
        assert rc == 0, err
        assert_signed_with(out, SSO_KEYS)
    assert device_calls(sso) == (1, 1), "one login for forty plugins"
    assert len(sso.portal_calls) == 1, "the role credentials are fetched once and cached"
    prompts = [err for _, _, err, _ in results if "ABCD-0001" in err]
    waiters = [err for _, _, err, _ in results if "waiting for the IAM Identity Center login" in err]
    assert len(prompts) == 1, "only the process that logs in shows the code"
    assert len(waiters) >= 1
    approved = min(request.at for request in sso.device_polls[-1:]) - started
    ends = sorted(elapsed for *_, elapsed in results)
    figures = (
        f"40 parallel eks-auth token calls, expired IAM Identity Center token, approval after "
        f"{approval_delay:.1f} s: 1 RegisterClient, 1 StartDeviceAuthorization, "
        f"{len(sso.device_polls)} CreateToken polls, {len(sso.portal_calls)} GetRoleCredentials; "
        f"approved token fetched at {approved:.2f} s; all 40 done at {ends[-1]:.2f} s "
        f"(median {statistics.median(ends):.2f} s, first {ends[0]:.2f} s); "
        f"{len(waiters)} waited for the other process's login\n")
    FIGURES.write_text(figures)
    print(figures)
    # Nobody finished before the one login did: they used it, not something else.
    assert ends[0] >= approved - 0.5, (ends[0], approved)


def test_kubectl_on_a_terminal_logs_in_and_gets_through(box, sso, eks_auth, tmp_path):
    """kubectl itself, its stdin a terminal and interactiveMode IfAvailable: the plugin logs in and
    kubectl's request is made with a token from the new session."""
    kubectl_binary = shutil.which("kubectl")
    assert kubectl_binary
    sso_config(box, "session")
    cert, key = peers.make_self_signed_cert(str(tmp_path))

    def check(token):
        return peers.token_problems(token, CLUSTER, SSO_KEYS.access_key, SSO_KEYS.secret_key, SSO_KEYS.session_token)

    with peers.FakeAPIServer(cert, key, check) as api:
        env = sso_env(box, sso)
        kubeconfig = write_kubeconfig(
            box.home, api.endpoint, cert, eks_auth, ["token", "--cluster-name", CLUSTER, "--profile", "sso"],
            {name: env[name] for name in ("AWS_CONFIG_FILE", "EKS_AUTH_CACHE_DIR", "AWS_ENDPOINT_URL_SSO",
                                          "AWS_ENDPOINT_URL_SSO_OIDC")})
        text = Path(kubeconfig).read_text().replace('"interactiveMode": "Never"', '"interactiveMode": "IfAvailable"')
        Path(kubeconfig).write_text(text)
        approve_when_asked(sso)
        controller, terminal = pty.openpty()
        try:
            process = subprocess.run(
                [kubectl_binary, "--kubeconfig", kubeconfig, "--request-timeout=30s", "get", "--raw",
                 "/api/v1/namespaces/default"],
                env=env, stdin=terminal, capture_output=True, text=True, timeout=90)
        finally:
            os.close(terminal)
            os.close(controller)
    assert process.returncode == 0, process.stderr
    assert json.loads(process.stdout)["metadata"]["name"] == "default"
    assert "ABCD-0001" in process.stderr
    assert api.tokens and not api.rejections
    assert device_calls(sso) == (1, 1)


def cp_config(box: Sandbox, eks_auth: str) -> None:
    """Profile ``sso`` (session form) and a profile ``cp`` whose credential_process is eks-auth's."""
    sso_config(box, "session")
    with open(box.config, "a") as config:
        config.write(f"\n[profile cp]\ncredential_process = {eks_auth} credential-process --profile sso\n")


def test_credential_process_without_a_controlling_terminal_never_starts_a_login(box, sso, eks_auth):
    """The AWS CLI captures a credential_process's stderr: with no terminal to show the code on, the
    remedy comes at once, even with stdin a terminal and kubectl's variable inherited."""
    cp_config(box, eks_auth)
    env = sso_env(box, sso, KUBERNETES_EXEC_INFO=INTERACTIVE)
    controller, terminal = pty.openpty()
    try:
        started = time.monotonic()
        process = subprocess.run([eks_auth, "credential-process", "--profile", "sso"], env=env, stdin=terminal,
                                 capture_output=True, text=True, timeout=60, start_new_session=True)
        elapsed = time.monotonic() - started
    finally:
        os.close(terminal)
        os.close(controller)
    assert process.returncode == 77, process.stderr
    assert "aws sso login --profile sso" in process.stderr
    assert sso.received("/device_authorization") == []
    assert elapsed < 20


def test_credential_process_under_the_aws_cli_shows_the_login_on_the_terminal(box, sso, eks_auth, tmp_path):
    """botocore (the AWS CLI) runs eks-auth as a credential_process with stderr captured; the login's link
    and code reach the person on the controlling terminal, and botocore gets the role's credentials."""
    cp_config(box, eks_auth)
    env = sso_env(box, sso)
    code = ("import botocore.session; c = botocore.session.Session(profile='cp').get_credentials()"
            ".get_frozen_credentials(); print(c.access_key)")
    out_file = tmp_path / "peer.out"
    approve_when_asked(sso, delay=0.5)
    pid, controller = pty.fork()
    if pid == 0:  # the child: a session whose controlling terminal is the pty, as in a terminal window
        try:
            with open(out_file, "w") as out:
                os.dup2(out.fileno(), 1)
            os.execve(sys.executable, [sys.executable, "-c", code], env)
        finally:
            os._exit(127)
    seen = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            chunk = os.read(controller, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    _, status = os.waitpid(pid, 0)
    os.close(controller)
    text = seen.decode(errors="replace")
    assert os.WEXITSTATUS(status) == 0, text
    assert "ABCD-0001" in text and f"{sso.endpoint}/device?user_code=ABCD-0001" in text, text
    assert out_file.read_text().strip() == SSO_KEYS.access_key
    assert device_calls(sso) == (1, 1)
