#!/usr/bin/env bash
# Instructions per comment of `redflag score --threads 1` and `redflag parse --threads 1`, counted by
# callgrind: unlike times, the counts hardly move from run to run (less than 0.1 %, from the hand-offs
# between threads), on a busy machine too, so they compare two versions closely. Each command runs on
# N generated benchmark comments and on the first one alone; the difference divided by N - 1 leaves
# out starting up and loading the model.
#
#   benches/callgrind.sh [--comments N] [--rev REV]... [BINARY]...
#
# Measures the named binaries, or else target/release/redflag (built first); --rev also builds the
# named git revision (benches/build_rev.sh) and measures it first, e.g. `benches/callgrind.sh --rev
# main` for before and after. The comments come from benches/gen_comments.py, as in benches/batch.sh.
# Needs valgrind and python3.
set -euo pipefail
cd "$(dirname "$0")/.."

COMMENTS=10000
DIR=target/bench-callgrind
BINARIES=()
REVS=()
while [ $# -gt 0 ]; do
    case "$1" in
        --comments) COMMENTS="$2"; shift ;;
        --rev) REVS+=("$2"); shift ;;
        -*) echo "usage: $0 [--comments N] [--rev REV]... [BINARY]..." >&2; exit 2 ;;
        *) BINARIES+=("$1") ;;
    esac
    shift
done
mkdir -p "$DIR"

if [ ${#BINARIES[@]} -eq 0 ]; then
    cargo build --release --locked -q
    BINARIES=(target/release/redflag)
fi
BUILT=()
for rev in "${REVS[@]}"; do
    BUILT+=("$(benches/build_rev.sh "$rev")")
done
BINARIES=("${BUILT[@]}" "${BINARIES[@]}")

DUMP="$DIR/comments-$COMMENTS.jsonl"
if [ ! -s "$DUMP" ]; then
    python3 benches/gen_comments.py "$COMMENTS" > "$DUMP.tmp" && mv "$DUMP.tmp" "$DUMP"
fi
head -1 "$DUMP" > "$DIR/comments-1.jsonl"

# instructions BINARY SUBCOMMAND FILE: the instructions callgrind counted for the whole process.
instructions() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$1" "$2" --threads 1 "$3" \
        2>&1 > /dev/null | awk '/Collected :/ {print $NF}'
}

printf "%-50s %14s %14s\n" "instructions per comment ($COMMENTS comments)" "score" "parse"
for bin in "${BINARIES[@]}"; do
    row=()
    for sub in score parse; do
        one=$(instructions "$bin" "$sub" "$DIR/comments-1.jsonl")
        all=$(instructions "$bin" "$sub" "$DUMP")
        row+=($(( (all - one) / (COMMENTS - 1) )))
    done
    printf "%-50s %14s %14s\n" "$bin" "${row[0]}" "${row[1]}"
done
