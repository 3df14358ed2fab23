#!/usr/bin/env bash
# Compares the float32 JSON formatter in the work tree with the one at a git revision for every one of the
# 2^32 bit patterns; exits non-zero on any difference. See README.md.
# Usage: tools/float-format-check/check.sh [REVISION (default HEAD)] [THREADS (default: all cores)]
set -euo pipefail
revision="${1:-HEAD}"
threads="${2:-$(nproc)}"
repo="$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"
codecs="Sources/TensorCodecs"
# Where a revision from before the TensorCodecs module keeps them.
older_codecs="Sources/RoPEServer/Codecs"
# The formatter and the files it uses; a revision may have only some of them.
files=(ShortestFloatFormatter.swift ShortestDecimal.swift DecimalDigits.swift)

work="$(mktemp -d)"
# SwiftPM also leaves lock files named after the build path in the temporary directory.
trap 'rm -rf "$work"; rm -f "${TMPDIR:-/tmp}/$(echo "$work" | tr / _)"_.build*.lock' EXIT
mkdir -p "$work/Sources/Reference" "$work/Sources/Candidate" "$work/Sources/FloatFormatCheck"
cp "$repo/tools/float-format-check/Package.swift.template" "$work/Package.swift"
cp "$repo/tools/float-format-check/main.swift" "$work/Sources/FloatFormatCheck/main.swift"
for file in "${files[@]}"; do
    for directory in "$codecs" "$older_codecs"; do
        if git -C "$repo" cat-file -e "$revision:$directory/$file" 2>/dev/null; then
            git -C "$repo" show "$revision:$directory/$file" > "$work/Sources/Reference/$file"
            break
        fi
    done
    if [ -f "$repo/$codecs/$file" ]; then
        cp "$repo/$codecs/$file" "$work/Sources/Candidate/$file"
    fi
done
for module in Reference Candidate; do
    cp "$repo/tools/float-format-check/Shim.swift" "$work/Sources/$module/Shim.swift"
done
echo "reference: $revision; candidate: work tree; $threads threads"
if ! swift build -c release --package-path "$work" > "$work/build.log" 2>&1; then
    cat "$work/build.log"
    exit 2
fi
grep -E "warning: " "$work/build.log" || true
"$work/.build/release/FloatFormatCheck" "$threads"
