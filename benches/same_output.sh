#!/usr/bin/env bash
# Checks that a speed-up changed nothing: runs the redflag of a git revision (built by
# benches/build_rev.sh) and this one on the same inputs and compares their output byte for byte.
#
#   benches/same_output.sh [--rev REV] [--comments N]
#
# REV defaults to main. The inputs, written to target/bench-same/:
#   - N generated benchmark comments (benches/gen_comments.py; default 100,000);
#   - as many random texts made of what the tokenizer and the features have rules for: leetspeak,
#     spaced and dotted letters, elongation, apostrophes and quotation marks of every kind, sentence
#     ends, emoji, accents, look-alike letters, invisible characters and mojibake;
#   - the labelled examples in labels/, the functional cases, and ../shared/data/public-dev.jsonl
#     when it is there.
# Each is scored as JSON Lines with all threads and with one, as CSV of the held comments, and parsed;
# the script stops at the first difference. Needs python3.
set -euo pipefail
cd "$(dirname "$0")/.."

REV=main
COMMENTS=100000
while [ $# -gt 0 ]; do
    case "$1" in
        --rev) REV="$2"; shift ;;
        --comments) COMMENTS="$2"; shift ;;
        *) echo "usage: $0 [--rev REV] [--comments N]" >&2; exit 2 ;;
    esac
    shift
done
DIR=target/bench-same
mkdir -p "$DIR"
cargo build --release --locked -q
AFTER=target/release/redflag
BEFORE=$(benches/build_rev.sh "$REV")

if [ ! -s "$DIR/comments-$COMMENTS.jsonl" ]; then
    python3 benches/gen_comments.py "$COMMENTS" > "$DIR/comments-$COMMENTS.jsonl"
fi
python3 - "$COMMENTS" > "$DIR/texts-$COMMENTS.jsonl" <<'PY'
import json, random, sys
random.seed(7)
words = ("i will kill you hang them all execute the traitors on the spot idiot moron string up like "
         "dogs they said he wrote a quiet comment about weather it's don't Iraqis' fault").split()
pieces = [
    ["k1ll", "h@ng", "3xecute", "1st", "90s", "2021th", "5pm", "k!ll", "sh00t", "$hit", "f4ck", "|<ill",
     "@mike", "9/11", "a1", "11a", "m0r0n", "k*ll", "f**k", "f***k"],
    ["k i l l", "k.i.l.l", "e x e c u t e", "k-i-l-l", "k_i_l_l", "k / i / l / l", "a b", "a b c",
     "k · i · l · l", "k • i • l", "k  i  l  l", "k...i...l"],
    ["kiiiill", "killlll", "nooooo", "aaa", "aa", "!!!!", "??", "heeelp", "kkk", "KiIiLL"],
    ["kіll", "ｋｉｌｌ", "k\u200bill", "𝐤𝐢𝐥𝐥", "ﬁre", "don’t", "ехесutе", "KÍLL", "日本語の",
     "Ünïcödé", "ß", "İstanbul", "ǅ", "Ⅻ", "½", "\u0301a", "a\u0301", "\ufeff", "\u00ad", "ﾊﾝｸﾞ"],
    ["🔫", "🪢", "💣", "⚰", "🔥", "😂", "👍🏽", "❤️", "☠", "🤬"],
    ["â€™", "Ã©", "â€œ", "â€\x9d", "â€", "Ã¨", "â€”", "Ã", "Â"],
    [".", "!", "?", "…", ",", ";", "\n", "\t", " - ", "/", "(", "*", "|", "@", "$", "#", "'", '"',
     "‘", "’", "“", "”", "«", "»", "„", "`", "´", "ʼ"],
]
quotes = [('"', '"'), ("'", "'"), ("‘", "’"), ("“", "”"), ("«", "»"), ("„", "“"), ("“", '"'),
          ("'", "’"), ('"', "'")]
def piece():
    r = random.random()
    if r < 0.45:
        return random.choice(words)
    if r < 0.85:
        return random.choice(random.choice(pieces))
    if r < 0.93:
        o, c = random.choice(quotes)
        return o + " ".join(random.choice(words) for _ in range(random.randint(0, 3))) + c
    return "".join(random.choice("kilabcxyz019!@$*'|.-_ ") for _ in range(random.randint(1, 6)))
for i in range(int(sys.argv[1])):
    text = "".join(piece() + random.choice([" ", " ", "", ". ", "! ", "\n", "  ", ", "])
                   for _ in range(random.randint(0, 30)))
    if random.random() < 0.3:
        text = text.upper()
    print(json.dumps({"id": f"t{i}", "text": text}, ensure_ascii=random.random() < 0.5))
PY
inputs=("$DIR/comments-$COMMENTS.jsonl" "$DIR/texts-$COMMENTS.jsonl" tests/functional/cases.jsonl labels/*.jsonl)
if [ -s ../shared/data/public-dev.jsonl ]; then
    inputs+=(../shared/data/public-dev.jsonl)
fi

same() {
    "$BEFORE" "$@" > "$DIR/before.out" 2> /dev/null
    "$AFTER" "$@" > "$DIR/after.out" 2> /dev/null
    if ! cmp -s "$DIR/before.out" "$DIR/after.out"; then
        echo "DIFFERENT: redflag $* (outputs in $DIR/before.out and $DIR/after.out)"
        cmp "$DIR/before.out" "$DIR/after.out" || true
        exit 1
    fi
    echo "  same: redflag $* ($(wc -l < "$DIR/after.out") lines)"
}
echo "== $REV ($BEFORE) against this tree"
for input in "${inputs[@]}"; do
    same score "$input"
    same score --threads 1 "$input"
    same score --only-flagged --output-format csv "$input"
    same parse "$input"
done
echo "== identical"
