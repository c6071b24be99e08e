#!/usr/bin/env bash
# Peak memory of `intercom-guard history` against its floor
# `git cat-file --batch-all-objects --batch` on the same repository, split
# into what the process asked for (RssAnon: heap, stacks) and the pages of
# the files it maps (RssFile: mostly the packs, which both map whole; the
# kernel takes those pages back under pressure, as it does the page cache).
#
# usage: bench/history_memory.sh REPO [INTERVAL]
#
# REPO is a clone or a bare mirror (e.g. /work/.mirror/git+git/repo).
# INTERVAL (default 0.1) is how often /proc/PID/status is sampled, in
# seconds; a peak shorter than that can be missed, so the figures are a
# lower bound (VmHWM, the kernel's own high-water mark of VmRSS, is printed
# beside them and is exact).
#
# The binary is target/release/intercom-guard (built here with
# `cargo build --release --locked`), or $INTERCOM_GUARD_BIN.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
repo=${1:?usage: bench/history_memory.sh REPO [INTERVAL]}
interval=${2:-0.1}
. "$here/bench/lib.sh"
bin=$(guard_bin)
cd "$repo"

# Runs "$@" with stdout to /dev/null and prints "hwm anon file" in kB.
peaks() {
    "$@" > /dev/null 2>&1 &
    local pid=$! hwm=0 anon=0 file=0 a f h
    while kill -0 "$pid" 2> /dev/null; do
        read -r a f h < <(awk '/^RssAnon/ {a = $2} /^RssFile/ {f = $2} /^VmHWM/ {h = $2}
            END {print a + 0, f + 0, h + 0}' "/proc/$pid/status" 2> /dev/null || echo 0 0 0)
        [ "$a" -gt "$anon" ] && anon=$a
        [ "$f" -gt "$file" ] && file=$f
        [ "$h" -gt "$hwm" ] && hwm=$h
        sleep "$interval"
    done
    wait "$pid" || true
    echo "$hwm $anon $file"
}

mib() { echo $(($1 / 1024)); }
packs=$(find objects/pack -name '*.pack' -printf '%s\n' 2> /dev/null | awk '{s += $1} END {print int(s / 1048576)}')
read -r fh fa ff < <(peaks git cat-file --batch-all-objects --batch)
read -r gh ga gf < <(peaks "$bin" history --quiet --format json)
echo "repository: $repo ($packs MiB of packs)"
printf '%-10s %10s %10s %10s\n' "" "peak RSS" "anon" "file"
printf '%-10s %7s MiB %7s MiB %7s MiB\n' cat-file "$(mib "$fh")" "$(mib "$fa")" "$(mib "$ff")"
printf '%-10s %7s MiB %7s MiB %7s MiB\n' history "$(mib "$gh")" "$(mib "$ga")" "$(mib "$gf")"
