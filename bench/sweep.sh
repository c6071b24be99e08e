#!/usr/bin/env bash
# Times `intercom-guard sweep` over many repositories, in one run:
#
#   1. sweep --jobs 1 into a fresh folder     (the first, whole sweep)
#   2. sweep --jobs 2 into another fresh one  (two repositories at once)
#   3. sweep --jobs 1 into the first folder again: the incremental rerun
#      (nothing was pushed in between: every repository is kept, no blob
#      is read)
#
# and prints, for each, wall time, CPU time (user + system) and peak memory
# (/usr/bin/time -v), with how many repositories, blobs and bytes the
# summary counts and how many repositories ended in error. On a loaded
# machine compare CPU times; wall times move with the load.
#
# usage: bench/sweep.sh LIST | 'GLOB'
#
# LIST is a sweep list (one repository path per line); or a quoted glob of
# repositories, such as '/work/.mirror/*/repo' (each match one line of the
# list; nothing is left out). The binary is target/release/intercom-guard
# (built here with `cargo build --release --locked`), or $INTERCOM_GUARD_BIN.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
arg=${1:?usage: bench/sweep.sh LIST | 'GLOB'}

if [ ! -x /usr/bin/time ]; then
    echo "bench/sweep.sh: needs GNU time at /usr/bin/time (apt-get install time)" >&2
    exit 2
fi
. "$here/bench/lib.sh"
bin=$(guard_bin)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
list="$tmp/repos.txt"
if [ -f "$arg" ]; then
    cp "$arg" "$list"
else
    # shellcheck disable=SC2206 # the glob is meant to expand
    matches=($arg)
    : > "$list"
    for repo in "${matches[@]}"; do
        [ -e "$repo" ] && printf '%s\n' "$repo" >> "$list"
    done
fi
count=$(grep -cv '^\s*\(#\|$\)' "$list" || true)
if [ "$count" -eq 0 ]; then
    echo "bench/sweep.sh: no repository in $arg" >&2
    exit 2
fi
echo "repositories: $count (from $arg)"
echo "binary: $bin"
echo "cores: $(nproc)   load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

# run NAME OUT JOBS: one sweep, timed; prints one row.
run() {
    local name=$1 out=$2 jobs=$3
    local rc=0
    /usr/bin/time -v -o "$tmp/$name.time" \
        "$bin" sweep --repos "$list" --out "$out" --jobs "$jobs" --quiet \
        >"$tmp/$name.out" 2>"$tmp/$name.err" || rc=$?
    if [ "$rc" -gt 2 ]; then
        echo "bench/sweep.sh: $name exited $rc:" >&2
        cat "$tmp/$name.err" >&2
        exit 1
    fi
    local wall user sys rss
    wall=$(sed -n 's/.*Elapsed (wall clock) time.*: //p' "$tmp/$name.time")
    user=$(sed -n 's/.*User time (seconds): //p' "$tmp/$name.time")
    sys=$(sed -n 's/.*System time (seconds): //p' "$tmp/$name.time")
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/$name.time")
    python3 - "$out/summary.json" "$name" "$wall" "$user" "$sys" "$rss" "$rc" <<'PY'
import json, sys
path, name, wall, user, sys_t, rss, rc = sys.argv[1:]
repos = json.load(open(path))["repos"]
blobs = sum(r["blobs"] for r in repos)
mib = sum(r["bytes"] for r in repos) / 2**20
errors = sum(r["status"] == "error" for r in repos)
found = sum(r["status"] == "findings" for r in repos)
cpu = float(user) + float(sys_t)
print(f"{name:<18} wall {wall:>8}  cpu {cpu:8.2f} s  rss {int(rss)/1024:7.1f} MiB  "
      f"repos {len(repos):>3}  with findings {found:>3}  errors {errors:>2}  "
      f"blobs {blobs:>9}  {mib:9.1f} MiB  exit {rc}")
PY
}

# A rerun of an unchanged folder reports the blobs of the run that wrote
# each result; what it read itself is in its jsonl totals.
reread() {
    "$bin" sweep --repos "$list" --out "$1" --format jsonl 2>/dev/null | tail -n 1 || true
}

run "first --jobs 1" "$tmp/one" 1
run "first --jobs 2" "$tmp/two" 2
run "rerun --jobs 1" "$tmp/one" 1
echo
echo "incremental rerun, what it read itself: $(reread "$tmp/one")"
echo
echo "repositories in error (first run):"
python3 - "$tmp/one/summary.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["repos"]:
    if r["status"] == "error":
        print(f"  {r['path']}: {r['problem'][:160]}")
PY
