#!/usr/bin/env bash
# Makes what gets installed beside the binary, and the packages that carry it all.
#
#   package.sh share BIN OUT_DIR        man pages and completions from BIN's own help, laid out as under
#                                       a PREFIX: OUT_DIR/share/{man/man1,bash-completion/completions,
#                                       zsh/site-functions,fish/vendor_completions.d}
#   package.sh deb   BIN OUT_DIR        OUT_DIR/eks-auth_VERSION_ARCH.deb (dpkg-deb)
#   package.sh dist  BIN OUT_DIR        OUT_DIR/eks-auth-VERSION-linux-ARCH.tar.gz and its .sha256
#
# VERSION is EKSAuthVersion.current (Sources/EKSAuthSystem/EKSAuthVersion.swift) unless VERSION is set;
# ARCH is `dpkg --print-architecture` for the .deb and `uname -m` for the tarball unless ARCH is set.
# Every file gets the mtime SOURCE_DATE_EPOCH (default: the last commit's time) and owner root, and
# archives list their members sorted, so the same commit and binary give the same bytes.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
PYTHON="${PYTHON:-python3}"
STRIP="${STRIP:-strip}"

die() {
    echo "package.sh: error: $*" >&2
    exit 1
}

[ $# -eq 3 ] || die "usage: package.sh share|deb|dist BIN OUT_DIR"
what="$1"
bin="$2"
out="$3"
[ -x "$bin" ] || die "$bin is not an executable (make build first)"

if [ -z "${VERSION:-}" ]; then
    VERSION="$(sed -n 's/^ *public static let current = "\([^"]*\)".*/\1/p' \
        "$repo/Sources/EKSAuthSystem/EKSAuthVersion.swift")"
fi
[ -n "$VERSION" ] || die "no version: EKSAuthVersion.current not found in Sources/EKSAuthSystem/EKSAuthVersion.swift"
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
    SOURCE_DATE_EPOCH="$(git -C "$repo" log -1 --format=%ct 2>/dev/null || echo 0)"
fi
export SOURCE_DATE_EPOCH

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The man pages and completion scripts, under $1 laid out as a PREFIX.
make_share() {
    local prefix="$1"
    mkdir -p "$prefix/share/man/man1" "$prefix/share/bash-completion/completions" \
        "$prefix/share/zsh/site-functions" "$prefix/share/fish/vendor_completions.d"
    "$bin" --experimental-dump-help >"$work/help.json"
    "$PYTHON" "$here/generate-man.py" --version "$VERSION" --out-dir "$prefix/share/man/man1" \
        <"$work/help.json" >/dev/null
    # bash-completion sources the script: a #! line would only mislead (lintian: bash-completion-with-hashbang).
    "$bin" --generate-completion-script bash | sed '1{/^#!/d}' >"$prefix/share/bash-completion/completions/eks-auth"
    "$bin" --generate-completion-script zsh >"$prefix/share/zsh/site-functions/_eks-auth"
    "$bin" --generate-completion-script fish >"$prefix/share/fish/vendor_completions.d/eks-auth.fish"
}

# Sets every mtime under $1 to SOURCE_DATE_EPOCH and the modes to 0755 (directories, programs) or 0644.
normalize() {
    find "$1" -type d -exec chmod 0755 {} +
    find "$1" -type f -exec chmod 0644 {} +
    find "$1" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
}

case "$what" in
share)
    make_share "$out"
    ;;

deb)
    command -v dpkg-deb >/dev/null || die "dpkg-deb not found (apt-get install dpkg)"
    arch="${ARCH:-$(dpkg --print-architecture)}"
    # The top changelog entry is the package's version: a release without an entry is a mistake.
    changelog_version="$(sed -n '1s/^eks-auth (\([^)]*\)).*/\1/p' "$repo/packaging/changelog")"
    [ "$changelog_version" = "$VERSION" ] ||
        die "packaging/changelog's top entry is $changelog_version but the version is $VERSION: add an entry"
    root="$work/root"
    make_share "$work/share"
    install -d "$root/DEBIAN" "$root/usr/bin" "$root/usr/share/man/man1" \
        "$root/usr/share/bash-completion/completions" "$root/usr/share/zsh/vendor-completions" \
        "$root/usr/share/fish/vendor_completions.d" "$root/usr/share/doc/eks-auth/docs" \
        "$root/usr/share/lintian/overrides"
    install -m 0755 "$bin" "$root/usr/bin/eks-auth"
    # Debian's strip: no section a debugger alone needs, no .comment or .note (policy 10.1).
    "$STRIP" --remove-section=.comment --remove-section=.note --strip-unneeded "$root/usr/bin/eks-auth"
    for page in "$work/share/share/man/man1/"*.1; do
        gzip -9n <"$page" >"$root/usr/share/man/man1/$(basename "$page").gz"
    done
    cp "$work/share/share/bash-completion/completions/eks-auth" "$root/usr/share/bash-completion/completions/"
    # Debian's zsh reads packages' functions from vendor-completions (site-functions is /usr/local's).
    cp "$work/share/share/zsh/site-functions/_eks-auth" "$root/usr/share/zsh/vendor-completions/"
    cp "$work/share/share/fish/vendor_completions.d/eks-auth.fish" "$root/usr/share/fish/vendor_completions.d/"
    # What lintian reports of the binary that is so on purpose, each with its reason.
    cp "$repo/packaging/lintian-overrides" "$root/usr/share/lintian/overrides/eks-auth"
    doc="$root/usr/share/doc/eks-auth"
    cp "$repo/packaging/copyright" "$doc/copyright"
    # A native package (the version is the program's own): the changelog is changelog.gz.
    gzip -9n <"$repo/packaging/changelog" >"$doc/changelog.gz"
    gzip -9n <"$repo/README.md" >"$doc/README.md.gz"
    for file in "$repo"/Docs/*.md; do
        gzip -9n <"$file" >"$doc/docs/$(basename "$file").gz"
    done
    normalize "$root"
    chmod 0755 "$root/usr/bin/eks-auth"
    # Depends: the shared libraries the binary still loads (the Swift runtime, libcrypto and libyaml
    # are linked in statically), as dpkg-shlibdeps finds them.
    mkdir -p "$work/src/debian"
    printf 'Source: eks-auth\n\nPackage: eks-auth\nArchitecture: any\n' >"$work/src/debian/control"
    depends="$(cd "$work/src" && dpkg-shlibdeps -O -e"$root/usr/bin/eks-auth" 2>/dev/null |
        sed -n 's/^shlibs:Depends=//p')"
    [ -n "$depends" ] || die "dpkg-shlibdeps found no dependencies for the binary (apt-get install dpkg-dev)"
    size="$(du -k -s --apparent-size --exclude=DEBIAN "$root" | cut -f1)"
    sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$arch/" -e "s/@DEPENDS@/$depends/" -e "s/@SIZE@/$size/" \
        "$repo/packaging/control" >"$root/DEBIAN/control"
    (cd "$root" && find usr -type f | LC_ALL=C sort | xargs md5sum) >"$root/DEBIAN/md5sums"
    normalize "$root/DEBIAN"
    chmod 0755 "$root/DEBIAN"
    mkdir -p "$out"
    deb="$out/eks-auth_${VERSION}_${arch}.deb"
    dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
    echo "$deb"
    ;;

dist)
    arch="${ARCH:-$(uname -m)}"
    name="eks-auth-$VERSION-linux-$arch"
    top="$work/$name"
    make_share "$top"
    install -d "$top/bin" "$top/share/doc/eks-auth/docs"
    install -m 0755 "$bin" "$top/bin/eks-auth"
    "$STRIP" --remove-section=.comment --remove-section=.note --strip-unneeded "$top/bin/eks-auth"
    cp "$repo/README.md" "$top/share/doc/eks-auth/README.md"
    cp "$repo"/Docs/*.md "$top/share/doc/eks-auth/docs/"
    cp "$repo/packaging/copyright" "$top/share/doc/eks-auth/copyright"
    normalize "$top"
    chmod 0755 "$top/bin/eks-auth"
    mkdir -p "$out"
    tar --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner --format=gnu \
        -C "$work" -cf - "$name" | gzip -9n >"$out/$name.tar.gz"
    (cd "$out" && sha256sum "$name.tar.gz" >"$name.tar.gz.sha256")
    echo "$out/$name.tar.gz"
    echo "$out/$name.tar.gz.sha256"
    ;;

*)
    die "unknown target '$what' (share, deb or dist)"
    ;;
esac
