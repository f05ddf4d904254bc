"""The HTTPS client under the STS calls: TLS trust (system store vs AWS_CA_BUNDLE), HTTP proxies
(tunnelled with CONNECT, as AsyncHTTPClient does for every proxied request) with NO_PROXY, a bad proxy value, and DEFAULT_ROLE — against moto with SigV4 and IAM checks on."""
from __future__ import annotations

import json
import select
import socket
import ssl
import threading
import urllib.parse
from collections import Counter

import pytest

import peers

CLUSTER = "dev.my-eks-cluster"


class TLSFront(peers.CountingProxy):
    """moto behind a TLS terminator with a self-signed certificate for 127.0.0.1."""

    def __init__(self, upstream: str, cert: str, key: str):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.upstream = upstream
        self._counts = Counter()
        peers._LoopbackServer.__init__(self, ssl_context=context)


class ConnectProxy:
    """A loopback HTTP proxy that tunnels CONNECT requests (what HTTPS clients send to proxies) and counts them."""

    def __init__(self):
        self.tunnels: list[str] = []
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                continue
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        client.settimeout(10)
        with client:
            head = b""
            while b"\r\n\r\n" not in head and len(head) < 65536:
                chunk = client.recv(4096)
                if not chunk:
                    return
                head += chunk
            request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
            method, target, _ = request_line.split(" ", 2)
            if method != "CONNECT":
                client.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
                return
            with self._lock:
                self.tunnels.append(target)
            host, port = target.rsplit(":", 1)
            with socket.create_connection((host, int(port)), timeout=10) as upstream:
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                rest = head.split(b"\r\n\r\n", 1)[1]
                if rest:
                    upstream.sendall(rest)
                self._pipe(client, upstream)

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        sockets = [a, b]
        while True:
            readable, _, _ = select.select(sockets, [], [], 10)
            if not readable:
                return
            for source in readable:
                data = source.recv(65536)
                if not data:
                    return
                (b if source is a else a).sendall(data)

    def close(self) -> None:
        self._stop.set()
        self._listener.close()
        self._thread.join(timeout=5)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def env_for(run, moto, endpoint: str, tmp_path, **extra) -> dict:
    settings = {
        "AWS_ACCESS_KEY_ID": moto.alice["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": moto.alice["SecretAccessKey"],
        "AWS_ENDPOINT_URL_STS": endpoint,
        "AWS_REGION": "us-east-1",
        "EKS_AUTH_CACHE_DIR": str(tmp_path / "cache"),
        "EKS_AUTH_HTTP_TIMEOUT": "5",
        "AWS_MAX_ATTEMPTS": "1",
    }
    settings.update(extra)
    return run.env(**settings)


def token_args(*extra: str) -> list[str]:
    return ["token", "--cluster-name", CLUSTER, "--session-name", "alice", "--no-cache", *extra]


@pytest.fixture
def tls_front(moto, tmp_path):
    cert, key = peers.make_self_signed_cert(str(tmp_path))
    front = TLSFront(moto.endpoint, cert, key)
    yield front, cert
    front.close()


def test_an_untrusted_certificate_is_refused(run, moto, tls_front, tmp_path):
    front, _ = tls_front
    rc, out, err = run(*token_args("--role-arn", moto.role_arn), env=env_for(run, moto, front.endpoint, tmp_path))
    assert rc == 69, err
    assert out == ""
    assert front.count("AssumeRole") == 0, "no request may pass an unverified TLS handshake"
    assert "eks-auth: error: AssumeRole to https://127.0.0.1" in err


def test_aws_ca_bundle_makes_the_certificate_trusted(run, moto, tls_front, tmp_path):
    front, cert = tls_front
    env = env_for(run, moto, front.endpoint, tmp_path, AWS_CA_BUNDLE=cert)
    rc, out, err = run(*token_args("--role-arn", moto.role_arn), env=env)
    assert rc == 0, err
    assert front.count("AssumeRole") == 1
    token = json.loads(out)["status"]["token"]
    url, params = peers.decode_token(token)
    assert url.startswith(front.endpoint + "/?")
    assert params["X-Amz-Credential"].startswith("ASIA")


def test_http_proxy_carries_the_sts_call_and_no_proxy_bypasses_it(run, moto, tmp_path):
    upstream = urllib.parse.urlsplit(moto.endpoint).netloc
    with ConnectProxy() as proxy:
        env = env_for(run, moto, moto.endpoint, tmp_path, HTTP_PROXY=proxy.endpoint)
        rc, out, err = run(*token_args("--role-arn", moto.role_arn), env=env)
        assert rc == 0, err
        assert proxy.tunnels == [upstream]

        env["NO_PROXY"] = "localhost,127.0.0.1"
        rc, out, err = run(*token_args("--role-arn", moto.role_arn), env=env)
        assert rc == 0, err
        assert proxy.tunnels == [upstream], "NO_PROXY must send the call direct"


def test_a_bad_proxy_value_is_a_configuration_error_not_a_retry(run, moto, tmp_path):
    env = env_for(run, moto, moto.endpoint, tmp_path, HTTP_PROXY="socks5://127.0.0.1:1", AWS_MAX_ATTEMPTS="3")
    rc, out, err = run(*token_args("--role-arn", moto.role_arn), env=env, timeout=20)
    assert rc == 64, err
    assert out == ""
    assert "HTTP_PROXY" in err
    assert "attempt" not in err


def test_default_role_is_assumed_like_aws_iam_authenticator(run, moto, tmp_path):
    with peers.CountingProxy(moto.endpoint) as proxy:
        env = env_for(run, moto, proxy.endpoint, tmp_path, DEFAULT_ROLE=moto.role_arn)
        rc, out, err = run(*token_args(), env=env)
        assert rc == 0, err
        assert proxy.count("AssumeRole") == 1
        _, params = peers.decode_token(json.loads(out)["status"]["token"])
        assert params["X-Amz-Credential"].startswith("ASIA")


def test_the_user_agent_names_eks_auth_and_its_version(run, moto, tmp_path):
    seen = []

    class Recorder(peers.CountingProxy):
        def handle(self, handler, method):
            seen.append(handler.headers.get("User-Agent", ""))
            super().handle(handler, method)

    with Recorder(moto.endpoint) as proxy:
        rc, _, err = run(*token_args("--role-arn", moto.role_arn), env=env_for(run, moto, proxy.endpoint, tmp_path))
        assert rc == 0, err
    rc, version, _ = run("--version")
    assert seen and all(agent == f"eks-auth/{version.strip()}" for agent in seen), seen
