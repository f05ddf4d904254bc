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
