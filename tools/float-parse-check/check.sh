#!/usr/bin/env bash
# Reads float32 values written as text back through the work tree's JSON tensor reader and checks each gives its
# own bit pattern; exits non-zero on any difference. See README.md.
# Usage: tools/float-parse-check/check.sh [STRIDE (default 15)] [THREADS (default: all cores)]
set -euo pipefail
stride="${1:-15}"
threads="${2:-$(nproc)}"
repo="$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"

work="$(mktemp -d)"
# SwiftPM also leaves lock files named after the build path in the temporary directory.
trap 'rm -rf "$work"; rm -f "${TMPDIR:-/tmp}/$(echo "$work" | tr / _)"_.build*.lock' EXIT
mkdir -p "$work/Sources/FloatParseCheck"
# A path dependency's package identity is the last component of its path.
sed -e "s|@REPOSITORY@|$repo|" -e "s|@IDENTITY@|$(basename "$repo" | tr '[:upper:]' '[:lower:]')|" \
    "$repo/tools/float-parse-check/Package.swift.template" > "$work/Package.swift"
cp "$repo/tools/float-parse-check/main.swift" "$work/Sources/FloatParseCheck/main.swift"
echo "work tree: $repo; stride $stride; $threads threads"
if ! swift build -c release --package-path "$work" > "$work/build.log" 2>&1; then
    cat "$work/build.log"
    exit 2
fi
grep -E "warning: " "$work/build.log" || true
"$work/.build/release/FloatParseCheck" "$stride" "$threads"
