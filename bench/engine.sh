#!/usr/bin/env bash
# The engine against the speed of memory: `intercom-guard scan -` reading a
# file on stdin, against `rg -F -f LITERALS` reading the same file on stdin,
# where LITERALS is the set of literals the engine's Aho-Corasick automaton
# searches for (printed by `cargo run --example literals`), on
#
#   clean  ~CLEAN_MIB MiB (default 1024) of real source text: every file
#          under ~/.cargo/registry/src, concatenated, as many times as it
#          takes;
#   dense  DENSE_MIB MiB (default 256) of text crowded with the literals
#          (`intercom`, `INTERCOM_APP_ID=`, `api_key =`, `dG9rO` and `tok:`
#          that never complete, `user_hash`, references and placeholders)
#          and no secret: every line wakes a validator that must say no.
#
# usage: bench/engine.sh [RUNS]          (default 5)
#        bench/engine.sh --callgrind [MIB]
#
# The first form times both on each input in the same run (the median of
# RUNS runs by `date +%s%N`, after one warm-up) and prints the ratio. The second runs both under
# `valgrind --tool=callgrind` on the first MIB MiB (default 64) of each
# input and prints their instruction counts and the ratio: stable on a busy
# machine where wall time is not (it does not see memory stalls, which the
# timed runs do). There the engine's window is set to a quarter of MIB
# (INTERCOM_GUARD_WINDOW), so that the cut takes the streamed path, in
# windows, that a 1 GiB stdin takes.
#
# ripgrep is fetched here, without root, into target/bench-tools/: the
# Debian package (`apt-get download ripgrep`, unpacked with `dpkg -x`), or
# else `cargo install ripgrep --root target/bench-tools`. RG=/path/to/rg
# uses another. The inputs are built once under bench/.work/engine/
# (gitignored) and reused. The binary is target/release/intercom-guard
# (built here), or $INTERCOM_GUARD_BIN; set BASELINE_BIN to another build
# (say, main's) to time it alongside.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
work="$here/bench/.work/engine"
tools="$here/target/bench-tools"
clean_mib=${CLEAN_MIB:-1024}
dense_mib=${DENSE_MIB:-256}
mode=time
runs=5
cg_mib=64
if [ "${1:-}" = --callgrind ]; then
    mode=callgrind
    cg_mib=${2:-64}
elif [ -n "${1:-}" ]; then
    runs=$1
fi
mkdir -p "$work" "$tools"

# --- ripgrep, fetched without root ---------------------------------------
find_rg() {
    if [ -n "${RG:-}" ]; then
        echo "$RG"
        return
    fi
    local deb_rg="$tools/deb/usr/bin/rg" cargo_rg="$tools/bin/rg"
    if [ -x "$deb_rg" ]; then echo "$deb_rg"; return; fi
    if [ -x "$cargo_rg" ]; then echo "$cargo_rg"; return; fi
    local dl
    dl=$(mktemp -d)
    if (cd "$dl" && apt-get download ripgrep >/dev/null 2>&1) && dpkg -x "$dl"/ripgrep_*.deb "$tools/deb"; then
        rm -rf "$dl"
        echo "$deb_rg"
        return
    fi
    rm -rf "$dl"
    echo "bench/engine.sh: no Debian package; cargo install ripgrep --root $tools" >&2
    cargo install --quiet ripgrep --root "$tools" >&2
    echo "$cargo_rg"
}
rg=$(find_rg)

. "$here/bench/lib.sh"
bin=$(guard_bin)
bins=("$bin")
if [ -n "${BASELINE_BIN:-}" ]; then
    bins+=("$BASELINE_BIN")
fi

literals="$work/literals.txt"
# The example is tiny: the debug build is quick and prints the same set.
(cd "$here" && cargo run --locked --quiet --example literals) >"$literals"

# --- inputs --------------------------------------------------------------
clean="$work/clean-$clean_mib.txt"
if [ ! -f "$clean" ]; then
    src="$HOME/.cargo/registry/src"
    if [ ! -d "$src" ]; then
        echo "bench/engine.sh: $src is missing (build any crate once)" >&2
        exit 2
    fi
    echo "building $clean from $src ..." >&2
    one="$work/registry-once.txt"
    find "$src" -type f -print0 | LC_ALL=C sort -z | xargs -0 cat >"$one"
    : >"$clean.part"
    while [ "$(stat -c %s "$clean.part")" -lt $((clean_mib * 1048576)) ]; do
        cat "$one" >>"$clean.part"
    done
    truncate -s $((clean_mib * 1048576)) "$clean.part"
    rm -f "$one"
    mv "$clean.part" "$clean"
fi

dense="$work/dense-$dense_mib.txt"
if [ ! -f "$dense" ]; then
    echo "building $dense ..." >&2
    # Deterministic: the same text on every machine. Lines after the
    # marker are near misses, picked 3 times in 4; the others are clean.
    cat >"$work/dense.pl" <<'PERL'
my $bytes = shift;
my (@near, @clean, $list);
$list = \@clean;
while (my $l = <DATA>) {
    chomp $l;
    if ($l eq '--near--') { $list = \@near; next; }
    push @$list, $l;
}
my ($out, $seed) = (0, 12345);
while ($out < $bytes) {
    $seed = ($seed * 1103515245 + 12345) % 2147483648;
    my $line = ($seed % 4 == 0) ? $clean[($seed >> 4) % @clean] : $near[($seed >> 8) % @near];
    print $line, "\n";
    $out += 1 + length $line;
}
__DATA__
    let value = request.header("x-request-id").unwrap_or_default();
fn handler(state: &State, body: Bytes) -> Result<Response, Error> {

    }
--near--
// talk to the intercom API here
INTERCOM_APP_ID=abc12345
export INTERCOM_APP_ID="q1w2e3r4"
const example = "dG9rOmFiY2RlZmdoaQ=="; // tok:abcdefghi from the docs
token = "tok:" + uuid
INTERCOM_ACCESS_TOKEN=${INTERCOM_ACCESS_TOKEN}
const token = process.env.INTERCOM_ACCESS_TOKEN;
token = os.environ["INTERCOM_ACCESS_TOKEN"]
intercom.client_secret: <your-token>
INTERCOM_WEBHOOK_SECRET=your-webhook-signing-secret
INTERCOM_CLIENT_SECRET=changeme
intercom_api_key: xxx
intercom api_key = "" # set me
  access_token: ${{ secrets.INTERCOM_ACCESS_TOKEN }}
Authorization: Bearer dG9rO
dG9rOmFiY2RlZmdoaQ%3D%3D
dG9rOjAwMDAw...
ZEc5ck and RHOXJP and kRzlyT are not tokens on their own
import Intercom from "@intercom/messenger-js-sdk";
window.intercomSettings = { app_id: APP_ID, user_hash: userHash };
INTERCOM_IDENTITY_SECRET=
identity_verification: true  # IdentityVerification in the InterCom UI
- name: INTERCOM_ACCESS_TOKEN
  valueFrom: {secretKeyRef: {name: intercom, key: token}}
PERL
    perl "$work/dense.pl" $((dense_mib * 1048576)) >"$dense.part"
    truncate -s $((dense_mib * 1048576)) "$dense.part"
    mv "$dense.part" "$dense"
fi

# Both must run and agree that the inputs hold nothing to report: scan
# exits 0 (clean) or 1 (findings); 2 is an error.
check() {
    local file=$1 rc
    for b in "${bins[@]}"; do
        set +e
        "$b" scan --quiet --format json - <"$file" >"$work/out.json" 2>"$work/err.txt"
        rc=$?
        set -e
        if [ "$rc" -ge 2 ]; then
            echo "bench/engine.sh: $b scan - failed on $file (exit $rc):" >&2
            tail -5 "$work/err.txt" >&2
            exit 2
        fi
        local n
        n=$(grep -o '"rule_id"' "$work/out.json" | wc -l || true)
        echo "  $(basename "$file"): $b reports $n findings (exit $rc)"
    done
    echo "  $(basename "$file"): rg finds $("$rg" -c -F -f "$literals" <"$file" || true) lines holding a literal"
}

median_ms() {
    local file=$1 t0 t1 i
    shift
    local -a times=()
    for ((i = 0; i < runs; i++)); do
        t0=$(date +%s%N)
        "$@" <"$file" >/dev/null 2>&1 || true
        t1=$(date +%s%N)
        times+=($(((t1 - t0) / 1000)))
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {
        if (NR % 2) m = a[(NR + 1) / 2]; else m = (a[NR / 2] + a[NR / 2 + 1]) / 2;
        printf "%.1f\n", m / 1000 }'
}

# ratio_line WHAT OURS FLOOR UNIT
ratio_line() {
    awk -v w="$1" -v g="$2" -v r="$3" -v u="$4" 'BEGIN {
        printf "ratio %-30s intercom-guard / rg = %.2fx   (%s vs %s %s; at most 1 on clean text, 2 on dense, is the goal)\n", w, g / r, g, r, u }'
}

echo "ripgrep: $rg ($("$rg" --version | sed -n 1p)); literals: $(wc -l <"$literals") from $literals"
for input in "$clean" "$dense"; do
    check "$input"
done

if [ "$mode" = callgrind ]; then
    cut="$work/cut-$cg_mib.txt"
    for input in "$clean" "$dense"; do
        name=$(basename "$input" .txt)
        head -c $((cg_mib * 1048576)) "$input" >"$cut"
        # instructions CMD...: callgrind's total instruction count of CMD on $cut.
        instructions() {
            local out="$work/callgrind.out"
            valgrind --tool=callgrind --callgrind-out-file="$out" "$@" <"$cut" >/dev/null 2>"$work/cg.err" || true
            grep -E '^(summary|totals):' "$out" | head -1 | awk '{ print $2 }'
        }
        rg_ir=$(instructions "$rg" -c -F -f "$literals")
        for b in "${bins[@]}"; do
            ig_ir=$(INTERCOM_GUARD_WINDOW=$((cg_mib * 262144)) instructions "$b" scan --quiet -)
            printf '%-12s %8s MiB  %s: %15s instructions   rg: %15s instructions\n' \
                "$name" "$cg_mib" "$b" "$ig_ir" "$rg_ir"
            ratio_line "$name instructions" "$ig_ir" "$rg_ir" instructions
        done
    done
    rm -f "$cut" "$work/callgrind.out"
    exit 0
fi

timer="date +%s%N, median of $runs"
for input in "$clean" "$dense"; do
    name=$(basename "$input" .txt)
    mib=$(($(stat -c %s "$input") / 1048576))
    cat "$input" >/dev/null
    "$rg" -c -F -f "$literals" <"$input" >/dev/null || true
    rg_ms=$(median_ms "$input" "$rg" -c -F -f "$literals")
    for b in "${bins[@]}"; do
        "$b" scan --quiet - <"$input" >/dev/null 2>&1 || true
        ig_ms=$(median_ms "$input" "$b" scan --quiet -)
        awk -v n="$name" -v m="$mib" -v g="$ig_ms" -v r="$rg_ms" -v b="$b" 'BEGIN {
            printf "%-12s %5d MiB  %s: %8.1f ms (%6.0f MB/s)   rg -F: %8.1f ms (%6.0f MB/s)\n",
                n, m, b, g, m * 1.048576 * 1000 / g, r, m * 1.048576 * 1000 / r }'
        ratio_line "$name wall" "$ig_ms" "$rg_ms" ms
    done
done
echo "($timer; both read the file on stdin; rg -c counts the lines holding a literal)"
