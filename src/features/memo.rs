//! A memo of each token's character features, for scoring streams of comments.
//!
//! The character n-grams of a token depend on the token alone, and comments repeat the same few
//! thousand words. A scorer that remembers which vocabulary features " the " contains finds them with
//! one lookup instead of hashing and looking up each of its character n-grams in every comment. The
//! memo is exact (a remembered token is matched by its text, not only by its hash) and bounded: long
//! tokens are not remembered, and when it is full it starts over. It also remembers the vocabulary
//! lookup of the token as a word n-gram of its own, the lookup every token needs.

use super::ngrams::{char_seed, for_each_char_ngram_hash, hash_from, word_hash, CharNgramScratch};
use super::vocabulary::{HashIndex, Vocabulary};
use std::ops::Range;

/// Most tokens remembered before the memo starts over.
const MAX_TOKENS: usize = 1 << 16;
/// Longest padded token remembered, in bytes; longer ones are rare and computed each time.
const MAX_TOKEN_BYTES: usize = 64;

/// Remembered character features per token, for one vocabulary and one range of n-gram sizes.
#[derive(Debug, Default, Clone)]
pub(crate) struct CharMemo {
    /// The vocabulary id and n-gram sizes the remembered features belong to.
    owner: Option<(u64, (usize, usize))>,
    /// Hash of the padded token to its entry.
    index: HashIndex<u32>,
    /// The remembered tokens.
    entries: Vec<Entry>,
    /// The remembered tokens' text, one after another.
    text: String,
    /// The remembered tokens' features, one after another, repeats kept.
    features: Vec<u32>,
    /// Features of a token that is not remembered.
    scratch: Vec<u32>,
    /// Scratch space for hashing a token's n-grams.
    ngrams: CharNgramScratch,
}

/// One remembered token.
#[derive(Debug, Clone)]
struct Entry {
    /// Whether it was quoted.
    quoted: bool,
    /// Its range in [`CharMemo::text`].
    text: Range<u32>,
    /// Its features' range in [`CharMemo::features`].
    features: Range<u32>,
    /// Its lookup as a word n-gram.
    word: WordLookup,
}

/// A token's hash as a word n-gram of its own ([`word_hash`]), and that hash's feature, if any.
pub(crate) type WordLookup = (u64, Option<u32>);

impl CharMemo {
    /// The vocabulary features among the character n-grams of sizes `sizes` of the space-padded
    /// token `padded` (" kill "), marked when `quoted`, one per occurrence, in the order of
    /// [`for_each_ngram`](super::for_each_ngram); and the token's lookup as a word n-gram.
    pub fn features(
        &mut self,
        padded: &str,
        quoted: bool,
        vocabulary: &Vocabulary,
        sizes: (usize, usize),
    ) -> (&[u32], WordLookup) {
        let owner = (vocabulary.id(), sizes);
        if self.owner != Some(owner) || self.entries.len() >= MAX_TOKENS {
            self.clear();
            self.owner = Some(owner);
        }
        let key = hash_from(char_seed(quoted), padded);
        let found = self.index.get(&key).map(|&e| e as usize);
        if let Some(e) = found {
            let Entry {
                quoted: was_quoted,
                text,
                features,
                word,
            } = &self.entries[e];
            if *was_quoted == quoted && &self.text[text.start as usize..text.end as usize] == padded
            {
                let features = &self.features[features.start as usize..features.end as usize];
                return (features, *word);
            }
        }
        let word = {
            let hash = word_hash(padded.trim_matches(' '), quoted);
            (hash, vocabulary.get_word(hash))
        };
        if found.is_some() || padded.len() > MAX_TOKEN_BYTES {
            // Not remembered: too long, or another token with the same hash holds the place.
            self.scratch.clear();
            find(
                padded,
                quoted,
                vocabulary,
                sizes,
                &mut self.ngrams,
                &mut self.scratch,
            );
            return (&self.scratch, word);
        }
        let first = self.features.len();
        find(
            padded,
            quoted,
            vocabulary,
            sizes,
            &mut self.ngrams,
            &mut self.features,
        );
        let start = self.text.len();
        self.text.push_str(padded);
        self.index.insert(key, self.entries.len() as u32);
        self.entries.push(Entry {
            quoted,
            text: start as u32..self.text.len() as u32,
            features: first as u32..self.features.len() as u32,
            word,
        });
        (&self.features[first..], word)
    }

    fn clear(&mut self) {
        self.index.clear();
        self.entries.clear();
        self.text.clear();
        self.features.clear();
    }
}

/// Appends the vocabulary features among the character n-grams of `padded` to `out`.
fn find(
    padded: &str,
    quoted: bool,
    vocabulary: &Vocabulary,
    sizes: (usize, usize),
    scratch: &mut CharNgramScratch,
    out: &mut Vec<u32>,
) {
    for_each_char_ngram_hash(padded, quoted, sizes, scratch, |h| {
        if let Some(i) = vocabulary.get(h) {
            out.push(i);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_exactly_per_vocabulary_and_quoting() {
        let a = Vocabulary::new(
            vec![],
            vec![" k".into(), "ki".into(), "ll".into(), "\"ll".into()],
        )
        .unwrap();
        let b = Vocabulary::new(vec![], vec!["ll".into()]).unwrap();
        let mut memo = CharMemo::default();
        let sorted = |s: &[u32]| {
            let mut v = s.to_vec();
            v.sort_unstable();
            v
        };
        // Sorted characters: " k" 0, "\"ll" 1, "ki" 2, "ll" 3.
        assert_eq!(
            sorted(memo.features(" kill ", false, &a, (2, 2)).0),
            [0, 2, 3]
        );
        assert_eq!(
            sorted(memo.features(" kill ", false, &a, (2, 2)).0),
            [0, 2, 3]
        );
        assert_eq!(sorted(memo.features(" kill ", true, &a, (2, 2)).0), [1]);
        assert_eq!(sorted(memo.features(" kill ", false, &b, (2, 2)).0), [0]);
        assert_eq!(
            sorted(memo.features(" kill ", false, &a, (3, 3)).0),
            [0u32; 0]
        );
        let long = format!(" {} ", "l".repeat(MAX_TOKEN_BYTES));
        assert_eq!(
            memo.features(&long, false, &a, (2, 2)).0.len(),
            MAX_TOKEN_BYTES - 1
        );
    }

    #[test]
    fn remembers_the_lookup_of_the_token_as_a_word() {
        use crate::features::{feature_hash, Kind};
        let v = Vocabulary::new(vec!["kill".into(), "\"them".into()], vec!["ll".into()]).unwrap();
        let mut memo = CharMemo::default();
        let long = format!(" {} ", "l".repeat(MAX_TOKEN_BYTES));
        // Twice: remembered the second time (but the long token).
        for _ in 0..2 {
            for (padded, quoted, feature) in [
                // Sorted words: "\"them" 0, "kill" 1.
                (" kill ", false, Some(1)),
                (" kill ", true, None),
                (" them ", false, None),
                (" them ", true, Some(0)),
                (long.as_str(), false, None),
            ] {
                let text = format!("{}{}", if quoted { "\"" } else { "" }, padded.trim());
                let (_, word) = memo.features(padded, quoted, &v, (2, 2));
                assert_eq!(word, (feature_hash(Kind::Word, &text), feature), "{text}");
            }
        }
    }
}
