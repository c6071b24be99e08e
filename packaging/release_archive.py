#!/usr/bin/env python3
"""Makes the standalone archive of one release target from its wheel.

usage: release_archive.py WHEEL TARGET OUTDIR

The archive holds the very binary that the wheel installs (the one file in
the wheel's `*.data/scripts/`), with LICENSE and README.md, in a folder
`intercom-guard-<version>-<target>/`: a `.zip` for Windows targets, a
`.tar.gz` (the binary mode 755) for the others. The file times are
SOURCE_DATE_EPOCH (else 0), so the same wheel gives the same archive. Prints
the archive's path. Used by .github/workflows/release.yml; tested by
tests/wheel_precommit.rs on the wheel it builds.
"""

import gzip
import io
import os
import pathlib
import sys
import tarfile
import zipfile

ROOT = pathlib.Path(__file__).resolve().parent.parent


def fail(message):
    print(f"release_archive.py: {message}", file=sys.stderr)
    sys.exit(2)


def binary_of(wheel):
    """The (file name, bytes, version) of the executable in the wheel."""
    with zipfile.ZipFile(wheel) as z:
        scripts = [n for n in z.namelist() if ".data/scripts/" in n]
        if len(scripts) != 1:
            fail(f"{wheel}: expected one file in *.data/scripts/, found {scripts}")
        name = scripts[0]
        data_dir = name.split("/", 1)[0]
        prefix, suffix = "intercom_guard-", ".data"
        if not (data_dir.startswith(prefix) and data_dir.endswith(suffix)):
            fail(f"{wheel}: {name} is not intercom-guard's")
        version = data_dir[len(prefix) : -len(suffix)]
        return pathlib.PurePosixPath(name).name, z.read(name), version


def main(argv):
    if len(argv) != 4:
        fail("usage: release_archive.py WHEEL TARGET OUTDIR")
    wheel, target, outdir = pathlib.Path(argv[1]), argv[2], pathlib.Path(argv[3])
    exe, binary, version = binary_of(wheel)
    base = f"intercom-guard-{version}-{target}"
    members = [
        (exe, binary, 0o755),
        ("LICENSE", (ROOT / "LICENSE").read_bytes(), 0o644),
        ("README.md", (ROOT / "README.md").read_bytes(), 0o644),
    ]
    mtime = int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
    outdir.mkdir(parents=True, exist_ok=True)
    if "windows" in target:
        path = outdir / f"{base}.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data, mode in members:
                info = zipfile.ZipInfo(f"{base}/{name}", date_time=(1980, 1, 1, 0, 0, 0))
                info.external_attr = (0o100000 | mode) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(info, data)
    else:
        path = outdir / f"{base}.tar.gz"
        with open(path, "wb") as raw, gzip.GzipFile(
            filename="", mode="wb", fileobj=raw, mtime=mtime
        ) as gz, tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
            for name, data, mode in members:
                info = tarfile.TarInfo(f"{base}/{name}")
                info.size = len(data)
                info.mode = mode
                info.mtime = mtime
                tar.addfile(info, io.BytesIO(data))
    print(path)


if __name__ == "__main__":
    main(sys.argv)
