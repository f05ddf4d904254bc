"""Peers for the `eks-auth decode | verify | explain` integration tests.

moto does not check presigned (query-signed) GETs and routes a presigned GET on 127.0.0.1 to S3
(facts section 9), and `eks-auth verify` refuses tokens whose host is not a canonical STS host
before it sends anything. So the "STS replay" peer here is an HTTP proxy on the loopback
interface that plays STS for canonical hosts:

* ``CONNECT sts.<region>.amazonaws.com:443`` is accepted and the tunnel is terminated with a
  throwaway certificate for the STS host names (the client trusts it through ``AWS_CA_BUNDLE``);
* a presigned ``GET /?Action=GetCallerIdentity…`` is judged like STS judges it: the SigV4 query
  signature is recomputed with botocore from the secret of the access key in ``X-Amz-Credential``
  (moto-issued assumed-role keys, or static keys registered with the peer) and the
  ``x-k8s-aws-id`` header value received; a match answers GetCallerIdentity for that identity,
  a mismatch ``403 SignatureDoesNotMatch`` (JSON when ``Accept: application/json``, else XML);
* every other request (``POST`` AssumeRole) is forwarded unchanged to moto, Host header included,
  so moto's own SigV4 and IAM checks still apply.

Everything listens on 127.0.0.1, every wait is bounded, and the peer has ``close()``.
"""
from __future__ import annotations

import base64
import datetime
import json
import os
import ssl
import subprocess
import urllib.parse

import peers

STS_HOSTS = ("sts.amazonaws.com", "sts.us-east-1.amazonaws.com", "sts.us-west-2.amazonaws.com")


def make_sts_certificate(directory: str) -> tuple[str, str]:
    """A self-signed certificate for the STS host names (openssl CLI); returns (cert, key) paths."""
    cert = os.path.join(directory, "sts.crt")
    key = os.path.join(directory, "sts.key")
    names = ",".join(f"DNS:{host}" for host in STS_HOSTS)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=sts.amazonaws.com",
         "-addext", f"subjectAltName={names}", "-addext", "basicConstraints=critical,CA:TRUE"],
        check=True, capture_output=True, timeout=30,
    )
    return cert, key


class _ReplayHandler(peers._Handler):
    """The peers handler plus CONNECT: the tunnel is answered, then TLS is terminated here and the
    same handler keeps reading requests from inside the tunnel."""

    tunnel_host: str | None = None

    def do_CONNECT(self):  # noqa: N802 - http.server naming
        owner = self.server.owner
        self.tunnel_host = self.path.rsplit(":", 1)[0].lower()
        with owner._lock:
            owner.tunnels.append(self.tunnel_host)
        self.send_response(200, "Connection established")
        self.end_headers()
        self.wfile.flush()
        try:
            tls = owner.tls_context.wrap_socket(self.connection, server_side=True)
        except (ssl.SSLError, OSError):
            self.close_connection = True
            return
        self.connection = tls
        self.rfile = tls.makefile("rb")
        self.wfile = tls.makefile("wb")
        self.close_connection = False


class STSReplay(peers._LoopbackServer):
    """The STS replay peer (see the module docstring). ``static_identities`` maps an access key id
    to ``(secret, arn, user_id)``; ``upstream`` is moto, for AssumeRole."""

    def __init__(self, cert_file: str, key_file: str, upstream: str | None = None,
                 static_identities: dict | None = None):
        self.upstream = upstream
        self.static_identities = dict(static_identities or {})
        self.tls_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.tls_context.load_cert_chain(cert_file, key_file)
        self.tunnels: list[str] = []
        self.replays: list[dict] = []  # one per presigned GET: host, headers, verdict
        self.forwarded: list[str] = []  # Actions sent on to moto
        super().__init__()
        self._server.RequestHandlerClass = _ReplayHandler

    # -- dispatch -------------------------------------------------------------------------------

    def handle(self, handler, method: str) -> None:
        body = handler.read_body()
        query = urllib.parse.urlsplit(handler.path).query
        if method == "GET" and "X-Amz-Signature=" in query:
            self._replay(handler)
            return
        if self.upstream is None:
            handler.reply(502, b"sts-replay: no upstream for this request", [("Content-Type", "text/plain")])
            return
        with self._lock:
            self.forwarded.append(peers.action_of(method, handler.path, handler.headers, body))
        try:
            status, headers, answer = peers.forward(self.upstream, handler, method, body)
        except OSError as error:
            handler.reply(502, f"sts-replay: upstream failed: {error}".encode(), [("Content-Type", "text/plain")])
            return
        handler.reply(status, answer, headers)

    # -- the presigned GET ----------------------------------------------------------------------

    def _secret_for(self, access_key: str):
        """``(secret, session_token, arn, user_id)`` for a key STS would know, else None."""
        if access_key in self.static_identities:
            secret, arn, user_id = self.static_identities[access_key]
            return secret, None, arn, user_id
        issued = peers.moto_assumed_credentials(access_key)
        if issued is None:
            return None
        role_name = issued["RoleArn"].split(":role/", 1)[1].split("/")[-1]
        arn = f"arn:aws:sts::{peers.ACCOUNT_ID}:assumed-role/{role_name}/{issued['SessionName']}"
        user_id = f"AROA{issued['AccessKeyId'][4:16]}:{issued['SessionName']}"
        return issued["SecretAccessKey"], issued["SessionToken"], arn, user_id

    def _replay(self, handler) -> None:
        host = (handler.headers.get("Host") or handler.tunnel_host or "").split(":")[0].lower()
        cluster = handler.headers.get("x-k8s-aws-id")
        wants_json = "application/json" in (handler.headers.get("Accept") or "")
        record = {
            "host": host,
            "tunnel": handler.tunnel_host,
            "path": handler.path,
            "x-k8s-aws-id": cluster,
            "accept": handler.headers.get("Accept"),
            "verdict": None,
        }
        with self._lock:
            self.replays.append(record)

        def refuse(code: str, message: str, status: int = 403) -> None:
            record["verdict"] = code
            if wants_json:
                body = json.dumps({"Error": {"Code": code, "Message": message, "Type": "Sender"},
                                   "RequestId": "replay-err"}).encode()
                handler.reply(status, body, [("Content-Type", "application/json")])
            else:
                body = (f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}"
                        "</Message></Error><RequestId>replay-err</RequestId></ErrorResponse>").encode()
                handler.reply(status, body, [("Content-Type", "text/xml")])

        params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(handler.path).query, keep_blank_values=True))
        credential = params.get("X-Amz-Credential", "").split("/")
        if len(credential) != 5:
            refuse("IncompleteSignature", "X-Amz-Credential is malformed", 400)
            return
        known = self._secret_for(credential[0])
        if known is None:
            refuse("InvalidClientTokenId", "The security token included in the request is invalid.")
            return
        secret, session_token, arn, user_id = known
        if session_token is not None and params.get("X-Amz-Security-Token") != session_token:
            refuse("InvalidClientTokenId", "The security token included in the request is invalid.")
            return
        try:
            signed_at = datetime.datetime.strptime(params.get("X-Amz-Date", ""), "%Y%m%dT%H%M%SZ")
        except ValueError:
            refuse("IncompleteSignature", "X-Amz-Date does not parse", 400)
            return
        expected = peers.presign_token_url(
            f"https://{host}/", cluster or "", credential[0], secret, params.get("X-Amz-Security-Token"),
            credential[2], signed_at, int(params.get("X-Amz-Expires", "60") or 60),
        )
        expected_params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(expected).query, keep_blank_values=True))
        if cluster is None or expected_params.get("X-Amz-Signature") != params.get("X-Amz-Signature"):
            refuse("SignatureDoesNotMatch",
                   "The request signature we calculated does not match the signature you provided.")
            return
        if peers.utcnow() > signed_at + datetime.timedelta(minutes=15):
            refuse("ExpiredToken", "The security token included in the request is expired")
            return
        record["verdict"] = "OK"
        account = arn.split(":")[4]
        if wants_json:
            body = json.dumps({"GetCallerIdentityResponse": {
                "GetCallerIdentityResult": {"Account": account, "Arn": arn, "UserId": user_id},
                "ResponseMetadata": {"RequestId": "replay-ok"}}}).encode()
            handler.reply(200, body, [("Content-Type", "application/json")])
        else:
            body = ('<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
                    f"<GetCallerIdentityResult><Arn>{arn}</Arn><UserId>{user_id}</UserId>"
                    f"<Account>{account}</Account></GetCallerIdentityResult>"
                    "<ResponseMetadata><RequestId>replay-ok</RequestId></ResponseMetadata>"
                    "</GetCallerIdentityResponse>").encode()
            handler.reply(200, body, [("Content-Type", "text/xml")])

    def verdicts(self) -> list:
        with self._lock:
            return [record["verdict"] for record in self.replays]


# ---------------------------------------------------------------------------------------------
# Token surgery
# ---------------------------------------------------------------------------------------------


def token_url(token: str) -> str:
    """The URL inside a ``k8s-aws-v1.`` token."""
    payload = token[len(peers.TOKEN_PREFIX):]
    return base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode("utf-8")


def token_for(url: str) -> str:
    """A ``k8s-aws-v1.`` token around ``url`` (base64url, no padding)."""
    return peers.TOKEN_PREFIX + base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")


def tampered(token: str, find: str, replacement: str) -> str:
    """``token`` with ``find`` replaced in its URL; ``find`` must occur."""
    url = token_url(token)
    assert find in url, f"{find!r} not in {url}"
    return token_for(url.replace(find, replacement))
