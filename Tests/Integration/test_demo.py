"""`make demo` shows the product: a token made from the documented example keys, taken apart by
`eks-auth decode` itself, every server rule passing, and no secret printed."""
from __future__ import annotations

import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_the_demo_makes_a_token_and_decode_passes_every_rule(eks_auth):
    result = subprocess.run(["bash", str(REPO / "scripts" / "demo.sh"), str(eks_auth)], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "== 4. Anatomy of the token (eks-auth decode" in out
    assert "PASS signature" in out and "PASS region" in out and "FAIL" not in out, out
    assert "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" not in out + result.stderr


def test_make_demo_prints_no_warnings(eks_auth):
    # `make demo` builds first (a no-op after `make build`, or a full build on a fresh clone): neither our
    # code nor the link may warn, and SwiftPM's notes on how a dependency is packaged are kept out (--quiet).
    result = subprocess.run(["make", "--no-print-directory", "demo"], cwd=REPO, capture_output=True, text=True,
                            timeout=1800)
    assert result.returncode == 0, result.stderr[-4000:]
    output = result.stdout + result.stderr
    assert "warning" not in output.lower(), output[-4000:]
    assert "PASS signature" in result.stdout
