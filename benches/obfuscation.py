#!/usr/bin/env python3
"""How much obfuscation costs redflag and the usual pipeline, on real posts nobody here wrote.

Every post of ../shared/data/public-dev.jsonl is rewritten the way people dodge filters — each word of
four or more letters, with probability 1/2 (fixed seed), in leetspeak ("k1ll"), spaced ("k i l l"),
dotted ("k.i.l.l"), with Cyrillic look-alike letters ("kіll"), elongated ("kiiill") or censored with a
star ("k*ll") — and both models trained on labels/ are evaluated on the original and on each rewritten
copy: redflag (the shipped model, `redflag eval --json`) and the scikit-learn pipeline of
benches/sklearn_baseline.py (same features, no normalisation beyond lower case). Prints pooled ROC-AUC
per category and "any", and the share of clean posts held.

    python3 benches/obfuscation.py        # ~3 minutes; skips when ../shared is absent

Needs target/release/redflag (`cargo build --release`) and a venv with scikit-learn, made in
target/bench-batch/venv (shared with benches/batch.sh) when missing.
"""
import json, os, random, re, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PUBLIC = os.path.join(ROOT, "..", "shared", "data", "public-dev.jsonl")
BIN = os.path.join(ROOT, "target", "release", "redflag")
WORK = os.path.join(ROOT, "target", "obfuscation")
VENV = os.path.join(ROOT, "target", "bench-batch", "venv")

LEET = str.maketrans({"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"})
CYRILLIC = str.maketrans({"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "i": "і"})
VOWELS = "aeiou"


def star(word):
    inner = [k for k in range(1, len(word) - 1) if word[k].lower() in VOWELS]
    return word if not inner else word[: inner[0]] + "*" + word[inner[0] + 1 :]


def elongate(word):
    vowels = [k for k, c in enumerate(word) if c.lower() in VOWELS]
    return word if not vowels else word[: vowels[0]] + word[vowels[0]] * 3 + word[vowels[0] :]


TRANSFORMS = {
    "leetspeak": lambda w: w.translate(LEET),
    "spaced": lambda w: " ".join(w),
    "dotted": lambda w: ".".join(w),
    "look-alikes": lambda w: w.translate(CYRILLIC),
    "elongated": elongate,
    "star": star,
}


def rewrite(text, transform, rng):
    return re.sub(r"[A-Za-z]{4,}", lambda m: transform(m.group()) if rng.random() < 0.5 else m.group(), text)


def redflag_line(path):
    out = subprocess.run([BIN, "eval", "--json", path], capture_output=True, text=True, check=True).stdout
    c = next(r for r in json.loads(out) if r["group"] == "all")["categories"]
    return "violent %.3f  abusive %.3f  any %.3f  held %4.1f%%" % (
        c["violent"]["roc_auc"], c["abusive"]["roc_auc"], c["any"]["roc_auc"], 100 * c["any"]["false_positive_rate"])


def main():
    if not os.path.exists(PUBLIC):
        print(f"skipped: {PUBLIC} is absent")
        return
    if not os.access(BIN, os.X_OK):
        sys.exit(f"{BIN} is missing: run `cargo build --release` first")
    os.makedirs(WORK, exist_ok=True)
    python = os.path.join(VENV, "bin", "python")
    if not os.access(python, os.X_OK):
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
        subprocess.run([os.path.join(VENV, "bin", "pip"), "install", "-q", "scikit-learn"], check=True)
    baseline = os.path.join(ROOT, "benches", "sklearn_baseline.py")
    model = os.path.join(WORK, "sklearn.pkl")
    subprocess.run([python, baseline, "train", os.path.join(ROOT, "labels"), model], check=True,
                   stderr=subprocess.DEVNULL)
    rows = [json.loads(line) for line in open(PUBLIC, encoding="utf-8")]
    files = {"original": PUBLIC}
    for name, transform in TRANSFORMS.items():
        rng = random.Random(2026)
        path = os.path.join(WORK, f"{name}.jsonl")
        with open(path, "w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps({**r, "text": rewrite(r["text"], transform, rng)}, ensure_ascii=False) + "\n")
        files[name] = path
    print(f"public-dev ({len(rows)} posts), each word of 4+ letters rewritten with probability 1/2; ROC-AUC")
    for name, path in files.items():
        print(f"{name:<12} redflag       {redflag_line(path)}")
        sk = subprocess.run([python, baseline, "eval", model, path, ""], capture_output=True, text=True,
                            check=True).stdout.strip()
        print(f"{'':<12} scikit-learn  {sk.replace('clean held', 'held')}")


if __name__ == "__main__":
    sys.exit(main())
