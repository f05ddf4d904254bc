#!/usr/bin/env python3
"""Take an EKS bearer token apart and explain each piece.

Usage:
    scripts/decode-token.py TOKEN
    eks-auth token --cluster-name NAME | scripts/decode-token.py

TOKEN may be a bare `k8s-aws-v1.…` token or a whole ExecCredential JSON
document (as printed by `eks-auth token` or `aws eks get-token`).
Python 3.11 standard library only; nothing is sent anywhere.
"""

from __future__ import annotations

import base64
import binascii
import json
import sys
from datetime import datetime, timedelta, timezone
from typing import NoReturn
from urllib.parse import parse_qsl, urlsplit

PREFIX = "k8s-aws-v1."
# STS accepts a presigned GetCallerIdentity for 15 minutes after X-Amz-Date,
# whatever X-Amz-Expires says (aws-iam-authenticator pkg/token Verify).
ACCEPTED_FOR = timedelta(minutes=15)
SIGV4_TIME = "%Y%m%dT%H%M%SZ"


def fail(message: str) -> NoReturn:
    print(f"decode-token: error: {message}", file=sys.stderr)
    sys.exit(65)


def read_input(argv: list[str]) -> str:
    if len(argv) > 2 or (len(argv) == 2 and argv[1] in ("-h", "--help")):
        print(__doc__.strip(), file=sys.stderr)
        sys.exit(64 if len(argv) > 2 else 0)
    text = argv[1] if len(argv) == 2 and argv[1] != "-" else sys.stdin.read()
    text = text.strip()
    if not text:
        fail("no token given (pass it as the argument or on stdin)")
    return text


def extract_token(text: str) -> tuple[str, str | None]:
    """Return the token and, for an ExecCredential, its expirationTimestamp."""
    if not text.startswith("{"):
        return text, None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        fail(f"input looks like JSON but does not parse: {error}")
    status = document.get("status") or {}
    token = status.get("token")
    if not isinstance(token, str):
        fail("the JSON has no status.token (is it an ExecCredential?)")
    return token, status.get("expirationTimestamp")


def decode_url(token: str) -> str:
    if not token.startswith(PREFIX):
        fail(f"the token does not start with {PREFIX!r}")
    body = token[len(PREFIX):]
    # base64url without '=' padding (RFC 4648 section 5); put the padding back.
    padded = body + "=" * (-len(body) % 4)
    try:
        return base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError) as error:
        fail(f"the part after the prefix is not base64url: {error}")


def shown_value(key: str, value: str) -> str:
    if key.lower() == "x-amz-signature":
        return value[:8] + "…"
    if key.lower() == "x-amz-security-token":
        return f"(present, {len(value)} chars)"
    return value


def abbreviated_url(url: str) -> str:
    """The URL with the signature and session token shortened, for display."""
    base, _, query = url.partition("?")
    pairs = []
    for pair in query.split("&"):
        key, sep, value = pair.partition("=")
        if key.lower() == "x-amz-signature":
            value = value[:8] + "…"
        elif key.lower() == "x-amz-security-token":
            value = "…"
        pairs.append(key + sep + value)
    return base + "?" + "&".join(pairs) if query else base


def utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def main(argv: list[str]) -> None:
    token, expiration = extract_token(read_input(argv))
    url = decode_url(token)
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)

    host = (parts.hostname or "") + (f":{parts.port}" if parts.port else "")
    print(f"prefix:          {PREFIX}  (the rest is base64url of a presigned STS URL, no '=' padding)")
    print(f"token size:      {len(token)} bytes (servers reject more than 4096)")
    print(f"presigned URL:   {abbreviated_url(url)}")
    print("                 (signature and session token abbreviated here and below)")
    print(f"host:            {host}")
    print(f"method, path:    GET {parts.path or '/'}")
    print("query parameters (decoded):")
    width = max((len(key) for key, _ in query), default=0)
    for key, value in query:
        print(f"  {key.ljust(width)}  {shown_value(key, value)}")

    values = {key.lower(): value for key, value in query}
    signed_at = values.get("x-amz-date")
    if signed_at is None:
        print("signed at:       (no X-Amz-Date in the URL)")
    else:
        try:
            moment = datetime.strptime(signed_at, SIGV4_TIME).replace(tzinfo=timezone.utc)
        except ValueError:
            print(f"signed at:       {signed_at} (not a SigV4 timestamp)")
        else:
            print(f"signed at:       {utc(moment)}  (X-Amz-Date)")
            print(f"accepted until:  {utc(moment + ACCEPTED_FOR)}  (X-Amz-Date + 15 min; X-Amz-Expires is ignored)")
    if expiration:
        print(f"kubectl renews:  {expiration}  (ExecCredential status.expirationTimestamp)")
    print(
        "note:            the cluster name is not in the URL: it is in the signed header x-k8s-aws-id "
        "(see X-Amz-SignedHeaders), which the server re-adds when it calls STS."
    )


if __name__ == "__main__":
    main(sys.argv)
