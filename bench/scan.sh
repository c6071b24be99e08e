#!/usr/bin/env bash
# Times `intercom-guard scan DIR` against the peer baseline
# `grep -rEi 'dG9rO|intercom' DIR` on the same folder, in the same run.
#
# usage: bench/scan.sh [DIR] [RUNS]
#
# DIR defaults to ~/.cargo/registry/src: large (hundreds of MB, ~10^4 files)
# and real source code, present on any machine that has built this crate.
# RUNS (default 10) timed runs of each, after one warm-up run of each so both
# read from the page cache. Uses hyperfine when it is installed, else
# `date +%s%N` around each run and the median (also with BENCH_NO_HYPERFINE=1).
#
# The binary is target/release/intercom-guard (built here with
# `cargo build --release --locked`), or $INTERCOM_GUARD_BIN.
# The release binary is stripped; to profile a run under perf or callgrind,
# build `cargo build --profile profiling --locked` (line tables and symbols)
# and set INTERCOM_GUARD_BIN=target/profiling/intercom-guard.
#
# Note the two do not read exactly the same bytes: grep -r reads every file,
# intercom-guard scan skips what .gitignore ignores inside git work trees
# (and may skip hidden or binary files); the file counts are printed.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-"$HOME/.cargo/registry/src"}
runs=${2:-10}

if [ ! -d "$dir" ]; then
    echo "bench/scan.sh: $dir is not a folder" >&2
    exit 2
fi

. "$here/bench/lib.sh"
bin=$(guard_bin)

guard_cmd=("$bin" scan --quiet "$dir")
grep_cmd=(grep -rEi 'dG9rO|intercom' "$dir")

# One warm-up of each; also checks both work. scan exits 1 when it finds
# something (fine here), 2 on error (not fine).
set +e
"${guard_cmd[@]}" >/dev/null 2>&1
rc=$?
set -e
if [ "$rc" -ge 2 ]; then
    echo "bench/scan.sh: '${guard_cmd[*]}' failed with exit $rc:" >&2
    "${guard_cmd[@]}" 2>&1 | tail -20 >&2 || true
    exit 2
fi
"${grep_cmd[@]}" >/dev/null 2>&1 || true

files=$(find "$dir" -type f | wc -l)
bytes=$(du -sb "$dir" | cut -f1)
echo "folder: $dir ($files files, $((bytes / 1048576)) MiB on disk)"
echo "intercom-guard scan exit code: $rc (0 clean, 1 findings)"
stats=$("${guard_cmd[@]:0:2}" --format json "$dir" 2>/dev/null | grep -o '"stats":{[^}]*}' || true)
echo "intercom-guard read: ${stats:-?}"

# median_ms CMD...: runs CMD $runs times, prints the median wall time in ms.
median_ms() {
    local t0 t1 i
    local -a times=()
    for ((i = 0; i < runs; i++)); do
        t0=$(date +%s%N)
        "$@" >/dev/null 2>&1 || true
        t1=$(date +%s%N)
        times+=($(((t1 - t0) / 1000)))
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {
        if (NR % 2) m = a[(NR + 1) / 2]; else m = (a[NR / 2] + a[NR / 2 + 1]) / 2;
        printf "%.1f\n", m / 1000 }'
}

if [ -z "${BENCH_NO_HYPERFINE:-}" ] && command -v hyperfine >/dev/null 2>&1; then
    csv=$(mktemp)
    trap 'rm -f "$csv"' EXIT
    # -i: scan exits 1 on findings and grep exits 1 on no match; both fine.
    hyperfine -N -i --warmup 1 --runs "$runs" --export-csv "$csv" \
        -n intercom-guard "$(printf '%q ' "${guard_cmd[@]}")" \
        -n grep "$(printf '%q ' "${grep_cmd[@]}")" >&2
    # columns: command,mean,stddev,median,user,system,min,max (seconds)
    guard=$(awk -F, '$1 == "intercom-guard" { printf "%.1f", $4 * 1000 }' "$csv")
    grep_ms=$(awk -F, '$1 == "grep" { printf "%.1f", $4 * 1000 }' "$csv")
    timer="hyperfine, median of $runs"
else
    guard=$(median_ms "${guard_cmd[@]}")
    grep_ms=$(median_ms "${grep_cmd[@]}")
    timer="date +%s%N, median of $runs"
fi

echo "intercom-guard scan:              ${guard} ms  ($timer)"
echo "grep -rEi 'dG9rO|intercom':       ${grep_ms} ms"
awk -v g="$guard" -v r="$grep_ms" 'BEGIN {
    if (g > 0) printf "ratio grep / intercom-guard:      %.2fx (above 1: intercom-guard is faster)\n", r / g }'
