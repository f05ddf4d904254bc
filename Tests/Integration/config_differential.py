"""Random AWS config and credentials files, and what botocore's loader reads from them.

Used by test_config_differential.py to compare botocore with `eks-auth config show --all --output
json`, profile by profile and key by key. The generator leans on what breaks INI readers: section
names with quotes, blanks and punctuation, text after a header, `:` and `=`, comments where a value
could continue, continuation and nested lines, blank lines inside values, Python's odd whitespace
(form feed, U+00A0, U+3000, U+001F), CR and CRLF line ends, a byte order mark, non-ASCII keys, and
now and then a line or repetition that makes botocore refuse the whole file.

Run as a script to print one generated pair: `python3 config_differential.py SEED`.
"""
from __future__ import annotations

import hashlib
import os
import random
import sys
import tempfile

# The deliberate differences (Docs/compatibility.md), applied to botocore's reading before comparing.
SECRET_KEYS = {"aws_secret_access_key", "aws_session_token", "aws_security_token"}

NAMES = ["dev", "prod", "a", "x-y_z", "ünï", "a.b@c", "a]b", "team/dev", "default", "DEFAULT", "Dev", "a b",
         "1", "with=equals", "col:on", "#hash", ";semi"]
KINDS = ["profile", "profile", "profile", "Profile", "profiles", "sso-session", "services", ""]
KEYS = ["region", "output", "aws_access_key_id", "aws_secret_access_key", "aws_session_token", "role_arn",
        "source_profile", "credential_process", "Region", "REGION", "my key", "clé", "ÉTÉ", "ΟΔΟΣ", "s3", "sts",
        "endpoint_url", "x"]
VALUES = ["eu-west-1", "us-east-1", "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", "a = b", "a: b",
          "value # comment", "value ; comment", "value#notcomment", "'quoted # inside'", '"a ; b" ; c',
          "arn:aws:iam::123456789012:role/dev", "http://localhost:4566/path?x=1", "ünïcödé", "a\tb", "  spaced  ",
          "# only comment", "x\x0by", "tab\there", "[bracket]", "trailing\\"]
SPACES = [" ", "  ", "\t", "\x0c", "\u00a0", "\u3000", "\u2003", " \t", "\x1f"]


def _section_name(rng: random.Random) -> str:
    kind = rng.choice(KINDS)
    name = rng.choice(NAMES)
    if rng.random() < 0.15:
        name = f'"{name}"' if rng.random() < 0.5 else f"'{name}'"
    if rng.random() < 0.05:
        name = '"unclosed ' + name
    if kind == "" and rng.random() < 0.5:
        return rng.choice(["default", "DEFAULT", "default ", " default", "other", name])
    sep = rng.choice([" ", "  ", "\t", " " if rng.random() < 0.9 else ""])
    text = f"{kind}{sep}{name}"
    if rng.random() < 0.05:
        text = " " + text
    if rng.random() < 0.05:
        text = text + " "
    return text


def _header(rng: random.Random, name: str) -> str:
    line = f"[{name}]"
    roll = rng.random()
    if roll < 0.08:
        line += " (moved to the new account)"
    elif roll < 0.14:
        line += "  # comment"
    elif roll < 0.16:
        line += "]"
    return line


def _key_line(rng: random.Random, key: str) -> str:
    delimiter = rng.choice(["=", "=", " = ", ": ", ":", "\t=\t", " =", "= "])
    value = rng.choice(VALUES)
    return f"{key}{delimiter}{value}"


def generate(seed: int) -> tuple[str, str]:
    """A (config, credentials) pair of texts from `seed`."""
    rng = random.Random(seed)
    newline = rng.choice(["\n", "\n", "\n", "\r\n", "\r"])

    def one_file(sections: int) -> str:
        lines: list[str] = []
        if rng.random() < 0.1:
            lines.append(rng.choice(["# leading comment", "; leading", ""]))
        used_names: list[str] = []
        for _ in range(sections):
            name = _section_name(rng)
            if name in used_names and rng.random() < 0.9:
                continue  # a repeated section fails the file; keep that rare
            used_names.append(name)
            lines.append(_header(rng, name))
            keys_used: list[str] = []
            for _ in range(rng.randint(0, 6)):
                roll = rng.random()
                if roll < 0.08:
                    lines.append(rng.choice(["", "   ", "# c", "  ; indented comment", "\t", "\u00a0"]))
                    continue
                key = rng.choice(KEYS)
                if key.lower() in keys_used and rng.random() < 0.9:
                    continue  # a repeated key fails the file; keep that rare
                keys_used.append(key.lower())
                if key in ("s3", "sts") or rng.random() < 0.06:
                    # A nested block: an empty value, then deeper lines.
                    lines.append(f"{key} =" + rng.choice(["", " ", "\t"]))
                    for _ in range(rng.randint(0, 3)):
                        indent = rng.choice(SPACES) * rng.randint(1, 2)
                        inner = rng.choice(["addressing_style = path", "Max_Concurrent = 10 # c",
                                            "endpoint_url=http://h:1", "", "# nested comment", "k = v = w"])
                        if rng.random() < 0.03:
                            inner = rng.choice(["no delimiter here", "a: b"])
                        lines.append(indent + inner if inner else "")
                    continue
                lines.append(_key_line(rng, key))
                for _ in range(rng.choice([0, 0, 0, 0, 1, 2])):
                    indent = rng.choice(SPACES) * rng.randint(1, 3)
                    lines.append(indent + rng.choice(["more", "[profile looks-like-a-header]", "a = b", "", "x#y"]))
            if rng.random() < 0.01:
                lines.append(rng.choice(["just some words", "= value without key", "[]", "[unclosed"]))
        return newline.join(lines) + (newline if rng.random() < 0.9 else "")

    config = one_file(rng.randint(0, 6))
    credentials = one_file(rng.randint(0, 3)) if rng.random() < 0.6 else ""
    if rng.random() < 0.05:
        config = "\ufeff" + config
    return config, credentials


def botocore_profiles(config_path: str, credentials_path: str):
    """`Session.full_config`'s profiles, sso_sessions and services for the two files, or the error
    botocore raised."""
    import botocore.session

    saved = {k: os.environ.get(k) for k in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_PROFILE")}
    os.environ["AWS_CONFIG_FILE"] = config_path
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = credentials_path
    os.environ.pop("AWS_PROFILE", None)
    try:
        full = botocore.session.Session().full_config
        return {"profiles": full["profiles"], "ssoSessions": full.get("sso_sessions", {}),
                "services": full.get("services", {})}
    except Exception as error:  # noqa: BLE001 - any refusal is a verdict
        return error
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _comment_start(value: str, quote_aware: bool) -> int:
    """Where a one-line value's trailing comment starts (a # or ; after a space or tab, or first)."""
    previous_was_space = True
    quote = None
    for index, char in enumerate(value):
        if quote is not None:
            if char == quote:
                quote = None
        elif quote_aware and char in "'\"":
            quote = char
        elif char in "#;" and previous_was_space:
            return index
        previous_was_space = char in " \t"
    return len(value)


def expected(profiles: dict) -> dict:
    """botocore's profiles with the deliberate differences applied: a one-line value without its
    trailing comment, and secrets shown as `<redacted sha256:…>`."""
    result = {}
    for name, keys in profiles.items():
        shown = {}
        for key, value in keys.items():
            if isinstance(value, str):
                if "\n" not in value:
                    value = value[:_comment_start(value, key == "credential_process")].strip()
                if key.lower() in SECRET_KEYS:
                    value = "<redacted sha256:" + hashlib.sha256(value.encode()).hexdigest()[:12] + ">"
            elif isinstance(value, dict):
                value = {inner: ("<redacted sha256:" + hashlib.sha256(v.encode()).hexdigest()[:12] + ">"
                                 if inner.lower() in SECRET_KEYS else v) for inner, v in value.items()}
            shown[key] = value
        result[name] = shown
    return result


def botocore_reading(config: str, credentials: str):
    """botocore's reading of the two texts (a byte order mark removed first: a deliberate difference)."""
    with tempfile.TemporaryDirectory() as directory:
        config_path = os.path.join(directory, "config")
        credentials_path = os.path.join(directory, "credentials")
        with open(config_path, "w", encoding="utf-8", newline="") as handle:
            handle.write(config.removeprefix("\ufeff"))
        with open(credentials_path, "w", encoding="utf-8", newline="") as handle:
            handle.write(credentials.removeprefix("\ufeff"))
        found = botocore_profiles(config_path, credentials_path)
    if isinstance(found, Exception):
        return found
    return {part: expected(sections) for part, sections in found.items()}


if __name__ == "__main__":
    config_text, credentials_text = generate(int(sys.argv[1]))
    print("--- config\n" + repr(config_text) + "\n--- credentials\n" + repr(credentials_text))
    print("--- botocore\n" + repr(botocore_reading(config_text, credentials_text)))
