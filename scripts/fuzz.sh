#!/usr/bin/env bash
# make fuzz: builds the libFuzzer harnesses of Tests/Fuzz (with AddressSanitizer) into .build-fuzz, then
# runs each target for FUZZ_SECONDS from its committed seed corpus, Tests/Fuzz/Corpus/<target>.
# New corpus entries and any finding go to .build-fuzz/runs/<target>/, never into the committed corpus.
# Exits non-zero when any target found a crash, a trap, a hang, an out-of-memory or a sanitizer report.
#
#   FUZZ_SECONDS=300 make fuzz             # longer runs
#   FUZZ_TARGETS="ini token" make fuzz     # some targets only
#   scripts/fuzz.sh build                  # build only
#   scripts/fuzz.sh run                    # run what is already built (no swift build)
set -euo pipefail
cd "$(dirname "$0")/.."

SWIFT=${SWIFT:-swift}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
ALL_TARGETS="ini token aws-auth kubeconfig sts iam eks credentials-json cache-entry exec-info"
FUZZ_TARGETS=${FUZZ_TARGETS:-$ALL_TARGETS}
SCRATCH=.build-fuzz
RUNS=$SCRATCH/runs
# The Swift code gets libFuzzer's coverage and ASan from -sanitize; the C code underneath (libyaml) the same
# from clang. Release: the harnesses run optimised, with every precondition and overflow check kept.
FLAGS=(-c release -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=fuzzer-no-link,address)

build() {
    for target in $FUZZ_TARGETS; do
        echo "fuzz: building fuzz-$target"
        EKS_AUTH_FUZZ=1 nice -n 10 "$SWIFT" build --scratch-path "$SCRATCH" "${FLAGS[@]}" --product "fuzz-$target" \
            >"$SCRATCH/build-$target.log" 2>&1 || { cat "$SCRATCH/build-$target.log" >&2; exit 1; }
    done
}

# One target: FUZZ_SECONDS of libFuzzer; its log is kept in .build-fuzz/runs/<target>/fuzz.log.
run() {
    local target=$1 dir=$RUNS/$1
    mkdir -p "$dir/corpus" "$dir/findings"
    local status=0
    # libFuzzer reports a crash itself; the Swift runtime's backtracer would only hold it up.
    SWIFT_BACKTRACE=enable=no nice -n 10 "$SCRATCH/release/fuzz-$target" "$dir/corpus" "Tests/Fuzz/Corpus/$target" \
        -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
        -artifact_prefix="$dir/findings/" -print_final_stats=1 >"$dir/fuzz.log" 2>&1 || status=$?
    local runs corpus findings
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/fuzz.log" | tail -1)
    corpus=$(grep -o 'corp: [0-9]*/[0-9]*[a-zA-Z]*' "$dir/fuzz.log" | tail -1 | cut -d' ' -f2)
    findings=$(find "$dir/findings" -type f | wc -l)
    printf '%-18s runs %-10s corpus %-12s findings %s\n' "$target" "${runs:-?}" "${corpus:-?}" "$findings"
    if [ "$status" -ne 0 ] || [ "$findings" -ne 0 ]; then
        find "$dir/findings" -type f -printf '  kept: %p\n'
        echo "  log:  $dir/fuzz.log"
        return 1
    fi
}

mkdir -p "$SCRATCH"
[ "${1:-}" = run ] || build
[ "${1:-}" = build ] && exit 0
echo "fuzz: $FUZZ_SECONDS s per target, seeds from Tests/Fuzz/Corpus, new entries in $RUNS/<target>/corpus"
failed=""
for target in $FUZZ_TARGETS; do
    run "$target" || failed="$failed $target"
done
if [ -n "$failed" ]; then
    echo "fuzz: findings in:$failed" >&2
    exit 1
fi
echo "fuzz: no findings"
