"""The layers as shipped: the executable links the library targets and none of the test doubles."""
from __future__ import annotations

import subprocess

# Swift mangles a module name into every symbol as <length><name>, e.g. 10AWSSigning.
LIBRARY_MODULES = ["EKSAuthSystem", "AWSSigning", "AWSConfiguration", "AWSTransport", "EKSAuthCore"]
TEST_ONLY = ["EKSAuthTestSupport", "InMemoryFileSystem", "FakeHTTPClient", "FakeProcessRunner"]


def _symbols(binary: str) -> str:
    result = subprocess.run(["nm", binary], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_executable_links_every_layer_and_no_test_double(eks_auth):
    symbols = _symbols(eks_auth)
    for module in LIBRARY_MODULES:
        assert f"{len(module)}{module}" in symbols, f"{module} is not linked into {eks_auth}"
    for name in TEST_ONLY:
        assert f"{len(name)}{name}" not in symbols, f"test double {name} is linked into {eks_auth}"
