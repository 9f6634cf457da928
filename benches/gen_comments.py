#!/usr/bin/env python3
"""Generates synthetic reader comments as Reddit-dump-style JSON Lines, for benchmarks.

Every comment is built from the vocabulary written below (no copied data): sentences from a few
patterns over function words, topic words, fillers and punctuation, about 150 characters on average,
with a small share of violent and abusive phrases (so the explanation path of `redflag score` runs as
often as it would on a real dump), idioms that only look violent, numbers, emoji, accents and curly
quotes. Each record carries the fields of an older Reddit comment dump, so that parsing skips as much
as it would on the real thing.

    gen_comments.py N [--seed S] [--id-prefix P] > comments.jsonl

The output is deterministic for a given N, seed and prefix.
"""

import argparse
import json
import random
import sys

FUNCTION = (
    "the a an and or but so of to in on at for with about from by as that this these those it "
    "is was are were be been have has had do does did not no i you he she we they me him her us "
    "them my your his our their what who when where why how if then than just only also very "
    "really still even all some any every more most much many can could would should will"
).split()

TOPICS = {
    "politics": (
        "government minister election vote voters parliament senate policy budget tax taxes "
        "council mayor campaign party opposition debate law bill reform embassy diplomats "
        "sanctions treaty border immigration protest president governor corruption scandal "
        "committee report inquiry spending deficit pension healthcare"
    ),
    "sports": (
        "match game season team coach players striker goal goals keeper referee penalty "
        "league cup final transfer injury fans stadium tactics defence midfield score "
        "championship playoffs quarterback pitch innings umpire"
    ),
    "weather": (
        "rain snow storm wind forecast weekend temperature heat humidity flood drought sunny "
        "cloudy frost spring summer autumn winter umbrella hurricane"
    ),
    "tech": (
        "phone laptop update software battery screen app apps bug release version server "
        "cloud privacy password browser keyboard chip camera charger network wifi router "
        "subscription algorithm startup"
    ),
    "daily": (
        "coffee breakfast dinner kids school traffic commute office neighbour dog cat garden "
        "rent groceries prices bakery bus train station holiday weekend recipe kitchen "
        "doctor hospital appointment parking street library"
    ),
    "media": (
        "article headline reporter journalist interview podcast episode series film movie "
        "book author review trailer channel comments thread editor source quote paywall"
    ),
}

ADJECTIVES = (
    "good bad great terrible interesting boring fair unfair obvious strange cheap expensive "
    "late early huge tiny honest dishonest ridiculous reasonable typical rare brilliant awful "
    "decent weird clear vague useful useless local national"
).split()

VERBS = (
    "think know said says read wrote watched bought paid voted played lost won missed agree "
    "disagree believe explain fixed broke tried waited moved called asked heard forgot "
    "noticed expected blame support remember"
).split()

FILLERS = [
    "honestly", "to be fair", "tbh", "imo", "lol", "in my opinion", "as usual", "frankly",
    "for what it's worth", "at this point", "to be honest", "if you ask me", "ngl",
]

OPENERS = [
    "Great article.", "Not sure about this.", "Agreed.", "This.", "Came here to say this.",
    "Interesting point.", "Source?", "Same here.", "Well said.", "Hard disagree.",
    "Thanks for sharing.", "Edit: typo.", "Wait, what?", "Exactly.",
]

EXTRAS = ["2021", "10", "3", "50%", "£20", "$5", "9/11", "1st", "90s", "😂", "🙄", "👍", "🔥",
          "café", "naïve", "Zürich", "don’t", "it’s", "“really”", "…"]

# A small share of comments carry these: the reason the model exists, and its false friends.
VIOLENT = [
    "they should all be hanged", "string them up", "I will kill you", "someone should shoot him",
    "burn their houses down", "put a bullet in his head", "execute them on the spot",
    "he deserves a beating", "k1ll them all", "I hope someone stabs him",
]
ABUSIVE = [
    "you absolute idiot", "shut up moron", "what a pathetic loser", "you are a disgusting pig",
    "go back to your cave you troll", "nobody asked you clown", "you brainless muppet",
]
IDIOMS = [
    "this traffic is killing me", "the band killed it last night", "my feet are killing me",
    "that joke slayed", "I could murder a coffee", "the striker shot wide", "a killer app",
]

# The long tail: names, rare words and typos, as pseudo-words drawn with Zipf-like frequencies from a
# large lexicon, so that a per-word cache sees as many new words as it would on real text.
ONSETS = "b bl br c ch cl cr d dr f fl fr g gl gr h j k kl l m n p pl pr qu r s sc sh sk sl sm sn sp st str t th tr v w wh z".split()
VOWELS = "a e i o u ai ea ee ie oo ou y".split()
CODAS = ["", "", "n", "r", "s", "t", "l", "m", "nd", "ng", "rt", "st", "ck", "ll", "sh", "x"]
TAIL_SIZE = 200_000


_LEXICON = {}


def rare_word(rng):
    """A pseudo-word; rank r is drawn with probability about 1/r over the lexicon."""
    rank = int(TAIL_SIZE ** rng.random())
    word = _LEXICON.get(rank)
    if word is None:
        local = random.Random(rank)
        syllables = 1 + local.randrange(3)
        word = "".join(local.choice(ONSETS) + local.choice(VOWELS) + local.choice(CODAS)
                       for _ in range(syllables))
        _LEXICON[rank] = word
    return word


SUBREDDITS = ["news", "worldnews", "politics", "soccer", "weather", "technology", "AskUK",
              "europe", "nba", "movies", "books", "cooking"]


def words_of(rng, topic, n):
    """n words, mostly function words, with topic words, adjectives and verbs mixed in."""
    pool = TOPICS[topic].split()
    out = []
    for _ in range(n):
        r = rng.random()
        if r < 0.46:
            out.append(rng.choice(FUNCTION))
        elif r < 0.70:
            out.append(rng.choice(pool))
        elif r < 0.78:
            out.append(rng.choice(ADJECTIVES))
        elif r < 0.86:
            out.append(rng.choice(VERBS))
        elif r < 0.97:
            out.append(rare_word(rng))
        else:
            out.append(rng.choice(EXTRAS))
    return out


def sentence(rng, topic):
    words = words_of(rng, topic, rng.randint(5, 16))
    if rng.random() < 0.15:
        words.insert(rng.randrange(len(words) + 1), rng.choice(FILLERS) + ",")
    text = " ".join(words)
    text = text[0].upper() + text[1:]
    return text + rng.choice([".", ".", ".", ".", "!", "?", "...", "!!"])


def comment(rng):
    topic = rng.choice(list(TOPICS))
    target = max(30, int(rng.gauss(110, 50)))
    parts = []
    if rng.random() < 0.2:
        parts.append(rng.choice(OPENERS))
    while sum(len(p) + 1 for p in parts) < target:
        parts.append(sentence(rng, topic))
    r = rng.random()
    special = VIOLENT if r < 0.03 else ABUSIVE if r < 0.06 else IDIOMS if r < 0.09 else None
    if special:
        phrase = rng.choice(special)
        parts.insert(rng.randrange(len(parts) + 1), phrase[0].upper() + phrase[1:] + ".")
    if rng.random() < 0.05:
        # Someone else's words, quoted.
        quote = sentence(rng, topic).rstrip(".!?")
        open_, close = rng.choice([('"', '"'), ("“", "”"), ("'", "'")])
        parts.insert(rng.randrange(len(parts) + 1),
                     rng.choice(["They said", "The article says", "Quote:"]) + f" {open_}{quote}{close}.")
    text = " ".join(parts)
    if rng.random() < 0.05:
        text = text.upper()
    elif rng.random() < 0.08:
        text = text.lower()
    return text


def base36(n):
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    s = ""
    while True:
        n, r = divmod(n, 36)
        s = digits[r] + s
        if n == 0:
            return s


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("n", type=int, help="number of comments")
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--id-prefix", default="c", help="prefix of the generated ids")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    out = sys.stdout
    write = out.write
    t0 = 1_600_000_000
    for i in range(args.n):
        sub = rng.choice(SUBREDDITS)
        record = {
            "archived": False,
            "author": "user_" + base36(rng.randrange(36**5)),
            "author_flair_text": None,
            "body": comment(rng),
            "controversiality": 0,
            "created_utc": t0 + i * 7,
            "distinguished": None,
            "edited": False,
            "gilded": 0,
            "id": args.id_prefix + base36(i),
            "link_id": "t3_" + base36(rng.randrange(36**5)),
            "parent_id": "t1_" + base36(rng.randrange(36**6)),
            "retrieved_on": t0 + 86_400 * 30,
            "score": rng.randint(-5, 120),
            "stickied": False,
            "subreddit": sub,
            "subreddit_id": "t5_" + base36(1_000_000 + SUBREDDITS.index(sub)),
        }
        write(json.dumps(record, ensure_ascii=False))
        write("\n")


if __name__ == "__main__":
    main()
