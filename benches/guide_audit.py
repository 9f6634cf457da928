#!/usr/bin/env python3
"""public-dev re-judged under labels/GUIDE.md: how far the corpora's labels are from redflag's
definitions, and the model's figures against the GUIDE's labels instead of the corpora's.

docs/public-dev-audit.jsonl holds, for two stratified random samples of public-dev posts, the id and
the label a reviewer gave each one reading labels/GUIDE.md (violent, abusive, clean or unclear), and
which sample it belongs to: `analysis` (750 posts; their texts were read for error analysis, and the
themes of later label files were chosen from the misses found there, so figures on it are optimistic)
and `holdout` (1,150 other posts, judged blind — without the corpus labels or any score — by reviewers
who wrote no labels; nobody choosing label themes read them: 550 in a first round, 600 more in a
second that sampled posts the corpora call violent more heavily, 360 of the 600, to have more
GUIDE-violent posts). It holds ids only: the texts stay in ../shared/data and never enter this repository. Each
sample was drawn per corpus class (posts the corpus calls violent; abusive but not violent; clean), so
every figure is weighted by stratum (stratum = corpus class x source; weight = posts in the stratum /
posts of the sample judged in it); strata with no judged post are left out and named. Unclear posts are
left out of the ROC-AUCs.

    python3 benches/guide_audit.py [--model MODEL.json]... [--bootstrap N]

Prints: how the corpus classes split under the GUIDE; and for each model (default: the shipped one)
the weighted violent and any-category ROC-AUC against the corpus labels and against the GUIDE labels,
the share of GUIDE-clean posts held, with stratified-bootstrap 95% intervals. Skips (exit 0) when
../shared/data/public-dev.jsonl is absent.
"""
import argparse, json, os, random, subprocess, sys
from collections import Counter, defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PUBLIC = os.path.join(ROOT, "..", "shared", "data", "public-dev.jsonl")
AUDIT = os.path.join(ROOT, "docs", "public-dev-audit.jsonl")
BIN = os.path.join(ROOT, "target", "release", "redflag")


def corpus_class(labels):
    return "violent" if "violent" in labels else ("abusive" if labels else "clean")


def weighted_auc(items):
    """items: (score, is_positive, weight). Weighted Mann-Whitney with ties counted half."""
    items = sorted(items, key=lambda x: x[0])
    neg_below = 0.0
    num = 0.0
    i = 0
    while i < len(items):
        j = i
        while j < len(items) and items[j][0] == items[i][0]:
            j += 1
        pos_w = sum(w for _, p, w in items[i:j] if p)
        neg_w = sum(w for _, p, w in items[i:j] if not p)
        num += pos_w * (neg_below + 0.5 * neg_w)
        neg_below += neg_w
        i = j
    tp = sum(w for _, p, w in items if p)
    tn = sum(w for _, p, w in items if not p)
    return num / (tp * tn) if tp and tn else float("nan")


def figures(rows, weight):
    """rows: dicts with v, margin, held, corpus, guide, stratum."""
    judged = [r for r in rows if r["guide"] != "unclear"]
    w = lambda r: weight[r["stratum"]]
    clean = [r for r in judged if r["guide"] == "clean"]
    return {
        "violent ROC (corpus labels)": weighted_auc([(r["v"], r["corpus"] == "violent", w(r)) for r in rows]),
        "violent ROC (GUIDE labels)": weighted_auc([(r["v"], r["guide"] == "violent", w(r)) for r in judged]),
        "any ROC (corpus labels)": weighted_auc([(r["margin"], r["corpus"] != "clean", w(r)) for r in rows]),
        "any ROC (GUIDE labels)": weighted_auc([(r["margin"], r["guide"] != "clean", w(r)) for r in judged]),
        "GUIDE-clean held": sum(w(r) for r in clean if r["held"]) / sum(w(r) for r in clean),
    }


def score(model, public, ids):
    """Verdicts of `redflag score` (release build) for the given public-dev ids."""
    cmd = [BIN, "score", "--threads", "1", "-"] + (["--model", model] if model else [])
    lines = "".join(json.dumps({"id": i, "text": public[i]["text"]}) + "\n" for i in ids)
    out = subprocess.run(cmd, input=lines, capture_output=True, text=True, check=True).stdout
    return {d["id"]: d for d in map(json.loads, out.splitlines())}


def report(name, audit, public, models, bootstrap):
    population = Counter((corpus_class(r["labels"]), r["source"]) for r in public.values())
    stratum = lambda a: (corpus_class(public[a["id"]]["labels"]), public[a["id"]]["source"])
    sampled = Counter(stratum(a) for a in audit)
    weight = {s: population[s] / n for s, n in sampled.items()}
    missing = {s: n for s, n in population.items() if s not in sampled}

    print(f"== sample '{name}': {len(audit)} judged posts; strata (corpus class, source): judged / in public-dev")
    for s in sorted(population):
        print(f"  {s[0]:<8} {s[1]:<9} {sampled.get(s, 0):>4} / {population[s]}")
    if missing:
        print(f"  left out (no judged post): {sum(missing.values())} posts in {sorted(missing)}")
    split = defaultdict(Counter)
    for a in audit:
        split[stratum(a)[0]][a["guide"]] += weight[stratum(a)]
    print("what each corpus class is under the GUIDE (weighted shares):")
    for c in ("violent", "abusive", "clean"):
        tot = sum(split[c].values())
        print(f"  corpus {c:<8}", "  ".join(f"{g} {split[c][g] / tot:.0%}" for g in ("violent", "abusive", "clean", "unclear")))

    for model in models:
        path = model or os.path.join(ROOT, "models", "redflag.json")
        thresholds = {c["name"]: c["threshold"] for c in json.load(open(path))["categories"]}
        verdicts = score(model, public, [a["id"] for a in audit])
        rows = []
        for a in audit:
            d = verdicts[a["id"]]
            rows.append({
                "v": d["scores"]["violent"],
                "margin": max(d["scores"][c] - t for c, t in thresholds.items()),
                "held": d["decision"] == "hold",
                "corpus": stratum(a)[0],
                "guide": a["guide"],
                "stratum": stratum(a),
            })
        point = figures(rows, weight)
        boots = defaultdict(list)
        rng = random.Random(2026)
        by_stratum = defaultdict(list)
        for r in rows:
            by_stratum[r["stratum"]].append(r)
        for _ in range(bootstrap):
            sample = [rng.choice(rs) for rs in by_stratum.values() for _ in rs]
            for k, v in figures(sample, weight).items():
                boots[k].append(v)
        print(f"model {model or 'shipped (models/redflag.json)'} on sample '{name}' (95% bootstrap intervals)")
        for k, v in point.items():
            b = sorted(boots[k])
            ci = f"  [{b[int(0.025 * len(b))]:.3f}, {b[int(0.975 * len(b)) - 1]:.3f}]" if b else ""
            print(f"  {k:<28} {v:.3f}{ci}")
    print()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", action="append", default=[], help="model file(s); default: shipped")
    ap.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples (0: none)")
    args = ap.parse_args()
    if not os.path.exists(PUBLIC):
        print(f"skipped: {PUBLIC} is absent")
        return
    if not os.access(BIN, os.X_OK):
        sys.exit(f"{BIN} is missing: run `cargo build --release` first")
    public = {}
    for line in open(PUBLIC, encoding="utf-8"):
        r = json.loads(line)
        public[r["id"]] = r
    samples = defaultdict(list)
    for line in open(AUDIT, encoding="utf-8"):
        a = json.loads(line)
        samples[a["set"]].append(a)
    for name in sorted(samples, key=lambda n: n != "holdout"):
        report(name, samples[name], public, args.model or [None], args.bootstrap)


if __name__ == "__main__":
    sys.exit(main())
