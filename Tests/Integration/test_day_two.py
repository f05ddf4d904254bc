"""Day-two output against real peers (moto with SigV4 and IAM checks): what `whoami` claims, with values
and provenance apart."""
from __future__ import annotations

import json


def test_whoami_claims_no_profile_for_keys_from_the_environment(run, moto, tmp_path):
    config = tmp_path / "config"
    config.write_text("[profile dev]\nregion = eu-west-1\n")
    env = run.env(AWS_ACCESS_KEY_ID=moto.alice["AccessKeyId"], AWS_SECRET_ACCESS_KEY=moto.alice["SecretAccessKey"],
                  AWS_ENDPOINT_URL_STS=moto.endpoint, AWS_PROFILE="dev", AWS_CONFIG_FILE=str(config),
                  EKS_AUTH_CACHE_DIR=str(tmp_path / "cache"))
    rc, out, err = run("whoami", "--output", "json", env=env)
    assert rc == 0, err
    report = json.loads(out)
    assert list(report) == ["Account", "Arn", "UserId", "Source", "Profile", "ProfileFrom", "Region", "RegionFrom"]
    assert report["Source"] == "environment variables"
    assert report["Profile"] is None and report["ProfileFrom"] is None
    # The profile still gave the region, and says so in its own field.
    assert report["Region"] == "eu-west-1" and report["RegionFrom"] == "region in profile 'dev'"
    assert report["Arn"].endswith(":user/alice")

    rc, out, err = run("whoami", env=env)
    assert rc == 0, err
    assert ("Profile: none (the credentials came from environment variables, which come before profile 'dev' "
            "named by AWS_PROFILE)") in out


def test_whoami_names_the_profile_that_gave_the_credentials(run, moto, tmp_path):
    credentials = tmp_path / "credentials"
    credentials.write_text(f"[dev]\naws_access_key_id = {moto.alice['AccessKeyId']}\n"
                           f"aws_secret_access_key = {moto.alice['SecretAccessKey']}\n")
    env = run.env(AWS_SHARED_CREDENTIALS_FILE=str(credentials), AWS_CONFIG_FILE=str(tmp_path / "none"),
                  AWS_ENDPOINT_URL_STS=moto.endpoint, AWS_REGION="us-east-1")
    rc, out, err = run("whoami", "--profile", "dev", "--output", "json", env=env)
    assert rc == 0, err
    report = json.loads(out)
    assert (report["Profile"], report["ProfileFrom"]) == ("dev", "--profile")
    assert (report["Region"], report["RegionFrom"]) == ("us-east-1", "AWS_REGION")
    assert moto.alice["SecretAccessKey"] not in out + err


def test_cache_list_and_clear_one_session(run, moto, tmp_path):
    env = run.env(AWS_ACCESS_KEY_ID=moto.alice["AccessKeyId"], AWS_SECRET_ACCESS_KEY=moto.alice["SecretAccessKey"],
                  AWS_ENDPOINT_URL_STS=moto.endpoint, AWS_REGION="us-east-1",
                  EKS_AUTH_CACHE_DIR=str(tmp_path / "cache"))
    for session in ("one", "two"):
        rc, _, err = run("token", "--cluster-name", "dev", "--role-arn", moto.role_arn, "--session-name", session,
                         env=env)
        assert rc == 0, err
    rc, out, err = run("cache", "list", "--output", "json", env=env)
    assert rc == 0, err
    sessions = json.loads(out)
    assert sorted(item["session"] for item in sessions) == ["one", "two"]
    for item in sessions:
        assert item["role"] == moto.role_arn and item["kind"] == "assume-role"
        assert item["region"] == "us-east-1" and item["stsEndpoint"].startswith("http://127.0.0.1:")
        assert 0 < item["minutesLeft"] <= 60
    assert moto.alice["SecretAccessKey"] not in out

    rc, table, err = run("cache", "list", env=env)
    assert rc == 0, err
    lines = table.splitlines()
    assert lines[0].split() == ["KEY", "ROLE", "SESSION", "PROFILE", "REGION", "ENDPOINT", "STATE"], table
    assert all(len(line) <= 120 for line in lines), table

    one = next(item for item in sessions if item["session"] == "one")
    rc, out, err = run("cache", "clear", "--key", one["key"][:8], env=env)
    assert (rc, out.strip()) == (0, f"removed 1 cached session from {tmp_path / 'cache'}"), err
    rc, out, _ = run("cache", "list", "--output", "json", env=env)
    assert [item["session"] for item in json.loads(out)] == ["two"]
    rc, out, err = run("cache", "clear", "--role", moto.role_arn, "--profile", "default", env=env)
    assert rc == 0 and out.startswith("removed 1 "), (out, err)

