"""The shell completions as a person gets them: the scripts `make install` puts under a PREFIX, loaded
by bash (through bash-completion's loader), fish and zsh the way each finds a command's completions,
asked for candidates the way TAB asks, against real config, credentials and kubeconfig files.

Dynamic candidates (profiles, cluster, context and user names) come from the binary itself
(`eks-auth ---completion …`), so these tests also pin that it reads the files as `token` does, stays
quiet on broken ones, never offers a secret, and never lets the shell run a name as a command.
"""
from __future__ import annotations

import os
import pty
import select
import shlex
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYCOMPLETIONSECRET"

KUBECONFIG = """\
apiVersion: v1
kind: Config
clusters:
- name: arn:aws:eks:eu-west-1:111122223333:cluster/prod-a
  cluster: {server: "https://a.example"}
- name: kind-local
  cluster: {server: "https://127.0.0.1:6443"}
users:
- name: eks-user
  user:
    exec:
      command: eks-auth
      args: [token, --cluster-name, staging]
- name: aws-cli-user
  user:
    exec:
      command: aws
      args: [eks, get-token, --cluster-name, legacy]
contexts:
- name: prod
  context: {cluster: "arn:aws:eks:eu-west-1:111122223333:cluster/prod-a", user: eks-user}
- name: local
  context: {cluster: kind-local, user: eks-user}
"""


@pytest.fixture(scope="module", autouse=True)
def shells():
    """What these tests run; `make test-deps` installs it. Missing, the tests fail: nothing is skipped."""
    missing = [tool for tool in ("bash", "fish", "zsh") if shutil.which(tool) is None]
    if not Path("/usr/share/bash-completion/bash_completion").is_file():
        missing.append("bash-completion")
    if missing:
        pytest.fail(f"missing {', '.join(missing)}: run `make test-deps`")


@pytest.fixture(scope="module")
def prefix(eks_auth, tmp_path_factory) -> Path:
    """The man pages and completions as `make install` installs them (scripts/package.sh share)."""
    out = tmp_path_factory.mktemp("prefix")
    result = subprocess.run(["bash", str(REPO / "scripts" / "package.sh"), "share", eks_auth, str(out)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    (out / "bin").mkdir()
    (out / "bin" / "eks-auth").symlink_to(eks_auth)
    return out


@pytest.fixture
def user(tmp_path, prefix) -> dict:
    """A HOME with AWS config, credentials and kubeconfig files, and eks-auth on PATH."""
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    (home / ".kube").mkdir()
    (home / ".aws" / "config").write_text(
        "[default]\nregion = us-east-1\n\n[profile dev]\nregion = eu-west-1\n\n[sso-session corp]\n"
        "sso_region = us-east-1\n\n[profile prod-admin]\nrole_arn = arn:aws:iam::111122223333:role/admin\n"
        "source_profile = default\n")
    (home / ".aws" / "credentials").write_text(
        f"[default]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = {SECRET}\n\n"
        f"[ci]\naws_access_key_id = AKIDEXAMPLE2\naws_secret_access_key = {SECRET}\n")
    (home / ".kube" / "config").write_text(KUBECONFIG)
    return {
        "PATH": f"{prefix / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "XDG_DATA_DIRS": str(prefix / "share"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
        "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
    }


def bash_complete(line: str, env: dict, cwd: Path | None = None) -> list[str]:
    """The candidates bash offers for `line` (TAB at its end): bash-completion loads eks-auth's
    completion from XDG_DATA_DIRS as it would in an interactive shell, then the function runs with
    COMP_WORDS as readline splits the line (on blanks; the line's last word may be empty)."""
    words = line.split(" ")
    script = f"""
set -u
source /usr/share/bash-completion/bash_completion
_completion_loader eks-auth
complete -p eks-auth >/dev/null || {{ echo 'no completion loaded for eks-auth' >&2; exit 3; }}
function=$(complete -p eks-auth | sed -E 's/.* -F ([^ ]+) .*/\\1/')
COMP_LINE={shlex.quote(line)}
COMP_POINT=${{#COMP_LINE}}
COMP_WORDS=({' '.join(shlex.quote(word) for word in words)})
COMP_CWORD={len(words) - 1}
COMP_TYPE=9
COMP_KEY=9
COMPREPLY=()
"$function" eks-auth {shlex.quote(words[-1])} {shlex.quote(words[-2] if len(words) > 1 else '')}
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    result = subprocess.run(["bash", "--norc", "--noprofile", "-c", script], env=env, capture_output=True,
                            text=True, timeout=60, cwd=cwd or env["HOME"])
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", result.stderr
    return [word for word in result.stdout.split("\n") if word]


def fish_complete(line: str, env: dict) -> list[str]:
    """The candidates fish offers for `line`: an interactive fish in a pseudo-terminal (the generated
    script asks `commandline` for the cursor, which only an interactive fish answers), the completion
    autoloaded from XDG_DATA_DIRS/fish/vendor_completions.d as fish finds packages' completions, and a
    key bound to write `complete -C` of the typed line to a file. HOME and XDG_CONFIG_HOME are the
    test's, so no personal configuration is read."""
    out = Path(env["HOME"]) / ".fish-candidates"
    out.unlink(missing_ok=True)
    partial = shlex.quote(str(out) + ".partial")
    # Written whole, then renamed: the file appears only once every candidate is in it.
    init = (f"function __capture; complete -C > {partial}; mv {partial} {shlex.quote(str(out))}; end; "
            "bind \\cg __capture; echo READY")
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe("fish", ["fish", "-i", "-C", init], dict(env, TERM="xterm-256color"))
    try:
        screen = read_until(fd, lambda text: b"READY" in text)
        assert b"READY" in screen, screen[-2000:]
        os.write(fd, line.encode() + b"\x07")
        read_until(fd, lambda _: out.exists())
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)
    assert out.exists(), f"fish wrote no candidates for {line!r}"
    return [entry.split("\t")[0] for entry in out.read_text().split("\n") if entry]


def read_until(fd: int, done, limit: float = 30.0) -> bytes:
    """What a pseudo-terminal shows until `done(text so far)` holds, reading at most `limit` seconds
    (a shell that never gets there fails the assertion after it, not the run)."""
    text = b""
    deadline = time.monotonic() + limit
    while not done(text) and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                text += os.read(fd, 65536)
            except OSError:
                break
    return text


def zsh_complete(line: str, env: dict) -> list[str]:
    """The candidates zsh offers for `line`: compinit finds `_eks-auth` on an fpath holding
    PREFIX/share/zsh/site-functions, TAB completes, and `compadd` writes what it is given to a file;
    zsh runs in a pseudo-terminal (zpty), as completion needs one. A key pressed after TAB writes
    DONE: zsh runs it once the completion has finished."""
    site = Path(env["XDG_DATA_DIRS"]) / "zsh" / "site-functions"
    inner = (
        "PS1=''; PROMPT=''; RPROMPT=''; unsetopt zle_bracketed_paste; "
        f"fpath=({shlex.quote(str(site))} $fpath); autoload -Uz compinit; compinit -u -d \"$HOME/.zcompdump\"; "
        "compadd() { local -a __hits; builtin compadd -O __hits \"$@\"; "
        "(( ${#__hits} )) && print -r -l -- \"${__hits[@]/#/CANDIDATE:}\" >> \"$HOME/.candidates\"; "
        "builtin compadd \"$@\"; }; "
        "zstyle ':completion:*' list-prompt ''; zstyle ':completion:*' menu no; "
        "__done() { print -r -- DONE >> \"$HOME/.candidates\"; }; zle -N __done; bindkey '^G' __done; "
        "print -r -- READY"
    )
    driver = f"""
zmodload zsh/zpty
zpty -b z {shlex.quote('zsh -f -i')}
zpty -w z {shlex.quote(inner)}
zpty -r -m z out '*READY*' || exit 4
rm -f "$HOME/.candidates"
zpty -w -n z {shlex.quote(line)}$'\\t\\a'
for i in {{1..300}}; do
    [[ -f "$HOME/.candidates" ]] && grep -qx DONE "$HOME/.candidates" && break
    sleep 0.1
done
zpty -d z
cat "$HOME/.candidates" 2>/dev/null
"""
    result = subprocess.run(["zsh", "-f", "-c", driver], env=env, capture_output=True, text=True, timeout=60,
                            cwd=env["HOME"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "DONE" in result.stdout.split("\n"), f"zsh did not finish completing {line!r}: {result.stdout}"
    return [entry[len("CANDIDATE:"):] for entry in result.stdout.split("\n") if entry.startswith("CANDIDATE:")]


def test_bash_completes_the_subcommands(user):
    candidates = bash_complete("eks-auth ", user)
    for subcommand in ("token", "whoami", "cache", "decode", "verify", "explain", "kubeconfig", "setup", "config"):
        assert subcommand in candidates, candidates
    assert bash_complete("eks-auth ki", user) == []
    assert bash_complete("eks-auth ku", user) == ["kubeconfig"]
    config = bash_complete("eks-auth config ", user)
    assert {"list-profiles", "show", "--help"} <= set(config) and "token" not in config, config


def test_bash_completes_the_flags_of_a_subcommand_but_not_hidden_ones(user):
    candidates = bash_complete("eks-auth token --", user)
    for flag in ("--cluster-name", "--profile", "--region", "--role-arn", "--token-only", "--no-cache", "--help"):
        assert flag in candidates, candidates
    # `--cache` is accepted for aws-iam-authenticator's command lines, but not offered; `--output` (json only)
    # is documented, so it is offered.
    assert "--cache" not in candidates and "--output" in candidates
    assert bash_complete("eks-auth token --role-", user) == ["--role-arn"]


def test_bash_completes_profile_names_from_both_aws_files(user):
    assert bash_complete("eks-auth token --profile ", user) == ["default", "dev", "prod-admin", "ci"]
    assert bash_complete("eks-auth token --profile d", user) == ["default", "dev"]
    assert bash_complete("eks-auth whoami --profile pro", user) == ["prod-admin"]
    assert bash_complete("eks-auth config show --profile c", user) == ["ci"]
    assert bash_complete("eks-auth kubeconfig --profile de", user) == ["default", "dev"]


def test_profiles_follow_aws_config_file_and_the_candidates_hold_no_secret(user, tmp_path):
    other = tmp_path / "other-config"
    other.write_text("[profile elsewhere]\nregion = us-west-2\n")
    env = dict(user, AWS_CONFIG_FILE=str(other), AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"))
    assert bash_complete("eks-auth token --profile ", env) == ["elsewhere"]
    result = subprocess.run(["eks-auth", "---completion", "token", "--", "--profile", "0", "0", ""], env=user,
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.splitlines() == ["default", "dev", "prod-admin", "ci"]
    assert SECRET not in result.stdout and "AKIDEXAMPLE" not in result.stdout


def test_bash_completes_cluster_names_from_the_kubeconfig(user, tmp_path):
    assert bash_complete("eks-auth token --cluster-name ", user) == ["prod-a", "staging", "legacy"]
    assert bash_complete("eks-auth token -i st", user) == ["staging"]
    assert bash_complete("eks-auth verify --cluster-name l", user) == ["legacy"]
    other = tmp_path / "team.yaml"
    other.write_text("clusters:\n- name: arn:aws:eks:us-east-1:111122223333:cluster/team-x\n  cluster: {}\n")
    env = dict(user, KUBECONFIG=f"{other}:{user['HOME']}/.kube/config")
    assert bash_complete("eks-auth token --cluster-name ", env) == ["team-x", "prod-a", "staging", "legacy"]


def test_bash_completes_kubeconfig_contexts_and_users_of_the_file_on_the_command_line(user, tmp_path):
    assert bash_complete("eks-auth kubeconfig --alias ", user) == ["prod", "local"]
    assert bash_complete("eks-auth kubeconfig --user-alias aws", user) == ["aws-cli-user"]
    other = tmp_path / "other.yaml"
    other.write_text("contexts:\n- name: from-flag\n  context: {}\n")
    assert bash_complete(f"eks-auth kubeconfig --kubeconfig {other} --alias ", user) == ["from-flag"]


def test_broken_files_give_no_candidates_and_no_noise(user, tmp_path):
    home = Path(user["HOME"])
    (home / ".aws" / "config").write_text("[profile dev\nregion = \x00\n")
    (home / ".kube" / "config").write_text("clusters: [unclosed\n")
    assert bash_complete("eks-auth token --profile ", user) == []
    assert bash_complete("eks-auth token --cluster-name ", user) == []
    (home / ".aws" / "config").unlink()
    (home / ".aws" / "config").mkdir()
    (home / ".kube" / "config").unlink()
    os.mkfifo(home / ".kube" / "config")  # a reader that waited on it would hang the shell
    assert bash_complete("eks-auth token --profile ", user) == []
    assert bash_complete("eks-auth kubeconfig --alias ", user) == []


def test_a_name_the_shell_would_expand_is_never_offered_or_run(user, tmp_path):
    home = Path(user["HOME"])
    marker = tmp_path / "ran"
    (home / ".aws" / "config").write_text(
        f'[profile "$(touch {marker})"]\n[profile "`touch {marker}`"]\n[profile "<(touch {marker})"]\n'
        '[profile {a,b}]\n[profile "safe one"]\n')
    (home / ".kube" / "config").write_text(
        f"contexts:\n- name: '$(touch {marker})'\n  context: {{}}\n- name: plain\n  context: {{}}\n")
    assert bash_complete("eks-auth token --profile ", user) == ["safe one", "default", "ci"]
    assert bash_complete("eks-auth kubeconfig --alias ", user) == ["plain"]
    assert not marker.exists()


def test_fish_finds_the_completion_and_offers_the_same_names(user):
    subcommands = fish_complete("eks-auth ", user)
    assert "token" in subcommands and "kubeconfig" in subcommands, subcommands
    assert "--cluster-name" in fish_complete("eks-auth token --", user)
    assert fish_complete("eks-auth token --profile ", user) == ["default", "dev", "prod-admin", "ci"]
    assert fish_complete("eks-auth token --cluster-name ", user) == ["prod-a", "staging", "legacy"]


def test_zsh_finds_the_completion_and_offers_the_same_names(user):
    subcommands = zsh_complete("eks-auth ", user)
    assert "token" in subcommands and "kubeconfig" in subcommands, subcommands
    assert set(zsh_complete("eks-auth token --profile ", user)) >= {"default", "dev", "prod-admin", "ci"}
    assert set(zsh_complete("eks-auth token --cluster-name ", user)) >= {"prod-a", "staging", "legacy"}
