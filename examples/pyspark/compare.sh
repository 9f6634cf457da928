#!/usr/bin/env bash
# Shows that scoring dump shards with Spark (score_shards.py, redflag as the map step of RDD.pipe,
# local mode) gives the same records, line for line, as one `redflag score` over the same shards.
#
#   examples/pyspark/compare.sh [--shards N] [--comments-per-shard N] [--dir DIR]
#
# Installs pyspark from PyPI into DIR/venv (default target/pyspark-example) on the first run; needs
# Java (Spark 4 wants 17 or later) and python3.
set -euo pipefail
cd "$(dirname "$0")/../.."

SHARDS=4
PER_SHARD=25000
DIR=target/pyspark-example
while [ $# -gt 0 ]; do
    case "$1" in
        --shards) SHARDS="$2"; shift ;;
        --comments-per-shard) PER_SHARD="$2"; shift ;;
        --dir) DIR="$2"; shift ;;
        *) echo "usage: $0 [--shards N] [--comments-per-shard N] [--dir DIR]" >&2; exit 2 ;;
    esac
    shift
done
mkdir -p "$DIR"
cargo build --release --locked -q
REDFLAG="$PWD/target/release/redflag"
if [ ! -x "$DIR/venv/bin/python" ]; then
    python3 -m venv "$DIR/venv"
    "$DIR/venv/bin/pip" install -q pyspark
fi

shards=()
for i in $(seq "$SHARDS"); do
    shard="$DIR/shard-$i.jsonl"
    python3 benches/gen_comments.py "$PER_SHARD" --seed "$i" --id-prefix "s$i-" > "$shard"
    shards+=("$shard")
done
# A shard with some bad records: they must come out as error records in the same place.
printf '%s\n' '{"id": "bad-1", "score": 3}' 'not json' '{"id": "ok-1", "body": "fine"}' >> "${shards[0]}"

echo "== one process: redflag score ${shards[*]}"
"$REDFLAG" score "${shards[@]}" > "$DIR/single.jsonl"

echo "== Spark, local mode: RDD.pipe over the shards"
rm -rf "$DIR/spark-out"
"$DIR/venv/bin/python" examples/pyspark/score_shards.py "$DIR/spark-out" "${shards[@]}" \
    --redflag "$REDFLAG" --partitions "$((SHARDS * 2))" 2> "$DIR/spark.log" \
    || { tail -30 "$DIR/spark.log"; exit 1; }
cat "$DIR"/spark-out/part-* > "$DIR/spark.jsonl"

# Error records without an id name their input: FILE:LINE in one process, -:LINE (the partition's
# standard input) under Spark. Everything else must be identical.
normalise() { sed -E 's/"id":"[^"]*:[0-9]+","error"/"id":"<input>:<line>","error"/; s/"line":[0-9]+/"line":0/' "$1"; }
if diff <(normalise "$DIR/single.jsonl") <(normalise "$DIR/spark.jsonl") > "$DIR/diff.txt"; then
    echo "== identical: $(wc -l < "$DIR/single.jsonl") records, in the same order"
else
    echo "== DIFFERENT (first lines of $DIR/diff.txt):"
    head "$DIR/diff.txt"
    exit 1
fi
