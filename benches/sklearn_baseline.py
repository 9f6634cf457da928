#!/usr/bin/env python3
"""The scikit-learn baseline of benches/batch.sh: the same features and classifier as redflag.

    sklearn_baseline.py train LABELS MODEL.pkl      # fit on LABELS (a directory of *.jsonl, or a
                                                    # .jsonl file), as `redflag train` does
    sklearn_baseline.py score MODEL.pkl DUMP.jsonl  # one JSON line per comment on stdout, like `score`
    sklearn_baseline.py eval MODEL.pkl FILE.jsonl NAME  # one line of pooled ROC-AUC, as
                                                    # benches/public_dev_ceiling.sh prints for redflag

Features: TfidfVectorizer word 1-2-grams and char_wb 2-5-grams, sublinear tf, smoothed idf, min_df 2,
each block L2-normalised (a FeatureUnion of the two), lower-cased, no stop words; one
LogisticRegression per category (violent, abusive), L2-penalised. Scoring streams the dump in chunks,
so memory stays bounded, and writes id, scores and decision per comment, as redflag does; a comment is
held when a probability reaches the threshold picked at training (best F0.5 on the training set).
"""

import glob
import json
import os
import pickle
import sys

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import precision_recall_curve, roc_auc_score
from sklearn.pipeline import FeatureUnion

CATEGORIES = ["violent", "abusive"]
CHUNK = 10_000


def features():
    common = dict(sublinear_tf=True, min_df=2, lowercase=True, dtype=np.float32)
    return FeatureUnion([
        ("word", TfidfVectorizer(analyzer="word", ngram_range=(1, 2),
                                 token_pattern=r"(?u)\b\w+\b", **common)),
        ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), **common)),
    ])


def best_threshold(y, p, beta=0.5):
    precision, recall, thresholds = precision_recall_curve(y, p)
    f = (1 + beta**2) * precision * recall / np.maximum(beta**2 * precision + recall, 1e-12)
    return float(thresholds[np.argmax(f[:-1])])


def train(source, out):
    texts, labels = [], []
    paths = sorted(glob.glob(os.path.join(source, "*.jsonl"))) if os.path.isdir(source) else [source]
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    ex = json.loads(line)
                    texts.append(ex["text"])
                    labels.append(ex["labels"])
    vectorizer = features()
    x = vectorizer.fit_transform(texts)
    classifiers = {}
    for c in CATEGORIES:
        y = np.array([c in ls for ls in labels])
        clf = LogisticRegression(C=1.0, max_iter=1000).fit(x, y)
        classifiers[c] = (clf, best_threshold(y, clf.predict_proba(x)[:, 1]))
    with open(out, "wb") as f:
        pickle.dump((vectorizer, classifiers), f)
    print(f"sklearn: trained on {len(texts)} examples, {x.shape[1]} features", file=sys.stderr)


def score_chunk(vectorizer, classifiers, ids, bodies, out):
    x = vectorizer.transform(bodies)
    probabilities = {c: clf.predict_proba(x)[:, 1] for c, (clf, _) in classifiers.items()}
    for k, id_ in enumerate(ids):
        scores = {c: round(float(probabilities[c][k]), 4) for c in sorted(classifiers)}
        held = any(probabilities[c][k] >= t for c, (_, t) in classifiers.items())
        out.write(json.dumps({"id": id_, "scores": scores,
                              "decision": "hold" if held else "publish"}))
        out.write("\n")


def evaluate(model, path, name):
    """Pooled ROC-AUC per category and for "any" (ranked by the largest margin over a threshold, as
    `redflag eval` does), and the share of clean posts held, on a labelled {"text","labels"} file."""
    with open(model, "rb") as f:
        vectorizer, classifiers = pickle.load(f)
    with open(path, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    x = vectorizer.transform([r["text"] for r in rows])
    p = {c: clf.predict_proba(x)[:, 1] for c, (clf, _) in classifiers.items()}
    margin = np.max([p[c] - t for c, (_, t) in classifiers.items()], axis=0)
    truth = {c: np.array([c in r["labels"] for r in rows]) for c in CATEGORIES}
    labelled = np.array([bool(r["labels"]) for r in rows])
    auc = {c: roc_auc_score(truth[c], p[c]) for c in CATEGORIES}
    auc["any"] = roc_auc_score(labelled, margin)
    held = float(np.mean(margin[~labelled] >= 0))
    print("%-32s violent %.3f  abusive %.3f  any %.3f  clean held %.1f%%"
          % (name, auc["violent"], auc["abusive"], auc["any"], 100 * held))


def score(model, dump):
    with open(model, "rb") as f:
        vectorizer, classifiers = pickle.load(f)
    out = sys.stdout
    ids, bodies, n = [], [], 0
    with open(dump, encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            ids.append(record.get("id"))
            bodies.append(record["body"])
            if len(bodies) == CHUNK:
                score_chunk(vectorizer, classifiers, ids, bodies, out)
                n += len(bodies)
                ids, bodies = [], []
    if bodies:
        score_chunk(vectorizer, classifiers, ids, bodies, out)
        n += len(bodies)
    print(f"sklearn: scored {n} comments", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "train":
        train(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "score":
        score(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 5 and sys.argv[1] == "eval":
        evaluate(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(__doc__)
