"""The README's commands are the program's: every `eks-auth COMMAND --flag` it shows is a flag that command's
help lists, and every command it names exists."""
from __future__ import annotations

import re

from conftest import REPO

COMMANDS = {"token", "get-token", "whoami", "cache", "decode", "verify", "explain", "kubeconfig", "setup", "config",
            "doctor", "version", "migrate", "aws-auth", "credential-process"}


def readme_command_lines() -> list[tuple[list[str], str]]:
    """Each `eks-auth …` command in the README's shell code blocks: its command words and the rest of the line,
    continuation lines joined and comments dropped."""
    blocks, current, language = [], None, ""
    for line in (REPO / "README.md").read_text().splitlines():
        if line.startswith("```"):
            if current is None:
                current, language = [], line[3:].strip()
            else:
                if language in ("", "sh", "bash", "console", "shell"):
                    blocks.append("\n".join(current))
                current = None
        elif current is not None:
            current.append(line)
    # Inline code too: `eks-auth token -i N` in the tables.
    blocks += re.findall(r"`(eks-auth [^`]+)`", (REPO / "README.md").read_text())
    found = []
    for block in blocks:
        for line in re.sub(r"\\\n\s*", " ", block).splitlines():
            line = re.sub(r"\s#\s.*$", "", line).strip()
            for match in re.finditer(r"(?:^|[|;&(]|\s)eks-auth((?:\s+[a-z][a-z-]*)+)([^|;&)]*)", line):
                words = match.group(1).split()
                found.append((words, match.group(2)))
    return found


def test_every_flag_the_readme_shows_is_in_its_commands_help(run):
    checked = 0
    helps: dict[str, str] = {}
    for parts, rest in readme_command_lines():
        if parts[0] not in COMMANDS:
            continue
        command = parts if parts[0] in ("cache", "config", "aws-auth") and len(parts) > 1 else parts[:1]
        key = " ".join(command)
        if key not in helps:
            rc, out, err = run(*command, "--help")
            assert rc == 0, f"eks-auth {key} --help: {err}"
            helps[key] = out
        flags = re.findall(r"(?<![\w-])(--[a-z][a-z-]*|-[a-z])(?=[\s=]|$)", " ".join(parts[len(command):]) + rest)
        for flag in flags:
            assert re.search(rf"(^|[\s,]){re.escape(flag)}([\s,=<]|$)", helps[key], flags=re.M), \
                f"the README shows 'eks-auth {key} … {flag}', which 'eks-auth {key} --help' does not list"
            checked += 1
    assert checked > 40, f"only {checked} flags found in the README's examples"


def test_the_readme_keeps_the_two_setup_commands():
    text = (REPO / "README.md").read_text()
    assert "make demo" in text and "make test" in text
