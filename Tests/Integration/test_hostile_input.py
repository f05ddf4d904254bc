"""Hostile replies, arguments and crashes (hardening issue): a service's message reaches the terminal
escaped and bounded, a huge reply is cut off, 20,000 repeated flags end at once, and no core dump is
possible while credentials are in memory."""
from __future__ import annotations

import http.server
import os
import stat
import subprocess
import threading
import time

import pytest

KEYS = {"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        "AWS_REGION": "us-east-1"}
ROLE = "arn:aws:iam::123456789012:role/dev"


class HostileSTS:
    """A loopback STS that answers every request with one prepared reply (status, body bytes)."""

    def __init__(self, status: int, body: bytes):
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                outer.requests += 1
                self.send_response(status)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.requests = 0
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def error_reply(message: str) -> bytes:
    return (f"<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>{message}</Message>"
            "</Error><RequestId>req-1</RequestId></ErrorResponse>").encode()


def token_of(url: str) -> str:
    """An EKS token for `url`, however odd the URL."""
    import base64

    return "k8s-aws-v1." + base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")


def run_role(eks_auth, tmp_path, endpoint):
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(tmp_path), **KEYS,
           "AWS_ENDPOINT_URL_STS": endpoint, "AWS_MAX_ATTEMPTS": "1", "EKS_AUTH_HTTP_TIMEOUT": "20"}
    started = time.monotonic()
    result = subprocess.run([eks_auth, "token", "--cluster-name", "dev", "--role-arn", ROLE, "--session-name", "hostile",
                             "--no-cache"], env=env, capture_output=True, timeout=120)
    return result, time.monotonic() - started


def test_control_characters_in_a_service_message_are_escaped(eks_auth, tmp_path):
    sts = HostileSTS(403, error_reply("\x1b[2J\x1b[H\ntoken OK: you are admin\r\x07\u202edone"))
    try:
        result, _ = run_role(eks_auth, tmp_path, sts.endpoint)
    finally:
        sts.close()
    assert result.returncode == 77, result.stderr
    err = result.stderr.decode()
    assert "\x1b" not in err and "\r" not in err and "\x07" not in err and "\u202e" not in err, repr(err)
    # Each line the program writes starts with its name: the message could not forge one of its own.
    assert all(line.startswith("eks-auth: ") for line in err.splitlines()), repr(err)
    assert "\\e[2J" in err and "\\ntoken OK" in err, repr(err)
    assert result.stdout == b""


def test_a_huge_service_message_is_cut_off_and_printed_as_an_excerpt(eks_auth, tmp_path):
    sts = HostileSTS(403, error_reply("A" * (20 << 20)))  # 20 MB in one message
    try:
        result, elapsed = run_role(eks_auth, tmp_path, sts.endpoint)
    finally:
        sts.close()
    assert result.returncode != 0
    assert len(result.stderr) < 8000, len(result.stderr)
    assert b"larger than 1 MiB" in result.stderr, result.stderr[:500]
    assert elapsed < 30


def test_a_long_message_under_the_body_bound_is_an_excerpt(eks_auth, tmp_path):
    sts = HostileSTS(403, error_reply("B" * 500_000))
    try:
        result, _ = run_role(eks_auth, tmp_path, sts.endpoint)
    finally:
        sts.close()
    assert result.returncode == 77
    err = result.stderr.decode()
    assert "more characters)" in err and len(err) < 8000, err[:300]


@pytest.mark.parametrize("args", [["--region", "eu-west-1"] * 10_000, ["--verbose"] * 20_000])
def test_thousands_of_repeated_flags_end_at_once_with_a_usage_error(eks_auth, tmp_path, args):
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(tmp_path), **KEYS}
    started = time.monotonic()
    result = subprocess.run([eks_auth, "token", "--cluster-name", "dev", *args], env=env, capture_output=True,
                            text=True, timeout=30)
    assert time.monotonic() - started < 5
    assert result.returncode == 64
    assert result.stderr.strip() == f"eks-auth: error: too many arguments ({len(args) + 3}; at most 1000)", result.stderr


def test_core_dumps_are_off_while_credentials_are_in_memory(eks_auth, tmp_path):
    # credential_process runs as our child: it reads our limits while we hold the profile's secrets.
    report = tmp_path / "limits"
    script = tmp_path / "creds.sh"
    script.write_text("#!/bin/sh\n"
                      f"grep 'Max core file size' /proc/$PPID/limits > {report}\n"
                      'echo \'{"Version":1,"AccessKeyId":"AKIDEXAMPLE","SecretAccessKey":"s"}\'\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    config = tmp_path / "config"
    config.write_text(f"[default]\ncredential_process = {script}\nregion = us-east-1\n")
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(tmp_path), "AWS_CONFIG_FILE": str(config),
           "EKS_AUTH_CACHE_DIR": str(tmp_path / "cache")}
    # Even when the shell allowed unlimited core files.
    result = subprocess.run(["sh", "-c", f"ulimit -c unlimited; exec {eks_auth} token --cluster-name dev"], env=env,
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    fields = report.read_text().split()
    assert fields[4:6] == ["0", "0"], report.read_text()


def test_a_billion_laughs_aws_auth_file_is_refused_at_once(eks_auth, tmp_path):
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for previous, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    lines += ["data:", '  mapRoles: "[]"']
    bomb = tmp_path / "aws-auth.yaml"
    bomb.write_text("\n".join(lines) + "\n")
    started = time.monotonic()
    result = subprocess.run([eks_auth, "explain", "--aws-auth", str(bomb), "--arn", "arn:aws:iam::123456789012:role/x"],
                            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}, capture_output=True, text=True,
                            timeout=60)
    assert time.monotonic() - started < 5
    assert result.returncode == 65, result.stderr
    assert "200000 nodes once aliases are expanded" in result.stderr and str(bomb) in result.stderr, result.stderr


def test_text_from_a_token_is_escaped_on_a_terminal_and_unchanged_into_a_pipe(eks_auth, tmp_path):
    import pty

    url = ("https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15"
           "&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=%1B%5B2JAKIDEXAMPLE%2F20240102%2Fus-east-1%2Fsts"
           "%2Faws4_request&X-Amz-Date=20240102T030405Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id"
           "&X-Amz-Signature=" + "a" * 64)
    token = token_of(url)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    master, slave = pty.openpty()
    result = subprocess.run([eks_auth, "decode", token], stdout=slave, stderr=subprocess.PIPE, env=env, timeout=30)
    os.close(slave)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    assert result.returncode == 65
    assert b"\x1b" not in shown and b"\\e[2JAKIDEXAMPLE" in shown, shown[:400]
    piped = subprocess.run([eks_auth, "decode", token], capture_output=True, env=env, timeout=30)
    assert b"\x1b[2JAKIDEXAMPLE" in piped.stdout  # a pipe gets the text as it is, for other programs


@pytest.mark.parametrize("message", ["A" + "\u0301" * 400_000, "\x01" * 3_000, "x\u200f\u061c\u2028y"])
def test_a_line_is_bounded_after_escaping_and_in_code_points(eks_auth, tmp_path, message):
    sts = HostileSTS(403, error_reply(message))
    try:
        result, _ = run_role(eks_auth, tmp_path, sts.endpoint)
    finally:
        sts.close()
    assert result.returncode == 77
    for line in result.stderr.decode().splitlines():
        assert len(line) <= 4_100, len(line)
        assert not any(c in line for c in "\x01\u200f\u061c\u2028"), repr(line[:200])


def test_decode_hides_the_signature_and_session_token_whatever_their_spelling(eks_auth, tmp_path):
    url = ("https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15"
           "&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIAEXAMPLE%2F20240102%2Fus-east-1%2Fsts%2Faws4_request"
           "&X-Amz-Date=20240102T030405Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id"
           "&X-Amz-Security%2DToken=SESSTOKSECRET3&X-Amz%2DSignature=" + "ab" * 32)
    token = token_of(url)
    result = subprocess.run([eks_auth, "decode", token], capture_output=True, text=True, timeout=30,
                            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert "SESSTOKSECRET3" not in result.stdout + result.stderr
    assert "ab" * 32 not in result.stdout + result.stderr
