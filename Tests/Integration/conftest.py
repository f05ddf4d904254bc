"""Fixtures for the eks-auth integration suite: the real binary against real local peers.

Nothing here is ever skipped: a missing peer (moto, botocore, awscli, kubectl) or binary is a
loud failure, because `make test` treats a skipped integration test as a failed one.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE))

import peers  # noqa: E402

CLUSTER = "dev.my-eks-cluster"
DEFAULT_TIMEOUT = 30.0
BUILD_TIMEOUT = 1800.0


def pytest_configure(config):
    missing = []
    for module in ("moto", "moto.server", "flask", "botocore", "awscli"):
        try:
            __import__(module)
        except ImportError:
            missing.append(f"python module {module}")
    if shutil.which("kubectl") is None:
        missing.append("kubectl")
    if shutil.which("faketime") is None:
        missing.append("faketime")
    if missing:
        raise pytest.UsageError(
            "integration peers missing: " + ", ".join(missing) + " (run `make test-deps`); refusing to skip"
        )


def _build_binary() -> Path:
    """Build the release binary the way the Makefile does; wait while another SwiftPM holds the lock."""
    command = ["swift", "build", "-c", "release", "--static-swift-stdlib"]
    deadline = time.monotonic() + BUILD_TIMEOUT
    while True:
        result = subprocess.run(
            command, cwd=REPO, capture_output=True, text=True, timeout=max(60.0, deadline - time.monotonic())
        )
        output = result.stdout + result.stderr
        if result.returncode == 0:
            break
        if "another instance" in output.lower() and time.monotonic() < deadline:
            time.sleep(5)
            continue
        pytest.fail(f"`{' '.join(command)}` failed in {REPO}:\n{output[-4000:]}")
    binary = REPO / ".build" / "release" / "eks-auth"
    if not binary.is_file():
        pytest.fail(f"swift build succeeded but {binary} does not exist")
    return binary


@pytest.fixture(scope="session")
def eks_auth() -> str:
    """Absolute path of the eks-auth binary (EKS_AUTH_BIN, else built from this checkout)."""
    configured = os.environ.get("EKS_AUTH_BIN")
    if configured:
        binary = Path(configured)
        if not binary.is_file():
            binary = _build_binary()
    else:
        binary = REPO / ".build" / "release" / "eks-auth"
        if not binary.is_file():
            binary = _build_binary()
    if not os.access(binary, os.X_OK):
        pytest.fail(f"{binary} is not executable")
    return str(binary.resolve())


@pytest.fixture
def home(tmp_path) -> Path:
    """A private, empty HOME for one test."""
    path = tmp_path / "home"
    path.mkdir(mode=0o700)
    return path


def base_env(home: Path, **extra: str) -> dict:
    """An environment built from scratch: PATH, HOME and what the test sets; no AWS_* leaks in."""
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8", "TZ": "UTC"}
    env.update({key: value for key, value in extra.items() if value is not None})
    return env


class Runner:
    """Runs eks-auth (or any command) with an explicit environment and a bounded wait."""

    def __init__(self, binary: str, home: Path):
        self.binary = binary
        self.home = home

    def env(self, **extra: str) -> dict:
        return base_env(self.home, **extra)

    def __call__(self, *args: str, env: dict | None = None, timeout: float = DEFAULT_TIMEOUT, stdin: str = ""):
        """``(rc, stdout, stderr)`` of ``eks-auth ARGS``; env defaults to ``base_env(home)``."""
        return self.command([self.binary, *args], env=env, timeout=timeout, stdin=stdin)

    def command(self, argv: list[str], env: dict | None = None, timeout: float = DEFAULT_TIMEOUT, stdin: str = ""):
        try:
            result = subprocess.run(
                argv,
                env=env if env is not None else self.env(),
                input=stdin,
                capture_output=True,
                text=True,
                timeout=timeout,
                cwd=str(self.home),
            )
        except subprocess.TimeoutExpired as error:
            pytest.fail(f"{argv} did not finish within {timeout}s; stderr so far: {error.stderr!r}")
        return result.returncode, result.stdout, result.stderr


@pytest.fixture
def run(eks_auth, home) -> Runner:
    return Runner(eks_auth, home)


@pytest.fixture(scope="session")
def moto():
    """moto with the dev IAM seed and request checking (SigV4 + IAM policies) on."""
    server = peers.start_moto(auth=True)
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def proxy(moto):
    """A counting proxy in front of the session's moto, fresh per test."""
    server = peers.CountingProxy(moto.endpoint)
    try:
        yield server
    finally:
        server.close()
