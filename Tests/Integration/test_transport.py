"""The HTTPS client under the STS calls: TLS trust (system store vs AWS_CA_BUNDLE), an HTTP proxy with
NO_PROXY, a bad proxy value, and DEFAULT_ROLE — against moto with SigV4 and IAM checks on. Proxies in
depth (absolute form vs CONNECT, https:// proxies, credentials, failures) are in test_proxies.py."""
from __future__ import annotations

import json
import ssl
from collections import Counter

import pytest

import peers
from proxy_fake import ForwardProxy

CLUSTER = "dev.my-eks-cluster"


class TLSFront(peers.CountingProxy):
    """moto behind a TLS terminator with a self-signed certificate for 127.0.0.1."""

    def __init__(self, upstream: str, cert: str, key: str):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.upstream = upstream
        self._counts = Counter()
        peers._LoopbackServer.__init__(self, ssl_context=context)


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
    # One clear reason, not the TLS library's error dump with its build paths, and a hint that fixes it.
    first = err.splitlines()[0]
    assert first.endswith("TLS handshake failed: the certificate is not trusted (CERTIFICATE_VERIFY_FAILED)"), first
    assert "/.build/" not in err and "BoringSSL" not in err, err
    assert "eks-auth: hint: if the endpoint or proxy uses a private CA, set AWS_CA_BUNDLE" in err, err


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
    with ForwardProxy() as proxy:
        env = env_for(run, moto, moto.endpoint, tmp_path, HTTP_PROXY=proxy.url)
        rc, out, err = run(*token_args("--role-arn", moto.role_arn), env=env)
        assert rc == 0, err
        assert proxy.requests == [("POST", moto.endpoint + "/")], "plain http goes to the proxy in absolute form"

        env["NO_PROXY"] = "localhost,127.0.0.1"
        rc, out, err = run(*token_args("--role-arn", moto.role_arn), env=env)
        assert rc == 0, err
        assert len(proxy.requests) == 1, "NO_PROXY must send the call direct"


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
    rc, version, _ = run("version", "--output", "json")
    assert rc == 0
    version = json.loads(version)["version"]
    assert seen and all(agent == f"eks-auth/{version}" for agent in seen), seen


@pytest.mark.parametrize("value, shown, reason", [
    ("http://127.0.0.1:99999", "http://127.0.0.1:99999", "the port '99999' is not a number from 1 to 65535"),
    ("http://127.0.0.1:abc", "http://127.0.0.1:abc", "the port 'abc' is not a number from 1 to 65535"),
    ("http://", "http://", "no host"),
    ("http://[::1", "http://[::1", "an IPv6 address without its ']'"),
    ("http://alice:s3cret@:80", "http://***:***@:80", "no host"),
])
def test_an_unreadable_proxy_value_says_what_is_wrong_without_its_password(run, moto, tmp_path, value, shown, reason):
    env = env_for(run, moto, moto.endpoint, tmp_path, HTTP_PROXY=value)
    rc, out, err = run(*token_args("--role-arn", moto.role_arn), env=env, timeout=20)
    assert rc == 64, err
    assert out == ""
    assert err.splitlines()[0] == (
        f"eks-auth: error: invalid value '{shown}' for HTTP_PROXY (from the environment): "
        f"expected http://[user:password@]host[:port] or https://… ({reason})"), err
    assert "s3cret" not in err
