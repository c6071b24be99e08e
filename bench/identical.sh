#!/usr/bin/env bash
# Are a build's findings byte-identical to another's? For work on the
# engine's speed, where no finding may change.
#
# usage: bench/identical.sh OUT_DIR [REF_DIR]
#
# Runs `scan --format json --show-secrets -` (and the same with --strict)
# of the binary under test (bench/lib.sh: $INTERCOM_GUARD_BIN, else
# target/release/intercom-guard) on stdin, on
#
#   every file of tests/examples/ and of fuzz/corpus/*/, one by one;
#   the first 16 MiB of the dense input of bench/engine.sh
#     (bench/.work/engine/dense-256.txt: run bench/engine.sh once);
#   a mixed file built here (bench/.work/identical/mixed.txt): the
#     examples, 300 times, with a different 24 KiB of the dense input
#     between each two copies; several MiB and thousands of findings;
#     scanned with the default window and with a 128 KiB one
#     (INTERCOM_GUARD_WINDOW), so that findings straddle window cuts;
#
# and writes each report to OUT_DIR with its `elapsed_ms` taken out. With
# REF_DIR (the OUT_DIR of an earlier run, say of main's binary), it then
# compares the two folders and exits 1 if any report differs.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: bench/identical.sh OUT_DIR [REF_DIR]}
ref=${2:-}
. "$here/bench/lib.sh"
bin=$(guard_bin)
work="$here/bench/.work/identical"
dense="$here/bench/.work/engine/dense-256.txt"
if [ ! -f "$dense" ]; then
    echo "bench/identical.sh: $dense is missing: run bench/engine.sh once" >&2
    exit 2
fi
mkdir -p "$work" "$out"

dense16="$work/dense-16.txt"
[ -f "$dense16" ] || head -c $((16 * 1048576)) "$dense" >"$dense16"
mixed="$work/mixed.txt"
if [ ! -f "$mixed" ]; then
    : >"$mixed.part"
    for ((i = 0; i < 300; i++)); do
        cat "$here"/tests/examples/* >>"$mixed.part"
        dd if="$dense" bs=24576 skip=$i count=1 status=none >>"$mixed.part"
    done
    mv "$mixed.part" "$mixed"
fi

# report NAME FILE [VAR=VALUE...]: both reports of FILE into OUT_DIR.
report() {
    local name=$1 file=$2 flags
    shift 2
    for flags in "" "--strict"; do
        # shellcheck disable=SC2086
        env "$@" "$bin" scan --format json --show-secrets $flags - <"$file" 2>&1 |
            sed -E 's/"elapsed_ms":[0-9]+/"elapsed_ms":0/' >"$out/$name${flags:+.strict}.json" || true
    done
}

for f in "$here"/tests/examples/*; do
    report "examples-$(basename "$f")" "$f"
done
for d in "$here"/fuzz/corpus/*/; do
    for f in "$d"*; do
        report "fuzz-$(basename "$d")-$(basename "$f")" "$f"
    done
done
report dense-16 "$dense16"
report mixed "$mixed"
report mixed-window-128k "$mixed" INTERCOM_GUARD_WINDOW=131072

echo "$(find "$out" -name '*.json' | wc -l) reports in $out;" \
    "$(cat "$out"/mixed.json | grep -o '"rule_id"' | wc -l) findings in the mixed file"
if [ -n "$ref" ]; then
    if diff -rq "$ref" "$out"; then
        echo "identical to $ref"
    else
        echo "bench/identical.sh: reports differ from $ref" >&2
        exit 1
    fi
fi
