//! The vocabulary: which n-grams are features, in a fixed, sorted order.
//!
//! Built once at training from document frequencies (n-grams seen in fewer than `min_df` comments are
//! dropped; at most `max_features` of the most frequent are kept), then sorted by kind and text so that
//! the same labels always give the same feature indices. At load time the hashes are recomputed from
//! the stored texts, and a hash map from hash to index serves scoring.

use super::ngrams::{feature_hash, Kind};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A hasher for keys that are already good 64-bit hashes.
#[derive(Default)]
pub struct IdentityHasher(u64);

impl Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A map keyed by feature hashes.
pub type HashIndex<V> = HashMap<u64, V, BuildHasherDefault<IdentityHasher>>;

/// Sorted word and character n-grams; word features come first in the index space.
#[derive(Debug, Clone, PartialEq)]
pub struct Vocabulary {
    words: Vec<String>,
    chars: Vec<String>,
    index: HashIndex<u32>,
}

impl Vocabulary {
    /// Builds the vocabulary from sorted word and character n-grams.
    ///
    /// Fails (with the two texts) if two n-grams share a 64-bit hash, which a working hash never does
    /// for a vocabulary of this size.
    pub fn new(mut words: Vec<String>, mut chars: Vec<String>) -> Result<Self, String> {
        words.sort_unstable();
        words.dedup();
        chars.sort_unstable();
        chars.dedup();
        let mut index = HashIndex::default();
        index.reserve(words.len() + chars.len());
        let all = words
            .iter()
            .map(|w| (Kind::Word, w))
            .chain(chars.iter().map(|c| (Kind::Char, c)));
        for (i, (kind, text)) in all.enumerate() {
            if index.insert(feature_hash(kind, text), i as u32).is_some() {
                return Err(format!("hash collision on the {kind:?} n-gram {text:?}"));
            }
        }
        Ok(Vocabulary {
            words,
            chars,
            index,
        })
    }

    /// The feature index of an n-gram hash, if it is in the vocabulary.
    #[inline]
    pub fn get(&self, hash: u64) -> Option<u32> {
        self.index.get(&hash).copied()
    }

    /// Number of features.
    pub fn len(&self) -> usize {
        self.words.len() + self.chars.len()
    }

    /// Whether there are no features.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of word features; they occupy indices `0..n_words()`.
    pub fn n_words(&self) -> usize {
        self.words.len()
    }

    /// Kind and text of feature `i`.
    pub fn term(&self, i: u32) -> (Kind, &str) {
        let i = i as usize;
        match self.words.get(i) {
            Some(w) => (Kind::Word, w),
            None => (Kind::Char, &self.chars[i - self.words.len()]),
        }
    }

    /// The sorted word n-grams.
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// The sorted character n-grams.
    pub fn chars(&self) -> &[String] {
        &self.chars
    }
}

/// Document frequencies gathered over a training set, turned into a [`Vocabulary`].
#[derive(Debug, Default)]
pub struct DocumentFrequencies {
    counts: HashIndex<(Kind, String, u32)>,
    seen: HashIndex<()>,
    documents: usize,
}

impl DocumentFrequencies {
    /// Counts each distinct n-gram of one document once. `ngrams` yields (kind, hash, text).
    pub fn add_document<'a>(&mut self, ngrams: impl IntoIterator<Item = (Kind, u64, &'a str)>) {
        self.seen.clear();
        for (kind, hash, text) in ngrams {
            if self.seen.insert(hash, ()).is_none() {
                self.counts
                    .entry(hash)
                    .or_insert_with(|| (kind, text.to_string(), 0))
                    .2 += 1;
            }
        }
        self.documents += 1;
    }

    /// Number of documents added.
    pub fn documents(&self) -> usize {
        self.documents
    }

    /// Document frequency of an n-gram hash.
    pub fn get(&self, hash: u64) -> u32 {
        self.counts.get(&hash).map_or(0, |c| c.2)
    }

    /// Keeps n-grams in at least `min_df` documents, at most `max_features` of them (most frequent
    /// first, ties broken by kind and text so the choice is deterministic). Returns the vocabulary and
    /// each feature's document frequency, by feature index.
    pub fn into_vocabulary(
        self,
        min_df: u32,
        max_features: usize,
    ) -> Result<(Vocabulary, Vec<u32>), String> {
        let mut kept: Vec<(u64, (Kind, String, u32))> = self
            .counts
            .into_iter()
            .filter(|(_, (_, _, df))| *df >= min_df)
            .collect();
        kept.sort_unstable_by(|(_, a), (_, b)| {
            b.2.cmp(&a.2).then_with(|| (a.0, &a.1).cmp(&(b.0, &b.1)))
        });
        kept.truncate(max_features);
        let frequencies: HashIndex<u32> = kept.iter().map(|(h, t)| (*h, t.2)).collect();
        let (words, chars): (Vec<_>, Vec<_>) = kept.into_iter().partition(|t| t.1 .0 == Kind::Word);
        let vocabulary = Vocabulary::new(
            words.into_iter().map(|t| t.1 .1).collect(),
            chars.into_iter().map(|t| t.1 .1).collect(),
        )?;
        let df = (0..vocabulary.len() as u32)
            .map(|i| {
                let (kind, text) = vocabulary.term(i);
                frequencies[&feature_hash(kind, text)]
            })
            .collect();
        Ok((vocabulary, df))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_and_indexed_words_first() {
        let v = Vocabulary::new(
            vec!["kill".into(), "hang".into()],
            vec![" ki".into(), "ang".into()],
        )
        .unwrap();
        assert_eq!(v.words(), ["hang", "kill"]);
        assert_eq!(v.get(feature_hash(Kind::Word, "kill")), Some(1));
        assert_eq!(v.get(feature_hash(Kind::Char, " ki")), Some(2));
        assert_eq!(v.get(feature_hash(Kind::Char, "kill")), None);
        assert_eq!(v.term(3), (Kind::Char, "ang"));
    }

    #[test]
    fn min_df_and_max_features_are_deterministic() {
        let mut df = DocumentFrequencies::default();
        let docs: [&[&str]; 3] = [&["a", "b", "b"], &["a", "c"], &["b", "c", "d"]];
        for doc in docs {
            df.add_document(
                doc.iter()
                    .map(|w| (Kind::Word, feature_hash(Kind::Word, w), *w)),
            );
        }
        assert_eq!(df.get(feature_hash(Kind::Word, "b")), 2);
        let (v, freq) = df.into_vocabulary(2, 2).unwrap();
        // a, b and c all have df 2; the tie is broken by text.
        assert_eq!(v.words(), ["a", "b"]);
        assert_eq!(freq, [2, 2]);
    }
}
