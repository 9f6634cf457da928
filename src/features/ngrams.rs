//! N-gram extraction: word n-grams and character n-grams inside word boundaries, each hashed.
//!
//! A feature is identified by a 64-bit FNV-1a hash of its kind and text, so scoring never allocates a
//! string per n-gram; the vocabulary keeps the text of every known n-gram for explanations and maps
//! hashes back to indices.

use crate::text::Tokens;
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// The two kinds of features.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Word n-grams over normalised tokens ("string them").
    Word,
    /// Character n-grams inside one token padded with spaces (" exe").
    Char,
}

/// Which n-grams to extract. Stored in the model so that scoring extracts what training saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NgramConfig {
    /// Smallest and largest word n-gram, in tokens; (0, 0) for none.
    pub word: (usize, usize),
    /// Smallest and largest character n-gram, in characters of the space-padded token; (0, 0) for none.
    pub char: (usize, usize),
    /// Leave out word n-grams made only of function words ("these are", "is a") and the character
    /// n-grams of function words: they carry the style of the training labels, not meaning (see
    /// [`crate::text::is_function_word`] and [`Tokens::is_function_word`]). Absent, and so off, in models written before it existed.
    #[serde(default)]
    pub skip_function_words: bool,
}

impl Default for NgramConfig {
    /// Word 1–2-grams and character 2–5-grams, the usual strong baseline for short comments, without
    /// function words.
    fn default() -> Self {
        NgramConfig {
            word: (1, 2),
            char: (2, 5),
            skip_function_words: true,
        }
    }
}

/// One n-gram occurrence, as handed to the callback of [`for_each_ngram`].
#[derive(Debug, Clone, Copy)]
pub struct Ngram<'a> {
    /// Word or character n-gram.
    pub kind: Kind,
    /// Stable hash of kind and text.
    pub hash: u64,
    /// Normalised text of the n-gram.
    pub text: &'a str,
    /// First and last token (inclusive) the n-gram lies in.
    pub tokens: (usize, usize),
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0100_0000_01b3;

/// The FNV-1a state after the kind, before any byte of the text.
#[inline]
fn seed(kind: Kind) -> u64 {
    (FNV_OFFSET ^ (kind as u64 + 1)).wrapping_mul(FNV_PRIME)
}

/// One FNV-1a step.
#[inline]
fn step(h: u64, b: u8) -> u64 {
    (h ^ u64::from(b)).wrapping_mul(FNV_PRIME)
}

/// FNV-1a steps over the UTF-8 bytes of a marker character.
fn step_char(h: u64, c: char) -> u64 {
    c.encode_utf8(&mut [0; 4]).bytes().fold(h, step)
}

/// Stable 64-bit FNV-1a hash of a feature's kind and text; the same on every platform and version.
pub fn feature_hash(kind: Kind, text: &str) -> u64 {
    text.bytes().fold(seed(kind), step)
}

/// Marks the start of a sentence in word n-grams: "^ execute" is the imperative "Execute …!".
/// Normalised tokens never contain it, so the marked n-grams cannot meet ordinary ones.
pub const SENTENCE_START: char = '^';

/// Marks n-grams inside quotation marks: `"hang the` is someone else's words, quoted, not the
/// commenter's own call. Normalised tokens never contain it.
pub const QUOTED: char = '"';

/// Scratch space for [`for_each_ngram`], reused across comments.
#[derive(Debug, Default, Clone)]
pub struct NgramScratch {
    bounds: Vec<usize>,
    marked: String,
}

/// Hands one n-gram to `f`, marked as quoted and/or sentence-initial when asked. Unmarked n-grams
/// are hashed in place, without a copy.
fn emit(
    f: &mut impl FnMut(Ngram<'_>),
    marked: &mut String,
    kind: Kind,
    text: &str,
    tokens: (usize, usize),
    quoted: bool,
    sentence_start: bool,
) {
    let text = if quoted || sentence_start {
        marked.clear();
        if quoted {
            marked.push(QUOTED);
        }
        if sentence_start {
            marked.push(SENTENCE_START);
            marked.push(' ');
        }
        marked.push_str(text);
        marked.as_str()
    } else {
        text
    };
    f(Ngram {
        kind,
        hash: feature_hash(kind, text),
        text,
        tokens,
    });
}

/// Calls `f` for every n-gram of the tokens in `range` (all tokens: `0..tokens.len()`), words first, in
/// a deterministic order. Word bigrams include one from a sentence-start marker to each sentence's
/// first token ("^ execute") when word bigrams are on; n-grams with a quoted token are marked.
/// With [`NgramConfig::skip_function_words`], word n-grams made only of function words and the
/// character n-grams of function words are left out.
pub fn for_each_ngram(
    tokens: &Tokens,
    range: Range<usize>,
    config: &NgramConfig,
    scratch: &mut NgramScratch,
    mut f: impl FnMut(Ngram<'_>),
) {
    let (wmin, wmax) = config.word;
    let marked = &mut scratch.marked;
    let skipped = |t: usize| config.skip_function_words && tokens.is_function_word(t);
    for first in range.clone().filter(|_| wmin > 0) {
        let text = tokens.slice(first, first, false);
        if wmin <= 2 && wmax >= 2 && tokens.starts_sentence(first) && !skipped(first) {
            let quoted = tokens.quoted(first);
            emit(
                &mut f,
                marked,
                Kind::Word,
                text,
                (first, first),
                quoted,
                true,
            );
        }
        for n in wmin..=wmax.min(range.end - first) {
            let last = first + n - 1;
            if (first..=last).all(skipped) {
                continue;
            }
            let quoted = (first..=last).any(|t| tokens.quoted(t));
            let text = tokens.slice(first, last, false);
            emit(
                &mut f,
                marked,
                Kind::Word,
                text,
                (first, last),
                quoted,
                false,
            );
        }
    }
    let (cmin, cmax) = config.char;
    let bounds = &mut scratch.bounds;
    for t in range.filter(|&t| cmin > 0 && !skipped(t)) {
        let padded = tokens.slice(t, t, true);
        let quoted = tokens.quoted(t);
        bounds.clear();
        bounds.extend(padded.char_indices().map(|(i, _)| i));
        bounds.push(padded.len());
        let len = bounds.len() - 1;
        for n in cmin..=cmax {
            if n >= len {
                // A short word counts once, whole, as in scikit-learn's char_wb analyzer.
                emit(&mut f, marked, Kind::Char, padded, (t, t), quoted, false);
                break;
            }
            for s in 0..=len - n {
                let gram = &padded[bounds[s]..bounds[s + n]];
                emit(&mut f, marked, Kind::Char, gram, (t, t), quoted, false);
            }
        }
    }
}

/// Calls `f` with the hash and the token range of every word n-gram (sizes `min..=max`, none when
/// `min` is 0, marked as quoted or sentence-initial) that [`for_each_ngram`] finds, in the same order,
/// faster: each hash extends the previous one by a word instead of rehashing the text, and no text is
/// handed out. For scoring and explaining, which need no text. `skip_function_words` is
/// [`NgramConfig::skip_function_words`].
pub(crate) fn for_each_word_ngram_hash(
    tokens: &Tokens,
    range: Range<usize>,
    (min, max): (usize, usize),
    skip_function_words: bool,
    mut f: impl FnMut(u64, (usize, usize)),
) {
    if min == 0 {
        return;
    }
    let skipped = |t: usize| skip_function_words && tokens.is_function_word(t);
    let quoted_seed = step_char(seed(Kind::Word), QUOTED);
    for first in range.clone() {
        let text = tokens.slice(first, first, false);
        if min <= 2 && max >= 2 && tokens.starts_sentence(first) && !skipped(first) {
            let h = if tokens.quoted(first) {
                quoted_seed
            } else {
                seed(Kind::Word)
            };
            let h = step(step_char(h, SENTENCE_START), b' ');
            f(text.bytes().fold(h, step), (first, first));
        }
        // The plain and the quoted hash run side by side: the n-gram is marked from the first quoted
        // token on. Tokens are joined by single spaces: "string them" is "string", ' ', "them".
        let (mut plain, mut marked, mut quoted) = (seed(Kind::Word), quoted_seed, false);
        let mut only_function_words = true;
        for n in 1..=max.min(range.end - first) {
            let t = first + n - 1;
            if n > 1 {
                (plain, marked) = (step(plain, b' '), step(marked, b' '));
            }
            for b in tokens.slice(t, t, false).bytes() {
                (plain, marked) = (step(plain, b), step(marked, b));
            }
            quoted |= tokens.quoted(t);
            only_function_words &= skipped(t);
            if n >= min && !only_function_words {
                f(if quoted { marked } else { plain }, (first, t));
            }
        }
    }
}

/// The hash [`for_each_word_ngram_hash`] gives the n-gram of the one token `text`, marked when the
/// token is `quoted`.
pub(crate) fn word_hash(text: &str, quoted: bool) -> u64 {
    let start = if quoted {
        step_char(seed(Kind::Word), QUOTED)
    } else {
        seed(Kind::Word)
    };
    text.bytes().fold(start, step)
}

/// Scratch space for [`for_each_char_ngram_hash`], reused across tokens.
#[derive(Debug, Default, Clone)]
pub(crate) struct CharNgramScratch {
    /// Byte offset of each character of the token, and its length.
    bounds: Vec<usize>,
    /// The hashes of the n-grams of each size, in order of size.
    hashes: Vec<u64>,
}

/// Calls `f` with the hash of every character n-gram of one space-padded token (" kill ") that
/// [`for_each_ngram`] finds, in the same order: each size of `min..=max` shorter than the padded token
/// at every character, then the whole padded token once when it is no longer than `max`; all marked
/// when the token is `quoted`. Each hash extends the one a character shorter at the same start, so
/// the token is walked once per start. `min` must be at least 1.
pub(crate) fn for_each_char_ngram_hash(
    padded: &str,
    quoted: bool,
    (min, max): (usize, usize),
    scratch: &mut CharNgramScratch,
    mut f: impl FnMut(u64),
) {
    let start = char_seed(quoted);
    let bytes = padded.as_bytes();
    let ascii = padded.is_ascii();
    let bounds = &mut scratch.bounds;
    bounds.clear();
    if !ascii {
        bounds.extend(padded.char_indices().map(|(i, _)| i));
        bounds.push(bytes.len());
    }
    let len = if ascii { bytes.len() } else { bounds.len() - 1 };
    let longest = max.min(len.saturating_sub(1));
    if longest >= min {
        // Hashed start by start, handed out size by size.
        let hashes = &mut scratch.hashes;
        hashes.clear();
        hashes.resize((longest - min + 1) * len, 0);
        for s in 0..len {
            let mut h = start;
            for n in 1..=longest.min(len - s) {
                h = if ascii {
                    // One byte per character.
                    step(h, bytes[s + n - 1])
                } else {
                    let char_bytes = &bytes[bounds[s + n - 1]..bounds[s + n]];
                    char_bytes.iter().copied().fold(h, step)
                };
                if n >= min {
                    hashes[(n - min) * len + s] = h;
                }
            }
        }
        for n in min..=longest {
            let row = (n - min) * len;
            hashes[row..row + len + 1 - n].iter().for_each(|&h| f(h));
        }
    }
    if len <= max {
        f(bytes.iter().copied().fold(start, step));
    }
}

/// The hash state at the start of a character n-gram, marked when its token is quoted.
pub(crate) fn char_seed(quoted: bool) -> u64 {
    if quoted {
        step_char(seed(Kind::Char), QUOTED)
    } else {
        seed(Kind::Char)
    }
}

/// The hash of `text` continued from `state` (from [`char_seed`]).
pub(crate) fn hash_from(state: u64, text: &str) -> u64 {
    text.bytes().fold(state, step)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ngrams(input: &str, config: NgramConfig) -> Vec<(Kind, String)> {
        let mut tokens = Tokens::new();
        tokens.tokenize(input);
        let mut out = Vec::new();
        for_each_ngram(
            &tokens,
            0..tokens.len(),
            &config,
            &mut NgramScratch::default(),
            |g| out.push((g.kind, g.text.to_string())),
        );
        out
    }

    #[test]
    fn word_and_char_ngrams() {
        let config = NgramConfig {
            word: (1, 2),
            char: (3, 4),
            skip_function_words: false,
        };
        let got = ngrams("Hang him", config);
        let want: Vec<(Kind, String)> = [
            (Kind::Word, "^ hang"),
            (Kind::Word, "hang"),
            (Kind::Word, "hang him"),
            (Kind::Word, "him"),
            (Kind::Char, " ha"),
            (Kind::Char, "han"),
            (Kind::Char, "ang"),
            (Kind::Char, "ng "),
            (Kind::Char, " han"),
            (Kind::Char, "hang"),
            (Kind::Char, "ang "),
            (Kind::Char, " hi"),
            (Kind::Char, "him"),
            (Kind::Char, "im "),
            (Kind::Char, " him"),
            (Kind::Char, "him "),
        ]
        .iter()
        .map(|(k, s)| (*k, s.to_string()))
        .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn quoted_and_sentence_initial_ngrams_are_marked() {
        let config = NgramConfig {
            word: (1, 2),
            char: (0, 0),
            skip_function_words: false,
        };
        let got: Vec<String> = ngrams("He wrote \"hang them\". Sad", config)
            .into_iter()
            .map(|(_, t)| t)
            .collect();
        assert_eq!(
            got,
            [
                "^ he",
                "he",
                "he wrote",
                "wrote",
                "\"wrote hang",
                "\"hang",
                "\"hang them",
                "\"them",
                "\"them sad",
                "^ sad",
                "sad"
            ]
        );
    }

    #[test]
    fn function_words_alone_make_no_ngrams() {
        let config = NgramConfig {
            word: (1, 2),
            char: (3, 3),
            skip_function_words: true,
        };
        let got: Vec<String> = ngrams("These are the worst", config)
            .into_iter()
            .map(|(_, t)| t)
            .collect();
        // "^ these", "these", "are", "the", "these are", "are the" and the character n-grams of the
        // three function words are gone; every n-gram with a content word stays.
        assert_eq!(
            got,
            ["the worst", "worst", " wo", "wor", "ors", "rst", "st "]
        );
    }

    #[test]
    fn short_words_count_once_whole() {
        let config = NgramConfig {
            word: (1, 1),
            char: (3, 5),
            skip_function_words: false,
        };
        let got = ngrams("a", config);
        assert_eq!(got, [(Kind::Word, "a".into()), (Kind::Char, " a ".into())]);
    }

    /// The hashes and token ranges of the n-grams of `input`, in order, from the fast paths and
    /// from the reference path.
    fn both_hashes(input: &str, config: NgramConfig) -> (Vec<Hashed>, Vec<Hashed>) {
        let mut tokens = Tokens::new();
        tokens.tokenize(input);
        let mut fast = Vec::new();
        let skip = config.skip_function_words;
        for_each_word_ngram_hash(&tokens, 0..tokens.len(), config.word, skip, |h, span| {
            fast.push((h, span))
        });
        let skipped = |t: usize| skip && tokens.is_function_word(t);
        let mut scratch = CharNgramScratch::default();
        for t in (0..tokens.len()).filter(|&t| config.char.0 > 0 && !skipped(t)) {
            let padded = tokens.slice(t, t, true);
            let quoted = tokens.quoted(t);
            for_each_char_ngram_hash(padded, quoted, config.char, &mut scratch, |h| {
                fast.push((h, (t, t)))
            });
        }
        let mut reference = Vec::new();
        let mut scratch = NgramScratch::default();
        for_each_ngram(&tokens, 0..tokens.len(), &config, &mut scratch, |g| {
            assert_eq!(g.hash, feature_hash(g.kind, g.text));
            reference.push((g.hash, g.tokens))
        });
        (fast, reference)
    }

    /// A feature hash and the first and last token of its n-gram.
    type Hashed = (u64, (usize, usize));

    #[test]
    fn fast_hashes_are_the_reference_ngrams() {
        let inputs = [
            "",
            "a",
            "I will kill you",
            "Hang him, string them up 🪢 now!! Then \"hang them\" he said. «Tuez-les» a-t-il dit",
            "Ô Liberté ! Que de crimes on commet en ton nom ! naïve Zürich “quoted words” end",
            "e x e c u t e them, K1LL, kiiiill. 'single quoted' don't",
            "a bb ccc dddd eeeee ffffff ggggggg",
            "日本語のテキスト and 🔫🔫 mixed. \"Ünïcödé quoted\"",
        ];
        let configs = [
            NgramConfig::default(),
            NgramConfig {
                word: (1, 1),
                char: (3, 5),
                skip_function_words: false,
            },
            NgramConfig {
                word: (2, 3),
                char: (0, 0),
                skip_function_words: false,
            },
            NgramConfig {
                word: (0, 0),
                char: (1, 1),
                skip_function_words: false,
            },
            NgramConfig {
                word: (1, 4),
                char: (4, 6),
                skip_function_words: false,
            },
            NgramConfig {
                word: (3, 3),
                char: (2, 2),
                skip_function_words: false,
            },
        ];
        for input in inputs {
            for config in configs {
                let (fast, reference) = both_hashes(input, config);
                assert_eq!(fast, reference, "{input:?} with {config:?}");
            }
        }
    }

    #[test]
    fn hashes_are_stable_and_kind_specific() {
        assert_eq!(
            feature_hash(Kind::Word, "kill"),
            feature_hash(Kind::Word, "kill")
        );
        assert_ne!(
            feature_hash(Kind::Word, "kill"),
            feature_hash(Kind::Char, "kill")
        );
        // Pinned: a change of hash function silently breaks every shipped model.
        assert_eq!(feature_hash(Kind::Word, ""), 0xaf63_bc4c_8601_b62c);
    }
}
