//! The vocabulary: which n-grams are features, in a fixed, sorted order.
//!
//! Built once at training from document frequencies (n-grams seen in fewer than `min_df` comments are
//! dropped; at most `max_features` of the most frequent are kept), then sorted by kind and text so that
//! the same labels always give the same feature indices. At load time the hashes are recomputed from
//! the stored texts, and a hash map from hash to index serves scoring.

use super::ngrams::{feature_hash, Kind};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

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
#[derive(Debug, Clone)]
pub struct Vocabulary {
    words: Vec<String>,
    chars: Vec<String>,
    index: HashIndex<u32>,
    /// One bit per slot of hashes, set for the slots of the word features' hashes: most word n-grams
    /// of a comment (nearly all its bigrams) are not features, and the bit, in a table small enough
    /// to stay in the cache, says so without a lookup in `index`.
    words_seen: Vec<u64>,
    /// Distinguishes vocabularies built separately, for memos of looked-up features.
    id: u64,
}

impl PartialEq for Vocabulary {
    /// Two vocabularies are equal when they hold the same n-grams (the index follows from them).
    fn eq(&self, other: &Self) -> bool {
        self.words == other.words && self.chars == other.chars
    }
}

/// The id of the next vocabulary built.
static NEXT_ID: AtomicU64 = AtomicU64::new(0);

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
        let mut words_seen = vec![0u64; (words.len() * 8).next_power_of_two().div_ceil(64)];
        for (i, (kind, text)) in all.enumerate() {
            let hash = feature_hash(kind, text);
            if index.insert(hash, i as u32).is_some() {
                return Err(format!("hash collision on the {kind:?} n-gram {text:?}"));
            }
            if kind == Kind::Word {
                let bit = seen_bit(hash, &words_seen);
                words_seen[bit / 64] |= 1 << (bit % 64);
            }
        }
        Ok(Vocabulary {
            words,
            chars,
            index,
            words_seen,
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
        })
    }

    /// The feature index of an n-gram hash, if it is in the vocabulary.
    #[inline]
    pub fn get(&self, hash: u64) -> Option<u32> {
        self.index.get(&hash).copied()
    }

    /// [`Vocabulary::get`] for the hash of a word n-gram.
    #[inline]
    pub(crate) fn get_word(&self, hash: u64) -> Option<u32> {
        let bit = seen_bit(hash, &self.words_seen);
        if self.words_seen[bit / 64] & (1 << (bit % 64)) == 0 {
            return None;
        }
        self.get(hash)
    }

    /// Number of features.
    pub fn len(&self) -> usize {
        self.words.len() + self.chars.len()
    }

    /// An id that differs between vocabularies built separately (a clone keeps it).
    pub(crate) fn id(&self) -> u64 {
        self.id
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

/// The bit of `hash` in a table of `seen.len() * 64` bits (a power of two): the top bits of the hash
/// times an odd constant.
#[inline]
fn seen_bit(hash: u64, seen: &[u64]) -> usize {
    let bits = (seen.len() * 64).trailing_zeros();
    (hash.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - bits)) as usize
}

/// Document frequencies gathered over a training set, turned into a [`Vocabulary`].
///
/// Every distinct n-gram costs one counter; its text is kept only once it reaches `min_df`, so the
/// long tail of n-grams seen once costs no strings.
#[derive(Debug)]
pub struct DocumentFrequencies {
    min_df: u32,
    counts: HashIndex<u32>,
    texts: HashIndex<(Kind, Box<str>)>,
    seen: HashIndex<()>,
    documents: usize,
}

impl DocumentFrequencies {
    /// Counts for a vocabulary that keeps n-grams in at least `min_df` documents.
    pub fn new(min_df: u32) -> Self {
        DocumentFrequencies {
            min_df: min_df.max(1),
            counts: HashIndex::default(),
            texts: HashIndex::default(),
            seen: HashIndex::default(),
            documents: 0,
        }
    }

    /// Starts counting a new document: each distinct n-gram counts once per document.
    pub fn start_document(&mut self) {
        self.seen.clear();
        self.documents += 1;
    }

    /// Counts an n-gram occurrence in the current document.
    pub fn add(&mut self, kind: Kind, hash: u64, text: &str) {
        if self.seen.insert(hash, ()).is_some() {
            return;
        }
        let count = self.counts.entry(hash).or_insert(0);
        *count += 1;
        if *count == self.min_df {
            self.texts.insert(hash, (kind, text.into()));
        }
    }

    /// Number of documents counted.
    pub fn documents(&self) -> usize {
        self.documents
    }

    /// Document frequency of an n-gram hash.
    pub fn get(&self, hash: u64) -> u32 {
        self.counts.get(&hash).copied().unwrap_or(0)
    }

    /// Keeps the n-grams in at least `min_df` documents, at most `max_features` of them (most
    /// frequent first, ties broken by kind and text so the choice is deterministic). Returns the
    /// vocabulary and each feature's document frequency, by feature index.
    pub fn into_vocabulary(self, max_features: usize) -> Result<(Vocabulary, Vec<u32>), String> {
        let counts = self.counts;
        let mut kept: Vec<(u32, Kind, Box<str>)> = self
            .texts
            .into_iter()
            .map(|(h, (kind, text))| (counts[&h], kind, text))
            .collect();
        kept.sort_unstable_by(|a, b| b.0.cmp(&a.0).then_with(|| (a.1, &a.2).cmp(&(b.1, &b.2))));
        kept.truncate(max_features);
        let (words, chars): (Vec<_>, Vec<_>) = kept.into_iter().partition(|t| t.1 == Kind::Word);
        let vocabulary = Vocabulary::new(
            words.into_iter().map(|t| t.2.into()).collect(),
            chars.into_iter().map(|t| t.2.into()).collect(),
        )?;
        let df = (0..vocabulary.len() as u32)
            .map(|i| {
                let (kind, text) = vocabulary.term(i);
                counts[&feature_hash(kind, text)]
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
    fn word_lookups_find_every_word_and_nothing_else() {
        let words: Vec<String> = (0..500).map(|i| format!("w{i}")).collect();
        let v = Vocabulary::new(words.clone(), vec!["w1".into()]).unwrap();
        for w in &words {
            let h = feature_hash(Kind::Word, w);
            assert_eq!(v.get_word(h), v.get(h));
            assert!(v.get_word(h).is_some());
        }
        let missing = (500..20_000).map(|i| feature_hash(Kind::Word, &format!("w{i}")));
        let set = |h: u64| {
            let bit = seen_bit(h, &v.words_seen);
            v.words_seen[bit / 64] & (1 << (bit % 64)) != 0
        };
        let passed = missing.filter(|&h| set(h));
        assert!(passed.clone().all(|h| v.get_word(h).is_none()));
        // The bit table turns most of them away without a lookup (it is an eighth full).
        assert!(passed.count() < 19_500 / 4);
        let empty = Vocabulary::new(vec![], vec![]).unwrap();
        assert_eq!(empty.get_word(feature_hash(Kind::Word, "w1")), None);
    }

    #[test]
    fn min_df_and_max_features_are_deterministic() {
        let mut df = DocumentFrequencies::new(2);
        let docs: [&[&str]; 3] = [&["a", "b", "b"], &["a", "c"], &["b", "c", "d"]];
        for doc in docs {
            df.start_document();
            for w in doc {
                df.add(Kind::Word, feature_hash(Kind::Word, w), w);
            }
        }
        assert_eq!(df.get(feature_hash(Kind::Word, "b")), 2);
        assert_eq!(df.documents(), 3);
        let (v, freq) = df.into_vocabulary(2).unwrap();
        // a, b and c all have df 2; the tie is broken by text.
        assert_eq!(v.words(), ["a", "b"]);
        assert_eq!(freq, [2, 2]);
    }
}
