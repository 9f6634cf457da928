#!/usr/bin/env bash
# How far labels/ is from in-domain training data, on real posts nobody here wrote.
#
# Splits ../shared/data/public-dev.jsonl in two halves (even and odd lines), trains the same pipeline
# on labels/ plus the even half (`train --extra`, an experiment: never shipped), and evaluates on the
# odd half both that model and the shipped one (trained on labels/ alone). Prints the pooled
# ROC-AUC per category and the share of clean posts held, with and without the extra data.
# Usage: benches/public_dev_ceiling.sh   (skips when ../shared is absent; ~2 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
data=../shared/data/public-dev.jsonl
if [ ! -s "$data" ]; then
    echo "skipped: $data not found" >&2
    exit 0
fi
work=target/public-dev-ceiling
mkdir -p "$work"
awk 'NR % 2 == 0' "$data" > "$work/train-half.jsonl"
awk 'NR % 2 == 1' "$data" > "$work/eval-half.jsonl"
cargo build --release -q
redflag=target/release/redflag
"$redflag" train --out "$work/with-extra.json" --folds 3 --extra "$work/train-half.jsonl" \
    2> "$work/train.log" || { cat "$work/train.log"; exit 1; }
summary() {
    python3 -c '
import json, sys
rows = json.load(sys.stdin)
c = next(r for r in rows if r["group"] == "all")["categories"]
auc = {k: c[k]["roc_auc"] for k in ("violent", "abusive", "any")}
held = c["any"]["false_positive_rate"]
print("%-32s violent %.3f  abusive %.3f  any %.3f  clean held %.1f%%"
      % (sys.argv[1], auc["violent"], auc["abusive"], auc["any"], 100 * held))
' "$1"
}
echo "ROC-AUC on the odd half of public-dev ($(wc -l < "$work/eval-half.jsonl") posts):"
"$redflag" eval --json "$work/eval-half.jsonl" | summary "shipped (labels/ only)"
"$redflag" eval --json --model "$work/with-extra.json" "$work/eval-half.jsonl" \
    | summary "labels/ + even half (--extra)"
