"""Clock skew: a machine whose clock is 20 minutes off (faketime) learns AWS's time from the Date header of
moto's STS replies, keeps it in the cache directory, and signs later tokens (even static-key ones, with no
AWS call) with the corrected time; a clock set right clears it."""
from __future__ import annotations

import datetime
import json
import os
import re

import peers

CLUSTER = "dev.my-eks-cluster"


def env_for(run, moto, tmp_path) -> dict:
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700, exist_ok=True)
    return run.env(AWS_ACCESS_KEY_ID=moto.alice["AccessKeyId"], AWS_SECRET_ACCESS_KEY=moto.alice["SecretAccessKey"],
                   AWS_ENDPOINT_URL_STS=moto.endpoint, AWS_REGION=peers.REGION, AWS_EC2_METADATA_DISABLED="true",
                   EKS_AUTH_CACHE_DIR=str(cache))


def skewed(run, offset: str, *args: str, env: dict):
    """eks-auth ARGS with this machine's wall clock moved by ``offset`` (faketime, e.g. ``-20m``); the boot
    clock stays real, as a wrong wall clock leaves it."""
    return run.command(["faketime", "-f", offset, run.binary, *args], env=dict(env, DONT_FAKE_MONOTONIC="1"),
                       timeout=60)


def signed_at(token: str) -> datetime.datetime:
    _, params = peers.decode_token(token)
    return datetime.datetime.strptime(params["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)


def seconds_from_now(moment: datetime.datetime) -> float:
    return (moment - datetime.datetime.now(datetime.timezone.utc)).total_seconds()


def test_a_clock_20_minutes_behind_is_learned_and_corrected(run, moto, tmp_path):
    env = env_for(run, moto, tmp_path)
    stored = tmp_path / "cache" / "clock-skew.json"
    # Before anything is learned, a static-key token carries the wrong time.
    rc, out, err = skewed(run, "-20m", "token", "--cluster-name", CLUSTER, env=env)
    assert rc == 0, err
    assert -1260 < seconds_from_now(signed_at(json.loads(out)["status"]["token"])) < -1140
    assert not stored.exists()

    # Any signed AWS call teaches the offset (here GetCallerIdentity, signed with the wrong time).
    rc, out, err = skewed(run, "-20m", "whoami", "--verbose", env=env)
    assert rc == 0, err
    assert re.search(r"clock: this machine's clock is (19|20) min[ 0-9s]* behind 127\.0\.0\.1's", err), err
    saved = json.loads(stored.read_text())
    assert 1170 <= saved["offset"] <= 1230 and saved["host"] == "127.0.0.1"
    assert (os.stat(stored).st_mode & 0o777) == 0o600

    # Now a static-key token, no AWS call, is signed with AWS's time, and --verbose says so.
    rc, out, err = skewed(run, "-20m", "token", "--cluster-name", CLUSTER, "--verbose", env=env)
    assert rc == 0, err
    assert abs(seconds_from_now(signed_at(json.loads(out)["status"]["token"]))) < 60
    assert "signing with the corrected time" in err
    # The ExecCredential's expiry is in this machine's clock, which kubectl compares it with: about 14 minutes
    # after the machine's (20 minutes behind) now.
    expiry = datetime.datetime.fromisoformat(json.loads(out)["status"]["expirationTimestamp"].replace("Z", "+00:00"))
    assert -1260 < seconds_from_now(expiry) < -1200 + 15 * 60 + 60

    # decode reports the skew (on stderr; stdout stays the report), and judges the age of a token made for
    # the real STS host with the corrected clock: fresh, not 20 minutes old.
    aws_env = {key: value for key, value in env.items() if key != "AWS_ENDPOINT_URL_STS"}
    rc, out, err = skewed(run, "-20m", "token", "--cluster-name", CLUSTER, "--token-only", env=aws_env)
    assert rc == 0, err
    rc, report, err = skewed(run, "-20m", "decode", out.strip(), "--output", "json", env=aws_env)
    assert rc == 0, err
    assert json.loads(report)["valid"] is True
    assert re.search(r"this machine's clock is (19|20) min[ 0-9s]* behind AWS's", err) and "timedatectl" in err, err


def test_a_clock_set_right_clears_the_correction(run, moto, tmp_path):
    env = env_for(run, moto, tmp_path)
    stored = tmp_path / "cache" / "clock-skew.json"
    rc, _, err = skewed(run, "+15m", "whoami", env=env)
    assert rc == 0, err
    assert -930 <= json.loads(stored.read_text())["offset"] <= -870
    rc, out, err = run("whoami", "--verbose", env=env)
    assert rc == 0, err
    assert abs(json.loads(stored.read_text())["offset"]) < 5
    rc, out, err = run("token", "--cluster-name", CLUSTER, "--verbose", env=env)
    assert rc == 0, err
    assert "corrected time" not in err
    assert abs(seconds_from_now(signed_at(json.loads(out)["status"]["token"]))) < 60


def test_a_clock_set_right_without_any_aws_call_drops_the_correction(run, moto, tmp_path):
    """Learned 20 minutes behind, then the clock is set right (here: the run is not faked) and the next token
    makes no AWS call: the wall clock moved against the boot clock, so the offset is not applied."""
    env = env_for(run, moto, tmp_path)
    rc, _, err = skewed(run, "-20m", "whoami", env=env)
    assert rc == 0, err
    rc, out, err = run("token", "--cluster-name", CLUSTER, "--verbose", env=env)
    assert rc == 0, err
    assert "corrected time" not in err
    assert abs(seconds_from_now(signed_at(json.loads(out)["status"]["token"]))) < 60


def test_a_small_offset_is_not_written_and_a_foreign_file_is_ignored(run, moto, tmp_path):
    env = env_for(run, moto, tmp_path)
    stored = tmp_path / "cache" / "clock-skew.json"
    rc, _, err = skewed(run, "-10s", "whoami", env=env)
    assert rc == 0, err
    assert not stored.exists()
    # A file others may write (mode 0644) is not trusted.
    stored.write_text(json.dumps({"offset": 3600, "learnedAt": datetime.datetime.now(datetime.timezone.utc)
                                  .strftime("%Y-%m-%dT%H:%M:%SZ"), "host": "evil"}))
    os.chmod(stored, 0o644)
    rc, out, err = run("token", "--cluster-name", CLUSTER, env=env)
    assert rc == 0, err
    assert abs(seconds_from_now(signed_at(json.loads(out)["status"]["token"]))) < 60


def test_a_stored_offset_behind_a_symbolic_link_is_not_used(run, moto, tmp_path):
    """clock-skew.json is ours only as a regular file: a link to a file that would pass every other check
    (this user's, 0600, well-formed, recent) is not read through."""
    env = env_for(run, moto, tmp_path)
    elsewhere = tmp_path / "planted.json"
    elsewhere.write_text(json.dumps({"offset": 3600, "learnedAt": datetime.datetime.now(datetime.timezone.utc)
                                     .strftime("%Y-%m-%dT%H:%M:%SZ"), "host": "sts.us-east-1.amazonaws.com"}))
    os.chmod(elsewhere, 0o600)
    (tmp_path / "cache" / "clock-skew.json").symlink_to(elsewhere)
    rc, out, err = run("token", "--cluster-name", CLUSTER, "--verbose", env=env)
    assert rc == 0, err
    assert "corrected time" not in err
    assert abs(seconds_from_now(signed_at(json.loads(out)["status"]["token"]))) < 60
    # The same file as a regular file is used: the test above fails for the link, not the content.
    (tmp_path / "cache" / "clock-skew.json").unlink()
    os.rename(elsewhere, tmp_path / "cache" / "clock-skew.json")
    rc, out, err = run("token", "--cluster-name", CLUSTER, "--verbose", env=env)
    assert rc == 0, err
    assert "corrected time" in err
