"""The packages as a user gets them: `make deb` (lintian-checked, installed with dpkg into a fresh
root made here, run there), `make dist` (a tarball laid out as a PREFIX, with its SHA-256) and
`make install PREFIX=…` as an ordinary user (no root, no apt), with `make uninstall` undoing it.
The man pages in them render without a warning from man."""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "scripts" / "package.sh"
# A fixed build time, so two builds can be compared byte for byte.
EPOCH = "1767225600"  # 2026-01-01T00:00:00Z
TOKEN_ENV = {
    "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    "AWS_REGION": "us-east-1",
}


@pytest.fixture(scope="module", autouse=True)
def tools():
    """What these tests run; `make test-deps` installs it. Missing, the tests fail: nothing is skipped."""
    search = os.environ.get("PATH", "") + ":/usr/sbin:/sbin"
    missing = [tool for tool in ("dpkg-deb", "dpkg-shlibdeps", "lintian", "man", "groff", "readelf", "setpriv",
                                 "unshare", "chroot", "make")
               if shutil.which(tool, path=search) is None]
    if missing:
        pytest.fail(f"missing {', '.join(missing)}: run `make test-deps`")


def run(argv, timeout=300, check=True, **kwargs):
    kwargs.setdefault("text", True)
    result = subprocess.run([str(a) for a in argv], capture_output=True, timeout=timeout, **kwargs)
    if check:
        assert result.returncode == 0, f"{argv} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    return result


def package(what, binary, out, epoch=EPOCH):
    env = dict(os.environ, SOURCE_DATE_EPOCH=epoch)
    env.pop("VERSION", None)
    env.pop("ARCH", None)
    return run(["bash", PACKAGE, what, binary, out], env=env).stdout.split()


@pytest.fixture(scope="module")
def version(eks_auth) -> str:
    """The package version: EKSAuthVersion.current, as the Makefile reads it; `--version` shows it."""
    source = (REPO / "Sources/EKSAuthSystem/EKSAuthVersion.swift").read_text()
    match = re.search(r'public static let current = "([^"]+)"', source)
    assert match, "EKSAuthVersion.current is not a string literal"
    assert match.group(1) in run([eks_auth, "--version"]).stdout
    return match.group(1)


@pytest.fixture(scope="module")
def deb(eks_auth, tmp_path_factory) -> Path:
    (path,) = package("deb", eks_auth, tmp_path_factory.mktemp("deb"))
    return Path(path)


@pytest.fixture(scope="module")
def deb_tree(deb, tmp_path_factory) -> Path:
    tree = tmp_path_factory.mktemp("deb-tree")
    run(["dpkg-deb", "-x", deb, tree])
    return tree


@pytest.fixture(scope="module")
def help_info(eks_auth) -> dict:
    return json.loads(run([eks_auth, "--experimental-dump-help"]).stdout)


def command_paths(command, path=()):
    """Every visible command's words (`("eks-auth", "config", "show")`), depth first."""
    path = path + (command["commandName"],)
    yield path
    for sub in command.get("subcommands") or []:
        if sub.get("shouldDisplay", True) and sub["commandName"] != "help":
            yield from command_paths(sub, path)


def test_the_deb_is_named_and_described_for_this_version_and_architecture(deb, deb_tree, version):
    binary = deb_tree / "usr/bin/eks-auth"
    arch = run(["dpkg", "--print-architecture"]).stdout.strip()
    assert deb.name == f"eks-auth_{version}_{arch}.deb"
    fields = run(["dpkg-deb", "-f", deb]).stdout
    control = dict(re.findall(r"^([A-Za-z-]+): (.*)$", fields, re.M))
    assert control["Package"] == "eks-auth"
    assert control["Version"] == version
    assert control["Architecture"] == arch
    assert control["Section"] == "admin" and control["Priority"] == "optional"
    # Depends names the package of each shared library the binary loads, and nothing else; the Swift
    # runtime, libcrypto and libyaml are linked in, so none of their packages is needed.
    needed = re.findall(r"\(NEEDED\).*\[(.+)\]", run(["readelf", "-d", binary]).stdout)
    assert needed and not [lib for lib in needed if re.match(r"lib(swift|crypto|ssl|yaml|stdc\+\+)", lib)], needed
    owners = set()
    for line in run(["ldd", binary]).stdout.splitlines():
        match = re.search(r"(?:=> )?(/\S+) \(0x", line)
        if match:
            found = run(["dpkg-query", "-S", match.group(1)], check=False).stdout or \
                run(["dpkg-query", "-S", os.path.realpath(match.group(1))]).stdout
            owners.add(found.split(":")[0])
    depends = [entry.strip() for entry in control["Depends"].split(",")]
    assert all(re.fullmatch(r"[a-z0-9.+-]+ \(>= [0-9:.~+-]+\)", entry) for entry in depends), depends
    assert {entry.split()[0] for entry in depends} == owners, (depends, needed)
    assert int(control["Installed-Size"]) > 1000
    assert control["Maintainer"] and control["Description"].startswith("kubectl exec credential plugin")


def test_the_deb_holds_the_stripped_binary_man_pages_completions_and_docs(deb, deb_tree, help_info):
    listing = run(["dpkg-deb", "-c", deb]).stdout.splitlines()
    names = {line.split()[-1].lstrip(".") for line in listing}
    expected = {
        "/usr/bin/eks-auth",
        "/usr/share/bash-completion/completions/eks-auth",
        "/usr/share/zsh/vendor-completions/_eks-auth",
        "/usr/share/fish/vendor_completions.d/eks-auth.fish",
        "/usr/share/doc/eks-auth/copyright",
        "/usr/share/doc/eks-auth/changelog.gz",
        "/usr/share/doc/eks-auth/README.md.gz",
        "/usr/share/doc/eks-auth/docs/reference.md.gz",
    }
    expected |= {f"/usr/share/man/man1/{'-'.join(path)}.1.gz" for path in command_paths(help_info["command"])}
    assert expected <= names, expected - names
    assert "/usr/share/man/man1/eks-auth-token.1.gz" in names
    for line in listing:
        permissions, owner = line.split()[:2]
        assert owner == "root/root", line
        assert permissions in ("drwxr-xr-x", "-rw-r--r--", "-rwxr-xr-x"), line
    sections = run(["readelf", "-S", "-W", deb_tree / "usr/bin/eks-auth"]).stdout
    assert ".symtab" not in sections and ".debug_info" not in sections and ".comment" not in sections
    changelog = gzip.decompress((deb_tree / "usr/share/doc/eks-auth/changelog.gz").read_bytes()).decode()
    assert changelog.startswith("eks-auth (")


def test_lintian_finds_no_errors_in_the_deb(deb):
    result = run(["lintian", "--fail-on", "error", "--tag-display-limit", "0", "--allow-root", deb], check=False,
                 timeout=600)
    errors = [line for line in result.stdout.splitlines() if line.startswith("E:")]
    assert errors == [] and result.returncode == 0, result.stdout + result.stderr


def test_the_deb_builds_the_same_bytes_twice_with_every_mtime_the_build_time(eks_auth, deb, tmp_path):
    (again,) = package("deb", eks_auth, tmp_path)
    assert Path(again).read_bytes() == deb.read_bytes()
    data = run(["dpkg-deb", "--fsys-tarfile", deb], text=False).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        assert {member.mtime for member in tar.getmembers()} == {int(EPOCH)}


def make_root(path: Path, depends: str):
    """A fresh root holding only a dpkg database and the packages the deb depends on (their files copied
    from this machine and recorded as installed), so the deb's Depends line is all it gets."""
    admin = path / "var/lib/dpkg"
    for directory in ("info", "updates", "triggers"):
        (admin / directory).mkdir(parents=True)
    (admin / "available").write_text("")
    for directory in ("tmp", "root", "etc", "proc"):
        (path / directory).mkdir(exist_ok=True)
    # Debian's merged /usr: /lib and /lib64 are links into /usr, as here.
    for link in ("lib", "lib64", "bin", "sbin"):
        if os.path.islink(f"/{link}"):
            (path / os.readlink(f"/{link}").lstrip("/")).mkdir(parents=True, exist_ok=True)
            (path / link).symlink_to(os.readlink(f"/{link}"))
    stanzas = []
    for dependency in depends.split(","):
        name = dependency.strip().split()[0]
        stanzas.append(run(["dpkg-query", "-s", name]).stdout.strip())
        for line in run(["dpkg-query", "-L", name]).stdout.splitlines():
            source = Path(line)
            if line in ("/.", "") or not (source.is_symlink() or source.exists()):
                continue
            target = path / line.lstrip("/")
            if os.path.lexists(target):
                continue
            if source.is_dir() and not source.is_symlink():
                target.mkdir(parents=True, exist_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target, follow_symlinks=False)
    (admin / "status").write_text("\n\n".join(stanzas) + "\n")


def in_root(root: Path, argv, env) -> subprocess.CompletedProcess:
    """Runs argv inside root under chroot, with a /proc of its own mounted as on any installed system
    (the Swift runtime reads the arguments from /proc/self/cmdline): in new mount and PID namespaces,
    which take the mount away on exit, and a user namespace when the tests do not run as root."""
    search = os.environ.get("PATH", "") + ":/usr/sbin:/sbin:/usr/bin:/bin"
    chroot, unshare = shutil.which("chroot", path=search), shutil.which("unshare", path=search)
    assert chroot and unshare, "chroot and unshare (coreutils, util-linux) are needed"
    user = [] if os.geteuid() == 0 else ["--map-root-user"]
    prefix = [unshare, *user, "--mount", "--pid", "--fork", f"--mount-proc={root / 'proc'}", chroot, root]
    return run(prefix + argv, env=env, check=False, timeout=60)


def test_the_deb_installs_into_a_fresh_root_and_makes_a_token_there(deb, eks_auth, version, tmp_path):
    root = tmp_path / "root"
    depends = dict(re.findall(r"^([A-Za-z-]+): (.*)$", run(["dpkg-deb", "-f", deb]).stdout, re.M))["Depends"]
    make_root(root, depends)
    force = [] if os.geteuid() == 0 else ["--force-not-root"]
    installed = run(["dpkg", f"--root={root}", "--log=/dev/null", *force, "-i", deb])
    assert "eks-auth" in installed.stdout
    status = run(["dpkg-query", f"--admindir={root}/var/lib/dpkg", "-W", "-f=${Status} ${Version}", "eks-auth"])
    assert status.stdout == f"install ok installed {version}"
    env = {"PATH": "/usr/bin:/bin", "HOME": "/root", "LANG": "C.UTF-8"}

    shown = in_root(root, ["/usr/bin/eks-auth", "--version"], env)
    assert shown.returncode == 0, shown.stderr
    assert version in shown.stdout

    made = in_root(root, ["/usr/bin/eks-auth", "token", "--cluster-name", "demo"], dict(env, **TOKEN_ENV))
    assert made.returncode == 0, made.stderr
    credential = json.loads(made.stdout)
    assert credential["kind"] == "ExecCredential"
    token = credential["status"]["token"]
    assert token.startswith("k8s-aws-v1.")
    decoded = json.loads(run([eks_auth, "decode", "--output", "json", token]).stdout)
    assert decoded["valid"] and decoded["accessKeyId"] == "AKIDEXAMPLE" and decoded["region"] == "us-east-1"
    assert TOKEN_ENV["AWS_SECRET_ACCESS_KEY"] not in made.stdout + made.stderr

    run(["dpkg", f"--root={root}", "--log=/dev/null", *force, "--purge", "eks-auth"])
    assert not (root / "usr/bin/eks-auth").exists()
    assert not (root / "usr/share/man/man1/eks-auth.1.gz").exists()
    assert not (root / "usr/share/doc/eks-auth").exists()


def test_every_man_page_renders_without_warnings(deb_tree, help_info):
    pages = sorted((deb_tree / "usr/share/man/man1").glob("*.1.gz"))
    assert len(pages) == len(list(command_paths(help_info["command"])))
    env = dict(os.environ, MANWIDTH="80", LANG="C.UTF-8", MAN_DISABLE_SECCOMP="1")
    for page in pages:
        result = run(["man", "--warnings", "-l", page], env=env, check=False, timeout=60)
        assert result.returncode == 0 and result.stderr == "", f"{page.name}: {result.stderr}"
        assert "SYNOPSIS" in result.stdout and "DESCRIPTION" in result.stdout
    token = run(["man", "-l", deb_tree / "usr/share/man/man1/eks-auth-token.1.gz"], env=env).stdout
    assert "--cluster-name" in token and "--profile" in token and "--role-arn" in token
    assert "eks-auth-token - " in token.replace("\u2010", "-")
    # The help's examples are a section of their own, one command a line, not a reflowed paragraph.
    examples = token.replace("\u2010", "-").split("EXAMPLES\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert [line.strip() for line in examples][0] == "eks-auth token --cluster-name my-cluster --region eu-west-1", \
        examples
    top = run(["man", "-l", deb_tree / "usr/share/man/man1/eks-auth.1.gz"], env=env).stdout
    assert "eks-auth-config-show(1)" in top.replace("\u2010", "-") or "eks-auth-config(1)" in top


def test_the_release_tarball_is_laid_out_as_a_prefix_with_a_matching_sha256(eks_auth, version, tmp_path):
    arch = run(["uname", "-m"]).stdout.strip()
    tarball, checksum = (Path(p) for p in package("dist", eks_auth, tmp_path / "a"))
    name = f"eks-auth-{version}-linux-{arch}"
    assert tarball.name == f"{name}.tar.gz" and checksum.name == f"{name}.tar.gz.sha256"
    assert checksum.read_text() == f"{hashlib.sha256(tarball.read_bytes()).hexdigest()}  {tarball.name}\n"
    run(["sha256sum", "--check", "--strict", checksum.name], cwd=checksum.parent)
    with tarfile.open(tarball) as tar:
        members = tar.getmembers()
    names = [member.name for member in members]
    assert names == sorted(names)
    assert all(m.uid == 0 and m.gid == 0 and m.mtime == int(EPOCH) for m in members)
    for path in ("bin/eks-auth", "share/man/man1/eks-auth-token.1", "share/bash-completion/completions/eks-auth",
                 "share/zsh/site-functions/_eks-auth", "share/fish/vendor_completions.d/eks-auth.fish",
                 "share/doc/eks-auth/README.md", "share/doc/eks-auth/copyright",
                 "share/doc/eks-auth/docs/reference.md"):
        assert f"{name}/{path}" in names, path
    (again, _) = (Path(p) for p in package("dist", eks_auth, tmp_path / "b"))
    assert again.read_bytes() == tarball.read_bytes()
    prefix = tmp_path / "prefix"
    prefix.mkdir()
    run(["tar", "-xzf", tarball, "-C", prefix, "--strip-components=1"])
    assert version in run([prefix / "bin/eks-auth", "--version"]).stdout


def fake_tools(directory: Path, log: Path):
    """apt-get, apt and sudo that record being called and fail: installing must not reach for them."""
    directory.mkdir()
    for tool in ("apt-get", "apt", "sudo"):
        script = directory / tool
        script.write_text(f"#!/bin/sh\necho {tool} \"$@\" >> {log}\nexit 1\n")
        script.chmod(0o755)


def user_checkout(eks_auth) -> Path:
    """A directory an ordinary user can read and write (the checkout may sit in root's home), holding
    what `make install` reads: the Makefile, scripts/, packaging/, the version file and the binary."""
    work = Path(tempfile.mkdtemp(prefix="eks-auth-user-"))
    checkout = work / "checkout"
    for path in ("Makefile", "scripts", "packaging", "Sources/EKSAuthSystem/EKSAuthVersion.swift"):
        source, target = REPO / path, checkout / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy2(source, target)
    shutil.copy2(eks_auth, checkout / "eks-auth")
    (work / "home").mkdir()
    fake_tools(work / "fake-bin", work / "called")
    for path in [work, *work.rglob("*")]:
        if path.is_dir():
            path.chmod(0o777)
    return work


def as_user(argv, env, cwd):
    """argv as an ordinary user: nobody when the tests run as root, else the user running them."""
    if os.geteuid() == 0:
        argv = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *argv]
    return run(argv, env=env, cwd=cwd, check=False, timeout=600)


def user_env(work: Path) -> dict:
    return {"PATH": f"{work / 'fake-bin'}:{os.environ.get('PATH', '/usr/bin:/bin')}", "HOME": str(work / "home"),
            "LANG": "C.UTF-8"}


def test_make_install_into_a_user_prefix_needs_no_root_and_no_apt_and_uninstall_undoes_it(eks_auth):
    work = user_checkout(eks_auth)
    try:
        checkout, log, prefix = work / "checkout", work / "called", work / "home" / ".local"
        # The binary is built already: `swift build` is `true` here, so the test runs only the installing.
        make = ["make", "--no-print-directory", "-C", checkout, f"PREFIX={prefix}", "SWIFT=true",
                f"BIN={checkout / 'eks-auth'}", f"SOURCE_DATE_EPOCH={EPOCH}"]
        result = as_user(make + ["install"], user_env(work), work)
        assert result.returncode == 0, result.stdout + result.stderr
        assert not log.exists(), log.read_text()
        installed = sorted(str(p.relative_to(prefix)) for p in prefix.rglob("*") if not p.is_dir())
        pages = sorted(f"share/man/man1/{p.name}" for p in (checkout / ".build/share/share/man/man1").glob("*.1"))
        assert "share/man/man1/eks-auth-token.1" in pages
        assert installed == sorted(["bin/eks-auth", "share/bash-completion/completions/eks-auth",
                                    "share/zsh/site-functions/_eks-auth",
                                    "share/fish/vendor_completions.d/eks-auth.fish", *pages])
        assert os.stat(prefix / "bin/eks-auth").st_uid == (65534 if os.geteuid() == 0 else os.geteuid())
        assert run([prefix / "bin/eks-auth", "--version"]).returncode == 0

        result = as_user(make + ["uninstall"], user_env(work), work)
        assert result.returncode == 0, result.stdout + result.stderr
        assert [p for p in prefix.rglob("*") if not p.is_dir()] == []
    finally:
        shutil.rmtree(work, ignore_errors=True)


def test_a_missing_build_dependency_is_named_not_installed_when_not_root(eks_auth):
    work = user_checkout(eks_auth)
    try:
        # A dpkg-query that says libyaml-dev is not installed (the Makefile asks it for each package's status).
        dpkg = work / "fake-bin" / "dpkg-query"
        dpkg.write_text("#!/bin/sh\nfor a; do [ \"$a\" = libyaml-dev ] && exit 1; done\nexec /usr/bin/dpkg-query \"$@\"\n")
        dpkg.chmod(0o755)
        result = as_user(["make", "--no-print-directory", "-C", work / "checkout", "deps"], user_env(work), work)
        assert result.returncode != 0
        assert "missing libyaml-dev; install with: sudo apt-get install libyaml-dev" in result.stderr
        assert not (work / "called").exists(), (work / "called").read_text()
    finally:
        shutil.rmtree(work, ignore_errors=True)
