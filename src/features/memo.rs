//! A memo of each token's character features, for scoring streams of comments.
//!
//! The character n-grams of a token depend on the token alone, and comments repeat the same few
//! thousand words. A scorer that remembers which vocabulary features " the " contains finds them with
//! one lookup instead of hashing and looking up each of its character n-grams in every comment. The
//! memo is exact (a remembered token is matched by its text, not only by its hash) and bounded: long
//! tokens are not remembered, and when it is full it starts over.

use super::ngrams::{char_seed, for_each_char_ngram_hash, hash_from, CharNgramScratch};
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
    /// Per remembered token: whether it was quoted, its range in `text` and its features' range in
    /// `features`.
    entries: Vec<(bool, Range<u32>, Range<u32>)>,
    /// The remembered tokens' text, one after another.
    text: String,
    /// The remembered tokens' features, one after another, repeats kept.
    features: Vec<u32>,
    /// Features of a token that is not remembered.
    scratch: Vec<u32>,
    /// Scratch space for hashing a token's n-grams.
    ngrams: CharNgramScratch,
}

impl CharMemo {
    /// The vocabulary features among the character n-grams of sizes `sizes` of the space-padded
    /// token `padded` (" kill "), marked when `quoted`, one per occurrence, in the order of
    /// [`for_each_ngram`](super::for_each_ngram).
    pub fn features(
        &mut self,
        padded: &str,
        quoted: bool,
        vocabulary: &Vocabulary,
        sizes: (usize, usize),
    ) -> &[u32] {
        let owner = (vocabulary.id(), sizes);
        if self.owner != Some(owner) || self.entries.len() >= MAX_TOKENS {
            self.clear();
            self.owner = Some(owner);
        }
        let key = hash_from(char_seed(quoted), padded);
        let found = self.index.get(&key).map(|&e| e as usize);
        if let Some(e) = found {
            let (was_quoted, text, features) = &self.entries[e];
            if *was_quoted == quoted && &self.text[text.start as usize..text.end as usize] == padded
            {
                return &self.features[features.start as usize..features.end as usize];
            }
        }
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
            return &self.scratch;
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
        self.entries.push((
            quoted,
            start as u32..self.text.len() as u32,
            first as u32..self.features.len() as u32,
        ));
        &self.features[first..]
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
            sorted(memo.features(" kill ", false, &a, (2, 2))),
            [0, 2, 3]
        );
        assert_eq!(
            sorted(memo.features(" kill ", false, &a, (2, 2))),
            [0, 2, 3]
        );
        assert_eq!(sorted(memo.features(" kill ", true, &a, (2, 2))), [1]);
        assert_eq!(sorted(memo.features(" kill ", false, &b, (2, 2))), [0]);
        assert_eq!(
            sorted(memo.features(" kill ", false, &a, (3, 3))),
            [0u32; 0]
        );
        let long = format!(" {} ", "l".repeat(MAX_TOKEN_BYTES));
        assert_eq!(
            memo.features(&long, false, &a, (2, 2)).len(),
            MAX_TOKEN_BYTES - 1
        );
    }
}
