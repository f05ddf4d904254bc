"""Proxies as botocore (urllib3) uses them, against loopback forward proxies: our RFC 9110/9112 fake
(proxy_fake.ForwardProxy, which records request lines and plays failures) and proxy.py from PyPI (a real
proxy's parser): absolute-form for http destinations and CONNECT for https ones, https:// proxies (TLS
to the proxy), Basic proxy credentials that are never printed, NO_PROXY ranges and ports, and failing
proxies named as such. moto checks SigV4 and IAM, so a request that arrives mangled (wrong Host, lost
body) fails."""
from __future__ import annotations

import base64
import json
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest

import credential_fakes as fakes
import peers
from proxy_fake import ForwardProxy
from test_transport import TLSFront, env_for, token_args

IMDS_KEYS = fakes.Credentials("ASIAPROXYIMDSEXAMPLE", "proxyImdsSecretEXAMPLE/+/proxyImdsSecret00", "imdsProxyToken0")
USER = "proxy user@corp"
PASSWORD = "p:ss/w%rd"


@pytest.fixture
def tls_moto(moto, tmp_path):
    """moto behind TLS (self-signed for 127.0.0.1) and the certificate that makes it trusted."""
    cert, key = peers.make_self_signed_cert(str(tmp_path))
    front = TLSFront(moto.endpoint, cert, key)
    yield front, cert, key
    front.close()


def assume_role(run, moto, env, *extra):
    return run(*token_args("--role-arn", moto.role_arn, *extra), env=env)


def issued_by_sts(out: str) -> bool:
    _, params = peers.decode_token(json.loads(out)["status"]["token"])
    return params["X-Amz-Credential"].startswith("ASIA")


def test_an_http_destination_goes_to_the_proxy_in_absolute_form(run, moto, tmp_path):
    with ForwardProxy() as proxy:
        rc, out, err = assume_role(run, moto, env_for(run, moto, moto.endpoint, tmp_path, HTTP_PROXY=proxy.url))
    assert rc == 0, err
    assert issued_by_sts(out)
    assert proxy.requests == [("POST", moto.endpoint + "/")], "RFC 9112 absolute-form, never CONNECT for http"


def test_an_https_destination_goes_through_a_connect_tunnel(run, moto, tls_moto, tmp_path):
    front, cert, _ = tls_moto
    with ForwardProxy() as proxy:
        env = env_for(run, moto, front.endpoint, tmp_path, HTTPS_PROXY=proxy.url, AWS_CA_BUNDLE=cert)
        rc, out, err = assume_role(run, moto, env)
    assert rc == 0, err
    assert issued_by_sts(out)
    assert proxy.requests == [("CONNECT", urllib.parse.urlsplit(front.endpoint).netloc)]
    assert front.count("AssumeRole") == 1


def test_proxy_credentials_are_sent_percent_decoded_and_never_printed(run, moto, tls_moto, tmp_path):
    front, cert, _ = tls_moto
    basic = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    with ForwardProxy(credentials=(USER, PASSWORD)) as proxy:
        url = proxy.url_with(USER, PASSWORD)
        env = env_for(run, moto, front.endpoint, tmp_path, HTTPS_PROXY=url, HTTP_PROXY=url, AWS_CA_BUNDLE=cert)
        rc, out, err = assume_role(run, moto, env, "--verbose")
        assert rc == 0, err
        env["AWS_ENDPOINT_URL_STS"] = moto.endpoint
        rc, out, err2 = assume_role(run, moto, env, "--verbose")
        assert rc == 0, err2
    assert proxy.methods == ["CONNECT", "POST"]
    assert proxy.authorizations == [basic, basic], "on the CONNECT, and on the absolute-form request itself"
    assert front.count("AssumeRole") == 1
    for text in (err, err2):
        assert f"via proxy http://***:***@127.0.0.1:{proxy.port} (from HTTP" in text, text
        for secret in ("p:ss", "w%rd", "proxy user", urllib.parse.quote(PASSWORD, safe="")):
            assert secret not in text


@pytest.mark.parametrize("variable", ["HTTPS_PROXY", "HTTP_PROXY"])
def test_a_407_names_the_proxy_and_its_variable_without_the_credentials(run, moto, tls_moto, tmp_path, variable):
    front, cert, _ = tls_moto
    with ForwardProxy(credentials=(USER, PASSWORD)) as proxy:
        endpoint = front.endpoint if variable == "HTTPS_PROXY" else moto.endpoint
        env = env_for(run, moto, endpoint, tmp_path, AWS_CA_BUNDLE=cert, **{variable: proxy.url_with(USER, "wrong")})
        rc, out, err = assume_role(run, moto, env)
    assert rc == 69, err
    assert out == ""
    assert f"proxy http://***:***@127.0.0.1:{proxy.port} (from {variable})" in err, err
    assert "407 Proxy Authentication Required" in err, err
    assert "wrong" not in err and "proxy user" not in err
    assert front.count("AssumeRole") == 0


def test_a_refused_proxy_is_named_as_the_proxy(run, moto, tmp_path):
    dead = peers.free_port()
    env = env_for(run, moto, moto.endpoint, tmp_path, http_proxy=f"http://someone:secret@127.0.0.1:{dead}")
    rc, out, err = assume_role(run, moto, env)
    assert rc == 69, err
    assert f"proxy http://***:***@127.0.0.1:{dead} (from http_proxy): connection refused" in err, err
    assert "secret" not in err


def test_an_unresolvable_proxy_is_named_as_the_proxy(run, moto, tmp_path):
    env = env_for(run, moto, moto.endpoint, tmp_path, HTTP_PROXY="http://proxy.invalid:3128")
    rc, out, err = assume_role(run, moto, env)
    assert rc == 69, err
    assert "proxy http://proxy.invalid:3128 (from HTTP_PROXY): cannot resolve proxy.invalid" in err, err


def test_a_proxy_that_cannot_open_the_tunnel_is_named_with_its_status(run, moto, tls_moto, tmp_path):
    front, cert, _ = tls_moto
    with ForwardProxy(connect_status=502) as proxy:
        env = env_for(run, moto, front.endpoint, tmp_path, HTTPS_PROXY=proxy.url, AWS_CA_BUNDLE=cert)
        rc, out, err = assume_role(run, moto, env)
    assert rc == 69, err
    target = urllib.parse.urlsplit(front.endpoint).netloc
    assert f"proxy {proxy.url} (from HTTPS_PROXY) refused the tunnel to {target}: 502" in err, err
    assert front.count("AssumeRole") == 0


def test_an_https_proxy_gets_tls_for_both_kinds_of_destination(run, moto, tls_moto, tmp_path):
    front, cert, key = tls_moto
    with ForwardProxy(tls=(cert, key)) as proxy:
        assert proxy.url.startswith("https://")
        env = env_for(run, moto, front.endpoint, tmp_path, HTTPS_PROXY=proxy.url, HTTP_PROXY=proxy.url,
                      AWS_CA_BUNDLE=cert)
        rc, out, err = assume_role(run, moto, env)
        assert rc == 0, err
        assert issued_by_sts(out)
        env["AWS_ENDPOINT_URL_STS"] = moto.endpoint
        rc, out, err = assume_role(run, moto, env)
        assert rc == 0, err
    assert proxy.requests == [
        ("CONNECT", urllib.parse.urlsplit(front.endpoint).netloc),
        ("POST", moto.endpoint + "/"),
    ]


def test_an_https_proxy_with_an_untrusted_certificate_is_refused_and_named(run, moto, tls_moto, tmp_path):
    _, cert, key = tls_moto
    with ForwardProxy(tls=(cert, key)) as proxy:
        rc, out, err = assume_role(run, moto, env_for(run, moto, moto.endpoint, tmp_path, HTTP_PROXY=proxy.url))
    assert rc == 69, err
    assert f"proxy {proxy.url} (from HTTP_PROXY)" in err, err
    assert proxy.requests == [], "nothing may be sent over an unverified TLS connection"


@pytest.mark.parametrize("no_proxy",
                         ["127.0.0.0/8", "::1/128, 127.0.0.1/32", "{port_entry}", " LOCALHOST , 127.0.0.1 "])
def test_no_proxy_ranges_names_and_ports_send_the_call_direct(run, moto, tmp_path, no_proxy):
    port_entry = "127.0.0.1:" + str(urllib.parse.urlsplit(moto.endpoint).port)
    with ForwardProxy() as proxy:
        env = env_for(run, moto, moto.endpoint, tmp_path, HTTP_PROXY=proxy.url,
                      NO_PROXY=no_proxy.format(port_entry=port_entry))
        rc, out, err = assume_role(run, moto, env)
    assert rc == 0, err
    assert proxy.requests == []


def test_a_no_proxy_entry_for_another_port_does_not_exempt(run, moto, tmp_path):
    with ForwardProxy() as proxy:
        env = env_for(run, moto, moto.endpoint, tmp_path, HTTP_PROXY=proxy.url, NO_PROXY="127.0.0.1:1,10.0.0.0/8")
        rc, out, err = assume_role(run, moto, env)
    assert rc == 0, err
    assert proxy.requests == [("POST", moto.endpoint + "/")]


BOTOCORE_METADATA = """
import sys
from botocore.utils import ContainerMetadataFetcher, InstanceMetadataFetcher
InstanceMetadataFetcher(timeout=2, num_attempts=1, base_url=sys.argv[1]).retrieve_iam_role_credentials()
ContainerMetadataFetcher().retrieve_full_uri(sys.argv[2])
"""


def test_instance_metadata_is_proxied_and_the_container_endpoint_is_not_as_by_botocore(run, home, tmp_path):
    # botocore 1.43: IMDSFetcher takes get_environ_proxies(base_url); ContainerMetadataFetcher has no proxies.
    def seen_by_proxy(command: list[str], env: dict) -> list[tuple[str, str]]:
        with ForwardProxy() as proxy:
            env = {**env, "HTTP_PROXY": proxy.url}
            result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
            assert result.returncode == 0, result.stderr
            return proxy.requests

    with fakes.IMDSFake(IMDS_KEYS) as imds, fakes.ContainerFake(IMDS_KEYS) as agent:
        env = run.env(AWS_EC2_METADATA_SERVICE_ENDPOINT=imds.endpoint, AWS_REGION="us-east-1",
                      EKS_AUTH_CACHE_DIR=str(tmp_path / "cache"), AWS_CONFIG_FILE=str(tmp_path / "none"),
                      AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"))
        ours_imds = seen_by_proxy([run.binary, "token", "--cluster-name", "c"], env)
        ours_container = seen_by_proxy([run.binary, "token", "--cluster-name", "c"],
                                       {**env, "AWS_CONTAINER_CREDENTIALS_FULL_URI": agent.url})
        theirs = seen_by_proxy([sys.executable, "-c", BOTOCORE_METADATA, imds.endpoint + "/", agent.url], env)
    role = imds.endpoint + "/latest/meta-data/iam/security-credentials/"
    token = imds.endpoint + "/latest/api/token"
    assert ours_imds[:3] == [("PUT", token), ("GET", role), ("GET", role + "imds-test-role")]
    assert theirs == ours_imds[:3], "the same absolute-form requests as botocore"
    assert ours_container == [], "the container endpoint never goes through a proxy"
    assert len(agent.requests) == 2


@pytest.mark.parametrize("destination", ["http", "https"])
def test_a_proxy_that_never_answers_is_named_with_the_wait(run, moto, tls_moto, tmp_path, destination):
    front, cert, _ = tls_moto
    with peers.HungServer() as hung:
        endpoint = front.endpoint if destination == "https" else moto.endpoint
        variable = destination.upper() + "_PROXY"
        env = env_for(run, moto, endpoint, tmp_path, AWS_CA_BUNDLE=cert, EKS_AUTH_HTTP_TIMEOUT="1",
                      **{variable: hung.endpoint})
        rc, out, err = assume_role(run, moto, env)
    assert rc == 69, err
    named = f"proxy {hung.endpoint} (from {variable})"
    expected = f"{named}: no answer within 1 s" if destination == "https" else f"no answer within 1 s through {named}"
    assert expected in err, err



class ProxyPy:
    """proxy.py (PyPI ``proxy.py``, installed by ``make test-deps``) on a free loopback port, with Basic
    credentials and, given a certificate, TLS to the proxy itself. Its access log names each request."""

    def __init__(self, log: Path, basic_auth: str | None = None, tls: tuple[str, str] | None = None):
        try:
            import proxy  # noqa: F401
        except ImportError:
            pytest.fail("python module proxy (PyPI proxy.py) missing: run `make test-deps`")
        self.port = peers.free_port()
        self.log = log
        argv = [sys.executable, "-m", "proxy", "--hostname", "127.0.0.1", "--port", str(self.port),
                "--num-workers", "1", "--num-acceptors", "1", "--log-file", str(log)]
        if basic_auth:
            argv += ["--basic-auth", basic_auth]
        if tls:
            argv += ["--cert-file", tls[0], "--key-file", tls[1]]
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        peers.wait_for_port(self.port)

    def access_log(self, expected: int) -> list[str]:
        """The first ``expected`` access-log entries, ``METHOD target`` (written when each connection closes)."""
        entries: list[str] = []
        for _ in range(100):
            lines = self.log.read_text().splitlines() if self.log.exists() else []
            entries = [line.split(" - ")[3] for line in lines if "access_log" in line]
            if len(entries) >= expected:
                break
            time.sleep(0.1)
        return entries

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


@pytest.mark.parametrize("tls", [False, True], ids=["http-proxy", "https-proxy"])
def test_proxy_py_carries_absolute_form_and_connect_with_credentials(run, moto, tls_moto, tmp_path, tls):
    front, cert, key = tls_moto
    with ProxyPy(tmp_path / "proxy.log", basic_auth="eks:s3cret", tls=(cert, key) if tls else None) as proxy:
        url = proxy.url.replace("://", "://eks:s3cret@")
        env = env_for(run, moto, front.endpoint, tmp_path, HTTPS_PROXY=url, HTTP_PROXY=url, AWS_CA_BUNDLE=cert)
        rc, out, err = assume_role(run, moto, env)
        assert rc == 0, err
        assert issued_by_sts(out)
        env["AWS_ENDPOINT_URL_STS"] = moto.endpoint
        rc, out, err = assume_role(run, moto, env)
        assert rc == 0, err
        assert issued_by_sts(out)
        log = proxy.access_log(2)
    moto_target = urllib.parse.urlsplit(moto.endpoint).netloc
    assert log == [f"CONNECT {urllib.parse.urlsplit(front.endpoint).netloc}", f"POST {moto_target}/"], log
    assert front.count("AssumeRole") == 1


def test_proxy_py_refusing_the_credentials_is_named(run, moto, tmp_path):
    with ProxyPy(tmp_path / "proxy.log", basic_auth="eks:s3cret") as proxy:
        env = env_for(run, moto, moto.endpoint, tmp_path, HTTP_PROXY=proxy.url.replace("://", "://eks:wrong@"))
        rc, out, err = assume_role(run, moto, env)
    assert rc == 69, err
    assert f"proxy http://***:***@127.0.0.1:{proxy.port} (from HTTP_PROXY) answered 407" in err, err
    assert "wrong" not in err
