#!/usr/bin/env bash
# Times the history sweep against what git itself needs, in one run:
#
#   1. git cat-file --batch-all-objects --batch --unordered >/dev/null
#      (inflating every object: the floor the sweep is measured against)
#   2. git log --all -p | grep -ciE 'dG9rO|intercom'
#      (what people run today)
#   3. intercom-guard history --format json
#
# and prints wall time, CPU time and peak memory (/usr/bin/time -v) of each,
# the ratios history/cat-file (target <= 1.0 on 2 cores) and
# log-p/history (target >= 10), and history's own phase timings.
#
# usage: bench/history.sh REPO [RUNS]
# (history exits 2 on a mirror that lacks objects, as git.git's snapshot does:
# the run still counts, and the problems are counted on the last line)
#
# REPO is a clone or a bare mirror (for example tokio: ~23,500 commits, a
# 60 MiB pack). RUNS (default 3) timed runs of each after one warm-up run
# of each, so all read from the page cache; the median wall time is kept.
# The binary is target/release/intercom-guard (built here with
# `cargo build --release --locked`), or $INTERCOM_GUARD_BIN.
# The release binary is stripped; to profile a run under perf or callgrind,
# build `cargo build --profile profiling --locked` (line tables and symbols)
# and set INTERCOM_GUARD_BIN=target/profiling/intercom-guard.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
repo=${1:?usage: bench/history.sh REPO [RUNS]}
runs=${2:-3}

if ! git -C "$repo" rev-parse --git-dir >/dev/null 2>&1; then
    echo "bench/history.sh: $repo is not a git repository" >&2
    exit 2
fi
if [ ! -x /usr/bin/time ]; then
    echo "bench/history.sh: needs GNU time at /usr/bin/time (apt-get install time)" >&2
    exit 2
fi
. "$here/bench/lib.sh"
bin=$(guard_bin)

cd "$repo"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# name -> shell command (run with bash -c so pipelines are timed whole).
names=(cat-file log-p-grep history)
declare -A cmds=(
    [cat-file]="git cat-file --batch-all-objects --batch --unordered >/dev/null"
    [log-p-grep]="git log --all -p | grep -ciE 'dG9rO|intercom' >/dev/null || true"
    [history]="INTERCOM_GUARD_TIMINGS=1 '$bin' history --format json >'$tmp/report.json' 2>'$tmp/timings' || [ \$? -le 2 ]"
)

# One warm-up of each (page cache), then RUNS timed runs.
for name in "${names[@]}"; do
    bash -c "${cmds[$name]}"
done

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

declare -A wall cpu rss
for name in "${names[@]}"; do
    : >"$tmp/$name.wall"
    : >"$tmp/$name.cpu"
    : >"$tmp/$name.rss"
    for _ in $(seq "$runs"); do
        /usr/bin/time -v -o "$tmp/time" bash -c "${cmds[$name]}"
        awk -F': ' '/Elapsed \(wall clock\)/ {
                n = split($2, p, ":"); s = 0
                for (i = 1; i <= n; i++) s = s * 60 + p[i]
                print s }' "$tmp/time" >>"$tmp/$name.wall"
        awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {print u+s}' "$tmp/time" >>"$tmp/$name.cpu"
        awk -F': ' '/Maximum resident set size/ {print $2}' "$tmp/time" >>"$tmp/$name.rss"
    done
    wall[$name]=$(median <"$tmp/$name.wall")
    cpu[$name]=$(median <"$tmp/$name.cpu")
    rss[$name]=$(sort -n "$tmp/$name.rss" | tail -1)
done

commits=$(git rev-list --all | wc -l)
pack=$(git count-objects -vH | awk -F': ' '/size-pack/ {print $2}')
echo "repository: $repo ($commits commits, pack $pack), $(nproc) cores, median of $runs runs"
printf '%-12s %10s %10s %14s\n' "" "wall (s)" "cpu (s)" "peak RSS (MiB)"
for name in "${names[@]}"; do
    printf '%-12s %10.2f %10.2f %14.0f\n' "$name" "${wall[$name]}" "${cpu[$name]}" \
        "$(echo "${rss[$name]} / 1024" | bc -l)"
done
echo
awk -v h="${wall[history]}" -v c="${wall[cat-file]}" -v l="${wall[log-p-grep]}" 'BEGIN {
    printf "history / cat-file:   %.2f  (goal: <= 0.7 on tokio, <= 0.8 on git.git)\n", h / c
    printf "log -p|grep / history: %.1fx (target >= 10)\n", l / h
}'
echo "history phases (last run):"
sed 's/^/  /' "$tmp/timings"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("  findings:", len(d["findings"]), "· problems:", len(d["problems"]), "(exit 2 when a mirror lacks objects) · stats:", d["stats"])' "$tmp/report.json" 2>/dev/null || true
