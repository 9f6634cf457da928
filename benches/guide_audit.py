#!/usr/bin/env python3
"""public-dev re-judged under labels/GUIDE.md: how far the corpora's labels are from redflag's
definitions, and the model's figures against the GUIDE's labels instead of the corpora's.

docs/public-dev-audit.jsonl holds, for a stratified random sample of public-dev posts, the id and the
label a reviewer gave each one reading labels/GUIDE.md (violent, abusive, clean or unclear). It holds
ids only: the texts stay in ../shared/data and never enter this repository. The sample was drawn per
corpus class (posts the corpus calls violent; abusive but not violent; clean), so every figure here is
weighted by stratum (stratum = corpus class x source; weight = posts in the stratum / posts judged in
it); strata with no judged post are left out and named. Unclear posts are left out of the ROC-AUCs.

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


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", action="append", default=[], help="model file(s); default: shipped")
    ap.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples (0: none)")
    args = ap.parse_args()
    if not os.path.exists(PUBLIC):
        print(f"skipped: {PUBLIC} is absent")
        return
    public = {}
    for line in open(PUBLIC, encoding="utf-8"):
        r = json.loads(line)
        public[r["id"]] = r
    audit = [json.loads(l) for l in open(AUDIT, encoding="utf-8")]
    population = Counter((corpus_class(r["labels"]), r["source"]) for r in public.values())
    sampled = Counter((corpus_class(public[a["id"]]["labels"]), public[a["id"]]["source"]) for a in audit)
    weight = {s: population[s] / n for s, n in sampled.items()}
    missing = {s: n for s, n in population.items() if s not in sampled}

    print(f"{len(audit)} judged posts; strata (corpus class, source): judged / in public-dev")
    for s in sorted(population):
        print(f"  {s[0]:<8} {s[1]:<9} {sampled.get(s, 0):>4} / {population[s]}")
    if missing:
        print(f"  left out (no judged post): {sum(missing.values())} posts in {sorted(missing)}")
    split = defaultdict(Counter)
    for a in audit:
        split[corpus_class(public[a["id"]]["labels"])][a["guide"]] += weight[
            (corpus_class(public[a["id"]]["labels"]), public[a["id"]]["source"])]
    print("\nwhat each corpus class is under the GUIDE (weighted shares):")
    for c in ("violent", "abusive", "clean"):
        tot = sum(split[c].values())
        print(f"  corpus {c:<8}", "  ".join(f"{g} {split[c][g] / tot:.0%}" for g in ("violent", "abusive", "clean", "unclear")))

    models = args.model or [None]
    for model in models:
        cmd = [BIN, "score", "--threads", "1", "-"] + (["--model", model] if model else [])
        thresholds = {c["name"]: c["threshold"] for c in json.load(open(model or os.path.join(ROOT, "models", "redflag.json")))["categories"]}
        lines = "".join(json.dumps({"id": a["id"], "text": public[a["id"]]["text"]}) + "\n" for a in audit)
        out = subprocess.run(cmd, input=lines, capture_output=True, text=True, check=True).stdout
        scores = {d["id"]: d for d in map(json.loads, out.splitlines())}
        rows = []
        for a in audit:
            p, d = public[a["id"]], scores[a["id"]]
            rows.append({
                "v": d["scores"]["violent"],
                "margin": max(d["scores"][c] - t for c, t in thresholds.items()),
                "held": d["decision"] == "hold",
                "corpus": corpus_class(p["labels"]),
                "guide": a["guide"],
                "stratum": (corpus_class(p["labels"]), p["source"]),
            })
        point = figures(rows, weight)
        boots = defaultdict(list)
        rng = random.Random(2026)
        by_stratum = defaultdict(list)
        for r in rows:
            by_stratum[r["stratum"]].append(r)
        for _ in range(args.bootstrap):
            sample = [rng.choice(rs) for rs in by_stratum.values() for _ in rs]
            for k, v in figures(sample, weight).items():
                boots[k].append(v)
        print(f"\nmodel {model or 'shipped (models/redflag.json)'}")
        for k, v in point.items():
            b = sorted(boots[k])
            ci = f"  [{b[int(0.025 * len(b))]:.3f}, {b[int(0.975 * len(b)) - 1]:.3f}]" if b else ""
            print(f"  {k:<28} {v:.3f}{ci}")


if __name__ == "__main__":
    sys.exit(main())
