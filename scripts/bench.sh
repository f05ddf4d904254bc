#!/usr/bin/env bash
# Benchmark (not a test): time eks-auth against `aws eks get-token` (and
# aws-iam-authenticator when it is on PATH) on the documented example keys,
# then the assumed-role paths against a local moto STS. No AWS account needed.
# Beside the clocks it prints deterministic figures: callgrind's instruction counts (static keys, the
# cached assumed role, static keys from a 2,000-profile config), the STS round trips of a cold
# --role-arn call, and the installed (stripped) size.
#
# Usage: scripts/bench.sh [path/to/eks-auth]   (make bench passes .build/release/eks-auth)
# Results go to stdout; hyperfine's raw JSON stays in a temp dir.
set -euo pipefail

bin=${1:-.build/release/eks-auth}
if [[ ! -x $bin ]]; then
    echo "bench: no executable at $bin (run 'make build' first)" >&2
    exit 66
fi
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

cluster=dev.my-eks-cluster
region=eu-west-1
example_key=AKIDEXAMPLE
example_secret=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
fallback_role=arn:aws:iam::123456789012:role/dev.eks-access.role
rss_runs=5

work=$(mktemp -d "${TMPDIR:-/tmp}/eks-auth-bench.XXXXXX")
moto_pid=
cleanup() {
    if [[ -n $moto_pid ]]; then
        # moto runs in its own session (setsid), so its group id is its pid.
        kill -- "-$moto_pid" 2>/dev/null || kill "$moto_pid" 2>/dev/null || true
        wait "$moto_pid" 2>/dev/null || true
    fi
    # Keep only the raw JSON and the RSS table.
    rm -rf "${work:?}/home" "${work:?}/cache" "${work:?}/many" "${work:?}/empty-home" "$work"/check.* "$work/rss.tmp" \
        "$work/eks-auth" "$work/eks-auth.installed" "$work/eks-auth.run" "$work"/callgrind.*
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Time and measure a copy, as `make install` installs one: the file the linker has just written sits
# in the page cache in large folios, and a process mapping it is charged whole folios, so its peak RSS
# reads 17 MiB where a copy reads 10.8 MiB (kernel 6.18, ext4); the instructions are the same.
cp "$bin" "$work/eks-auth.run"
bin=$work/eks-auth.run

heading() {
    printf '\n== %s ==\n' "$1"
}

# ---------------------------------------------------------------- tools
apt_install() {
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "bench: $1 is missing and apt-get is not available" >&2
        exit 69
    fi
    apt-get install -y -qq "$1" >/dev/null 2>&1 || {
        apt-get update -qq >/dev/null && apt-get install -y -qq "$1" >/dev/null
    }
}
command -v hyperfine >/dev/null 2>&1 || apt_install hyperfine
[[ -x /usr/bin/time ]] || apt_install time
command -v aws >/dev/null 2>&1 || python3 -m pip install -q awscli

# The real interpreter and aws script, not pyenv shims: shims cost ~100 ms of
# bash and need the real HOME, which the benchmark replaces.
python=$(python3 -c 'import sys; print(sys.executable)')
aws_bin=$(command -v aws)
if [[ $aws_bin == */shims/* ]] && command -v pyenv >/dev/null 2>&1; then
    aws_bin=$(pyenv which aws)
fi
authenticator=$(command -v aws-iam-authenticator || true)

mkdir -p "$work/home" "$work/cache"
# Clean environments: nothing from the caller (profiles, endpoints, caches)
# leaks in. awscli v1 reads AWS_DEFAULT_REGION, eks-auth AWS_REGION.
static_env=(
    "PATH=$PATH"
    "HOME=$work/home"
    "LANG=C.UTF-8"
    "AWS_ACCESS_KEY_ID=$example_key"
    "AWS_SECRET_ACCESS_KEY=$example_secret"
    "AWS_REGION=$region"
    "AWS_DEFAULT_REGION=$region"
)

# The helpers below run their commands in the environment held by run_env.
run_env=("${static_env[@]}")

# run_hyperfine JSON [hyperfine args...]
run_hyperfine() {
    local json=$1
    shift
    env -i "${run_env[@]}" hyperfine -N --style basic --export-json "$json" "$@"
}

# peak_rss KEY RUNS COMMAND...: max of GNU time's %M (KiB) over RUNS runs.
peak_rss() {
    local key=$1 runs=$2 max=0 kib i
    shift 2
    for ((i = 0; i < runs; i++)); do
        env -i "${run_env[@]}" /usr/bin/time -f %M -o "$work/rss.tmp" "$@" >/dev/null 2>&1 || return 0
        kib=$(tail -n 1 "$work/rss.tmp")
        ((kib > max)) && max=$kib
    done
    printf '%s\t%s\n' "$key" "$max" >>"$work/rss.tsv"
}

# check NAME COMMAND...: run once; on failure show how and return 1.
check() {
    local name=$1 status=0
    shift
    env -i "${run_env[@]}" "$@" >"$work/check.out" 2>"$work/check.err" || status=$?
    if ((status != 0)); then
        echo "FAILED ($name): exit $status from: $*"
        sed 's/^/    /' "$work/check.err" | head -n 20
        return 1
    fi
}

# Deterministic counts beside the clocks: callgrind's instructions for one run of a copy of the binary
# without debug info (what `make install` leaves less its symbol table), in a clean environment.
stripped=$work/eks-auth
cp "$bin" "$stripped"
strip --strip-debug "$stripped"
installed=$work/eks-auth.installed
strip -o "$installed" "$bin"
: >"$work/instructions.tsv"
# instructions KEY COMMAND...: one callgrind run in the environment held by run_env.
instructions() {
    local key=$1
    shift
    if ! command -v valgrind >/dev/null 2>&1; then
        return 0
    fi
    rm -f "$work/callgrind.out"
    if ! env -i "${run_env[@]}" valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out" "$@" \
        >/dev/null 2>"$work/callgrind.err"; then
        echo "FAILED (instructions, $key): exit status from: $*"
        sed 's/^/    /' "$work/callgrind.err" | tail -n 5
        return 0
    fi
    printf '%s\t%s\n' "$key" "$(sed -n 's/^summary: //p' "$work/callgrind.out")" >>"$work/instructions.tsv"
}
mkdir -p "$work/empty-home"
# The issue's reference environment: nothing but the keys and the region.
counted_env=(
    "PATH=/usr/bin:/bin"
    "HOME=$work/empty-home"
    "LANG=C.UTF-8"
    "AWS_ACCESS_KEY_ID=$example_key"
    "AWS_SECRET_ACCESS_KEY=$example_secret"
    "AWS_REGION=$region"
)

: >"$work/rss.tsv"
heading "Setup"
echo "eks-auth:              $bin ($("$bin" --version 2>/dev/null || echo '?'))"
echo "aws:                   $aws_bin ($("$aws_bin" --version 2>&1 | head -n 1))"
echo "aws-iam-authenticator: ${authenticator:-not installed, skipped}"
echo "hyperfine:             $(hyperfine --version)"
echo "cpus:                  $(nproc)    raw JSON: $work"

# ------------------------------------------------ a, b, c: static keys
heading "a/b/c: static example keys, region $region"
static_cmds=(-n "a eks-auth token" "$bin token --cluster-name $cluster")
static_cmds+=(-n "b aws eks get-token" "$aws_bin eks get-token --cluster-name $cluster")
if [[ -n $authenticator ]]; then
    static_cmds+=(-n "c aws-iam-authenticator token" "$authenticator token -i $cluster")
fi
check a "$bin" token --cluster-name "$cluster"
check b "$aws_bin" eks get-token --cluster-name "$cluster"
run_hyperfine "$work/static.json" --warmup 3 --min-runs 10 "${static_cmds[@]}"
peak_rss "a eks-auth token" "$rss_runs" "$bin" token --cluster-name "$cluster"
peak_rss "b aws eks get-token" 3 "$aws_bin" eks get-token --cluster-name "$cluster"
if [[ -n $authenticator ]]; then
    peak_rss "c aws-iam-authenticator token" 3 "$authenticator" token -i "$cluster"
else
    echo "c aws-iam-authenticator token: not installed, skipped"
fi

command -v valgrind >/dev/null 2>&1 || apt_install valgrind
run_env=("${counted_env[@]}")
instructions "static keys" "$stripped" token --cluster-name dev
# kubectl sets KUBERNETES_EXEC_INFO on every call it makes.
exec_info='{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","spec":{"interactive":false}}'
run_env=("${counted_env[@]}" "KUBERNETES_EXEC_INFO=$exec_info")
instructions "static keys, as kubectl runs it" "$stripped" token --cluster-name dev
mkdir -p "$work/many" "$work/one"
"$python" "$repo/scripts/many-profiles.py" "$work/many/config" "$work/many/credentials"
printf '[profile static]\nregion = eu-west-1\n' >"$work/one/config"
cp "$work/many/credentials" "$work/one/credentials"
for config in one many; do
    run_env=(
        "PATH=/usr/bin:/bin"
        "HOME=$work/empty-home"
        "LANG=C.UTF-8"
        "AWS_CONFIG_FILE=$work/$config/config"
        "AWS_SHARED_CREDENTIALS_FILE=$work/$config/credentials"
        "AWS_PROFILE=static"
    )
    if [[ $config == one ]]; then
        instructions "static keys, one-profile config" "$stripped" token --cluster-name dev
    else
        instructions "static keys, 2,000-profile config" "$stripped" token --cluster-name dev
    fi
done
run_env=("${static_env[@]}")

# ------------------------------------------------ moto STS for d and e
heading "Local STS (moto)"
role_ok=1
peers=$repo/Tests/Integration/peers.py
: >"$work/moto.out"
if [[ -f $peers ]]; then
    echo "starting: python3 Tests/Integration/peers.py serve-moto"
    setsid "$python" "$peers" serve-moto >"$work/moto.out" 2>"$work/moto.err" &
    moto_pid=$!
    for _ in $(seq 150); do
        [[ -s $work/moto.out ]] && break
        kill -0 "$moto_pid" 2>/dev/null || break
        sleep 0.2
    done
    if ! head -n 1 "$work/moto.out" | "$python" -c 'import json, sys; json.loads(sys.stdin.readline())' 2>/dev/null; then
        echo "FAILED (moto): peers.py serve-moto printed no JSON line within 30 s"
        sed 's/^/    /' "$work/moto.err" | tail -n 20
        role_ok=0
    else
        read -r endpoint role_key role_secret role_arn < <(head -n 1 "$work/moto.out" | "$python" -c '
import json, sys
peer = json.loads(sys.stdin.readline())
print(peer["endpoint"], peer["alice"]["AccessKeyId"], peer["alice"]["SecretAccessKey"], peer["role_arn"])')
    fi
else
    port=$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    echo "Tests/Integration/peers.py not found; starting moto_server on 127.0.0.1:$port"
    setsid "$python" -m moto.server -H 127.0.0.1 -p "$port" >"$work/moto.out" 2>"$work/moto.err" &
    moto_pid=$!
    endpoint=http://127.0.0.1:$port
    role_key=$example_key
    role_secret=$example_secret
    role_arn=$fallback_role
    role_ok=0
    for _ in $(seq 150); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            role_ok=1
            break
        fi
        kill -0 "$moto_pid" 2>/dev/null || break
        sleep 0.2
    done
    ((role_ok)) || {
        echo "FAILED (moto): moto_server did not listen on port $port within 30 s"
        sed 's/^/    /' "$work/moto.err" | tail -n 20
    }
fi

if ((role_ok)); then
    echo "endpoint: $endpoint    role: $role_arn    caller key: $role_key"
    role_env=(
        "PATH=$PATH"
        "HOME=$work/home"
        "LANG=C.UTF-8"
        "AWS_ACCESS_KEY_ID=$role_key"
        "AWS_SECRET_ACCESS_KEY=$role_secret"
        "AWS_REGION=$region"
        "AWS_DEFAULT_REGION=$region"
        "AWS_ENDPOINT_URL_STS=$endpoint"
        "EKS_AUTH_CACHE_DIR=$work/cache"
    )
    run_env=("${role_env[@]}")

    # -------------------------------------------- d: cached assumed role
    heading "d: assumed role from the cache (vs the static path in the same environment)"
    if check "d warm-up" "$bin" token --cluster-name "$cluster" --role-arn "$role_arn" --verbose; then
        check "d cache probe" "$bin" token --cluster-name "$cluster" --role-arn "$role_arn" --verbose || true
        if ! grep -q 'cache: hit' "$work/check.err"; then
            echo "WARNING: the second --role-arn call did not report a cache hit; its trace:"
            sed 's/^/    /' "$work/check.err"
        fi
        run_hyperfine "$work/cached.json" --warmup 5 --min-runs 200 \
            -n "a' eks-auth token (same env)" "$bin token --cluster-name $cluster" \
            -n "d eks-auth --role-arn (cached)" "$bin token --cluster-name $cluster --role-arn $role_arn" ||
            echo "FAILED (d): hyperfine exited $?"
        peak_rss "d eks-auth --role-arn (cached)" "$rss_runs" \
            "$bin" token --cluster-name "$cluster" --role-arn "$role_arn"
        instructions "static keys, same env as the cached role" "$stripped" token --cluster-name dev
        instructions "cached assumed role" "$stripped" token --cluster-name dev --role-arn "$role_arn"
    fi

    # -------------------------------------------- e: uncached assumed role
    heading "e: first assumed-role call (AssumeRole against moto each run)"
    e_ok=1
    check "e eks-auth" "$bin" token --cluster-name "$cluster" --role-arn "$role_arn" --no-cache --verbose || e_ok=0
    # --verbose traces each STS request as "sts: <Operation> attempt <n> to <endpoint>".
    grep -o 'sts: [A-Za-z]* attempt' "$work/check.err" | awk '{print $2}' | paste -sd, >"$work/sts-calls.txt" || true
    check "e aws" "$aws_bin" eks get-token --cluster-name "$cluster" --role-arn "$role_arn" || e_ok=0
    if ((e_ok)); then
        run_hyperfine "$work/uncached.json" --warmup 2 --min-runs 10 \
            -n "e eks-auth --role-arn --no-cache" "$bin token --cluster-name $cluster --role-arn $role_arn --no-cache" \
            -n "e aws eks get-token --role-arn" "$aws_bin eks get-token --cluster-name $cluster --role-arn $role_arn" ||
            echo "FAILED (e): hyperfine exited $?"
        peak_rss "e eks-auth --role-arn --no-cache" "$rss_runs" \
            "$bin" token --cluster-name "$cluster" --role-arn "$role_arn" --no-cache
        peak_rss "e aws eks get-token --role-arn" 3 \
            "$aws_bin" eks get-token --cluster-name "$cluster" --role-arn "$role_arn"
    fi
else
    echo "d, e: skipped (no local STS)"
fi

# ------------------------------------ f: credential_process profile
heading "f: credential_process profile (eks-auth caches until expiry; aws runs the command each call)"
mkdir -p "$work/home/.aws"
cat >"$work/home/creds.py" <<PY
import json
print(json.dumps({"Version": 1, "AccessKeyId": "ASIAEXAMPLEPROCESS", "SecretAccessKey": "$example_secret",
                  "SessionToken": "example-session-token", "Expiration": "2099-01-01T00:00:00Z"}))
PY
printf '[default]\nregion = %s\ncredential_process = %s %s\n' "$region" "$python" "$work/home/creds.py" \
    >"$work/home/.aws/config"
run_env=(
    "PATH=$PATH"
    "HOME=$work/home"
    "LANG=C.UTF-8"
    "AWS_REGION=$region"
    "AWS_DEFAULT_REGION=$region"
    "AWS_EC2_METADATA_DISABLED=true"
    "EKS_AUTH_CACHE_DIR=$work/cache"
)
f_ok=1
check "f eks-auth" "$bin" token --cluster-name "$cluster" || f_ok=0
check "f aws" "$aws_bin" eks get-token --cluster-name "$cluster" || f_ok=0
if ((f_ok)); then
    run_hyperfine "$work/process.json" --warmup 3 --min-runs 10 \
        -n "f eks-auth token (credential_process, cached)" "$bin token --cluster-name $cluster" \
        -n "f aws eks get-token (credential_process)" "$aws_bin eks get-token --cluster-name $cluster" ||
        echo "FAILED (f): hyperfine exited $?"
fi
rm -f "$work/home/.aws/config"

# ---------------------------------------------------------------- summary
heading "Summary"
"$python" - "$work" <<'PY'
import json
import pathlib
import sys

work = pathlib.Path(sys.argv[1])
rows = {}
for name in ("static", "cached", "uncached", "process"):
    path = work / f"{name}.json"
    if path.exists():
        for result in json.loads(path.read_text())["results"]:
            rows[result["command"]] = result
rss = {}
for line in (work / "rss.tsv").read_text().splitlines():
    key, kib = line.split("\t")
    rss[key] = int(kib) / 1024

def ms(seconds):
    return seconds * 1000

width = max([len(k) for k in rows] + [len("command")])
print(f"{'command'.ljust(width)}  {'median ms':>10}  {'mean ± stddev ms':>18}  {'peak RSS MiB':>12}")
for key, r in rows.items():
    spread = f"{ms(r['mean']):.2f} ± {ms(r['stddev'] or 0):.2f}"
    peak = f"{rss[key]:.1f}" if key in rss else "-"
    print(f"{key.ljust(width)}  {ms(r['median']):>10.2f}  {spread:>18}  {peak:>12}")
if not any(k.startswith("c ") for k in rows):
    print(f"{'c aws-iam-authenticator token'.ljust(width)}  not installed, skipped")

def median(key):
    return ms(rows[key]["median"]) if key in rows else None

def verdict(ok):
    return "OK" if ok else "MISSED"

static = median("a eks-auth token")
aws = median("b aws eks get-token")
static_same_env = median("a' eks-auth token (same env)")
cached = median("d eks-auth --role-arn (cached)")
e_ours = median("e eks-auth --role-arn --no-cache")
e_aws = median("e aws eks get-token --role-arn")
auth = median("c aws-iam-authenticator token")

print()
print("ratios and goals")
if static is not None:
    print(f"  static path median <= 5 ms:               {static:8.2f} ms   {verdict(static <= 5)}")
if static is not None and aws is not None:
    ratio = aws / static
    print(f"  aws eks get-token / eks-auth (a vs b):    {ratio:8.1f} x    {verdict(ratio >= 250)} (goal >= 250x)")
if static is not None and auth is not None:
    print(f"  aws-iam-authenticator / eks-auth (c/a):   {auth / static:8.1f} x")
ours = {k: v for k, v in rss.items() if k.split(" ", 1)[1].startswith("eks-auth")}
static_rss = rss.get("a eks-auth token")
if static_rss is not None:
    # The goal is the static-key path's (the one kubectl pays on every call); the others are reported.
    print(f"  peak RSS <= 12 MiB (static path):         {static_rss:8.1f} MiB  {verdict(static_rss <= 12)}")
for name in sorted(k for k in ours if k != "a eks-auth token"):
    print(f"  peak RSS, {name + ':':31} {ours[name]:8.1f} MiB")
if cached is not None:
    reference = static_same_env if static_same_env is not None else static
    delta = cached - reference
    print(f"  cached (d) - static (a', same run):       {delta:+8.2f} ms   {verdict(delta <= 1)} (goal within 1 ms)")
    if static is not None:
        print(f"  cached (d) - static (a, first run):       {cached - static:+8.2f} ms")
else:
    print("  cached (d) within 1 ms of static:         not measured   MISSED")
if e_ours is not None and e_aws is not None:
    print(f"  aws get-token / eks-auth, uncached (e):   {e_aws / e_ours:8.1f} x    (both call moto AssumeRole)")
else:
    print("  uncached (e):                             not measured")
f_ours = median("f eks-auth token (credential_process, cached)")
f_aws = median("f aws eks get-token (credential_process)")
if f_ours is not None and f_aws is not None:
    print(f"  aws get-token / eks-auth, process (f):    {f_aws / f_ours:8.1f} x    (eks-auth from its cache)")

print()
print("instructions (callgrind, one run, binary without debug info; deterministic)")
counts = {}
for line in (work / "instructions.tsv").read_text().splitlines():
    key, count = line.split("\t")
    counts[key] = int(count)
if not counts:
    print("  valgrind not installed, skipped")
static_count = counts.get("static keys")
if static_count is not None:
    print(f"  static keys:                              {static_count / 1e6:8.2f} M    {verdict(static_count <= 4.0e6)} (goal <= 4.0 M)")
kubectl_count = counts.get("static keys, as kubectl runs it")
if kubectl_count is not None:
    print(f"  static keys, as kubectl runs it:          {kubectl_count / 1e6:8.2f} M    {verdict(kubectl_count <= 4.0e6)} (KUBERNETES_EXEC_INFO set)")
def count_with_delta(label, key, base_key, base_label, goal):
    """Prints the count of KEY and, when BASE_KEY was measured too, its difference against the goal."""
    count, base = counts.get(key), counts.get(base_key)
    if count is None:
        return
    line = f"  {label + ':':<42}{count / 1e6:8.2f} M"
    if base is not None:
        delta = count - base
        line += f"    {delta / 1e6:+.2f} M vs {base_label}  {verdict(delta <= goal)} (goal <= +{goal / 1e6:g} M)"
    print(line)


count_with_delta("cached assumed role", "cached assumed role", "static keys, same env as the cached role",
                 "static keys in the same environment", 0.3e6)
count_with_delta("static keys, 2,000-profile config", "static keys, 2,000-profile config",
                 "static keys, one-profile config", "a one-profile config", 5e6)
calls = work / "sts-calls.txt"
if calls.exists() and calls.read_text().strip():
    names = calls.read_text().strip().split(",")
    print(f"  STS round trips, cold --role-arn (e):     {len(names):8d}      ({', '.join(names)})")
size = (work / "eks-auth.installed").stat().st_size
print(f"  installed size (stripped):                {size / 1e6:8.1f} MB   {verdict(size <= 30e6)} (goal <= 30 MB)")
PY
