"""The layers as shipped: the executable links the library targets and none of the test doubles."""
from __future__ import annotations

import re
import subprocess

# Swift mangles a module name into every symbol as <length><name>, e.g. 10AWSSigning.
LIBRARY_MODULES = ["EKSAuthSystem", "YAMLDocument", "AWSSigning", "AWSConfiguration", "AWSTransport", "EKSAuthCore"]
TEST_ONLY = ["EKSAuthTestSupport", "InMemoryFileSystem", "FakeHTTPClient", "FakeProcessRunner"]

# Full Foundation brings CoreFoundation, FoundationInternationalization and ICU with its 30 MB of data
# (36 of the 74 MB the binary weighed while Yams pulled them in). The code needs FoundationEssentials only.
FULL_FOUNDATION = {
    "ICU's data (icudtNN_dat)": re.compile(r"^\S* *[A-Za-z] icudt\d+_dat$", re.MULTILINE),
    "ICU's code (namespace icu_NN, _FoundationICU)": re.compile(r"N?6icu_\d+|_FoundationICU"),
    "Foundation ($s10Foundation…)": re.compile(r"\$s10Foundation"),
    "FoundationInternationalization": re.compile(r"30FoundationInternationalization"),
    "CoreFoundation (CF… functions)": re.compile(r"^\S* *[A-Za-z] CF[A-Z]\w+$", re.MULTILINE),
}


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


def test_the_executable_links_no_full_foundation_and_no_icu(eks_auth):
    symbols = _symbols(eks_auth)
    for what, pattern in FULL_FOUNDATION.items():
        found = pattern.findall(symbols)
        assert not found, f"{eks_auth} links {what}: {len(found)} symbols, e.g. {found[:3]}"
