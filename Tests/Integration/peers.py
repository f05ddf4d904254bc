#!/usr/bin/env python3
"""Local test peers for eks-auth: a seeded moto STS/IAM with request checking on, a counting
proxy, fakes that fail or hang, and an independent (botocore) verifier for EKS tokens.

Importable (``sys.path.insert(0, "Tests/Integration")``; ``import peers``) and runnable:

    python3 Tests/Integration/peers.py serve-moto

starts the seeded moto on a free loopback port, prints one JSON line
``{"endpoint": ..., "alice": {...}, "mallory": {...}, "role_arn": ...}`` and serves until killed.

Everything listens on 127.0.0.1 only, every wait is bounded, and every server has ``close()``.
"""
from __future__ import annotations

import base64
import contextlib
import datetime
import http.client
import http.server
import json
import logging
import signal
import socket
import socketserver
import sys
import threading
import time
import urllib.parse
from collections import Counter
from unittest import mock

# Fail loudly (never skip) when a peer library is missing: the suite must run everywhere.
try:
    import botocore.auth
    import botocore.awsrequest
    import botocore.credentials
    import botocore.exceptions
    import botocore.session
    from botocore.config import Config as BotocoreConfig
except ImportError as error:  # pragma: no cover - environment problem
    raise ImportError(f"botocore is required by the integration suite (make test-deps): {error}") from error

LOOPBACK = "127.0.0.1"
ACCOUNT_ID = "123456789012"  # moto's default account
REGION = "us-east-1"
ROLE_NAME = "dev.eks-access.role"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT_ID}:role/{ROLE_NAME}"
POLICY_NAME = "dev.assume-eks-access-role.policy"
GROUP_NAME = "dev.rnd.group"
TOKEN_PREFIX = "k8s-aws-v1."
MAX_TOKEN_BYTES = 4096

# Query keys aws-iam-authenticator's Verify accepts (compared case-insensitively).
ALLOWED_TOKEN_KEYS = {
    "action",
    "version",
    "x-amz-algorithm",
    "x-amz-credential",
    "x-amz-date",
    "x-amz-expires",
    "x-amz-security-token",
    "x-amz-signature",
    "x-amz-signedheaders",
}

THROTTLING_XML = (
    "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>"
    "<Message>Rate exceeded</Message></Error><RequestId>r1</RequestId></ErrorResponse>"
)
INTERNAL_ERROR_XML = (
    "<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code>"
    "<Message>We encountered an internal error. Please try again.</Message></Error>"
    "<RequestId>r2</RequestId></ErrorResponse>"
)
ACCESS_DENIED_XML = (
    "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
    "<Message>User: arn:aws:iam::123456789012:user/mallory is not authorized to perform: "
    "sts:AssumeRole on resource: arn:aws:iam::123456789012:role/dev.eks-access.role</Message></Error>"
    "<RequestId>r3</RequestId></ErrorResponse>"
)

# A canned, well-formed AssumeRole answer (fixed fake keys; expiry filled in when served).
CANNED_ASSUMED = {
    "AccessKeyId": "ASIACANNEDEXAMPLE0001",
    "SecretAccessKey": "cannedSecretKeyEXAMPLE/+/cannedSecretKey0",
    "SessionToken": "FwoGZXIvYXdzECANNEDSESSIONTOKEN/+=EXAMPLE",
}


def canned_assume_role_xml(expiration: datetime.datetime | None = None) -> str:
    """A valid STS AssumeRole XML response carrying ``CANNED_ASSUMED``."""
    expiration = expiration or (utcnow() + datetime.timedelta(hours=1))
    stamp = expiration.strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>'
        "<Credentials>"
        f"<AccessKeyId>{CANNED_ASSUMED['AccessKeyId']}</AccessKeyId>"
        f"<SecretAccessKey>{CANNED_ASSUMED['SecretAccessKey']}</SecretAccessKey>"
        f"<SessionToken>{CANNED_ASSUMED['SessionToken']}</SessionToken>"
        f"<Expiration>{stamp}</Expiration>"
        "</Credentials>"
        "<AssumedRoleUser>"
        f"<AssumedRoleId>AROACANNEDEXAMPLE:canned</AssumedRoleId>"
        f"<Arn>arn:aws:sts::{ACCOUNT_ID}:assumed-role/{ROLE_NAME}/canned</Arn>"
        "</AssumedRoleUser>"
        "</AssumeRoleResult><ResponseMetadata><RequestId>r0</RequestId></ResponseMetadata>"
        "</AssumeRoleResponse>"
    )


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def run_concurrently(argv: list[str], env: dict, count: int, cwd: str, timeout: float = 90.0) -> list[tuple]:
    """Starts ``count`` copies of ``argv`` at once; ``(returncode, stdout, stderr)`` of each, all ended
    within ``timeout`` seconds (stragglers are killed)."""
    import subprocess

    processes = [subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd)
                 for _ in range(count)]
    results = []
    deadline = time.monotonic() + timeout
    try:
        for process in processes:
            out, err = process.communicate(timeout=max(1.0, deadline - time.monotonic()))
            results.append((process.returncode, out, err))
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=5)
    return results


def free_port() -> int:
    """A currently free TCP port on the loopback interface."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((LOOPBACK, port), timeout=1.0):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listens on {LOOPBACK}:{port} after {timeout}s")
            time.sleep(0.05)


# ---------------------------------------------------------------------------------------------
# moto
# ---------------------------------------------------------------------------------------------


class Moto:
    """A running in-process moto server, seeded with the dev IAM setup."""

    def __init__(self, server, endpoint: str, alice: dict, mallory: dict, role_arn: str, auth: bool):
        self._server = server
        self.endpoint = endpoint
        self.alice = alice
        self.mallory = mallory
        self.role_arn = role_arn
        self.auth = auth
        self.port = int(endpoint.rsplit(":", 1)[1])

    def describe(self) -> dict:
        return {"endpoint": self.endpoint, "alice": self.alice, "mallory": self.mallory, "role_arn": self.role_arn}

    def close(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None


_moto_lock = threading.Lock()
_moto_seed: dict | None = None  # moto backends are process-global: seed them once per process


def botocore_client(service: str, endpoint: str, access_key: str, secret_key: str, session_token: str | None = None):
    """A botocore client that talks only to ``endpoint`` with exactly these credentials."""
    session = botocore.session.Session()
    session.set_credentials(access_key, secret_key, session_token)
    return session.create_client(
        service,
        region_name=REGION,
        endpoint_url=endpoint,
        config=BotocoreConfig(
            retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=10
        ),
    )


def _seed_iam(endpoint: str) -> dict:
    iam = botocore_client("iam", endpoint, "seed", "seed")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {
                    # moto compares principals literally, so name the users as well as the root.
                    "AWS": [
                        f"arn:aws:iam::{ACCOUNT_ID}:root",
                        f"arn:aws:iam::{ACCOUNT_ID}:user/alice",
                        f"arn:aws:iam::{ACCOUNT_ID}:user/mallory",
                    ]
                },
                "Action": "sts:AssumeRole",
            }
        ],
    }
    role = iam.create_role(RoleName=ROLE_NAME, AssumeRolePolicyDocument=json.dumps(trust), MaxSessionDuration=43200)
    role_arn = role["Role"]["Arn"]
    policy_doc = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role_arn}],
    }
    policy = iam.create_policy(PolicyName=POLICY_NAME, PolicyDocument=json.dumps(policy_doc))
    iam.create_group(GroupName=GROUP_NAME)
    iam.attach_group_policy(GroupName=GROUP_NAME, PolicyArn=policy["Policy"]["Arn"])
    keys = {}
    for user in ("alice", "mallory"):
        iam.create_user(UserName=user)
        key = iam.create_access_key(UserName=user)["AccessKey"]
        keys[user] = {"AccessKeyId": key["AccessKeyId"], "SecretAccessKey": key["SecretAccessKey"]}
    iam.add_user_to_group(GroupName=GROUP_NAME, UserName="alice")
    return {"alice": keys["alice"], "mallory": keys["mallory"], "role_arn": role_arn}


def _check_auth(endpoint: str, seed: dict) -> None:
    alice = seed["alice"]
    sts = botocore_client("sts", endpoint, alice["AccessKeyId"], alice["SecretAccessKey"])
    answer = sts.assume_role(RoleArn=seed["role_arn"], RoleSessionName="peers-self-check")
    if not answer["Credentials"]["AccessKeyId"].startswith("ASIA"):
        raise RuntimeError(f"moto self-check: unexpected assumed key {answer['Credentials']['AccessKeyId']}")
    mallory = seed["mallory"]
    sts = botocore_client("sts", endpoint, mallory["AccessKeyId"], mallory["SecretAccessKey"])
    try:
        sts.assume_role(RoleArn=seed["role_arn"], RoleSessionName="peers-self-check")
    except botocore.exceptions.ClientError as error:
        if error.response["Error"]["Code"] != "AccessDenied":
            raise RuntimeError(f"moto self-check: mallory got {error.response['Error']} instead of AccessDenied")
    else:
        raise RuntimeError("moto self-check: mallory could assume the role; request checking is off")
    wrong = botocore_client("sts", endpoint, alice["AccessKeyId"], "not-the-secret")
    try:
        wrong.assume_role(RoleArn=seed["role_arn"], RoleSessionName="peers-self-check")
    except botocore.exceptions.ClientError as error:
        if error.response["Error"]["Code"] != "SignatureDoesNotMatch":
            raise RuntimeError(f"moto self-check: a wrong secret got {error.response['Error']}")
    else:
        raise RuntimeError("moto self-check: a wrong secret was accepted; signatures are not checked")


def start_moto(auth: bool = True) -> Moto:
    """Start moto's ThreadedMotoServer on a free loopback port, seed IAM (once per process) and,
    with ``auth``, switch on SigV4 and IAM policy checking; then prove it with botocore."""
    try:
        import moto.settings
        from moto.server import ThreadedMotoServer
    except ImportError as error:  # pragma: no cover - environment problem
        raise ImportError(f"moto[server] is required by the integration suite (make test-deps): {error}") from error

    # werkzeug logs each request on stderr; keep test output readable.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    global _moto_seed
    with _moto_lock:
        port = free_port()
        server = ThreadedMotoServer(ip_address=LOOPBACK, port=port, verbose=False)
        server.start()
        endpoint = f"http://{LOOPBACK}:{port}"
        try:
            wait_for_port(port)
            # Seeding needs checking off; moto reads this setting on every request in-process.
            moto.settings.INITIAL_NO_AUTH_ACTION_COUNT = float("inf")
            if _moto_seed is None:
                _moto_seed = _seed_iam(endpoint)
            if auth:
                moto.settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
                _check_auth(endpoint, _moto_seed)
        except BaseException:
            server.stop()
            raise
        return Moto(server, endpoint, dict(_moto_seed["alice"]), dict(_moto_seed["mallory"]), _moto_seed["role_arn"], auth)


@contextlib.contextmanager
def moto_checking_off():
    """Switch moto's request checking (SigV4 and IAM policies) off for the calls inside.

    The setting is process-wide, so the session's checking moto is affected too: use it only around
    calls moto cannot judge (facts, section 9): unsigned AssumeRoleWithWebIdentity (a 500 with
    checking on), signed REST-JSON GETs such as DescribeCluster, IAM set-up as alice, and role hops
    moto's literal trust-policy check would refuse."""
    import moto.settings

    before = moto.settings.INITIAL_NO_AUTH_ACTION_COUNT
    moto.settings.INITIAL_NO_AUTH_ACTION_COUNT = float("inf")
    try:
        yield
    finally:
        moto.settings.INITIAL_NO_AUTH_ACTION_COUNT = before


def moto_issued_token_problems(token: str, cluster: str) -> list[str]:
    """What is wrong with ``token`` for ``cluster`` when it must be signed with credentials moto's STS
    issued (an assumed role or web identity session); empty when botocore verifies it."""
    try:
        _, params = decode_token(token)
        access_key = params["X-Amz-Credential"].split("/")[0]
    except (ValueError, KeyError, UnicodeDecodeError) as error:
        return [f"undecodable token: {error!r}"]
    issued = moto_assumed_credentials(access_key)
    if issued is None:
        return [f"{access_key} was not issued by moto's STS"]
    return token_problems(token, cluster, access_key, issued["SecretAccessKey"], issued["SessionToken"])


def moto_assumed_credentials(access_key_id: str) -> dict | None:
    """The credentials moto's in-process STS issued for an assumed-role access key id:
    ``{"AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration" (naive UTC datetime),
    "RoleArn", "SessionName", "ExternalId"}``, or None when moto issued no such key."""
    from moto.sts.models import sts_backends

    for account_id in list(sts_backends.keys()):
        for partition in list(sts_backends[account_id].keys()):
            backend = sts_backends[account_id][partition]
            role = backend.get_assumed_role_from_access_key(access_key_id)
            if role is not None:
                expiration = role.expiration
                if expiration.tzinfo is not None:
                    expiration = expiration.astimezone(datetime.timezone.utc).replace(tzinfo=None)
                return {
                    "AccessKeyId": role.access_key_id,
                    "SecretAccessKey": role.secret_access_key,
                    "SessionToken": role.session_token,
                    "Expiration": expiration,
                    "RoleArn": role.role_arn,
                    "SessionName": role.session_name,
                    "ExternalId": role.external_id,
                }
    return None


# ---------------------------------------------------------------------------------------------
# Loopback HTTP servers
# ---------------------------------------------------------------------------------------------


class _ThreadingServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    block_on_close = False  # keep-alive handler threads must not block close()
    allow_reuse_address = True
    request_queue_size = 128  # 50 eks-auth processes may connect at once

    def handle_error(self, request, client_address):
        # A client that hangs up mid-request (or fails a TLS handshake) is not a test failure by
        # itself; the test asserts on what was served instead of on tracebacks here.
        pass


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 15  # an idle keep-alive connection ends instead of holding a thread forever

    def log_message(self, format, *args):  # noqa: A002 - quiet
        pass

    def read_body(self) -> bytes:
        length = self.headers.get("Content-Length")
        if length is not None:
            return self.rfile.read(int(length)) if int(length) > 0 else b""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            body = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return body
                body += self.rfile.read(size)
                self.rfile.readline()
        return b""

    def reply(self, status: int, body: bytes, headers: list[tuple[str, str]] | None = None) -> None:
        self.send_response(status)
        sent = set()
        for name, value in headers or []:
            if name.lower() in ("content-length", "transfer-encoding", "connection", "date", "server"):
                continue
            self.send_header(name, value)
            sent.add(name.lower())
        if "content-type" not in sent:
            self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.server.owner.handle(self, "GET")

    def do_POST(self):
        self.server.owner.handle(self, "POST")


def action_of(method: str, path: str, headers, body: bytes) -> str:
    """The STS/IAM query-protocol ``Action`` of a request (query string or form body)."""
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
    if "Action" in query:
        return query["Action"][0]
    content_type = (headers.get("Content-Type") or "").lower()
    if body and ("x-www-form-urlencoded" in content_type or not content_type):
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        if "Action" in form:
            return form["Action"][0]
    return "?"


def forward(upstream: str, handler: _Handler, method: str, body: bytes, timeout: float = 30.0):
    """Send the request unchanged (Host header included, so SigV4 still verifies) to ``upstream``
    and return ``(status, headers, body)``."""
    parts = urllib.parse.urlsplit(upstream)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        headers = {
            name: value
            for name, value in handler.headers.items()
            if name.lower() not in ("connection", "keep-alive", "transfer-encoding", "content-length", "expect")
        }
        if body or method == "POST":
            headers["Content-Length"] = str(len(body))
        connection.request(method, handler.path, body=body if body else None, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


class _LoopbackServer:
    """Base for the fakes: a threaded HTTP server on a free loopback port."""

    def __init__(self, ssl_context=None):
        self._server = _ThreadingServer((LOOPBACK, 0), _Handler)
        self._server.owner = self
        self.port = self._server.server_address[1]
        self.endpoint = f"http://{LOOPBACK}:{self.port}"
        if ssl_context is not None:
            # Handshake in the handler thread (not in accept), so a slow client cannot stall the rest.
            self._server.socket = ssl_context.wrap_socket(
                self._server.socket, server_side=True, do_handshake_on_connect=False
            )
            self.endpoint = f"https://{LOOPBACK}:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        self._thread.start()
        self._lock = threading.Lock()

    def handle(self, handler: _Handler, method: str) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class CountingProxy(_LoopbackServer):
    """Forwards every request to ``upstream`` (moto) and counts them by ``Action``."""

    def __init__(self, upstream: str):
        self.upstream = upstream
        self._counts: Counter = Counter()
        super().__init__()

    def handle(self, handler: _Handler, method: str) -> None:
        body = handler.read_body()
        with self._lock:
            self._counts[action_of(method, handler.path, handler.headers, body)] += 1
        try:
            status, headers, answer = forward(self.upstream, handler, method, body)
        except OSError as error:
            handler.reply(502, f"proxy: upstream failed: {error}".encode(), [("Content-Type", "text/plain")])
            return
        handler.reply(status, answer, headers)

    def count(self, action: str) -> int:
        with self._lock:
            return self._counts[action]

    @property
    def counts(self) -> dict:
        with self._lock:
            return dict(self._counts)

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()


class FlakyServer(_LoopbackServer):
    """Answers the first ``fail_times`` requests with ``status``/``body``, then forwards to
    ``upstream`` (moto) or, without one, returns a canned valid AssumeRole response.
    ``fail_times=None`` fails forever. Counts every attempt (``attempts``) and by Action."""

    def __init__(self, fail_times: int | None, status: int, body: str | bytes = b"", upstream: str | None = None,
                 headers: list[tuple[str, str]] | None = None):
        self.fail_times = fail_times
        self.status = status
        self.body = body.encode() if isinstance(body, str) else body
        self.upstream = upstream
        self.headers = headers or [("Content-Type", "text/xml")]
        self.attempts = 0
        self.actions: Counter = Counter()
        self.times: list[float] = []
        super().__init__()

    def handle(self, handler: _Handler, method: str) -> None:
        body = handler.read_body()
        with self._lock:
            self.attempts += 1
            attempt = self.attempts
            self.actions[action_of(method, handler.path, handler.headers, body)] += 1
            self.times.append(time.monotonic())
        if self.fail_times is None or attempt <= self.fail_times:
            handler.reply(self.status, self.body, self.headers)
            return
        if self.upstream:
            try:
                status, headers, answer = forward(self.upstream, handler, method, body)
            except OSError as error:
                handler.reply(502, f"flaky: upstream failed: {error}".encode(), [("Content-Type", "text/plain")])
                return
            handler.reply(status, answer, headers)
        else:
            handler.reply(200, canned_assume_role_xml().encode(), [("Content-Type", "text/xml")])


class HungServer:
    """Accepts TCP connections on a loopback port and never answers (until closed)."""

    def __init__(self):
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((LOOPBACK, 0))
        self._listener.listen(128)
        self._listener.settimeout(0.1)
        self.port = self._listener.getsockname()[1]
        self.endpoint = f"http://{LOOPBACK}:{self.port}"
        self.connections: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except (socket.timeout, OSError):
                continue
            self.connections.append(connection)  # held open, never read from or written to

    @property
    def accepted(self) -> int:
        return len(self.connections)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for connection in self.connections:
            try:
                connection.close()
            except OSError:
                pass
        self._listener.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class FakeAPIServer(_LoopbackServer):
    """A loopback HTTPS stand-in for the Kubernetes API server (kubectl runs exec plugins only for
    https clusters). Every request's bearer token is passed to ``check(token) -> list[str]`` (the
    problems, empty when good): good tokens get a small JSON answer, others 401. ``tokens`` and
    ``rejections`` record what came in.

    With ``user_info(token) -> dict`` (for ``eks-auth doctor``) it also answers, as an API server does,
    ``GET /version`` without a token, ``POST .../selfsubjectreviews`` (authentication.k8s.io v1) with
    that ``status.userInfo``, and ``GET`` of the kube-system/aws-auth ConfigMap with ``aws_auth``
    (``(status, body dict or None)``, default 404). ``paths`` records every request's method and path.

    With ``config_map`` (for ``eks-auth aws-auth``: the aws-auth ConfigMap as a dict, or ``ABSENT``) it
    keeps that one object as the Kubernetes API does (https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions):
    GET returns it with ``metadata.resourceVersion``; PUT replaces it when the body's resourceVersion is
    the current one (or absent: an unconditional update) and answers 409 Conflict otherwise, bumping
    the version on each write; POST to kube-system's configmaps creates it (409 AlreadyExists when it
    exists). ``on_write()``, when set, runs before a PUT is checked (a test bumps the version there, as
    a concurrent writer would); ``writes`` records each PUT/POST body."""

    ABSENT = object()
    CONFIG_MAPS = "/api/v1/namespaces/kube-system/configmaps"
    AWS_AUTH = CONFIG_MAPS + "/aws-auth"

    class _Handler(_Handler):
        def do_PUT(self):
            self.server.owner.handle(self, "PUT")

    def __init__(self, cert_file: str, key_file: str, check, user_info=None, aws_auth=(404, None), config_map=None):
        import ssl

        self.check = check
        self.user_info = user_info
        self.aws_auth = aws_auth
        self.keeps_config_map = config_map is not None
        self.config_map = None if config_map is None or config_map is FakeAPIServer.ABSENT else json.loads(json.dumps(config_map))
        self.resource_version = 100
        self.on_write = None
        self.writes: list[tuple[str, dict]] = []
        self.tokens: list[str] = []
        self.rejections: list[list[str]] = []
        self.paths: list[tuple[str, str]] = []
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_file, key_file)
        super().__init__(ssl_context=context)
        self._server.RequestHandlerClass = FakeAPIServer._Handler

    def bump(self) -> None:
        """Another writer changed the ConfigMap: its resourceVersion moves on."""
        with self._lock:
            self.resource_version += 1

    @staticmethod
    def status(code: int, reason: str, message: str) -> dict:
        return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message,
                "reason": reason, "details": {"name": "aws-auth", "kind": "configmaps"}, "code": code}

    def served(self) -> dict:
        """The kept ConfigMap as served: ``metadata.resourceVersion`` set to the current version."""
        obj = json.loads(json.dumps(self.config_map))
        obj.setdefault("metadata", {})["resourceVersion"] = str(self.resource_version)
        return obj

    def _config_map(self, handler: _Handler, method: str, body: bytes) -> bool:
        """Answers a request for the kept ConfigMap; False when the request is not one."""
        path = handler.path.split("?")[0]
        json_type = [("Content-Type", "application/json")]
        if method == "POST" and path == self.CONFIG_MAPS:
            obj = json.loads(body)
            with self._lock:
                self.writes.append(("POST", json.loads(body)))
                if self.config_map is not None:
                    reply = self.status(409, "AlreadyExists", 'configmaps "aws-auth" already exists')
                    handler.reply(409, json.dumps(reply).encode(), json_type)
                    return True
                if obj.get("metadata", {}).get("name") != "aws-auth":
                    handler.reply(400, json.dumps(self.status(400, "BadRequest", "name")).encode(), json_type)
                    return True
                self.resource_version += 1
                obj["metadata"].pop("resourceVersion", None)
                self.config_map = obj
                handler.reply(201, json.dumps(self.served()).encode(), json_type)
            return True
        if path != self.AWS_AUTH or method not in ("GET", "PUT"):
            return False
        if method == "PUT" and self.on_write is not None:
            hook, self.on_write = self.on_write, None
            hook()
        with self._lock:
            if self.config_map is None:
                reply = self.status(404, "NotFound", 'configmaps "aws-auth" not found')
                handler.reply(404, json.dumps(reply).encode(), json_type)
                return True
            if method == "GET":
                handler.reply(200, json.dumps(self.served()).encode(), json_type)
                return True
            obj = json.loads(body)
            self.writes.append(("PUT", json.loads(body)))
            sent = obj.get("metadata", {}).get("resourceVersion")
            if sent is not None and sent != str(self.resource_version):
                reply = self.status(
                    409, "Conflict", 'Operation cannot be fulfilled on configmaps "aws-auth": the object has been '
                    "modified; please apply your changes to the latest version and try again")
                handler.reply(409, json.dumps(reply).encode(), json_type)
                return True
            self.resource_version += 1
            obj["metadata"].pop("resourceVersion", None)
            self.config_map = obj
            handler.reply(200, json.dumps(self.served()).encode(), json_type)
        return True

    def handle(self, handler: _Handler, method: str) -> None:
        body = handler.read_body()
        with self._lock:
            self.paths.append((method, handler.path))
        if self.user_info is not None and method == "GET" and handler.path == "/version":
            version = {"major": "1", "minor": "32", "gitVersion": "v1.32.0-fake"}
            handler.reply(200, json.dumps(version).encode(), [("Content-Type", "application/json")])
            return
        authorization = handler.headers.get("Authorization") or ""
        token = authorization[len("Bearer "):] if authorization.startswith("Bearer ") else ""
        problems = self.check(token) if token else ["no bearer token"]
        with self._lock:
            self.tokens.append(token)
            if problems:
                self.rejections.append(problems)
        if problems:
            status = {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "Unauthorized",
                      "message": "Unauthorized", "code": 401}
            handler.reply(401, json.dumps(status).encode(), [("Content-Type", "application/json")])
            return
        if self.keeps_config_map and self._config_map(handler, method, body):
            return
        if self.user_info is not None:
            if method == "POST" and handler.path == "/apis/authentication.k8s.io/v1/selfsubjectreviews":
                review = {"kind": "SelfSubjectReview", "apiVersion": "authentication.k8s.io/v1",
                          "metadata": {"creationTimestamp": None}, "status": {"userInfo": self.user_info(token)}}
                handler.reply(201, json.dumps(review).encode(), [("Content-Type", "application/json")])
                return
            if method == "GET" and handler.path == "/api/v1/namespaces/kube-system/configmaps/aws-auth":
                status, body = self.aws_auth
                if body is None:
                    body = {"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": status,
                            "message": 'configmaps "aws-auth" not found' if status == 404 else "forbidden"}
                handler.reply(status, json.dumps(body).encode(), [("Content-Type", "application/json")])
                return
        answer = {"kind": "Namespace", "apiVersion": "v1", "metadata": {"name": "default"},
                  "status": {"phase": "Active"}}
        handler.reply(200, json.dumps(answer).encode(), [("Content-Type", "application/json")])


def make_self_signed_cert(directory: str) -> tuple[str, str]:
    """A throwaway CA-less certificate for 127.0.0.1 (openssl CLI); returns (cert, key) paths."""
    import os
    import subprocess

    cert = os.path.join(directory, "apiserver.crt")
    key = os.path.join(directory, "apiserver.key")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-addext", "basicConstraints=critical,CA:TRUE"],
        check=True, capture_output=True, timeout=30,
    )
    return cert, key


# ---------------------------------------------------------------------------------------------
# Token decoding and verification
# ---------------------------------------------------------------------------------------------


def decode_token(token: str) -> tuple[str, dict]:
    """``(url, params)`` of a ``k8s-aws-v1.`` token; params maps each query key to its (decoded)
    value. Raises ValueError on a bad prefix, padding, encoding or a repeated key."""
    if not token.startswith(TOKEN_PREFIX):
        raise ValueError(f"token does not start with {TOKEN_PREFIX!r}")
    payload = token[len(TOKEN_PREFIX):]
    if "=" in payload:
        raise ValueError("token payload carries base64 padding")
    if any(c in payload for c in "+/"):
        raise ValueError("token payload is not base64url")
    url = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode("utf-8")
    pairs = urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query, keep_blank_values=True, strict_parsing=True)
    params: dict = {}
    for key, value in pairs:
        if key in params:
            raise ValueError(f"query key {key!r} repeated")
        params[key] = value
    return url, params


def token_problems(token: str, cluster: str, access_key: str, secret_key: str, session_token: str | None = None,
                   now: datetime.datetime | None = None) -> list[str]:
    """Every reason the token would not verify (empty when it verifies): aws-iam-authenticator's
    Verify rules (facts 1.8, except the https scheme so loopback endpoints can be used) and the
    signature recomputed with botocore's SigV4QueryAuth at the token's own X-Amz-Date."""
    problems = []
    if len(token.encode()) > MAX_TOKEN_BYTES:
        problems.append(f"token is {len(token.encode())} bytes, over {MAX_TOKEN_BYTES}")
    try:
        url, params = decode_token(token)
    except (ValueError, UnicodeDecodeError) as error:
        return problems + [f"cannot decode: {error}"]
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("https", "http"):
        problems.append(f"scheme {parts.scheme!r}")
    if parts.path != "/":
        problems.append(f"path {parts.path!r} is not '/'")
    lowered = [key.lower() for key in params]
    for key in lowered:
        if key not in ALLOWED_TOKEN_KEYS:
            problems.append(f"query key {key!r} not allowed")
    if len(set(lowered)) != len(lowered):
        problems.append("duplicate query keys (case-insensitive)")
    if params.get("Action") != "GetCallerIdentity":
        problems.append(f"Action is {params.get('Action')!r}")
    if params.get("Version") != "2011-06-15":
        problems.append(f"Version is {params.get('Version')!r}")
    if params.get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256":
        problems.append(f"X-Amz-Algorithm is {params.get('X-Amz-Algorithm')!r}")
    signed = params.get("X-Amz-SignedHeaders", "").split(";")
    if "x-k8s-aws-id" not in signed:
        problems.append(f"x-k8s-aws-id not in signed headers {signed}")
    if "host" not in signed:
        problems.append(f"host not in signed headers {signed}")
    expires = params.get("X-Amz-Expires", "")
    if not expires.isdigit() or not 0 <= int(expires) <= 900:
        problems.append(f"X-Amz-Expires {expires!r} not an integer in 0..900")
    try:
        signed_at = datetime.datetime.strptime(params.get("X-Amz-Date", ""), "%Y%m%dT%H%M%SZ")
    except ValueError:
        return problems + [f"X-Amz-Date {params.get('X-Amz-Date')!r} does not parse"]
    now = now or utcnow()
    if now > signed_at + datetime.timedelta(minutes=15):
        problems.append(f"signed at {signed_at}, more than 15 minutes before {now}")
    if signed_at > now + datetime.timedelta(minutes=5):
        problems.append(f"signed at {signed_at}, in the future of {now}")
    credential = params.get("X-Amz-Credential", "").split("/")
    if len(credential) != 5 or credential[3] != "sts" or credential[4] != "aws4_request":
        return problems + [f"X-Amz-Credential {params.get('X-Amz-Credential')!r} malformed"]
    if credential[0] != access_key:
        problems.append(f"access key {credential[0]!r} is not {access_key!r}")
    if credential[1] != params["X-Amz-Date"][:8]:
        problems.append("credential scope date differs from X-Amz-Date")
    if (params.get("X-Amz-Security-Token") or None) != (session_token or None):
        problems.append("X-Amz-Security-Token does not match the session token")
    region = credential[2]
    expected = presign_token_url(
        f"{parts.scheme}://{parts.netloc}/", cluster, access_key, secret_key, session_token, region,
        signed_at, int(expires) if expires.isdigit() else 60,
    )
    expected_params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(expected).query, keep_blank_values=True))
    if expected_params.get("X-Amz-SignedHeaders") != params.get("X-Amz-SignedHeaders"):
        problems.append(
            f"signed headers {params.get('X-Amz-SignedHeaders')!r}, botocore signs "
            f"{expected_params.get('X-Amz-SignedHeaders')!r}"
        )
    if expected_params.get("X-Amz-Signature") != params.get("X-Amz-Signature"):
        problems.append("X-Amz-Signature does not match botocore's recomputation")
    if set(expected_params) != set(params):
        problems.append(f"query keys {sorted(params)} differ from botocore's {sorted(expected_params)}")
    return problems


def presign_token_url(endpoint: str, cluster: str, access_key: str, secret_key: str, session_token: str | None,
                      region: str, at: datetime.datetime, expires: int = 60) -> str:
    """The presigned GetCallerIdentity URL botocore makes for these inputs at instant ``at``."""
    base = endpoint.rstrip("/") + "/?Action=GetCallerIdentity&Version=2011-06-15"
    request = botocore.awsrequest.AWSRequest(method="GET", url=base, headers={"x-k8s-aws-id": cluster})
    credentials = botocore.credentials.Credentials(access_key, secret_key, session_token)
    signer = botocore.auth.SigV4QueryAuth(credentials, "sts", region, expires=expires)
    with mock.patch("botocore.auth.get_current_datetime", return_value=at):
        signer.add_auth(request)
    return request.url


def verify_token(token: str, cluster: str, access_key: str, secret_key: str, session_token: str | None = None) -> bool:
    """True when the token passes the authenticator's checks and botocore's signature."""
    return not token_problems(token, cluster, access_key, secret_key, session_token)


# ---------------------------------------------------------------------------------------------
# serve-moto
# ---------------------------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    if argv[1:] != ["serve-moto"]:
        print("usage: peers.py serve-moto", file=sys.stderr)
        return 64
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    server = start_moto(auth=True)
    print(json.dumps(server.describe()), flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
