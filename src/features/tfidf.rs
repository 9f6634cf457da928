//! TF-IDF weighting with inverse document frequencies fixed at training.
//!
//! linfa-preprocessing's `TfIdfVectorizer::transform` recomputes IDF from whatever batch it is given,
//! so the same comment scores differently alone and in a batch. Here IDF is part of the model: a
//! comment's vector depends on the comment alone.
//!
//! Weighting follows scikit-learn's `TfidfVectorizer(sublinear_tf=True, smooth_idf=True)`:
//! `tf = 1 + ln(count)`, `idf = ln((1 + n) / (1 + df)) + 1`. The word block and the character block are
//! each scaled to unit L2 norm, as in a scikit-learn `FeatureUnion` of two vectorizers.

use super::ngrams::{for_each_ngram, Kind, NgramConfig, NgramScratch};
use super::vocabulary::Vocabulary;
use crate::text::Tokens;
use std::ops::Range;

/// A sparse vector: sorted, distinct indices and their values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SparseVector {
    /// Feature indices, strictly increasing.
    pub indices: Vec<u32>,
    /// Values, one per index.
    pub values: Vec<f32>,
}

impl SparseVector {
    /// Dot product with a dense weight vector.
    #[inline]
    pub fn dot(&self, weights: &[f32]) -> f32 {
        self.indices
            .iter()
            .zip(&self.values)
            .map(|(&i, &v)| weights[i as usize] * v)
            .sum()
    }
}

/// Where one feature occurred: the inclusive token range of one occurrence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    /// Feature index.
    pub feature: u32,
    /// First and last token of the occurrence.
    pub tokens: (usize, usize),
}

/// Turns tokens into TF-IDF vectors with a fixed vocabulary and IDF.
#[derive(Debug, Clone, PartialEq)]
pub struct Vectorizer {
    /// Which n-grams to extract.
    pub config: NgramConfig,
    /// The features.
    pub vocabulary: Vocabulary,
    /// Inverse document frequency of each feature.
    pub idf: Vec<f32>,
}

/// Smoothed inverse document frequency for a feature seen in `df` of `n` documents.
pub fn idf(df: u32, n: usize) -> f32 {
    (((1 + n) as f64 / (1 + df as usize) as f64).ln() + 1.0) as f32
}

/// Scratch space for [`Vectorizer::vectorize`], reused across comments.
#[derive(Debug, Default, Clone)]
pub struct Workspace {
    ids: Vec<u32>,
    ngrams: NgramScratch,
}

impl Vectorizer {
    /// Vectorizes the tokens in `range` into `out`. When `hits` is given, it receives every
    /// occurrence of every known feature (for explanations); scoring alone passes `None`.
    pub fn vectorize(
        &self,
        tokens: &Tokens,
        range: Range<usize>,
        work: &mut Workspace,
        out: &mut SparseVector,
        mut hits: Option<&mut Vec<Hit>>,
    ) {
        work.ids.clear();
        if let Some(h) = hits.as_deref_mut() {
            h.clear();
        }
        let ids = &mut work.ids;
        for_each_ngram(tokens, range, &self.config, &mut work.ngrams, |g| {
            if let Some(i) = self.vocabulary.get(g.hash) {
                ids.push(i);
                if let Some(h) = hits.as_deref_mut() {
                    h.push(Hit {
                        feature: i,
                        tokens: g.tokens,
                    });
                }
            }
        });
        self.weigh(ids, out);
    }

    /// Turns the feature indices of every n-gram occurrence (in any order) into the TF-IDF vector.
    pub fn weigh(&self, ids: &mut [u32], out: &mut SparseVector) {
        out.indices.clear();
        out.values.clear();
        ids.sort_unstable();
        let mut k = 0;
        while k < ids.len() {
            let id = ids[k];
            let run = ids[k..].iter().take_while(|&&x| x == id).count();
            out.indices.push(id);
            out.values
                .push((1.0 + (run as f32).ln()) * self.idf[id as usize]);
            k += run;
        }
        let split = out
            .indices
            .partition_point(|&i| (i as usize) < self.vocabulary.n_words());
        let (words, chars) = out.values.split_at_mut(split);
        normalize(words);
        normalize(chars);
    }

    /// Number of features.
    pub fn n_features(&self) -> usize {
        self.vocabulary.len()
    }

    /// Kind and text of feature `i`.
    pub fn term(&self, i: u32) -> (Kind, &str) {
        self.vocabulary.term(i)
    }
}

/// Scales `values` to unit L2 norm (leaves an all-zero block alone).
fn normalize(values: &mut [f32]) {
    let norm = values.iter().map(|v| v * v).sum::<f32>().sqrt();
    if norm > 0.0 {
        values.iter_mut().for_each(|v| *v /= norm);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vectorizer() -> Vectorizer {
        let vocabulary = Vocabulary::new(
            vec!["kill".into(), "them".into(), "kill them".into()],
            vec![" ki".into()],
        )
        .unwrap();
        Vectorizer {
            config: NgramConfig {
                word: (1, 2),
                char: (3, 3),
            },
            idf: vec![2.0, 1.0, 3.0, 1.5],
            vocabulary,
        }
    }

    fn vectorize(v: &Vectorizer, text: &str) -> SparseVector {
        let mut tokens = Tokens::new();
        tokens.tokenize(text);
        let mut out = SparseVector::default();
        v.vectorize(
            &tokens,
            0..tokens.len(),
            &mut Workspace::default(),
            &mut out,
            None,
        );
        out
    }

    #[test]
    fn sublinear_tf_idf_with_unit_norm_blocks() {
        let v = vectorizer();
        let x = vectorize(&v, "kill kill them");
        // Sorted vocabulary: "kill" 0, "kill them" 1, "them" 2; chars: " ki" 3. ("^ kill" is unknown.)
        assert_eq!(x.indices, [0, 1, 2, 3]);
        let raw = [(1.0 + 2f32.ln()) * 2.0, 1.0, 3.0];
        let norm = raw.iter().map(|r| r * r).sum::<f32>().sqrt();
        for (got, want) in x.values[..3].iter().zip(raw) {
            assert!((got - want / norm).abs() < 1e-6);
        }
        assert!((x.values[3] - 1.0).abs() < 1e-6);
    }

    #[test]
    fn unknown_text_gives_an_empty_vector() {
        assert_eq!(vectorize(&vectorizer(), "hello"), SparseVector::default());
    }

    #[test]
    fn smoothed_idf_matches_scikit_learn() {
        // sklearn: ln((1 + 4) / (1 + 1)) + 1 for a term in 1 of 4 documents.
        assert!((idf(1, 4) - (2.5f32.ln() + 1.0)).abs() < 1e-6);
    }
}
