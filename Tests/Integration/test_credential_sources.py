"""The whole credential chain against real local peers: credential_process scripts, web identity
and assume-role chains against moto, IAM Identity Center (portal and OIDC fakes), container
credentials and IMDSv2 fakes (and moto's instance metadata), the chain's order and --verbose.

Contract assumed (spec of issue 4, /tmp/issue4/spec.md):
  eks-auth token --cluster-name C [--profile P] [--verbose]; eks-auth whoami [--profile P] [--verbose]
  chain: environment keys (not with --profile) → profile (role_arn, web identity (also from the
  environment), SSO, static keys, credential_process) → container endpoint → instance metadata.
  Endpoints: AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL_SSO, AWS_ENDPOINT_URL_SSO_OIDC,
  AWS_CONTAINER_CREDENTIALS_FULL_URI, AWS_EC2_METADATA_SERVICE_ENDPOINT.
  Exit codes: 0 ok, 65 bad config/output, 69 unavailable, 77 denied/expired, 78 no credentials.
Every run is isolated: HOME, config and credentials files and the cache live in tmp_path, no AWS_*
comes from outside, and instance metadata is disabled unless the test is about it.
"""
from __future__ import annotations

import datetime
import hashlib
import json
import subprocess
import os
import re
import shlex
import signal
import sys
import time
import urllib.parse
from pathlib import Path

import pytest

import credential_fakes as fakes
import peers
from credential_fakes import Credentials

CLUSTER = "dev.my-eks-cluster"
ACCOUNT = peers.ACCOUNT_ID

# Distinctive fake keys: never real, and easy to spot if one leaks.
ENV_KEYS = Credentials("AKIAENVEXAMPLE000001", "envSecretEXAMPLE/+/envSecret0000000000000")
PROFILE_KEYS = Credentials("AKIAPROFILEEXAMPLE01", "profileSecretEXAMPLE/+/profileSecret00000")
PROCESS_KEYS = Credentials("ASIAPROCESSEXAMPLE01", "processSecretEXAMPLE/+/processSecret00000",
                           "processSessionTokenEXAMPLE/+=processSession")
SSO_KEYS = Credentials("ASIASSOEXAMPLE000001", "ssoSecretEXAMPLE/+/ssoSecret000000000000",
                       "ssoSessionTokenEXAMPLE/+=ssoSession0000")
CONTAINER_KEYS = Credentials("ASIACONTAINEREXAMPL1", "containerSecretEXAMPLE/+/containerSecret0",
                             "containerSessionTokenEXAMPLE/+=container0")
IMDS_KEYS = Credentials("ASIAIMDSEXAMPLE00001", "imdsSecretEXAMPLE/+/imdsSecret00000000000",
                        "imdsSessionTokenEXAMPLE/+=imdsSession0000")
MOTO_IMDS_KEYS = Credentials("test-key", "test-secret-key", "test-session-token")  # moto's fixed answer
GARBAGE_SECRET = "garbageSecretEXAMPLE/+/garbageSecret0000"
WEB_IDENTITY_TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJXRUJJREVYQU1QTEUifQ.c2lnbmF0dXJlRVhBTVBMRQ"
CONTAINER_TOKEN = "containerAuthTokenEXAMPLE0001"
CONTAINER_FILE_TOKEN = "containerFileTokenEXAMPLE0002"

SSO_ACCOUNT = "111122223333"
SSO_ROLE = "DevAccess"
SSO_SESSION = "corp"
SSO_START_URL = "https://corp-example.awsapps.com/start"
SSO_ACCESS_TOKEN = "ssoAccessTokenEXAMPLE.aoaAAAAAGVFAKE"


# ---------------------------------------------------------------------------------------------
# Isolation and helpers
# ---------------------------------------------------------------------------------------------


class Sandbox:
    """One test's private world: HOME, ~/.aws files, cache directory, and an env built from scratch."""

    def __init__(self, run, home: Path, tmp_path: Path):
        self.run = run
        self.home = home
        self.tmp = tmp_path
        self.config = tmp_path / "aws" / "config"
        self.credentials = tmp_path / "aws" / "credentials"
        self.config.parent.mkdir()
        self.cache = tmp_path / "cache"

    def env(self, **extra) -> dict:
        """Isolated settings plus ``extra``; a ``None`` value removes a default."""
        settings = {
            "AWS_CONFIG_FILE": str(self.config),
            "AWS_SHARED_CREDENTIALS_FILE": str(self.credentials),
            "EKS_AUTH_CACHE_DIR": str(self.cache),
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_REGION": "us-east-1",
            "EKS_AUTH_HTTP_TIMEOUT": "5",
        }
        settings.update(extra)
        return self.run.env(**settings)

    def token(self, *args: str, env: dict, timeout: float = 30.0):
        return self.run("token", "--cluster-name", CLUSTER, *args, env=env, timeout=timeout)

    def write_config(self, text: str) -> None:
        self.config.write_text(text)

    def write_credentials(self, text: str) -> None:
        self.credentials.write_text(text)


@pytest.fixture
def box(run, home, tmp_path) -> Sandbox:
    return Sandbox(run, home, tmp_path)


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("eks-auth: error:")]


def hint_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("eks-auth: hint:")]


def one_error(stderr: str) -> str:
    errors = error_lines(stderr)
    assert len(errors) == 1, f"expected one error line: {stderr!r}"
    return errors[0]


def token_of(stdout: str) -> tuple[str, str, dict]:
    """``(token, url, params)`` of the ExecCredential on stdout (which must hold nothing else)."""
    document = json.loads(stdout)
    assert document["kind"] == "ExecCredential", stdout
    token = document["status"]["token"]
    url, params = peers.decode_token(token)
    return token, url, params


def signing_key(stdout: str) -> str:
    return token_of(stdout)[2]["X-Amz-Credential"].split("/")[0]


def assert_signed_with(stdout: str, creds: Credentials) -> dict:
    """The token on stdout verifies (botocore) with exactly these credentials; its params."""
    token, _, params = token_of(stdout)
    assert signing_key(stdout) == creds.access_key, f"signed with {signing_key(stdout)}, not {creds.access_key}"
    problems = peers.token_problems(token, CLUSTER, creds.access_key, creds.secret_key, creds.session_token)
    assert problems == [], problems
    return params


def assert_signed_by_moto_session(stdout: str) -> dict:
    """The token is signed with credentials moto's STS issued; those credentials."""
    token, _, params = token_of(stdout)
    key = signing_key(stdout)
    issued = peers.moto_assumed_credentials(key)
    assert issued is not None, f"moto never issued {key}"
    problems = peers.token_problems(token, CLUSTER, key, issued["SecretAccessKey"], issued["SessionToken"])
    assert problems == [], problems
    return issued


def assert_no_leak(stdout: str, stderr: str, *secrets: str) -> None:
    """No secret on stderr (raw or URL-quoted) nor literally on stdout (where only the token is)."""
    for secret in secrets:
        assert secret not in stderr, f"secret {secret[:8]}… on stderr: {stderr!r}"
        assert urllib.parse.quote(secret, safe="") not in stderr, f"secret {secret[:8]}… (quoted) on stderr"
        assert secret not in stdout, f"secret {secret[:8]}… on stdout"


def whoami_fields(stdout: str) -> dict:
    """``eks-auth whoami``'s ``Name: value`` lines as a dict."""
    fields = {}
    for line in stdout.splitlines():
        name, sep, value = line.partition(":")
        if sep:
            fields[name.strip()] = value.strip()
    return fields


def static_profile(name: str, creds: Credentials) -> str:
    return f"[{name}]\naws_access_key_id = {creds.access_key}\naws_secret_access_key = {creds.secret_key}\n"


# ---------------------------------------------------------------------------------------------
# 1. credential_process
# ---------------------------------------------------------------------------------------------

PROCESS_BODY = r'''
import datetime
import json
import os
import sys
import time

settings = json.loads(SETTINGS)
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "runs.log"), "a") as log:
    log.write(json.dumps(sys.argv[1:]) + "\n")
mode = sys.argv[1] if len(sys.argv) > 1 else "static"
keys = {"Version": 1, "AccessKeyId": settings["access_key"], "SecretAccessKey": settings["secret_key"],
        "SessionToken": settings["session_token"]}
if mode.startswith("expires-in="):
    moment = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=int(mode.split("=", 1)[1]))
    keys["Expiration"] = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
elif mode == "fail":
    print(json.dumps(keys))
    print("starting the helper", file=sys.stderr)
    print("credential helper: the vault is sealed", file=sys.stderr)
    sys.exit(3)
elif mode == "garbage":
    print("AccessKeyId=%s SecretAccessKey=%s" % (keys["AccessKeyId"], settings["garbage"]))
    sys.exit(0)
elif mode == "version2":
    keys["Version"] = 2
elif mode == "no-key":
    del keys["AccessKeyId"]
elif mode == "hang":
    with open(os.path.join(here, "pid"), "w") as handle:
        handle.write(str(os.getpid()))
    time.sleep(60)
print(json.dumps(keys))
'''


class ProcessScript:
    """An executable credential_process script in a directory whose path has a space; it logs each
    run's arguments (one JSON list a line) to runs.log next to itself."""

    def __init__(self, tmp_path: Path):
        self.directory = tmp_path / "my tools"
        self.directory.mkdir()
        self.path = self.directory / "cred process.py"
        settings = {"access_key": PROCESS_KEYS.access_key, "secret_key": PROCESS_KEYS.secret_key,
                    "session_token": PROCESS_KEYS.session_token, "garbage": GARBAGE_SECRET}
        self.path.write_text(f"#!{sys.executable}\nSETTINGS = {json.dumps(settings)!r}\n{PROCESS_BODY}")
        self.path.chmod(0o755)

    def command(self, *args: str) -> str:
        """A credential_process value running this script with ``args`` (quoted as a shell would)."""
        return " ".join([shlex.quote(str(self.path)), *(shlex.quote(arg) for arg in args)])

    @property
    def runs(self) -> list[list[str]]:
        log = self.directory / "runs.log"
        return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


@pytest.fixture
def script(tmp_path) -> ProcessScript:
    return ProcessScript(tmp_path)


def process_profile(box: Sandbox, command: str) -> None:
    box.write_config(f"[profile proc]\ncredential_process = {command}\n")


def test_credential_process_output_signs_the_token(box, script):
    process_profile(box, script.command("expires-in=3600"))
    rc, out, err = box.token("--profile", "proc", "--verbose", env=box.env())
    assert rc == 0, err
    assert_signed_with(out, PROCESS_KEYS)
    assert len(script.runs) == 1
    assert re.search(r"credentials: credential_process of profile 'proc'.*ASIAPROCESSEXAMPLE01", err), err
    assert_no_leak(out, err, PROCESS_KEYS.secret_key, PROCESS_KEYS.session_token)


def test_credential_process_is_split_like_a_posix_shell(box, script):
    tail = """static 'two words' "double \\"quoted\\"" back\\ slash '' "$HOME" *"""
    command = shlex.quote(str(script.path)) + " " + tail
    expected = ["static", "two words", 'double "quoted"', "back slash", "", "$HOME", "*"]
    assert shlex.split(command)[1:] == expected  # the test's own premise: Python's shlex (botocore)
    process_profile(box, command)
    rc, out, err = box.token(env=box.env(AWS_PROFILE="proc"))
    assert rc == 0, err
    assert_signed_with(out, PROCESS_KEYS)
    assert script.runs == [expected], "no shell may run: no expansion of $HOME or *"


def test_credential_process_with_expiration_is_cached_until_close_to_it(box, script):
    process_profile(box, script.command("expires-in=3600"))
    env = box.env(AWS_PROFILE="proc")
    for _ in range(2):
        rc, out, err = box.token(env=env)
        assert rc == 0, err
        assert_signed_with(out, PROCESS_KEYS)
    assert len(script.runs) == 1, "fresh credential_process output was not cached"
    for path in box.cache.rglob("*"):
        if path.is_file():
            assert PROCESS_KEYS.secret_key not in path.name
            assert path.stat().st_mode & 0o077 == 0, f"{path} is {oct(path.stat().st_mode)}"


def test_no_cache_runs_credential_process_and_writes_nothing(box, script):
    process_profile(box, script.command("expires-in=3600"))
    env = box.env(AWS_PROFILE="proc")
    rc, _, err = box.token(env=env)
    assert rc == 0, err
    entries = sorted(path.name for path in box.cache.glob("*.json"))
    for _ in range(2):
        rc, out, err = box.token("--no-cache", "--verbose", env=env)
        assert rc == 0, err
        assert_signed_with(out, PROCESS_KEYS)
        assert "cache: off (--no-cache)" in err
    assert len(script.runs) == 3, "--no-cache must run the command every time"
    assert sorted(path.name for path in box.cache.glob("*.json")) == entries, "--no-cache wrote to the cache"


def test_credential_process_expiring_within_15_minutes_runs_again(box, script):
    process_profile(box, script.command("expires-in=600"))
    # Renewed while the caller waits (the background refresh is tested in test_background_refresh.py).
    env = box.env(AWS_PROFILE="proc", EKS_AUTH_NO_BACKGROUND_REFRESH="1")
    for _ in range(2):
        rc, out, err = box.token(env=env)
        assert rc == 0, err
        assert_signed_with(out, PROCESS_KEYS)
    assert len(script.runs) == 2, "credentials 10 minutes from expiry were reused"


def test_credential_process_without_expiration_runs_every_time(box, script):
    process_profile(box, script.command("static"))
    env = box.env(AWS_PROFILE="proc")
    for _ in range(2):
        rc, out, err = box.token(env=env)
        assert rc == 0, err
        assert_signed_with(out, PROCESS_KEYS)
    assert len(script.runs) == 2


def test_credential_process_failure_shows_its_last_stderr_line(box, script):
    process_profile(box, script.command("fail"))
    rc, out, err = box.token(env=box.env(AWS_PROFILE="proc"))
    assert rc == 69, (rc, err)
    assert out == ""
    error = one_error(err)
    assert error.startswith("eks-auth: error: credential_process of profile 'proc'"), error
    assert "exited with status 3: credential helper: the vault is sealed" in error, error
    assert_no_leak(out, err, PROCESS_KEYS.secret_key, PROCESS_KEYS.session_token)


def test_credential_process_garbage_output_is_invalid_and_not_shown(box, script):
    process_profile(box, script.command("garbage"))
    rc, out, err = box.token(env=box.env(AWS_PROFILE="proc"))
    assert rc == 65, (rc, err)
    assert out == ""
    error = one_error(err)
    assert error.startswith("eks-auth: error: credential_process of profile 'proc' printed invalid output"), error
    assert_no_leak(out, err, GARBAGE_SECRET, "garbageSecret")


@pytest.mark.parametrize("mode", ["version2", "no-key"])
def test_credential_process_output_must_be_version_1_with_keys(box, script, mode):
    process_profile(box, script.command(mode))
    rc, out, err = box.token(env=box.env(AWS_PROFILE="proc"))
    assert rc == 65, (rc, err)
    assert out == ""
    assert "printed invalid output" in one_error(err)
    assert_no_leak(out, err, PROCESS_KEYS.secret_key, PROCESS_KEYS.session_token)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def test_hanging_credential_process_is_killed_after_the_timeout(box, script):
    process_profile(box, script.command("hang"))
    env = box.env(AWS_PROFILE="proc", EKS_AUTH_CREDENTIAL_PROCESS_TIMEOUT="1")
    pid_file = script.directory / "pid"
    started = time.monotonic()
    try:
        rc, out, err = box.token(env=env, timeout=20)
        elapsed = time.monotonic() - started
        assert rc == 69, (rc, err)
        assert elapsed < 5, f"took {elapsed:.1f}s with a 1 s timeout"
        assert out == ""
        assert "did not finish within 1 s" in one_error(err), err
        assert pid_file.exists(), "the script never started"
        pid = int(pid_file.read_text())
        assert fakes.wait_until(lambda: not _alive(pid), 2.0), "the timed-out credential_process still runs"
    finally:
        if pid_file.exists() and _alive(int(pid_file.read_text())):
            os.kill(int(pid_file.read_text()), signal.SIGKILL)


def test_credential_process_that_cannot_start_is_unavailable(box, tmp_path):
    missing = tmp_path / "no such dir" / "helper"
    process_profile(box, f"{shlex.quote(str(missing))} --json")
    rc, out, err = box.token(env=box.env(AWS_PROFILE="proc"))
    assert rc == 69, (rc, err)
    assert out == ""
    assert "credential_process of profile 'proc' could not be started" in one_error(err), err


# ---------------------------------------------------------------------------------------------
# 2. web identity (AssumeRoleWithWebIdentity against moto, request checking off)
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def sts(moto):
    """A recording proxy in front of moto, with moto's request checking off for the test."""
    with peers.moto_checking_off(), fakes.RecordingProxy(moto.endpoint) as proxy:
        yield proxy


@pytest.fixture
def web_token(tmp_path) -> Path:
    path = tmp_path / "web identity token"
    path.write_text(WEB_IDENTITY_TOKEN)
    return path


def web_identity_env(box: Sandbox, token: Path, role_arn: str, endpoint: str, **extra) -> dict:
    return box.env(AWS_WEB_IDENTITY_TOKEN_FILE=str(token), AWS_ROLE_ARN=role_arn,
                   AWS_ROLE_SESSION_NAME="wi-session", AWS_ENDPOINT_URL_STS=endpoint, **extra)


def test_web_identity_from_the_environment_assumes_the_role(box, moto, sts, web_token):
    env = web_identity_env(box, web_token, moto.role_arn, sts.endpoint)
    rc, out, err = box.run("whoami", "--verbose", env=env)
    assert rc == 0, err
    fields = whoami_fields(out)
    assert fields.get("Arn") == f"arn:aws:sts::{ACCOUNT}:assumed-role/{peers.ROLE_NAME}/wi-session", out
    assert fields.get("Account") == ACCOUNT
    calls = sts.of("AssumeRoleWithWebIdentity")
    assert len(calls) == 1, sts.counts
    assert calls[0].authorization is None, "AssumeRoleWithWebIdentity must be unsigned"
    assert calls[0].params.get("WebIdentityToken") == WEB_IDENTITY_TOKEN
    assert calls[0].params.get("RoleArn") == moto.role_arn
    assert calls[0].params.get("RoleSessionName") == "wi-session"
    identity_calls = sts.of("GetCallerIdentity")
    assert identity_calls and identity_calls[-1].signing_key.startswith("ASIA"), "whoami not signed as the role"
    issued = peers.moto_assumed_credentials(identity_calls[-1].signing_key)
    assert issued is not None and issued["SessionName"] == "wi-session"
    assert_no_leak(out, err, WEB_IDENTITY_TOKEN, issued["SecretAccessKey"], issued["SessionToken"])


def test_web_identity_from_profile_keys(box, moto, sts, web_token):
    box.write_config(
        f"[profile wi]\nweb_identity_token_file = {web_token}\nrole_arn = {moto.role_arn}\n"
        "role_session_name = wi-profile\n"
    )
    rc, out, err = box.run("whoami", "--profile", "wi", env=box.env(AWS_ENDPOINT_URL_STS=sts.endpoint))
    assert rc == 0, err
    assert whoami_fields(out).get("Arn") == f"arn:aws:sts::{ACCOUNT}:assumed-role/{peers.ROLE_NAME}/wi-profile", out
    calls = sts.of("AssumeRoleWithWebIdentity")
    assert len(calls) == 1 and calls[0].params.get("WebIdentityToken") == WEB_IDENTITY_TOKEN
    assert_no_leak(out, err, WEB_IDENTITY_TOKEN)


def test_web_identity_session_is_cached(box, moto, sts, web_token):
    env = web_identity_env(box, web_token, moto.role_arn, sts.endpoint)
    keys = []
    for _ in range(2):
        rc, out, err = box.token(env=env)
        assert rc == 0, err
        issued = assert_signed_by_moto_session(out)
        assert issued["SessionName"] == "wi-session"
        keys.append(issued["AccessKeyId"])
        assert_no_leak(out, err, WEB_IDENTITY_TOKEN, issued["SecretAccessKey"])
    assert sts.count("AssumeRoleWithWebIdentity") == 1, sts.counts
    assert keys[0] == keys[1]


def test_missing_web_identity_token_file_is_named(box, moto, sts, tmp_path):
    missing = tmp_path / "nowhere" / "token"
    rc, out, err = box.token(env=web_identity_env(box, missing, moto.role_arn, sts.endpoint))
    assert rc == 65, (rc, err)
    assert out == ""
    assert str(missing) in one_error(err), err
    assert sts.counts == {}, "no STS call without a token"


# ---------------------------------------------------------------------------------------------
# 3. IAM Identity Center
# ---------------------------------------------------------------------------------------------


def sso_cache_file(home: Path, key: str) -> Path:
    return home / ".aws" / "sso" / "cache" / (hashlib.sha1(key.encode("utf-8")).hexdigest() + ".json")


def write_sso_token(home: Path, key: str, access_token: str, expires_in: float, refresh: bool = False) -> Path:
    """The token file `aws sso login` leaves behind, expiring ``expires_in`` seconds from now."""
    path = sso_cache_file(home, key)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    now = peers.utcnow().replace(microsecond=0)
    document = {"startUrl": SSO_START_URL, "region": "eu-west-1", "accessToken": access_token,
                "expiresAt": fakes.iso8601(now + datetime.timedelta(seconds=expires_in))}
    if refresh:
        document.update({"clientId": "client-id-1", "clientSecret": "client-secret-SSOEXAMPLE",
                         "registrationExpiresAt": fakes.iso8601(now + datetime.timedelta(days=60)),
                         "refreshToken": "refresh-token-SSOEXAMPLE"})
    path.write_text(json.dumps(document))
    path.chmod(0o600)
    return path


def sso_config(box: Sandbox, form: str) -> str:
    """Writes an SSO profile named ``sso`` in ``form`` ("session" or "legacy"); the token file key."""
    if form == "session":
        box.write_config(
            f"[profile sso]\nsso_session = {SSO_SESSION}\nsso_account_id = {SSO_ACCOUNT}\n"
            f"sso_role_name = {SSO_ROLE}\nregion = us-east-1\n\n"
            f"[sso-session {SSO_SESSION}]\nsso_start_url = {SSO_START_URL}\nsso_region = eu-west-1\n"
            "sso_registration_scopes = sso:account:access\n"
        )
        return SSO_SESSION
    box.write_config(
        f"[profile sso]\nsso_start_url = {SSO_START_URL}\nsso_region = eu-west-1\n"
        f"sso_account_id = {SSO_ACCOUNT}\nsso_role_name = {SSO_ROLE}\nregion = us-east-1\n"
    )
    return SSO_START_URL


@pytest.fixture
def sso():
    with fakes.SSOFake(SSO_ACCOUNT, SSO_ROLE, [SSO_ACCESS_TOKEN], SSO_KEYS) as fake:
        yield fake


def sso_env(box: Sandbox, sso: fakes.SSOFake, **extra) -> dict:
    return box.env(AWS_ENDPOINT_URL_SSO=sso.endpoint, AWS_ENDPOINT_URL_SSO_OIDC=sso.endpoint, **extra)


@pytest.mark.parametrize("form", ["session", "legacy"])
def test_sso_profile_gets_role_credentials_from_the_portal(box, sso, form):
    key = sso_config(box, form)
    write_sso_token(box.home, key, SSO_ACCESS_TOKEN, 3600)
    rc, out, err = box.token("--profile", "sso", "--verbose", env=sso_env(box, sso))
    assert rc == 0, err
    assert_signed_with(out, SSO_KEYS)
    calls = sso.portal_calls
    assert len(calls) == 1, sso.requests
    assert calls[0].method == "GET"
    assert calls[0].headers.get("x-amz-sso_bearer_token") == SSO_ACCESS_TOKEN
    assert calls[0].query == {"role_name": SSO_ROLE, "account_id": SSO_ACCOUNT}
    assert sso.token_calls == [], "a fresh token needs no refresh"
    assert_no_leak(out, err, SSO_ACCESS_TOKEN, SSO_KEYS.secret_key, SSO_KEYS.session_token)


@pytest.mark.parametrize("form, refresh", [("session", False), ("legacy", True)],
                         ids=["session-without-refresh-token", "legacy-never-refreshes"])
def test_expired_sso_token_asks_for_sso_login(box, sso, form, refresh):
    key = sso_config(box, form)
    write_sso_token(box.home, key, SSO_ACCESS_TOKEN, -60, refresh=refresh)
    rc, out, err = box.token("--profile", "sso", env=sso_env(box, sso))
    assert rc == 77, (rc, err)
    assert out == ""
    one_error(err)
    assert any("aws sso login --profile sso" in line for line in hint_lines(err)), err
    assert sso.requests == [], "an expired token must not reach the portal or be refreshed (legacy form)"
    assert_no_leak(out, err, SSO_ACCESS_TOKEN)


def test_missing_sso_token_asks_for_sso_login(box, sso):
    sso_config(box, "session")
    rc, out, err = box.token("--profile", "sso", env=sso_env(box, sso))
    assert rc == 77, (rc, err)
    assert any("aws sso login --profile sso" in line for line in hint_lines(err)), err


@pytest.mark.parametrize("expires_in", [-3600, 300], ids=["expired", "within-15-minutes"])
def test_sso_token_is_refreshed_and_written_back(box, sso, expires_in):
    key = sso_config(box, "session")
    path = write_sso_token(box.home, key, SSO_ACCESS_TOKEN, expires_in, refresh=True)
    rc, out, err = box.token("--profile", "sso", env=sso_env(box, sso))
    assert rc == 0, err
    assert_signed_with(out, SSO_KEYS)
    assert len(sso.token_calls) == 1, sso.requests
    grant = sso.token_calls[0].json()
    assert grant == {"grantType": "refresh_token", "clientId": "client-id-1",
                     "clientSecret": "client-secret-SSOEXAMPLE", "refreshToken": "refresh-token-SSOEXAMPLE"}
    assert [call.headers.get("x-amz-sso_bearer_token") for call in sso.portal_calls] == [sso.new_access_token]
    document = json.loads(path.read_text())
    assert document["accessToken"] == sso.new_access_token
    expires = datetime.datetime.strptime(document["expiresAt"][:19], "%Y-%m-%dT%H:%M:%S")
    assert expires > peers.utcnow() + datetime.timedelta(hours=7), document["expiresAt"]
    assert document.get("refreshToken") == sso.new_refresh_token
    assert document.get("clientSecret") == "client-secret-SSOEXAMPLE"
    assert path.stat().st_mode & 0o777 == 0o600, oct(path.stat().st_mode)
    assert_no_leak(out, err, SSO_ACCESS_TOKEN, sso.new_access_token, "refresh-token-SSOEXAMPLE",
                   "client-secret-SSOEXAMPLE")


def test_concurrent_plugins_refresh_the_sso_token_once(box, sso, eks_auth):
    """kubectl (or k9s) may start several plugins at once; refresh tokens rotate, so a second refresh
    with the old one fails. One process refreshes, the others wait and use the new token."""
    key = sso_config(box, "session")
    write_sso_token(box.home, key, SSO_ACCESS_TOKEN, -60, refresh=True)
    env = sso_env(box, sso)
    processes = [
        subprocess.Popen([eks_auth, "token", "--cluster-name", CLUSTER, "--profile", "sso"], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(8)
    ]
    results = [(*process.communicate(timeout=60), process.returncode) for process in processes]
    for out, err, rc in results:
        assert rc == 0, err
        assert_signed_with(out, SSO_KEYS)
    assert len(sso.token_calls) == 1, [call.route for call in sso.requests]
    assert len(sso.portal_calls) == 1, "the role credentials are fetched once and cached"


def test_sso_portal_401_asks_for_sso_login(box):
    key = sso_config(box, "session")
    write_sso_token(box.home, key, SSO_ACCESS_TOKEN, 3600)
    with fakes.SSOFake(SSO_ACCOUNT, SSO_ROLE, ["some-other-token"], SSO_KEYS) as portal:
        rc, out, err = box.token("--profile", "sso", env=sso_env(box, portal))
        assert len(portal.portal_calls) == 1
    assert rc == 77, (rc, err)
    assert out == ""
    assert any("aws sso login --profile sso" in line for line in hint_lines(err)), err
    assert_no_leak(out, err, SSO_ACCESS_TOKEN)


def test_sso_role_credentials_are_cached(box, sso):
    key = sso_config(box, "session")
    write_sso_token(box.home, key, SSO_ACCESS_TOKEN, 3600)
    env = sso_env(box, sso)
    for _ in range(2):
        rc, out, err = box.token("--profile", "sso", env=env)
        assert rc == 0, err
        assert_signed_with(out, SSO_KEYS)
    assert len(sso.portal_calls) == 1, "the portal was called again for fresh role credentials"


def test_a_new_sso_login_is_a_new_cache_entry(box, sso):
    key = sso_config(box, "session")
    write_sso_token(box.home, key, SSO_ACCESS_TOKEN, 3600)
    env = sso_env(box, sso)
    rc, out, err = box.token("--profile", "sso", env=env)
    assert rc == 0, err
    sso.access_tokens.append("second-login-token-EXAMPLE")
    write_sso_token(box.home, key, "second-login-token-EXAMPLE", 3600)
    rc, out, err = box.token("--profile", "sso", env=env)
    assert rc == 0, err
    assert_signed_with(out, SSO_KEYS)
    tokens = [call.headers.get("x-amz-sso_bearer_token") for call in sso.portal_calls]
    assert tokens == [SSO_ACCESS_TOKEN, "second-login-token-EXAMPLE"], "role credentials of the old login were reused"
    assert_no_leak(out, err, SSO_ACCESS_TOKEN, "second-login-token-EXAMPLE")


# ---------------------------------------------------------------------------------------------
# 4. container credentials
# ---------------------------------------------------------------------------------------------


def test_container_endpoint_with_an_authorization_token(box):
    with fakes.ContainerFake(CONTAINER_KEYS, authorization=CONTAINER_TOKEN) as agent:
        env = box.env(AWS_CONTAINER_CREDENTIALS_FULL_URI=agent.url, AWS_CONTAINER_AUTHORIZATION_TOKEN=CONTAINER_TOKEN)
        for _ in range(2):
            rc, out, err = box.token("--verbose", env=env)
            assert rc == 0, err
            assert_signed_with(out, CONTAINER_KEYS)
            assert_no_leak(out, err, CONTAINER_TOKEN, CONTAINER_KEYS.secret_key, CONTAINER_KEYS.session_token)
    assert len(agent.requests) == 2, "container credentials are not cached: one request per run"
    for request in agent.requests:
        assert (request.method, request.route) == ("GET", "/v1/credentials")
        assert "application/json" in request.headers.get("accept", "")
    assert_no_leak(out, err, CONTAINER_TOKEN, CONTAINER_KEYS.secret_key, CONTAINER_KEYS.session_token)


def test_the_container_endpoint_never_goes_through_a_proxy(box):
    # As botocore: its container fetcher makes a session without proxies. The proxy here refuses
    # every connection; the AWS CLI finds these credentials in the same environment.
    dead = peers.free_port()
    with fakes.ContainerFake(CONTAINER_KEYS, authorization=CONTAINER_TOKEN) as agent:
        env = box.env(AWS_CONTAINER_CREDENTIALS_FULL_URI=agent.url, AWS_CONTAINER_AUTHORIZATION_TOKEN=CONTAINER_TOKEN,
                      HTTP_PROXY=f"http://127.0.0.1:{dead}", HTTPS_PROXY=f"http://127.0.0.1:{dead}",
                      http_proxy=f"http://127.0.0.1:{dead}")
        rc, out, err = box.token(env=env)
        assert rc == 0, err
        assert_signed_with(out, CONTAINER_KEYS)
    assert len(agent.requests) == 1


def test_container_authorization_token_file_wins_over_the_variable(box, tmp_path):
    token_file = tmp_path / "pod identity token"
    token_file.write_text(CONTAINER_FILE_TOKEN)
    with fakes.ContainerFake(CONTAINER_KEYS, authorization=CONTAINER_FILE_TOKEN) as agent:
        env = box.env(AWS_CONTAINER_CREDENTIALS_FULL_URI=agent.url, AWS_CONTAINER_AUTHORIZATION_TOKEN=CONTAINER_TOKEN,
                      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=str(token_file))
        rc, out, err = box.token(env=env)
    assert rc == 0, err
    assert_signed_with(out, CONTAINER_KEYS)
    assert [r.headers.get("authorization") for r in agent.requests] == [CONTAINER_FILE_TOKEN]
    assert_no_leak(out, err, CONTAINER_TOKEN, CONTAINER_FILE_TOKEN)


@pytest.mark.parametrize("uri", ["http://example.com/v1/credentials", "http://10.0.0.1:8080/creds"])
def test_container_full_uri_to_a_foreign_http_host_is_refused(box, uri):
    started = time.monotonic()
    rc, out, err = box.token(env=box.env(AWS_CONTAINER_CREDENTIALS_FULL_URI=uri), timeout=20)
    assert rc == 65, (rc, err)
    assert time.monotonic() - started < 3, "a refused URI must not be fetched"
    assert out == ""
    assert urllib.parse.urlsplit(uri).hostname in one_error(err), err


def test_container_authorization_token_with_a_newline_is_refused(box):
    with fakes.ContainerFake(CONTAINER_KEYS) as agent:
        env = box.env(AWS_CONTAINER_CREDENTIALS_FULL_URI=agent.url,
                      AWS_CONTAINER_AUTHORIZATION_TOKEN="abc\r\nX-Injected: 1")
        rc, out, err = box.token(env=env)
    assert rc == 65, (rc, err)
    assert out == ""
    assert agent.requests == [], "a token with CR/LF must never be sent"
    assert "authorization token" in one_error(err), err


def test_container_endpoint_errors_are_retried_then_unavailable(box):
    with fakes.ContainerFake(CONTAINER_KEYS, fail_status=500) as agent:
        started = time.monotonic()
        rc, out, err = box.token(env=box.env(AWS_CONTAINER_CREDENTIALS_FULL_URI=agent.url), timeout=30)
        elapsed = time.monotonic() - started
    assert rc == 69, (rc, err)
    assert out == ""
    assert len(agent.requests) == 3, f"{len(agent.requests)} attempts"
    assert elapsed < 10, f"took {elapsed:.1f}s"
    one_error(err)


# ---------------------------------------------------------------------------------------------
# 5. instance metadata (IMDSv2)
# ---------------------------------------------------------------------------------------------


def imds_env(box: Sandbox, endpoint: str, **extra) -> dict:
    """Instance metadata enabled (unless ``extra`` says otherwise) and served from ``endpoint``."""
    return box.env(**{"AWS_EC2_METADATA_DISABLED": None, "AWS_EC2_METADATA_SERVICE_ENDPOINT": endpoint, **extra})


def test_moto_instance_metadata_credentials_sign_the_token(box, moto):
    rc, out, err = box.token(env=imds_env(box, moto.endpoint))
    assert rc == 0, err
    assert_signed_with(out, MOTO_IMDS_KEYS)


def test_imdsv2_token_is_fetched_and_sent_every_time(box):
    with fakes.IMDSFake(IMDS_KEYS) as imds:
        env = imds_env(box, imds.endpoint)
        for _ in range(2):
            rc, out, err = box.token(env=env)
            assert rc == 0, err
            assert_signed_with(out, IMDS_KEYS)
            assert_no_leak(out, err, IMDS_KEYS.secret_key, IMDS_KEYS.session_token, fakes.IMDSFake.TOKEN)
        puts = imds.token_puts
        gets = imds.gets
    assert len(puts) == 2, "instance metadata credentials are not cached: one token per run"
    assert all(p.headers.get("x-aws-ec2-metadata-token-ttl-seconds") == "21600" for p in puts)
    assert gets, "no metadata read"
    assert all(g.headers.get("x-aws-ec2-metadata-token") == fakes.IMDSFake.TOKEN for g in gets)
    routes = {g.route for g in gets}
    assert "/latest/meta-data/iam/security-credentials/" in routes
    assert "/latest/meta-data/iam/security-credentials/imds-test-role" in routes


def test_imds_disabled_is_not_asked(box):
    with fakes.IMDSFake(IMDS_KEYS) as imds:
        env = imds_env(box, imds.endpoint, AWS_EC2_METADATA_DISABLED="true")
        rc, out, err = box.token(env=env)
        requests = list(imds.requests)
    assert rc == 78, (rc, err)
    assert out == ""
    assert requests == []
    assert one_error(err).startswith("eks-auth: error: no AWS credentials found (tried "), err


def test_hanging_imds_gives_no_credentials_quickly(box):
    with fakes.HungServer() as imds:
        started = time.monotonic()
        rc, out, err = box.token(env=imds_env(box, imds.endpoint), timeout=20)
        elapsed = time.monotonic() - started
        accepted = imds.accepted
    assert rc == 78, (rc, err)
    assert elapsed < 3, f"took {elapsed:.1f}s"
    assert accepted >= 1, "instance metadata was never asked"
    error = one_error(err)
    assert error.startswith("eks-auth: error: no AWS credentials found (tried "), error
    assert "instance metadata" in error and imds.endpoint in error, error


def test_imds_timeout_and_attempts_are_honoured(box):
    with fakes.HungServer() as imds:
        env = imds_env(box, imds.endpoint, AWS_METADATA_SERVICE_TIMEOUT="1", AWS_METADATA_SERVICE_NUM_ATTEMPTS="2")
        started = time.monotonic()
        rc, out, err = box.token(env=env, timeout=20)
        elapsed = time.monotonic() - started
        accepted = imds.accepted
    assert rc == 78, (rc, err)
    assert 1.8 <= elapsed < 5, f"took {elapsed:.1f}s for 2 attempts of 1 s"
    assert accepted == 2, f"{accepted} connections for 2 attempts"


def test_imds_endpoint_from_the_config_file(box):
    with fakes.IMDSFake(IMDS_KEYS) as imds:
        box.write_config(f"[default]\nec2_metadata_service_endpoint = {imds.endpoint}\n")
        rc, out, err = box.token(env=box.env(AWS_EC2_METADATA_DISABLED=None))
        puts = imds.token_puts
    assert rc == 0, err
    assert_signed_with(out, IMDS_KEYS)
    assert len(puts) == 1


def test_imds_token_put_that_hangs_gives_no_credentials_quickly(box):
    with fakes.IMDSFake(IMDS_KEYS, token_put="hang", allow_v1=True) as imds:
        started = time.monotonic()
        rc, out, err = box.token(env=imds_env(box, imds.endpoint), timeout=20)
        elapsed = time.monotonic() - started
        gets = imds.gets
    assert rc == 78, (rc, err)
    assert elapsed < 3, f"took {elapsed:.1f}s"
    assert gets == [], "IMDSv1 must not be used by default"


@pytest.mark.parametrize("status", [403, 404, 405])
def test_refused_imds_token_passes_the_source_over_without_v1(box, status):
    with fakes.IMDSFake(IMDS_KEYS, token_put=status, allow_v1=True) as imds:
        rc, out, err = box.token(env=imds_env(box, imds.endpoint))
        gets = imds.gets
    assert rc == 78, (rc, err)
    assert gets == [], "IMDSv1 must not be used by default"
    assert "instance metadata" in one_error(err)


def test_imds_v1_fallback_when_allowed(box):
    with fakes.IMDSFake(IMDS_KEYS, token_put=403, allow_v1=True) as imds:
        rc, out, err = box.token(env=imds_env(box, imds.endpoint, AWS_EC2_METADATA_V1_DISABLED="false"))
        gets = imds.gets
    assert rc == 0, err
    assert_signed_with(out, IMDS_KEYS)
    assert gets and all("x-aws-ec2-metadata-token" not in g.headers for g in gets)


def test_region_comes_from_imds_when_none_is_configured(box, moto):
    with fakes.IMDSFake(IMDS_KEYS, region="eu-north-1") as imds:
        env = imds_env(box, imds.endpoint, AWS_REGION=None)
        rc, out, err = box.token(env=env)
        assert rc == 0, err
        params = assert_signed_with(out, IMDS_KEYS)
        _, url, _ = token_of(out)
        assert urllib.parse.urlsplit(url).netloc == "sts.eu-north-1.amazonaws.com", url
        assert params["X-Amz-Credential"].split("/")[2] == "eu-north-1"
        assert "/latest/meta-data/placement/region" in {g.route for g in imds.gets}

        with peers.moto_checking_off():
            rc, out, err = box.run("whoami", env=dict(env, AWS_ENDPOINT_URL_STS=moto.endpoint))
    assert rc == 0, err
    fields = whoami_fields(out)
    assert fields.get("Region", "").startswith("eu-north-1 (from "), out
    assert "instance metadata" in fields.get("Source", ""), out
    assert_no_leak(out, err, IMDS_KEYS.secret_key, IMDS_KEYS.session_token)


def test_configured_region_beats_imds_region(box):
    with fakes.IMDSFake(IMDS_KEYS, region="eu-north-1") as imds:
        rc, out, err = box.token(env=imds_env(box, imds.endpoint, AWS_REGION="ap-south-1"))
    assert rc == 0, err
    params = assert_signed_with(out, IMDS_KEYS)
    assert params["X-Amz-Credential"].split("/")[2] == "ap-south-1"


# ---------------------------------------------------------------------------------------------
# 6. precedence
# ---------------------------------------------------------------------------------------------


def env_keys(**extra) -> dict:
    return {"AWS_ACCESS_KEY_ID": ENV_KEYS.access_key, "AWS_SECRET_ACCESS_KEY": ENV_KEYS.secret_key, **extra}


def test_environment_keys_beat_the_profile(box):
    box.write_credentials(static_profile("default", PROFILE_KEYS))
    rc, out, err = box.token(env=box.env(**env_keys()))
    assert rc == 0, err
    assert_signed_with(out, ENV_KEYS)
    assert_no_leak(out, err, ENV_KEYS.secret_key, PROFILE_KEYS.secret_key)


def test_profile_flag_ignores_environment_keys_but_aws_profile_does_not(box):
    box.write_credentials(static_profile("dev", PROFILE_KEYS))
    rc, out, err = box.token("--profile", "dev", env=box.env(**env_keys()))
    assert rc == 0, err
    assert_signed_with(out, PROFILE_KEYS)
    rc, out, err = box.token(env=box.env(**env_keys(AWS_PROFILE="dev")))
    assert rc == 0, err
    assert_signed_with(out, ENV_KEYS)  # botocore: AWS_PROFILE does not take env keys out of the chain
    assert_no_leak(out, err, ENV_KEYS.secret_key, PROFILE_KEYS.secret_key)


def test_profile_static_keys_beat_the_container(box):
    box.write_credentials(static_profile("default", PROFILE_KEYS))
    with fakes.ContainerFake(CONTAINER_KEYS) as agent:
        rc, out, err = box.token(env=box.env(AWS_CONTAINER_CREDENTIALS_FULL_URI=agent.url))
        requests = list(agent.requests)
    assert rc == 0, err
    assert_signed_with(out, PROFILE_KEYS)
    assert requests == []


def test_container_beats_instance_metadata(box):
    with fakes.ContainerFake(CONTAINER_KEYS) as agent, fakes.IMDSFake(IMDS_KEYS) as imds:
        rc, out, err = box.token(env=imds_env(box, imds.endpoint, AWS_CONTAINER_CREDENTIALS_FULL_URI=agent.url))
        imds_requests = list(imds.requests)
    assert rc == 0, err
    assert_signed_with(out, CONTAINER_KEYS)
    assert imds_requests == []


def test_environment_web_identity_beats_profile_static_keys(box, moto, sts, web_token):
    box.write_credentials(static_profile("default", PROFILE_KEYS))
    rc, out, err = box.token(env=web_identity_env(box, web_token, moto.role_arn, sts.endpoint))
    assert rc == 0, err
    issued = assert_signed_by_moto_session(out)
    assert issued["SessionName"] == "wi-session"
    assert sts.count("AssumeRoleWithWebIdentity") == 1


def test_three_hop_role_chain(box, moto, sts):
    box.write_config(
        f"[profile hop-a]\nrole_arn = {moto.role_arn}\nsource_profile = hop-b\nrole_session_name = hop-a\n\n"
        f"[profile hop-b]\nrole_arn = {moto.role_arn}\nsource_profile = hop-c\nrole_session_name = hop-b\n"
    )
    alice = moto.alice
    box.write_credentials(
        f"[hop-c]\naws_access_key_id = {alice['AccessKeyId']}\naws_secret_access_key = {alice['SecretAccessKey']}\n"
    )
    rc, out, err = box.token("--profile", "hop-a", env=box.env(AWS_ENDPOINT_URL_STS=sts.endpoint, **env_keys()))
    assert rc == 0, err
    issued = assert_signed_by_moto_session(out)
    assert issued["SessionName"] == "hop-a"
    calls = sts.of("AssumeRole")
    assert [call.params.get("RoleSessionName") for call in calls] == ["hop-b", "hop-a"], sts.calls
    assert calls[0].signing_key == alice["AccessKeyId"], "hop-b must be assumed with hop-c's static keys"
    middle = peers.moto_assumed_credentials(calls[1].signing_key or "")
    assert middle is not None and middle["SessionName"] == "hop-b", "hop-a must be assumed with hop-b's session"
    assert_no_leak(out, err, alice["SecretAccessKey"], issued["SecretAccessKey"], issued["SessionToken"],
                   middle["SecretAccessKey"], ENV_KEYS.secret_key)


def test_source_profile_cycle_is_refused_and_named(box):
    box.write_config(
        "[profile loop-x]\nrole_arn = arn:aws:iam::123456789012:role/x\nsource_profile = loop-y\n\n"
        "[profile loop-y]\nrole_arn = arn:aws:iam::123456789012:role/y\nsource_profile = loop-x\n"
    )
    with fakes.HungServer() as sts:
        rc, out, err = box.token("--profile", "loop-x", env=box.env(AWS_ENDPOINT_URL_STS=sts.endpoint), timeout=20)
        accepted = sts.accepted
    assert rc == 65, (rc, err)
    assert out == ""
    error = one_error(err)
    assert "'loop-x'" in error and "'loop-y'" in error, error
    assert accepted == 0


# ---------------------------------------------------------------------------------------------
# 7. --verbose
# ---------------------------------------------------------------------------------------------


def verbose_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "credentials: " in line]


def test_verbose_names_each_source_passed_over_and_the_winner(box):
    box.write_config("[profile other]\nregion = eu-west-1\n")
    with fakes.ContainerFake(CONTAINER_KEYS) as agent, fakes.IMDSFake(IMDS_KEYS) as imds:
        rc, out, err = box.token("--verbose", env=imds_env(box, imds.endpoint))
        assert agent.requests == []
    assert rc == 0, err
    assert_signed_with(out, IMDS_KEYS)
    lines = verbose_lines(err)
    passed = [line for line in lines if " passed over (" in line]
    for source in ("environment", "profile 'default'", "container"):
        assert any(re.search(rf"credentials: {source}.* passed over \(.+\)", line) for line in passed), lines
    winner = [line for line in lines if "passed over" not in line and "instance metadata" in line]
    assert winner and IMDS_KEYS.access_key in winner[-1], lines
    assert_no_leak(out, err, IMDS_KEYS.secret_key, IMDS_KEYS.session_token, fakes.IMDSFake.TOKEN)


def test_verbose_with_profile_flag_says_why_environment_is_passed_over(box, script):
    process_profile(box, script.command("static"))
    rc, out, err = box.token("--profile", "proc", "--verbose", env=box.env(**env_keys()))
    assert rc == 0, err
    assert_signed_with(out, PROCESS_KEYS)
    assert any(re.search(r"credentials: environment.* passed over \(.*--profile.*\)", line)
               for line in verbose_lines(err)), err
    assert_no_leak(out, err, ENV_KEYS.secret_key, PROCESS_KEYS.secret_key, PROCESS_KEYS.session_token)


def test_no_credentials_lists_every_source_and_reason(box):
    with fakes.HungServer() as imds:
        rc, out, err = box.token("--verbose", env=imds_env(box, imds.endpoint),
                                 timeout=20)
    assert rc == 78, (rc, err)
    assert out == ""
    error = one_error(err)
    assert error.startswith("eks-auth: error: no AWS credentials found (tried "), error
    for source in ("environment", "profile 'default'", "container", "instance metadata"):
        assert source in error, error
    assert f"instance metadata: no answer from {imds.endpoint} within 1 s" in error, error
    passed = [line for line in verbose_lines(err) if " passed over (" in line]
    assert len(passed) >= 4, passed
