#!/usr/bin/env bash
# Times a one-commit push into a server repository with many refs: the
# hook's cost must follow the push, not the number of refs the server has.
#
# Three servers, each a bare repository that borrows the objects of a
# source repository (default: the tokio mirror, 5,526 refs) through
# alternates, as hosting platforms share objects between forks:
#   loose    every ref of the source as a loose ref file
#   packed   the same refs in packed-refs
#   100k     the same plus refs/pull/<n>/head up to 100,000 refs, packed
# and one with a single ref, for scale.
#
# Each run pushes one new commit (a small edit of README) on top of the
# default branch. The pre-receive hook times, in the same invocation:
#   stdin    a hook that only reads its stdin (process start, the floor)
#   rev-list git's own `git rev-list NEW --not --all` on the same push
#            (what git's connectivity check costs; the figure to beat)
#   hook     `intercom-guard pre-receive`
# and prints each one's median over RUNS pushes, in milliseconds.
#
# usage: bench/push_refs.sh [RUNS] [SOURCE_GIT_DIR]
#   RUNS defaults to 9; SOURCE_GIT_DIR to /work/.mirror/tokio-rs+tokio/repo
#   (fetched with the library's fetch); the binary is target/release/
#   intercom-guard (built here), or $INTERCOM_GUARD_BIN.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-9}
source=${2:-/work/.mirror/tokio-rs+tokio/repo}
work="$here/bench/.work/push-refs"

. "$here/bench/lib.sh"
bin=$(guard_bin)

export GIT_CONFIG_NOSYSTEM=1
export GIT_CONFIG_GLOBAL="$work/gitconfig"
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES
rm -rf "$work"
mkdir -p "$work"
cat >"$GIT_CONFIG_GLOBAL" <<'CFG'
[user]
	name = Bench
	email = bench@example.com
[commit]
	gpgsign = false
[gc]
	auto = 0
CFG

branch=$(git -C "$source" symbolic-ref --short HEAD)
tip=$(git -C "$source" rev-parse "refs/heads/$branch")

# A bare server borrowing the source's objects, with the refs of `mode`.
make_server() { # make_server DIR MODE
    local dir=$1 mode=$2
    git init -q --bare "$dir"
    echo "$source/objects" >"$dir/objects/info/alternates"
    git -C "$dir" symbolic-ref HEAD "refs/heads/$branch"
    case $mode in
    one)
        git -C "$dir" update-ref "refs/heads/$branch" "$tip"
        ;;
    loose | packed | 100k)
        git -C "$source" for-each-ref --format='create %(refname) %(objectname)' |
            git -C "$dir" update-ref --stdin
        ;;
    esac
    if [ "$mode" = 100k ]; then
        local have need
        have=$(git -C "$dir" for-each-ref | wc -l)
        need=$((100000 - have))
        # Commits of the source, reused in turn when there are fewer.
        git -C "$source" rev-list --all |
            awk -v need="$need" '{ c[NR] = $1 } END { for (i = 0; i < need; i++) printf "create refs/pull/%d/head %s\n", 100000 + i, c[i % NR + 1] }' |
            git -C "$dir" update-ref --stdin
    fi
    if [ "$mode" != loose ]; then
        git -C "$dir" pack-refs --all
    fi
    # The timing hook: each step's milliseconds on one line.
    cat >"$dir/hooks/pre-receive" <<HOOK
#!/bin/sh
input=\$(cat)
ns() { date +%s%N; }
t0=\$(ns)
printf '%s\n' "\$input" | cat >/dev/null
t1=\$(ns)
new=\$(printf '%s\n' "\$input" | cut -d' ' -f2)
git rev-list "\$new" --not --all >/dev/null
t2=\$(ns)
printf '%s\n' "\$input" | '$bin' pre-receive --quiet
rc=\$?
t3=\$(ns)
echo "\$(( (t1 - t0) / 1000 )) \$(( (t2 - t1) / 1000 )) \$(( (t3 - t2) / 1000 ))" >>'$work/times'
exit \$rc
HOOK
    chmod +x "$dir/hooks/pre-receive"
}

client="$work/client"
git clone -q --shared --no-checkout "$source" "$client"
git -C "$client" checkout -q "$branch"

median() { sort -n | awk '{a[NR]=$1} END { if (NR % 2) print a[(NR + 1) / 2]; else print int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
ms() { awk '{ printf "%.1f", $1 / 1000 }'; }

printf '%-8s %8s %10s %10s %10s %8s\n' server refs "stdin ms" "rev-list" "hook ms" hook/rl
for mode in one loose packed 100k; do
    server="$work/server-$mode"
    make_server "$server" "$mode"
    refs=$(git -C "$server" for-each-ref | wc -l)
    : >"$work/times"
    for ((r = 0; r < runs; r++)); do
        echo "run $mode $r" >>"$client/README.md"
        git -C "$client" commit -qam "bench $mode $r"
        git -C "$client" push -q "$server" "HEAD:refs/heads/$branch" 2>"$work/push.log" || {
            echo "bench/push_refs.sh: push refused:" >&2
            cat "$work/push.log" >&2
            exit 1
        }
    done
    git -C "$client" reset -q --hard "$tip"
    stdin_us=$(cut -d' ' -f1 "$work/times" | median)
    rl_us=$(cut -d' ' -f2 "$work/times" | median)
    hook_us=$(cut -d' ' -f3 "$work/times" | median)
    printf '%-8s %8s %10s %10s %10s %8s\n' "$mode" "$refs" "$(echo "$stdin_us" | ms)" \
        "$(echo "$rl_us" | ms)" "$(echo "$hook_us" | ms)" \
        "$(awk -v h="$hook_us" -v r="$rl_us" 'BEGIN { printf "%.2f", h / r }')"
    rm -rf "$server"
done
