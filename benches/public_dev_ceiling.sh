#!/usr/bin/env bash
# How far labels/ is from in-domain training data, on real posts nobody here wrote.
#
# Splits ../shared/data/public-dev.jsonl in two halves (even and odd lines), trains the same pipeline
# on labels/ plus the even half (`train --extra`, an experiment: never shipped), and evaluates on the
# odd half both that model and the shipped one (trained on labels/ alone). In the same run, the usual
# pipeline (benches/sklearn_baseline.py: scikit-learn TF-IDF word 1-2 + char_wb 2-5, logistic
# regression; in a venv shared with benches/batch.sh) is trained once on labels/ and once on the even
# half alone (in-domain data, no labels/), and evaluated on the same odd half. Prints the pooled ROC-AUC
# per category and the share of clean posts held for each.
# Usage: benches/public_dev_ceiling.sh   (skips when ../shared is absent; ~3 minutes)
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

venv=target/bench-batch/venv
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv" && "$venv/bin/pip" install -q scikit-learn \
        || { echo "skipped the scikit-learn rows: could not install scikit-learn in $venv" >&2; exit 0; }
fi
for source in labels "$work/train-half.jsonl"; do
    "$venv/bin/python" benches/sklearn_baseline.py train "$source" "$work/sklearn.pkl" 2>> "$work/train.log"
    name="scikit-learn, $( [ "$source" = labels ] && echo "labels/ only" || echo "even half only")"
    "$venv/bin/python" benches/sklearn_baseline.py eval "$work/sklearn.pkl" "$work/eval-half.jsonl" "$name"
done
