#!/usr/bin/env bash
# Batch scoring benchmark: whole-process comments/s and peak RSS of `redflag score` on 1,000,000
# generated comments, against two baselines measured in the same run:
#   - the read-and-parse bound: `redflag parse` on the same file (same reader, same threads, the
#     comments written back as JSON instead of scored);
#   - scikit-learn with the same features (TfidfVectorizer word 1-2 + char_wb 2-5, sublinear tf;
#     LogisticRegression per category), trained on the same labels/, installed into a venv here.
# Then memory stays flat: peak RSS on a 1 MB file, on the 1M-comment file, and (with --big) on a .zst
# file of at least 1 GB compressed. With --rev REV, the redflag of that git revision (built by
# benches/build_rev.sh) is measured too, its runs alternating with this one's, and the speed-up is
# printed. With --repeat N, each redflag run on the 1M comments is made N times (alternating with the
# other runs) and the fastest kept, which steadies the figures on a machine shared with other jobs.
#
#   benches/batch.sh [--big] [--rev REV] [--repeat N] [--comments N] [--dir DIR]
#
# Data, the venv and the logs go to DIR (default target/bench-batch); the generated files are reused
# when present. Needs python3 (with venv and pip), zstd, bc and GNU time (/usr/bin/time -v).
set -euo pipefail
cd "$(dirname "$0")/.."

BIG=0
COMMENTS=1000000
DIR=target/bench-batch
REV=
REPEAT=1
while [ $# -gt 0 ]; do
    case "$1" in
        --big) BIG=1 ;;
        --comments) COMMENTS="$2"; shift ;;
        --dir) DIR="$2"; shift ;;
        --rev) REV="$2"; shift ;;
        --repeat) REPEAT="$2"; shift ;;
        *) echo "usage: $0 [--big] [--rev REV] [--repeat N] [--comments N] [--dir DIR]" >&2; exit 2 ;;
    esac
    shift
done
mkdir -p "$DIR"
REDFLAG=target/release/redflag
DUMP="$DIR/comments-$COMMENTS.jsonl"
SMALL="$DIR/comments-1mb.jsonl"
BIGZST="$DIR/comments-1gb.jsonl.zst"

echo "== build (release)"
cargo build --release --locked -q
BEFORE=
if [ -n "$REV" ]; then
    BEFORE=$(benches/build_rev.sh "$REV")
fi

if [ ! -s "$DUMP" ]; then
    echo "== generating $COMMENTS comments into $DUMP"
    python3 benches/gen_comments.py "$COMMENTS" > "$DUMP.tmp" && mv "$DUMP.tmp" "$DUMP"
fi
head -c 1000000 "$DUMP" | sed '$d' > "$SMALL"

if [ ! -x "$DIR/venv/bin/python" ]; then
    echo "== creating a venv with scikit-learn in $DIR/venv"
    python3 -m venv "$DIR/venv"
    "$DIR/venv/bin/pip" install -q scikit-learn
fi
if [ ! -s "$DIR/sklearn.pkl" ]; then
    echo "== training the scikit-learn baseline on labels/"
    "$DIR/venv/bin/python" benches/sklearn_baseline.py train labels "$DIR/sklearn.pkl"
fi

# measure NAME CMD...: runs CMD with stdout to /dev/null under GNU time; sets WALL_NAME (seconds),
# CPU_NAME (user + system seconds) and RSS_NAME (peak, KiB), or when NAME was measured before keeps
# the least wall and CPU time and the largest RSS; keeps stderr in $DIR/NAME.log.
measure() {
    local name="$1"
    shift
    /usr/bin/time -v -o "$DIR/$name.time" "$@" > /dev/null 2> "$DIR/$name.log"
    local wall cpu rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {
        n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$DIR/$name.time")
    cpu=$(awk -F': ' '/(User|System) time \(seconds\)/ {s += $2} END {print s}' "$DIR/$name.time")
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$DIR/$name.time")
    printf "  %-21s %8.2f s wall %8.2f s CPU  peak RSS %7.1f MB\n" "$name" "$wall" "$cpu" \
        "$(echo "$rss / 1024" | bc -l)"
    local was="WALL_$name"
    if [ -n "${!was:-}" ]; then
        local cpu_was="CPU_$name" rss_was="RSS_$name"
        wall=$(echo "if ($wall < ${!was}) $wall else ${!was}" | bc -l)
        cpu=$(echo "if ($cpu < ${!cpu_was}) $cpu else ${!cpu_was}" | bc -l)
        rss=$(( rss > ${!rss_was} ? rss : ${!rss_was} ))
    fi
    eval "WALL_$name=$wall; CPU_$name=$cpu; RSS_$name=$rss"
}

lines=$(wc -l < "$DUMP")
echo "== $lines comments, $(du -m "$DUMP" | cut -f1) MB; $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
for _ in $(seq "$REPEAT"); do
    measure parse "$REDFLAG" parse "$DUMP"
    measure score "$REDFLAG" score "$DUMP"
    if [ -n "$BEFORE" ]; then measure score_before "$BEFORE" score "$DUMP"; fi
    measure score_1thread "$REDFLAG" score --threads 1 "$DUMP"
    if [ -n "$BEFORE" ]; then measure score_1thread_before "$BEFORE" score --threads 1 "$DUMP"; fi
done
measure score_small "$REDFLAG" score "$SMALL"
measure sklearn "$DIR/venv/bin/python" benches/sklearn_baseline.py score "$DIR/sklearn.pkl" "$DUMP"
grep -h "^redflag: read" "$DIR/score.log" | sed 's/^/  score: /'

if [ "$BIG" = 1 ]; then
    if [ ! -s "$BIGZST" ]; then
        # Copies of the dump with fresh ids, compressed as one stream, until it is 1 GB compressed.
        one=$(zstd -3 -T0 -c "$DUMP" | wc -c)
        copies=$(( (1000000000 + one - 1) / one ))
        echo "== writing $BIGZST: $copies copies of the dump with new ids, zstd -3"
        for i in $(seq "$copies"); do
            sed "s/\"id\": \"c/\"id\": \"r$i-c/" "$DUMP"
        done | zstd -3 -T0 -q -o "$BIGZST.tmp" && mv "$BIGZST.tmp" "$BIGZST"
    fi
    echo "== $(du -m "$BIGZST" | cut -f1) MB compressed"
    measure score_big "$REDFLAG" score "$BIGZST"
    grep -h "^redflag: read" "$DIR/score_big.log" | sed 's/^/  score_big: /'
fi

echo "== results (per CPU-second: the same figure on a busy machine)"
rate() { echo "$lines / $1" | bc -l; }
row() { printf "  %-27s %10.0f comments/s %10.0f per CPU-second\n" "$1" "$(rate "$2")" "$(rate "$3")"; }
row "redflag score (all cores)" "$WALL_score" "$CPU_score"
row "redflag score --threads 1" "$WALL_score_1thread" "$CPU_score_1thread"
if [ -n "$BEFORE" ]; then
    row "  score at $REV" "$WALL_score_before" "$CPU_score_before"
    row "  score --threads 1 at $REV" "$WALL_score_1thread_before" "$CPU_score_1thread_before"
fi
row "redflag parse (the bound)" "$WALL_parse" "$CPU_parse"
row "scikit-learn" "$WALL_sklearn" "$CPU_sklearn"
printf "  score / sklearn             %10.1fx  (target >= 30x)\n" "$(echo "$WALL_sklearn / $WALL_score" | bc -l)"
printf "  score 1 thread / sklearn    %10.1fx\n" "$(echo "$WALL_sklearn / $WALL_score_1thread" | bc -l)"
printf "  score / parse bound         %10.0f%%  (target >= 60%%)\n" "$(echo "100 * $WALL_parse / $WALL_score" | bc -l)"
printf "  all cores / 1 thread        %10.2fx\n" "$(echo "$WALL_score_1thread / $WALL_score" | bc -l)"
if [ -n "$BEFORE" ]; then
    printf "  score / score at %-10s %10.2fx  (1 thread %.2fx; per CPU-second %.2fx and %.2fx)\n" "$REV" \
        "$(echo "$WALL_score_before / $WALL_score" | bc -l)" \
        "$(echo "$WALL_score_1thread_before / $WALL_score_1thread" | bc -l)" \
        "$(echo "$CPU_score_before / $CPU_score" | bc -l)" \
        "$(echo "$CPU_score_1thread_before / $CPU_score_1thread" | bc -l)"
fi
printf "  peak RSS: 1 MB input %.0f MB, %s comments %.0f MB" \
    "$(echo "$RSS_score_small / 1024" | bc -l)" "$lines" "$(echo "$RSS_score / 1024" | bc -l)"
if [ "$BIG" = 1 ]; then
    printf ", 1 GB .zst %.0f MB" "$(echo "$RSS_score_big / 1024" | bc -l)"
fi
printf "  (target <= 200 MB, flat)\n"
printf "  scikit-learn peak RSS %.0f MB\n" "$(echo "$RSS_sklearn / 1024" | bc -l)"
