# Shared by the bench scripts: source it with `. "$here/bench/lib.sh"`
# where `here` is the repository's root.

# The binary under test, as an absolute path (the scripts run it from
# other folders, and hooks run it from inside git): $INTERCOM_GUARD_BIN
# (a path, or a name found on PATH), else target/release/intercom-guard,
# built here first.
guard_bin() {
    local bin=${INTERCOM_GUARD_BIN:-}
    if [ -z "$bin" ]; then
        (cd "$here" && cargo build --release --locked --quiet)
        echo "$here/target/release/intercom-guard"
    elif [ "${bin#*/}" = "$bin" ]; then
        command -v "$bin" || { echo "bench: $bin is not on PATH" >&2; return 2; }
    else
        echo "$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
    fi
}
