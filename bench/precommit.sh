#!/usr/bin/env bash
# Times `intercom-guard pre-commit` on a small staged change in a large
# repository, against the peer baseline
# `git diff --cached -U0 | grep -ciE 'dG9rO|intercom'` on the same change,
# at 50,000 and 100,000 files, to show the hook's cost follows the change,
# not the repository.
#
# usage: bench/precommit.sh [RUNS] [SIZES...]     (defaults: 20, 50000 100000)
#        bench/precommit.sh --million [RUNS]       (the same at 1,000,000 files)
#
# The repositories are built once under bench/.work/ (gitignored) and reused.
# Each staged change modifies 3 files and adds 1 (a few hundred bytes, clean).
# From 500,000 files on, a repository is built without a work tree, in
# seconds: every file is the same small blob, written into the index by
# `git update-index --index-info` and committed by `git write-tree` and
# `git commit-tree`; the change is staged with `git update-index
# --cacheinfo` and undone with `git read-tree HEAD` (which writes the
# cache-tree, as `git commit` does). Both sides read only the index and the
# object database, never the work tree, so the work tree is not needed.
# A second row per size times the same with nothing staged (`git reset`)
# against `git diff --cached --raw`: the floor, reading the index.
# Medians of RUNS runs each, after one warm-up. The binary is
# target/release/intercom-guard (built here), or $INTERCOM_GUARD_BIN.
# The release binary is stripped; to profile a run under perf or callgrind,
# build `cargo build --profile profiling --locked` (line tables and symbols)
# and set INTERCOM_GUARD_BIN=target/profiling/intercom-guard.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
if [ "${1:-}" = --million ]; then
    shift
    set -- "${1:-20}" 1000000
fi
runs=${1:-20}
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(50000 100000)
# From this many files on, repositories are built in the index only.
index_only_from=500000
work="$here/bench/.work"

. "$here/bench/lib.sh"
bin=$(guard_bin)

# Isolated git: no user or system config, no hooks, no signing.
export GIT_CONFIG_NOSYSTEM=1
export GIT_CONFIG_GLOBAL="$work/gitconfig"
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE
mkdir -p "$work"
cat >"$GIT_CONFIG_GLOBAL" <<'CFG'
[user]
	name = Bench
	email = bench@example.com
[commit]
	gpgsign = false
[init]
	defaultBranch = main
CFG

# make_repo N: a repository of N small source files in 100-file folders.
make_repo() {
    local n=$1 repo="$work/repo-$1"
    if [ -f "$repo/.bench-ready" ]; then
        echo "$repo"
        return
    fi
    rm -rf "$repo"
    mkdir -p "$repo"
    (
        cd "$repo"
        git init -q
        awk -v n="$n" 'BEGIN {
            for (i = 0; i < n; i++) {
                d = sprintf("src/m%04d", int(i / 100));
                if (i % 100 == 0) system("mkdir -p " d);
                f = sprintf("%s/f%06d.js", d, i);
                printf "// module %d\nconst name_%d = \"value %d\";\nfunction run_%d(x) {\n  return x + %d;\n}\nmodule.exports = { run_%d };\n", i, i, i, i, i, i > f;
                close(f);
            }
        }'
        printf 'node_modules/\n.env\n' >.gitignore
        git add -A
        git commit -q -m "$n files"
        touch .bench-ready
    ) >&2
    echo "$repo"
}

# make_index_repo N: a repository of N files in 100-file folders, all the
# same blob, in the index and HEAD only (no work tree).
make_index_repo() {
    local n=$1 repo="$work/repo-$1"
    if [ -f "$repo/.bench-ready" ]; then
        echo "$repo"
        return
    fi
    rm -rf "$repo"
    mkdir -p "$repo"
    (
        cd "$repo"
        git init -q
        blob=$(printf 'module.exports = { run: (x) => x + 1 };\n' | git hash-object -w --stdin)
        awk -v n="$n" -v blob="$blob" 'BEGIN {
            for (i = 0; i < n; i++)
                printf "100644 %s\tsrc/m%04d/f%06d.js\n", blob, int(i / 100), i
        }' | git update-index --index-info
        tree=$(git write-tree)
        commit=$(git commit-tree "$tree" -m "$n files")
        git update-ref refs/heads/main "$commit"
        touch .bench-ready
    ) >&2
    echo "$repo"
}

# stage_index_change REPO: the change of stage_change, in the index only.
stage_index_change() {
    local repo=$1
    (
        cd "$repo"
        git read-tree HEAD
        for f in src/m0000/f000001.js src/m0003/f000342.js src/m0250/f025017.js; do
            blob=$(printf '// talk to the intercom API with process.env.INTERCOM_ACCESS_TOKEN\nconst retries_%d = 3;\n' "$RANDOM" | git hash-object -w --stdin)
            git update-index --cacheinfo "100644,$blob,$f"
        done
        blob=$(printf 'export const INTERCOM_APP_ID = "abc12345";\nexport function hello() { return "hi"; }\n' | git hash-object -w --stdin)
        git update-index --add --cacheinfo "100644,$blob,src/new/client.js"
    )
}

# stage_change REPO: modifies 3 files and adds 1, staged (reset first).
stage_change() {
    local repo=$1
    (
        cd "$repo"
        git reset -q --hard HEAD
        git clean -qfd src/new
        for f in src/m0000/f000001.js src/m0003/f000342.js src/m0250/f025017.js; do
            printf '// talk to the intercom API with process.env.INTERCOM_ACCESS_TOKEN\nconst retries_%d = 3;\n' "$RANDOM" >>"$f"
        done
        mkdir -p src/new
        printf 'export const INTERCOM_APP_ID = "abc12345";\nexport function hello() { return "hi"; }\n' >src/new/client.js
        git add src/m0000/f000001.js src/m0003/f000342.js src/m0250/f025017.js src/new/client.js
    )
}

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

baseline() { git diff --cached -U0 | grep -ciE 'dG9rO|intercom'; }

printf '%-8s %-7s %18s %22s %8s\n' files staged "intercom-guard ms" "baseline ms" ratio
for n in "${sizes[@]}"; do
    if [ "$n" -ge "$index_only_from" ]; then
        repo=$(make_index_repo "$n")
        stage_index_change "$repo"
    else
        repo=$(make_repo "$n")
        stage_change "$repo"
    fi
    cd "$repo"
    staged=$(git diff --cached --name-only | wc -l)
    # Warm-up, and check the hook works on this change (0 = clean).
    set +e
    "$bin" pre-commit >/dev/null 2>&1
    rc=$?
    set -e
    if [ "$rc" -ne 0 ]; then
        echo "bench/precommit.sh: intercom-guard pre-commit exited $rc on a clean change:" >&2
        "$bin" pre-commit >&2 || true
        exit 2
    fi
    baseline >/dev/null || true
    guard=$(median_ms "$bin" pre-commit)
    base=$(median_ms baseline)
    ratio=$(awk -v g="$guard" -v b="$base" 'BEGIN { if (g > 0) printf "%.2fx", b / g; else print "-" }')
    printf '%-8s %-7s %18s %22s %8s\n' "$n" "$staged" "$guard" "$base" "$ratio"
    # Nothing staged: the index names HEAD's tree.
    if [ "$n" -ge "$index_only_from" ]; then
        git read-tree HEAD
    else
        git reset -q
    fi
    "$bin" pre-commit >/dev/null 2>&1 || true
    guard=$(median_ms "$bin" pre-commit)
    base=$(median_ms git diff --cached --raw)
    ratio=$(awk -v g="$guard" -v b="$base" 'BEGIN { if (g > 0) printf "%.2fx", b / g; else print "-" }')
    printf '%-8s %-7s %18s %22s %8s\n' "$n" "0" "$guard" "$base" "$ratio"
    cd "$here"
done
echo "(median of $runs runs each; ratio = baseline / intercom-guard, above 1: intercom-guard is faster;"
echo " the goal, intercom-guard at most 0.7x the baseline, is a ratio of at least 1.43;"
echo " the baseline is git diff|grep with a change staged, git diff --cached --raw with none)"
