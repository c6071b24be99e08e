#!/usr/bin/env bash
# Times `intercom-guard pre-receive` on big pushes against what git itself
# needs to receive the same push without a hook (index-pack and the
# connectivity check): the hook must fit GitHub Enterprise Server's 5 s.
#
#   first   the first push of every ref of SOURCE (default: the tokio mirror,
#           its branches, tags and pull refs) into an empty bare repository
#   200k    COMMITS synthetic commits (default 200,000: each edits one of 50
#           small files in 10 folders; made once with `git fast-import`)
#           pushed on top of SOURCE's default branch into a server that
#           already has SOURCE's refs (borrowing its objects)
#
# For each: the push's wall time without a hook (git's own receive, the
# floor), with the hook, the hook's own time (measured inside the hook),
# and hook / floor. Medians of RUNS (default 3).
#
# usage: bench/push_big.sh [RUNS] [COMMITS] [SOURCE_GIT_DIR]
# The binary is target/release/intercom-guard (built here), or
# $INTERCOM_GUARD_BIN.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-3}
commits=${2:-200000}
source=${3:-/work/.mirror/tokio-rs+tokio/repo}
work="$here/bench/.work/push-big"

. "$here/bench/lib.sh"
bin=$(guard_bin)

export GIT_CONFIG_NOSYSTEM=1
export GIT_CONFIG_GLOBAL="$work/gitconfig"
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES
mkdir -p "$work"
cat >"$GIT_CONFIG_GLOBAL" <<'CFG'
[user]
	name = Bench
	email = bench@example.com
[gc]
	auto = 0
CFG

branch=$(git -C "$source" symbolic-ref --short HEAD)
tip=$(git -C "$source" rev-parse "refs/heads/$branch")

median() { sort -n | awk '{a[NR]=$1} END { if (NR % 2) print a[(NR + 1) / 2]; else print int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

write_hook() { # write_hook BARE: the hook's milliseconds into $work/hook-times
    cat >"$1/hooks/pre-receive" <<HOOK
#!/bin/sh
t0=\$(date +%s%N)
'$bin' pre-receive --quiet
rc=\$?
echo \$(( (\$(date +%s%N) - t0) / 1000000 )) >>'$work/hook-times'
exit \$rc
HOOK
    chmod +x "$1/hooks/pre-receive"
}

# time_push FROM BARE_SETUP REFSPEC... : pushes RUNS times without and with
# the hook into a fresh server made by the function BARE_SETUP; prints
# "floor hooked hook" medians in ms.
time_push() {
    local from=$1 setup=$2
    shift 2
    local bare="$work/server" plain=() hooked=() t0
    : >"$work/hook-times"
    for ((r = 0; r < runs; r++)); do
        for hook in no yes; do
            rm -rf "$bare"
            "$setup" "$bare"
            [ $hook = yes ] && write_hook "$bare"
            t0=$(date +%s%N)
            git -C "$from" push -q "$bare" "$@" >"$work/push.log" 2>&1 || {
                echo "bench/push_big.sh: push refused:" >&2
                cat "$work/push.log" >&2
                exit 1
            }
            if [ $hook = yes ]; then hooked+=("$(ms_since "$t0")"); else plain+=("$(ms_since "$t0")"); fi
        done
    done
    rm -rf "$bare"
    echo "$(printf '%s\n' "${plain[@]}" | median) $(printf '%s\n' "${hooked[@]}" | median) $(median <"$work/hook-times")"
}

empty_server() {
    git init -q --bare "$1"
    rm -f "$1"/hooks/*.sample
}

# A server that has every ref of SOURCE, borrowing its objects.
source_server() {
    empty_server "$1"
    echo "$source/objects" >"$1/objects/info/alternates"
    git -C "$source" for-each-ref --format='create %(refname) %(objectname)' |
        git -C "$1" update-ref --stdin
    git -C "$1" pack-refs --all
}

report() { # report NAME "floor hooked hook"
    set -- "$1" $2
    printf '%-8s %10s %12s %10s %11s\n' "$1" "$2" "$3" "$4" \
        "$(awk -v h="$4" -v f="$2" 'BEGIN { printf "%.2f", h / f }')"
}

printf '%-8s %10s %12s %10s %11s\n' push "floor ms" "hooked ms" "hook ms" hook/floor

# 1. First push of every ref of SOURCE.
report first "$(time_push "$source" empty_server '+refs/*:refs/*')"

# 2. COMMITS synthetic commits on top of the default branch.
client="$work/client-$commits"
if [ ! -f "$client/.bench-ready" ]; then
    rm -rf "$client"
    git clone -q --shared --bare "$source" "$client"
    echo "bench/push_big.sh: synthesizing $commits commits (once) ..." >&2
    python3 - "$commits" "$tip" "$branch" <<'PY' | git -C "$client" fast-import --quiet --done
import sys
n, tip, branch = int(sys.argv[1]), sys.argv[2], sys.argv[3]
out = sys.stdout.buffer
out.write(f"reset refs/heads/bench\nfrom {tip}\n\n".encode())
for i in range(n):
    out.write(b"commit refs/heads/bench\n")
    t = 1700000000 + i
    out.write(f"committer Bench <bench@example.com> {t} +0000\n".encode())
    msg = f"change {i}".encode()
    out.write(b"data %d\n%s\n" % (len(msg), msg))
    body = f"// change {i}\nexport const VALUE_{i % 50} = {i};\n".encode()
    path = f"bench/d{i % 10}/f{i % 50}.js"
    out.write(b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(body), body))
out.write(b"done\n")
PY
    touch "$client/.bench-ready"
fi
report "${commits}" "$(time_push "$client" source_server "refs/heads/bench:refs/heads/$branch")"
