#!/usr/bin/env bash
# Peak memory (maximum resident set size, from /usr/bin/time -v) of the
# modes that read one very large blob, to show that a blob costs at most
# the engine's window (64 MiB), however large it is:
#
#   1. `scan -` of a generated stream of SCAN_MIB MiB (piped, never stored),
#      with a token near its end: stdin is read in windows, never whole.
#   2. `pre-receive` of a push of one PUSH_MIB MiB file with a token in the
#      middle (git keeps such a push as a loose object in the quarantine,
#      which is inflated as it is read); the push must be refused. The file
#      is random base64 text, which does not compress: the loose object is
#      nearly as large as the file (reading it through a memory map, as
#      gix does, adds its pages to the resident set).
#   3. `history` of the work repository the file was committed in (the
#      blob is loose there too: it is added with core.bigFileThreshold
#      raised, else git would write a file over 512 MiB straight into a
#      pack).
#   4. `history` again after `git gc`: the pack is read by its delta tree,
#      which would inflate the blob whole; it is left out of the tree and
#      inflated from the pack file as it is read.
#
# usage: bench/memory.sh [SCAN_MIB] [PUSH_MIB]     (defaults: 1024, 600)
#
# The binary is target/release/intercom-guard (built here), or
# $INTERCOM_GUARD_BIN; set BASELINE_BIN to another build (say, main's) to
# print its figures alongside. The push repositories live under
# bench/.work/memory (gitignored) and are removed at the end. Needs GNU
# time (/usr/bin/time) and git.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
scan_mib=${1:-1024}
push_mib=${2:-600}
work="$here/bench/.work/memory"
# A made-up token: base64 of `tok:` + a random UUID written with `_` + `:1:0`.
token=$(printf 'tok:%s:1:0' "$(tr - _ </proc/sys/kernel/random/uuid)" | base64 -w0)

. "$here/bench/lib.sh"
bin=$(guard_bin)
bins=("$bin")
if [ -n "${BASELINE_BIN:-}" ]; then
    bins+=("$BASELINE_BIN")
fi

# filler MIB: MIB MiB of log-like lines, generated (yes ends on SIGPIPE).
filler() {
    { yes 'INFO 2024-01-02T03:04:05Z request handled in 12 ms, user=42 path=/api/v1/items?page=7' || true; } |
        head -c $(($1 * 1048576))
}

# peak_kib FILE: the maximum resident set size /usr/bin/time -v wrote to FILE.
peak_kib() {
    awk -F': ' '/Maximum resident set size/ { print $2 }' "$1"
}

# noise MIB: MIB MiB of random base64 lines (incompressible).
noise() {
    head -c $(($1 * 786432)) /dev/urandom | base64 -w 100
}

report() {
    local what=$1 file=$2 rc=$3
    local kib
    kib=$(peak_kib "$file")
    printf '%-58s exit %s  peak RSS %7.1f MiB\n' "$what" "$rc" "$(echo "$kib / 1024" | bc -l)"
}

rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
times="$work/time.txt"

echo "1. scan - of a ${scan_mib} MiB stream"
for b in "${bins[@]}"; do
    set +e
    { filler "$scan_mib"; printf 'Authorization: Bearer %s\n' "$token"; } |
        /usr/bin/time -v -o "$times" "$b" scan --quiet --format json - >"$work/scan.json"
    rc=$?
    set -e
    report "  $b" "$times" "$rc"
    grep -o '"line":[0-9]*' "$work/scan.json" | head -1 | sed 's/^/    finding at /'
done

echo "2. pre-receive of a push of one ${push_mib} MiB file"
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
git init -q -b main "$work/repo"
(
    cd "$work/repo"
    half=$((push_mib / 2))
    { noise "$half"; printf 'INTERCOM_TOKEN=%s\n' "$token"; noise "$half"; } >big.log
    echo hello >README.md
    git add README.md && git commit -q -m init
    git -c core.bigFileThreshold=8g add big.log && git commit -q -m "add a large log"
)
for b in "${bins[@]}"; do
    rm -rf "$work/server.git"
    git init -q --bare -b main "$work/server.git"
    printf '#!/bin/sh\nexec /usr/bin/time -v -o %s %s pre-receive --color never\n' \
        "$times" "$b" >"$work/server.git/hooks/pre-receive"
    chmod +x "$work/server.git/hooks/pre-receive"
    set +e
    git -C "$work/repo" push -q "$work/server.git" main >/dev/null 2>"$work/push.err"
    rc=$?
    set -e
    report "  $b (push exit)" "$times" "$rc"
    grep -m1 -o 'big.log  line [0-9]*' "$work/push.err" | sed 's/^/    refused at /' || true
done

history() {
    for b in "${bins[@]}"; do
        set +e
        (cd "$work/repo" && /usr/bin/time -v -o "$times" "$b" history --quiet --format json >"$work/history.json")
        rc=$?
        set -e
        report "  $b" "$times" "$rc"
        grep -o '"line":[0-9]*' "$work/history.json" | head -1 | sed 's/^/    finding at /'
    done
}
echo "3. history of the repository holding the ${push_mib} MiB blob, loose"
history
echo "4. the same, packed (git gc)"
git -C "$work/repo" gc -q
history
