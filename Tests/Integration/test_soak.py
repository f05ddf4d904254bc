"""Soak (hardening issue): 200 concurrent `token --role-arn` processes against moto on loopback, cold,
then across an expiry, then with `cache clear` running beside them. Every process prints a valid token,
one AssumeRole per refresh, no torn cache file, and no temporary or lock file is left afterwards."""
from __future__ import annotations

import datetime
import json
import os
import subprocess
import threading
import time
from pathlib import Path

import pytest

import peers

CLUSTER = "dev.my-eks-cluster"
PROCESSES = 200


@pytest.fixture
def counting(moto):
    proxy = peers.CountingProxy(moto.endpoint)
    yield proxy
    proxy.close()


def wave(eks_auth, env, argv, home) -> tuple[list[tuple[int, str, str]], float]:
    """Starts PROCESSES copies of ARGV at once; their results and the wall time."""
    started = time.monotonic()
    results = peers.run_concurrently([eks_auth, *argv], env, PROCESSES, str(home), timeout=240)
    return results, time.monotonic() - started


def assert_all_tokens(results):
    failures = [(rc, err) for rc, _, err in results if rc != 0]
    assert not failures, failures[:3]
    for _, out, _ in results:
        assert json.loads(out)["status"]["token"].startswith(peers.TOKEN_PREFIX)


def assert_clean(cache: Path):
    names = os.listdir(cache)
    assert not [n for n in names if n.startswith(".eks-auth-tmp-") or n.endswith(".lock")], names
    for name in names:
        if name.endswith(".json"):
            json.loads((cache / name).read_text())  # never torn


def test_two_hundred_processes_cold_across_an_expiry_and_beside_cache_clear(eks_auth, run, moto, counting, tmp_path):
    cache = tmp_path / "cache"
    env = run.env(AWS_ACCESS_KEY_ID=moto.alice["AccessKeyId"], AWS_SECRET_ACCESS_KEY=moto.alice["SecretAccessKey"],
                  AWS_ENDPOINT_URL_STS=counting.endpoint, AWS_REGION="us-east-1", EKS_AUTH_CACHE_DIR=str(cache))
    argv = ["token", "--cluster-name", CLUSTER, "--role-arn", moto.role_arn]

    # Cold: one AssumeRole (and the one GetCallerIdentity its default session name needs).
    results, cold = wave(eks_auth, env, argv, run.home)
    assert_all_tokens(results)
    assert counting.count("AssumeRole") == 1, counting.counts
    assert_clean(cache)

    # Across an expiry: the entry now ends within the refresh window, so the next wave renews it, once.
    entries = [cache / n for n in os.listdir(cache) if n.endswith(".json")]
    assert len(entries) == 1
    entry = json.loads(entries[0].read_text())
    soon = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=60)
    entry["expiration"] = soon.strftime("%Y-%m-%dT%H:%M:%SZ")
    entries[0].write_text(json.dumps(entry))
    results, expiry = wave(eks_auth, env, argv, run.home)
    assert_all_tokens(results)
    assert counting.count("AssumeRole") == 2, counting.counts
    assert_clean(cache)

    # With `cache clear` running beside: every process still gets a token; each clear can force at
    # most one more AssumeRole.
    clears = []
    stop = threading.Event()

    def clear_loop():
        while not stop.is_set():
            result = subprocess.run([eks_auth, "cache", "clear"], env=env, capture_output=True, text=True, timeout=30)
            clears.append(result.returncode)
            time.sleep(0.05)

    clearer = threading.Thread(target=clear_loop)
    clearer.start()
    try:
        results, beside = wave(eks_auth, env, argv, run.home)
    finally:
        stop.set()
        clearer.join(timeout=60)
    assert_all_tokens(results)
    assert clears and all(rc == 0 for rc in clears), clears
    assume_roles = counting.count("AssumeRole")
    assert 2 <= assume_roles <= 3 + len(clears), (assume_roles, len(clears))
    assert_clean(cache)
    figures = (f"{PROCESSES} processes a wave; AssumeRole calls: 1 cold, 1 across the expiry, "
               f"{assume_roles - 2} beside {len(clears)} cache clears; wall time: cold {cold:.1f} s, "
               f"expiry {expiry:.1f} s, beside clear {beside:.1f} s")
    print(figures)
