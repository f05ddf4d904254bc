"""Loopback fakes for the credential sources eks-auth reads besides STS: the IAM Identity Center
portal and its OIDC token endpoint, the container credentials endpoint, an IMDSv2 instance
metadata service that enforces its session token (and can be told to hang or refuse the token
PUT), plus a recording proxy in front of moto. moto's own instance metadata (facts, section 9)
serves fixed credentials but never checks the IMDSv2 token, hence the IMDS fake.

Every server listens on 127.0.0.1 only, records what it was sent, bounds every wait and has
``close()`` (and is a context manager). ``HungServer`` (accepts, never answers) is peers'.
"""
from __future__ import annotations

import datetime
import http.server
import json
import socketserver
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

import peers

LOOPBACK = peers.LOOPBACK
HungServer = peers.HungServer


def iso8601(moment: datetime.datetime) -> str:
    """``2026-01-02T03:04:05Z`` for a naive UTC datetime."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def in_an_hour() -> datetime.datetime:
    return peers.utcnow().replace(microsecond=0) + datetime.timedelta(hours=1)


@dataclass
class Request:
    """One request as a fake received it."""

    method: str
    path: str
    headers: dict  # header names lower-cased
    body: bytes
    at: float = field(default_factory=time.monotonic)  # when it arrived (monotonic clock)

    @property
    def query(self) -> dict:
        return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query, keep_blank_values=True))

    @property
    def route(self) -> str:
        return urllib.parse.urlsplit(self.path).path

    def json(self):
        return json.loads(self.body.decode("utf-8"))


@dataclass
class Credentials:
    """A fake key set; the secret parts are distinctive so a leak is easy to spot."""

    access_key: str
    secret_key: str
    session_token: str | None = None
    expiration: datetime.datetime = field(default_factory=in_an_hour)

    @property
    def secrets(self) -> list[str]:
        return [value for value in (self.secret_key, self.session_token) if value]


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass  # a client that gives up mid-request is what some tests are about


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 15

    def log_message(self, format, *args):  # noqa: A002 - quiet
        pass

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        request = Request(method, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
        owner = self.server.owner
        with owner.lock:
            owner.requests.append(request)
        answer = owner.respond(request)
        if answer is None:  # hang: hold the connection open without a word, until closed
            owner.stopping.wait(60)
            self.close_connection = True
            return
        status, content_type, payload, *extra = answer
        payload = payload.encode() if isinstance(payload, str) else payload
        self.send_response(status)
        for name, value in (extra[0] if extra else {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self):
        self._serve("GET")

    def do_POST(self):
        self._serve("POST")

    def do_PUT(self):
        self._serve("PUT")


class FakeServer:
    """A threaded HTTP server on a free loopback port; subclasses implement ``respond`` and return
    ``(status, content_type, body)`` (optionally a fourth item: a dict of headers) or None to hang. ``requests`` lists everything received."""

    def __init__(self):
        self.lock = threading.Lock()
        self.requests: list[Request] = []
        self.stopping = threading.Event()
        self._server = _Server((LOOPBACK, 0), _Handler)
        self._server.owner = self
        self.port = self._server.server_address[1]
        self.endpoint = f"http://{LOOPBACK}:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def respond(self, request: Request):  # pragma: no cover - overridden
        raise NotImplementedError

    def received(self, route: str | None = None, method: str | None = None) -> list[Request]:
        with self.lock:
            return [r for r in self.requests if (route is None or r.route == route)
                    and (method is None or r.method == method)]

    def close(self) -> None:
        self.stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _json(status: int, document, error_type: str | None = None):
    if error_type:
        return status, "application/json", json.dumps(document), {"x-amzn-ErrorType": error_type}
    return status, "application/json", json.dumps(document)


# ---------------------------------------------------------------------------------------------
# IAM Identity Center: portal (GetRoleCredentials) and OIDC (CreateToken, refresh grant)
# ---------------------------------------------------------------------------------------------


class SSOFake(FakeServer):
    """The SSO portal and the SSO OIDC service on one port (point both AWS_ENDPOINT_URL_SSO and
    AWS_ENDPOINT_URL_SSO_OIDC at ``endpoint``).

    Portal: ``GET /federation/credentials?role_name=R&account_id=A`` with ``x-amz-sso_bearer_token``
    in ``access_tokens`` and (role, account) == (``role_name``, ``account_id``) → ``credentials``;
    an unknown token → 401 UnauthorizedException; a wrong role/account → 403.
    OIDC: ``POST /token`` with the refresh grant for ``client_id``/``client_secret``/``refresh_token``
    → a new access token (added to ``access_tokens``) as ``new_access_token``; else 400.

    Device authorization (RFC 8628, as the SSO OIDC API reference gives it): ``POST /client/register``
    → a public client (``clientSecretExpiresAt`` in 90 days); ``POST /device_authorization`` with that
    client → a device code, user code and ``verificationUri(Complete)`` on this server, good for
    ``device_code_lifetime`` s, polled every ``interval`` s; ``POST /token`` with the device code grant
    → 400 ``authorization_pending`` (``AuthorizationPendingException``) until the code is approved
    (``approve()`` or a ``GET`` of the verification link with ``&approve=1``, as a browser would),
    ``slow_down`` for the first ``slow_downs`` polls, ``access_denied`` once ``deny()`` was called,
    ``expired_token`` after the lifetime; then a new access token (valid at the portal) with a refresh
    token. A poll sooner than the interval (plus 5 s per slow_down) is answered ``slow_down``."""

    def __init__(self, account_id: str, role_name: str, access_tokens: list[str], credentials: Credentials,
                 client_id: str = "client-id-1", client_secret: str = "client-secret-SSOEXAMPLE",
                 refresh_token: str = "refresh-token-SSOEXAMPLE", new_access_token: str = "new-access-token-SSO"):
        self.account_id = account_id
        self.role_name = role_name
        self.access_tokens = list(access_tokens)
        self.credentials = credentials
        self.client_id = client_id
        self.client_secret = client_secret
        self.refresh_token = refresh_token
        self.new_access_token = new_access_token
        self.new_refresh_token = "rotated-refresh-token-SSOEXAMPLE"
        self.device_code_lifetime = 600
        self.interval = 1
        self.slow_downs = 0
        self.devices: dict[str, dict] = {}
        self.clients: dict[str, str] = {}
        self.denied = False
        self.approved_event = threading.Event()
        super().__init__()

    def _device_codes(self) -> list[str]:
        with self.lock:
            return list(self.devices)

    def approve(self, device_code: str | None = None) -> None:
        """Approves ``device_code`` (default: every code handed out so far)."""
        with self.lock:
            for code, device in self.devices.items():
                if device_code in (None, code):
                    device["approved"] = True

    def deny(self) -> None:
        with self.lock:
            self.denied = True

    @property
    def device_polls(self) -> list[Request]:
        return [r for r in self.token_calls if (r.json() or {}).get("grantType", "").endswith("device_code")]

    def _device_token(self, grant: dict):
        code = grant.get("deviceCode")
        with self.lock:
            device = self.devices.get(code)
            if device is None or self.clients.get(grant.get("clientId")) != grant.get("clientSecret") \
                    or device["client"] != grant.get("clientId"):
                return _json(400, {"error": "invalid_grant", "error_description": "unknown device code"},
                             "InvalidGrantException")
            now = time.monotonic()
            if now > device["expires"]:
                return _json(400, {"error": "expired_token", "error_description": "Device code expired"},
                             "ExpiredTokenException")
            if self.denied:
                return _json(400, {"error": "access_denied", "error_description": "Denied by the user"},
                             "AccessDeniedException")
            too_soon = device["last_poll"] is not None and now - device["last_poll"] < device["interval"] - 0.2
            device["last_poll"] = now
            if device["slow_downs"] > 0 or too_soon:
                if device["slow_downs"] > 0:
                    device["slow_downs"] -= 1
                device["interval"] += 5
                return _json(400, {"error": "slow_down", "error_description": "Client is polling too fast"},
                             "SlowDownException")
            if not device["approved"]:
                return _json(400, {"error": "authorization_pending", "error_description": "Not yet approved"},
                             "AuthorizationPendingException")
            if device.get("token") is None:
                device["token"] = f"device-access-token-{len(self.access_tokens)}-SSOEXAMPLE"
                self.access_tokens.append(device["token"])
            return _json(200, {"accessToken": device["token"], "tokenType": "Bearer", "expiresIn": 28800,
                               "refreshToken": "device-refresh-token-SSOEXAMPLE"})

    @property
    def portal_calls(self) -> list[Request]:
        return self.received("/federation/credentials")

    @property
    def token_calls(self) -> list[Request]:
        return self.received("/token")

    def respond(self, request: Request):
        if request.method == "GET" and request.route == "/federation/credentials":
            token = request.headers.get("x-amz-sso_bearer_token")
            if token not in self.access_tokens:
                return _json(401, {"__type": "UnauthorizedException", "message": "Session token not found or invalid"})
            query = request.query
            if (query.get("role_name"), query.get("account_id")) != (self.role_name, self.account_id):
                return _json(403, {"__type": "ForbiddenException", "message": "No access"})
            creds = self.credentials
            millis = int(creds.expiration.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000)
            return _json(200, {"roleCredentials": {
                "accessKeyId": creds.access_key, "secretAccessKey": creds.secret_key,
                "sessionToken": creds.session_token, "expiration": millis}})
        if request.method == "POST" and request.route == "/client/register":
            body = request.json() or {}
            if body.get("clientType") != "public" or not body.get("clientName"):
                return _json(400, {"error": "invalid_request"}, "InvalidRequestException")
            with self.lock:
                client_id = f"device-client-{len(self.clients) + 1}"
                self.clients[client_id] = f"device-client-secret-{len(self.clients) + 1}-SSOEXAMPLE"
                secret = self.clients[client_id]
            return _json(200, {"clientId": client_id, "clientSecret": secret, "clientIdIssuedAt": int(time.time()),
                               "clientSecretExpiresAt": int(time.time()) + 90 * 86400})
        if request.method == "POST" and request.route == "/device_authorization":
            body = request.json() or {}
            with self.lock:
                if self.clients.get(body.get("clientId")) != body.get("clientSecret") or not body.get("startUrl"):
                    return _json(401, {"error": "invalid_client"}, "InvalidClientException")
                number = len(self.devices) + 1
                code = f"device-code-{number}"
                user_code = f"ABCD-{number:04d}"
                self.devices[code] = {"client": body["clientId"], "user_code": user_code, "approved": False,
                                      "expires": time.monotonic() + self.device_code_lifetime,
                                      "interval": self.interval, "slow_downs": self.slow_downs,
                                      "last_poll": None, "start_url": body["startUrl"]}
            link = f"{self.endpoint}/device"
            return _json(200, {"deviceCode": code, "userCode": user_code, "verificationUri": link,
                               "verificationUriComplete": f"{link}?user_code={user_code}",
                               "expiresIn": self.device_code_lifetime, "interval": self.interval})
        if request.method == "GET" and request.route == "/device":
            query = request.query
            with self.lock:
                matching = [c for c, d in self.devices.items() if d["user_code"] == query.get("user_code")]
            if query.get("approve") == "1" and matching:
                self.approve(matching[0])
            return 200, "text/html", "<html><body>Authorize request</body></html>"
        if request.method == "POST" and request.route == "/token":
            try:
                grant = request.json()
            except ValueError:
                return _json(400, {"error": "invalid_request"})
            if str(grant.get("grantType", "")).endswith(":device_code"):
                return self._device_token(grant)
            expected = {"grantType": "refresh_token", "clientId": self.client_id,
                        "clientSecret": self.client_secret, "refreshToken": self.refresh_token}
            if any(grant.get(key) != value for key, value in expected.items()):
                return _json(400, {"error": "invalid_grant", "error_description": "bad refresh request"})
            with self.lock:
                self.access_tokens.append(self.new_access_token)
            return _json(200, {"accessToken": self.new_access_token, "tokenType": "Bearer", "expiresIn": 28800,
                               "refreshToken": self.new_refresh_token})
        return _json(404, {"message": f"no route {request.method} {request.route}"})


# ---------------------------------------------------------------------------------------------
# Container credentials (ECS task role / EKS Pod Identity agent)
# ---------------------------------------------------------------------------------------------


class ContainerFake(FakeServer):
    """``GET <path>`` with ``Authorization: <authorization>`` (when one is required) → the
    credentials JSON; a wrong or missing header → 401; ``fail_status`` answers every request
    with that status instead."""

    def __init__(self, credentials: Credentials, authorization: str | None = None, path: str = "/v1/credentials",
                 fail_status: int | None = None):
        self.credentials = credentials
        self.authorization = authorization
        self.path = path
        self.fail_status = fail_status
        super().__init__()

    @property
    def url(self) -> str:
        return self.endpoint + self.path

    def respond(self, request: Request):
        if self.fail_status is not None:
            return _json(self.fail_status, {"code": "InternalError", "message": "agent is broken"})
        if request.method != "GET" or request.route != self.path:
            return _json(404, {"code": "NotFound", "message": request.path})
        if self.authorization is not None and request.headers.get("authorization") != self.authorization:
            return _json(401, {"code": "Unauthorized", "message": "bad token"})
        creds = self.credentials
        return _json(200, {"AccessKeyId": creds.access_key, "SecretAccessKey": creds.secret_key,
                           "Token": creds.session_token, "Expiration": iso8601(creds.expiration),
                           "RoleArn": "arn:aws:iam::123456789012:role/task-role"})


# ---------------------------------------------------------------------------------------------
# Instance metadata (IMDSv2)
# ---------------------------------------------------------------------------------------------


class IMDSFake(FakeServer):
    """IMDSv2: ``PUT /latest/api/token`` (needs ``x-aws-ec2-metadata-token-ttl-seconds``) hands out
    a session token; every GET must carry it in ``x-aws-ec2-metadata-token`` or gets 401 (unless
    ``allow_v1``). ``token_put``: ``"ok"``, ``"hang"`` (never answers) or an HTTP status to refuse
    with (403/404/405). Serves the role name, its credentials and ``placement/region``."""

    TOKEN = "imds-session-token-AQAEXAMPLE=="

    def __init__(self, credentials: Credentials, region: str = "eu-north-1", role: str = "imds-test-role",
                 token_put: str | int = "ok", allow_v1: bool = False):
        self.credentials = credentials
        self.region = region
        self.role = role
        self.token_put = token_put
        self.allow_v1 = allow_v1
        super().__init__()

    @property
    def token_puts(self) -> list[Request]:
        return self.received("/latest/api/token", "PUT")

    @property
    def gets(self) -> list[Request]:
        return self.received(method="GET")

    def respond(self, request: Request):
        if request.route == "/latest/api/token":
            if request.method != "PUT":
                return 405, "text/plain", ""
            if self.token_put == "hang":
                return None
            if self.token_put != "ok":
                return int(self.token_put), "text/plain", ""
            if not (request.headers.get("x-aws-ec2-metadata-token-ttl-seconds") or "").isdigit():
                return 400, "text/plain", "missing or bad x-aws-ec2-metadata-token-ttl-seconds"
            return 200, "text/plain", self.TOKEN
        if request.method != "GET":
            return 405, "text/plain", ""
        token = request.headers.get("x-aws-ec2-metadata-token")
        if token != self.TOKEN and not (token is None and self.allow_v1):
            return 401, "text/plain", ""
        base = "/latest/meta-data/"
        if request.route == base + "iam/security-credentials/":
            return 200, "text/plain", self.role
        if request.route == base + f"iam/security-credentials/{self.role}":
            creds = self.credentials
            return _json(200, {"Code": "Success", "LastUpdated": iso8601(peers.utcnow()), "Type": "AWS-HMAC",
                               "AccessKeyId": creds.access_key, "SecretAccessKey": creds.secret_key,
                               "Token": creds.session_token, "Expiration": iso8601(creds.expiration)})
        if request.route == base + "placement/region":
            return 200, "text/plain", self.region
        return 404, "text/plain", ""


# ---------------------------------------------------------------------------------------------
# A proxy in front of moto that keeps each request
# ---------------------------------------------------------------------------------------------


@dataclass
class STSCall:
    action: str
    params: dict  # the query-protocol form (or query string) parameters
    authorization: str | None

    @property
    def signing_key(self) -> str | None:
        """The access key id in the SigV4 ``Authorization`` header (None when unsigned)."""
        if not self.authorization or "Credential=" not in self.authorization:
            return None
        return self.authorization.split("Credential=", 1)[1].split("/", 1)[0]


class RecordingProxy(peers.CountingProxy):
    """peers.CountingProxy that also keeps every call's parameters and Authorization header."""

    def __init__(self, upstream: str):
        self.calls: list[STSCall] = []
        super().__init__(upstream)

    def handle(self, handler, method: str) -> None:
        body = handler.read_body()
        params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(handler.path).query))
        params.update(urllib.parse.parse_qsl(body.decode("utf-8", "replace")))
        with self._lock:
            self.calls.append(STSCall(params.get("Action", "?"), params, handler.headers.get("Authorization")))
            self._counts[peers.action_of(method, handler.path, handler.headers, body)] += 1
        try:
            status, headers, answer = peers.forward(self.upstream, handler, method, body)
        except OSError as error:
            handler.reply(502, f"proxy: upstream failed: {error}".encode(), [("Content-Type", "text/plain")])
            return
        handler.reply(status, answer, headers)

    def of(self, action: str) -> list[STSCall]:
        with self._lock:
            return [call for call in self.calls if call.action == action]


def wait_until(predicate, timeout: float = 3.0) -> bool:
    """Poll ``predicate`` until it is true or ``timeout`` seconds pass; its last value."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return bool(predicate())
        time.sleep(0.05)
    return True
