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
}

impl Default for NgramConfig {
    /// Word 1–2-grams and character 2–5-grams: the usual strong baseline for short comments.
    fn default() -> Self {
        NgramConfig {
            word: (1, 2),
            char: (2, 5),
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

/// Stable 64-bit FNV-1a hash of a feature's kind and text; the same on every platform and version.
pub fn feature_hash(kind: Kind, text: &str) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0100_0000_01b3;
    let mut h = OFFSET ^ (kind as u64 + 1);
    h = h.wrapping_mul(PRIME);
    for &b in text.as_bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(PRIME);
    }
    h
}

/// Calls `f` for every n-gram of the tokens in `range` (all tokens: `0..tokens.len()`), words first, in
/// a deterministic order. `bounds` is scratch space for character boundaries.
pub fn for_each_ngram(
    tokens: &Tokens,
    range: Range<usize>,
    config: &NgramConfig,
    bounds: &mut Vec<usize>,
    mut f: impl FnMut(Ngram<'_>),
) {
    let (wmin, wmax) = config.word;
    for first in range.clone().filter(|_| wmin > 0) {
        for n in wmin..=wmax.min(range.end - first) {
            let last = first + n - 1;
            let text = tokens.slice(first, last, false);
            f(Ngram {
                kind: Kind::Word,
                hash: feature_hash(Kind::Word, text),
                text,
                tokens: (first, last),
            });
        }
    }
    let (cmin, cmax) = config.char;
    for t in range.filter(|_| cmin > 0) {
        let padded = tokens.slice(t, t, true);
        bounds.clear();
        bounds.extend(padded.char_indices().map(|(i, _)| i));
        bounds.push(padded.len());
        let len = bounds.len() - 1;
        for n in cmin..=cmax {
            if n >= len {
                // A short word counts once, whole, as in scikit-learn's char_wb analyzer.
                f(char_ngram(padded, (t, t)));
                break;
            }
            for s in 0..=len - n {
                f(char_ngram(&padded[bounds[s]..bounds[s + n]], (t, t)));
            }
        }
    }
}

fn char_ngram(text: &str, tokens: (usize, usize)) -> Ngram<'_> {
    Ngram {
        kind: Kind::Char,
        hash: feature_hash(Kind::Char, text),
        text,
        tokens,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ngrams(input: &str, config: NgramConfig) -> Vec<(Kind, String)> {
        let mut tokens = Tokens::new();
        tokens.tokenize(input);
        let mut out = Vec::new();
        for_each_ngram(&tokens, 0..tokens.len(), &config, &mut Vec::new(), |g| {
            out.push((g.kind, g.text.to_string()))
        });
        out
    }

    #[test]
    fn word_and_char_ngrams() {
        let config = NgramConfig {
            word: (1, 2),
            char: (3, 4),
        };
        let got = ngrams("Hang him", config);
        let want: Vec<(Kind, String)> = [
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
    fn short_words_count_once_whole() {
        let config = NgramConfig {
            word: (1, 1),
            char: (3, 5),
        };
        let got = ngrams("a", config);
        assert_eq!(got, [(Kind::Word, "a".into()), (Kind::Char, " a ".into())]);
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
