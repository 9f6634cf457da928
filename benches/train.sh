#!/usr/bin/env bash
# Training at scale: 100,000 synthetic labelled comments (each the concatenation of two random
# examples from labels/, labels united), trained with 2 folds and one penalty. Prints wall time and
# peak memory of the whole run; compare with the one-minute / 1 GB target of the core issue.
# Usage: benches/train.sh [N]   (default N = 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
work=target/bench-train
mkdir -p "$work/labels"
python3 - "$n" "$work/labels/synthetic.jsonl" <<'PY'
import glob, json, random, sys
n, out = int(sys.argv[1]), sys.argv[2]
random.seed(7)
ex = [json.loads(l) for f in sorted(glob.glob('labels/*.jsonl')) for l in open(f, encoding='utf-8')]
with open(out, 'w', encoding='utf-8') as o:
    for i in range(n):
        a, b = random.sample(ex, 2)
        labels = sorted(set(a['labels']) | set(b['labels']))
        o.write(json.dumps({"id": f"s{i}", "text": a['text'] + " " + b['text'], "labels": labels}) + "\n")
PY
cargo build --release -q
/usr/bin/time -v target/release/redflag train --labels "$work/labels" --out "$work/model.json" \
    --folds 2 --alpha 1 2> "$work/log.txt" || { cat "$work/log.txt"; exit 1; }
grep -E "training matrix|trained in" "$work/log.txt"
grep -E "Elapsed \(wall clock\)|Maximum resident set size" "$work/log.txt"
