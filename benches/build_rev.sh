#!/usr/bin/env bash
# Builds redflag at a git revision, for benchmarks that compare it with the working tree, and prints
# the path of its release binary. The revision's files come from `git archive` into
# target/bench-rev/src-COMMIT (the checkout is left alone); the build is reused when present and
# takes a few minutes the first time.
#
#   benches/build_rev.sh REV
set -euo pipefail
cd "$(dirname "$0")/.."
commit=$(git rev-parse --short "$1^{commit}")
src="target/bench-rev/src-$commit"
if [ ! -x "$src/target/release/redflag" ]; then
    echo "== building $1 ($commit) in $src" >&2
    rm -rf "$src" && mkdir -p "$src"
    git archive "$commit" | tar -x -C "$src"
    (cd "$src" && cargo build --release --locked -q)
fi
echo "$src/target/release/redflag"
