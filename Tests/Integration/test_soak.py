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


CALLS = 30
CROSSING = 10  # the call after which the session is put inside its refresh window


def test_kubectl_calls_across_a_background_refresh_all_answer_at_cached_speed(run, eks_auth, home, tmp_path, moto):
    """~30 kubectl calls in a row against a slow STS (each call delayed 1 s); before call CROSSING the
    session is put 5 minutes from its end (inside the 15-minute window, above the 2-minute floor). Every
    call's latency is recorded: the crossing call, and those while the renewal runs, answer from the cache
    as fast as the others, far below the cold call that waited for STS. One renewal, one AssumeRole."""
    import credential_fakes as fakes
    from test_background_refresh import SlowProxy, key_of, put_in_window
    from test_kubectl import kubectl, write_kubeconfig

    cert, key = peers.make_self_signed_cert(str(tmp_path))
    cache = tmp_path / "cache"
    sts = SlowProxy(moto.endpoint, delay=1.0)
    try:
        with peers.FakeAPIServer(cert, key, lambda token: peers.moto_issued_token_problems(token, CLUSTER)) as api:
            kubeconfig = write_kubeconfig(
                home, api.endpoint, cert, eks_auth, ["token", "--cluster-name", CLUSTER, "--role-arn", moto.role_arn],
                {"AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL_STS": sts.endpoint, "EKS_AUTH_CACHE_DIR": str(cache)})
            env = run.env(AWS_ACCESS_KEY_ID=moto.alice["AccessKeyId"],
                          AWS_SECRET_ACCESS_KEY=moto.alice["SecretAccessKey"])
            latencies = []
            old_key = renewed_after = None
            for call in range(CALLS):
                if call == CROSSING:
                    old_key, _ = put_in_window(cache)
                started = time.monotonic()
                rc, _, err = kubectl(run, kubeconfig, env)
                latencies.append(time.monotonic() - started)
                assert rc == 0, f"call {call}: {err}\nrejected: {api.rejections}"
                if old_key is not None and renewed_after is None and key_of(cache) != old_key:
                    renewed_after = call
            assert fakes.wait_until(lambda: key_of(cache) != old_key, timeout=30), "the session was not renewed"
            assert not api.rejections
    finally:
        sts.close()
    assert sts.count("AssumeRole") == 2, sts.counts  # the cold call's, and the one renewal

    cold, crossing = latencies[0], latencies[CROSSING]
    cached = sorted(latencies[1:])
    cached.remove(crossing)
    median = cached[len(cached) // 2]
    lines = [f"{CALLS} kubectl calls across a background refresh (STS delayed {sts.delay} s a call)",
             f"cold (AssumeRole while kubectl waits): {cold * 1000:.0f} ms",
             f"cached: min {min(cached) * 1000:.0f} ms, median {median * 1000:.0f} ms, "
             f"max {max(cached) * 1000:.0f} ms",
             f"crossing the refresh (call {CROSSING}): {crossing * 1000:.0f} ms; the renewed session was in the "
             + (f"cache after call {renewed_after} (calls {CROSSING}-{renewed_after} answered from the old one)"
                if renewed_after is not None else "cache only after the last call"),
             "each call (ms): " + " ".join(f"{latency * 1000:.0f}" for latency in latencies)]
    figures = "\n".join(lines)
    print("\n" + figures)
    Path("/tmp/eks-auth-soak-refresh.txt").write_text(figures + "\n")
    # Relations, not absolute times: the crossing call costs what a cached call costs, and no call after
    # the cold one waited for the slow STS.
    assert crossing <= 3 * median, figures
    assert crossing < cold / 2, figures
    assert max(latencies[1:]) < cold / 2, figures
