#!/usr/bin/env python3
"""Presign an EKS token URL with botocore, the independent SigV4 implementation we compare against.

Reads one JSON object on stdin: access_key, secret_key, session_token (or null), region,
cluster, timestamp (YYYYMMDDTHHMMSSZ) and optional endpoint_url. Prints the presigned
GetCallerIdentity URL exactly as `aws eks get-token` builds it (same handler, same expiry).
"""
import datetime
import json
import sys
from unittest import mock

import botocore.session

args = json.load(sys.stdin)
session = botocore.session.get_session()
session.set_credentials(args["access_key"], args["secret_key"], args.get("session_token"))
client = session.create_client(
    "sts",
    region_name=args["region"],
    endpoint_url=args.get("endpoint_url"),
)


def add_cluster_header(request, **_):
    request.headers["x-k8s-aws-id"] = args["cluster"]


client.meta.events.register("before-sign.sts.GetCallerIdentity", add_cluster_header)
instant = datetime.datetime.strptime(args["timestamp"], "%Y%m%dT%H%M%SZ")
with mock.patch("botocore.auth.get_current_datetime", return_value=instant):
    url = client.generate_presigned_url(
        "get_caller_identity", Params={}, ExpiresIn=60, HttpMethod="GET"
    )
print(url)
