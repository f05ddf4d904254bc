"""What the start-up work (static libstdc++, no exported symbols, lean libcrypto set-up) must not
change: the clock still comes from libc, so faketime moves it, and a static-key token still verifies."""
from __future__ import annotations

import json
import shutil

import pytest

import peers

CLUSTER = "dev"
ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


def test_faketime_moves_the_clock_the_token_is_signed_with(run):
    faketime = shutil.which("faketime")
    if faketime is None:
        pytest.fail("faketime is not installed (make test-deps installs it); refusing to skip")
    env = run.env(AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY, AWS_REGION="eu-west-1")
    rc, out, err = run.command([faketime, "2030-01-01 00:00:00", run.binary, "token", "--cluster-name", CLUSTER], env=env)
    assert rc == 0, err
    document = json.loads(out)
    assert document["status"]["expirationTimestamp"] == "2030-01-01T00:14:00Z"
    _, params = peers.decode_token(document["status"]["token"])
    assert params["X-Amz-Date"] == "20300101T000000Z"


def test_static_token_verifies_after_the_start_up_changes(run):
    env = run.env(AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY, AWS_REGION="eu-west-1")
    rc, out, err = run("token", "--cluster-name", CLUSTER, "--token-only", env=env)
    assert rc == 0, err
    assert peers.token_problems(out.strip(), CLUSTER, ACCESS_KEY, SECRET_KEY, None) == []
