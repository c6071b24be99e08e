#!/usr/bin/env bash
# Times `intercom-guard pre-receive` through real pushes, to show its cost
# follows the push, not the repository, and fits GitHub Enterprise Server's
# 5-second budget for all pre-receive hooks of a push.
#
#   1. First push of a ~20,000-commit repository (all branches and tags) into
#      an empty bare repository, without a hook and with the hook: the push
#      times, and the hook's own time (measured inside the hook) as a share of
#      the push with it.
#   2. The same first push with one leaking commit on top (refused): the
#      hook's time when something matched and the commits must be walked
#      and compared with their parents to place it.
#   3. A one-commit push into that (now large) bare repository, with the
#      hook: push time and hook time.
#
# The hook scans a large push's objects first, straight from git's
# quarantine, and walks the commits only when a blob matched ("scan first,
# place on hit"), so 1 and 2 differ.
#
# usage: bench/push.sh [RUNS] [COMMITS]      (defaults: 3 first pushes, 20000)
#
# The source repository is synthesized once with `git fast-import` under
# bench/.work/push-src (gitignored) and reused: COMMITS commits over ~2,000
# source files of 1-8 KiB in 80 folders, each commit changing 1-4 files
# (edits that append, rewrite a block or add a file), a merge of a side
# branch every 400 commits, a tag every 500 commits. The 1-commit pushes are
# medians of 5xRUNS runs. The binary is target/release/intercom-guard
# (built here), or $INTERCOM_GUARD_BIN.
# The release binary is stripped; to profile a run under perf or callgrind,
# build `cargo build --profile profiling --locked` (line tables and symbols)
# and set INTERCOM_GUARD_BIN=target/profiling/intercom-guard.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-3}
commits=${2:-20000}
work="$here/bench/.work"
src="$work/push-src-$commits"

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
[commit]
	gpgsign = false
[init]
	defaultBranch = main
[gc]
	auto = 0
CFG

make_source() {
    if [ -f "$src/.bench-ready" ]; then
        return
    fi
    rm -rf "$src"
    git init -q "$src"
    echo "bench/push.sh: synthesizing $commits commits (once) ..." >&2
    python3 - "$commits" <<'PY' | git -C "$src" fast-import --quiet --done
import random, sys

n = int(sys.argv[1])
rng = random.Random(20240102)
out = sys.stdout.buffer
words = ("client request response user conversation contact admin token "
         "message reply status retry timeout value result error handler "
         "config option cache queue event webhook payload header body").split()

def line(i):
    w = rng.sample(words, 4)
    kind = rng.randrange(5)
    if kind == 0:
        return f"// {w[0]} {w[1]} {w[2]} {w[3]} ({i})\n"
    if kind == 1:
        return f"const {w[0]}_{w[1]}_{i} = '{w[2]}-{rng.randrange(10**6)}';\n"
    if kind == 2:
        return f"function {w[0]}{w[1].title()}{i}(x) {{ return x.{w[2]} ?? {rng.randrange(100)}; }}\n"
    if kind == 3:
        return f"  if ({w[0]}.{w[1]} === '{w[3]}') {{ {w[2]}({i}); }}\n"
    return f"export const {w[3].upper()}_{i} = {rng.randrange(10**5)};\n"

files = {}
paths = []
def new_file(i):
    d = rng.randrange(80)
    path = f"src/m{d:02d}/{rng.choice(words)}_{len(files):05d}.js"
    size = rng.randrange(1024, 8192)
    body = []
    total = 0
    while total < size:
        l = line(i)
        body.append(l)
        total += len(l)
    files[path] = body
    paths.append(path)
    return path

def emit_file(path):
    data = "".join(files[path]).encode()
    out.write(b"M 100644 inline " + path.encode() + b"\n")
    out.write(b"data %d\n" % len(data) + data + b"\n")

def commit_header(ref, mark, i, msg):
    out.write(f"commit {ref}\nmark :{mark}\n".encode())
    t = 1600000000 + i * 600
    out.write(f"author Dev {i % 37} <dev{i % 37}@example.com> {t} +0000\n".encode())
    out.write(f"committer Dev {i % 37} <dev{i % 37}@example.com> {t} +0000\n".encode())
    m = msg.encode()
    out.write(b"data %d\n" % len(m) + m + b"\n")

# Commit 1: the initial tree of ~2,000 files.
commit_header("refs/heads/main", 1, 0, "initial import")
for _ in range(2000):
    emit_file(new_file(0))
mark = 1
main_mark = 1
side_mark = None
for i in range(2, n + 1):
    mark += 1
    on_side = (i % 400) in range(390, 400)
    if on_side:
        ref = "refs/heads/side"
        commit_header(ref, mark, i, f"side change {i}")
        out.write(f"from :{side_mark or main_mark}\n".encode())
        side_mark = mark
    elif i % 400 == 0 and side_mark:
        commit_header("refs/heads/main", mark, i, f"merge side at {i}")
        out.write(f"from :{main_mark}\nmerge :{side_mark}\n".encode())
        main_mark = mark
        side_mark = None
        continue
    else:
        commit_header("refs/heads/main", mark, i, f"change {i}")
        out.write(f"from :{main_mark}\n".encode())
        main_mark = mark
    for _ in range(rng.randrange(1, 5)):
        r = rng.random()
        if r < 0.08:
            path = new_file(i)
        else:
            path = rng.choice(paths) if r < 0.2 else rng.choice(paths[:400])
            body = files[path]
            if rng.random() < 0.5:
                body.append(line(i))
            else:
                k = rng.randrange(len(body))
                body[k:k + 3] = [line(i), line(i)]
        emit_file(path)
    if i % 500 == 0:
        out.write(f"tag v{i // 500}\nfrom :{main_mark}\ntagger Bench <bench@example.com> {1600000000 + i * 600} +0000\n".encode())
        msg = f"release {i // 500}".encode()
        out.write(b"data %d\n" % len(msg) + msg + b"\n")
out.write(b"done\n")
PY
    git -C "$src" checkout -q -f main
    git -C "$src" repack -adq
    touch "$src/.bench-ready"
}

# A hook that times the binary (nanoseconds) into $HOOK_TIMES, passes stdin.
write_hook() {
    local bare=$1
    cat >"$bare/hooks/pre-receive" <<HOOK
#!/bin/sh
t0=\$(date +%s%N)
'$bin' pre-receive --quiet
rc=\$?
t1=\$(date +%s%N)
echo \$(( (t1 - t0) / 1000000 )) >> '$work/hook-times'
exit \$rc
HOOK
    chmod +x "$bare/hooks/pre-receive"
}

ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

median() { sort -n | awk '{a[NR]=$1} END { if (NR % 2) print a[(NR + 1) / 2]; else print int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }

make_source
count=$(git -C "$src" rev-list --all | wc -l)
blobs=$(git -C "$src" rev-list --all --objects | cut -d' ' -f1 | git -C "$src" cat-file --batch-check='%(objecttype)' | grep -c blob)
size=$(du -sh "$src/.git" | cut -f1)
echo "source: $count commits, $blobs blobs, $(git -C "$src" tag | wc -l) tags, .git $size"

first_push() { # first_push HOOKED -> push ms
    local bare="$work/push-bare" t0
    rm -rf "$bare"
    git init -q --bare "$bare"
    rm -f "$bare"/hooks/*.sample
    [ "$1" = yes ] && write_hook "$bare"
    t0=$(date +%s%N)
    if ! git -C "$src" push -q "$bare" 'refs/heads/*:refs/heads/*' 'refs/tags/*:refs/tags/*' >"$work/push.log" 2>&1; then
        echo REFUSED
        return
    fi
    ms_since "$t0"
}

: >"$work/hook-times"
plain=()
hooked=()
for ((r = 0; r < runs; r++)); do
    plain+=("$(first_push no)")
    hooked+=("$(first_push yes)")
done
if printf '%s\n' "${plain[@]}" "${hooked[@]}" | grep -q REFUSED; then
    echo "bench/push.sh: a first push was refused:" >&2
    cat "$work/push.log" >&2
    exit 1
fi
plain_ms=$(printf '%s\n' "${plain[@]}" | median)
hooked_ms=$(printf '%s\n' "${hooked[@]}" | median)
hook_ms=$(median <"$work/hook-times")
echo
echo "first push of $count commits into an empty bare repository (median of $runs):"
echo "  without hook:  $plain_ms ms"
echo "  with hook:     $hooked_ms ms"
echo "  hook itself:   $hook_ms ms  ($(awk -v h="$hook_ms" -v t="$hooked_ms" 'BEGIN { printf "%.0f", 100 * h / t }')% of the push with the hook)"

# The same first push with a leaking commit on top of main: refused.
leak_blob=$(printf 'INTERCOM_ACCESS_TOKEN=%s\n' "$(printf 'tok:%s:1:0' "$(cat /proc/sys/kernel/random/uuid | tr - _)" | base64 -w0)" | git -C "$src" hash-object -w --stdin)
leak_index="$work/leak-index"
rm -f "$leak_index"
GIT_INDEX_FILE=$leak_index git -C "$src" read-tree main
GIT_INDEX_FILE=$leak_index git -C "$src" update-index --add --cacheinfo "100644,$leak_blob,config/leak.env"
leak_tree=$(GIT_INDEX_FILE=$leak_index git -C "$src" write-tree)
rm -f "$leak_index"
leak_commit=$(git -C "$src" commit-tree -p main -m "leak on top" "$leak_tree")
: >"$work/hook-times"
leak_bare="$work/push-bare-leak"
rm -rf "$leak_bare"
git init -q --bare "$leak_bare"
rm -f "$leak_bare"/hooks/*.sample
write_hook "$leak_bare"
t0=$(date +%s%N)
if git -C "$src" push -q "$leak_bare" 'refs/heads/*:refs/heads/*' 'refs/tags/*:refs/tags/*' "$leak_commit:refs/heads/leak" >"$work/push.log" 2>&1; then
    echo "bench/push.sh: the first push with a leak on top was NOT refused" >&2
    exit 1
fi
leak_push_ms=$(ms_since "$t0")
rm -rf "$leak_bare"
echo
echo "the same first push with one leaking commit on top (refused):"
echo "  push with hook: $leak_push_ms ms"
echo "  hook itself:    $(median <"$work/hook-times") ms"

# One-commit pushes into the large repository left by the last run.
clone="$work/push-clone"
rm -rf "$clone"
git clone -q "$work/push-bare" "$clone"
: >"$work/hook-times"
pushes=()
for ((r = 0; r < 5 * runs; r++)); do
    f="$clone/src/m07/bench_change.js"
    printf 'export const RUN_%d = "%s";\n' "$r" "$RANDOM" >>"$f"
    git -C "$clone" add -A
    git -C "$clone" commit -q -m "bench change $r"
    t0=$(date +%s%N)
    git -C "$clone" push -q origin main >/dev/null 2>&1
    pushes+=("$(ms_since "$t0")")
done
echo
echo "one-commit push into that repository (median of $((5 * runs))):"
echo "  push with hook: $(printf '%s\n' "${pushes[@]}" | median) ms"
echo "  hook itself:    $(median <"$work/hook-times") ms"

# Sanity: the hook refuses a leak at the end.
printf 'INTERCOM_ACCESS_TOKEN=%s\n' "$(printf 'tok:%s:1:0' "$(cat /proc/sys/kernel/random/uuid | tr - _)" | base64 -w0)" >"$clone/leak.env"
git -C "$clone" add -A
git -C "$clone" commit -q -m "leak"
if git -C "$clone" push -q origin main >/dev/null 2>&1; then
    echo "bench/push.sh: the hook did NOT refuse a leaking push" >&2
    exit 1
fi
echo "(sanity: a leaking push was refused)"
