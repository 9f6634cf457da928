//! TF-IDF weighting with inverse document frequencies fixed at training.
//!
//! linfa-preprocessing's `TfIdfVectorizer::transform` recomputes IDF from whatever batch it is given,
//! so the same comment scores differently alone and in a batch. Here IDF is part of the model: a
//! comment's vector depends on the comment alone.
//!
//! Weighting follows scikit-learn's `TfidfVectorizer(sublinear_tf=True, smooth_idf=True)`:
//! `tf = 1 + ln(count)`, `idf = ln((1 + n) / (1 + df)) + 1`. The word block and the character block are
//! each scaled to unit L2 norm, as in a scikit-learn `FeatureUnion` of two vectorizers.

use super::memo::{CharMemo, WordLookup};
use super::ngrams::{for_each_word_ngram_hash, word_hash, Kind, NgramConfig};
use super::vocabulary::Vocabulary;
use crate::text::Tokens;
use std::array::from_fn;
use std::ops::Range;
use std::sync::LazyLock;

/// A sparse vector: sorted, distinct indices and their values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SparseVector {
    /// Feature indices, strictly increasing.
    pub indices: Vec<u32>,
    /// Values, one per index.
    pub values: Vec<f32>,
}

impl SparseVector {
    /// Dot product with a dense weight vector, summed in index order.
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
    /// The feature index of every n-gram occurrence of the comment.
    ids: Vec<u32>,
    /// The other buffer of the radix sort.
    sorted: Vec<u32>,
    /// The radix sort's histograms.
    offsets: Vec<u32>,
    memo: CharMemo,
    /// Per token: where its character features end in `ids`, and its lookup as a word.
    per_token: Vec<(usize, WordLookup)>,
}

/// Sorts `ids`, all below `n`, with a least-significant-digit radix sort: a few linear passes with no
/// comparison and no unpredictable branch, which beats a comparison sort on the few hundred feature
/// indices of a comment. `scratch` is the second buffer, `offsets` holds the histograms.
fn radix_sort(ids: &mut Vec<u32>, scratch: &mut Vec<u32>, offsets: &mut Vec<u32>, n: usize) {
    scratch.clear();
    scratch.resize(ids.len(), 0);
    if n <= 1 << 16 {
        radix_sort_16(ids, scratch);
        return;
    }
    const MAX_DIGIT_BITS: u32 = 11;
    let bits = usize::BITS - n.saturating_sub(1).leading_zeros();
    let passes = bits.div_ceil(MAX_DIGIT_BITS) as usize;
    let width = bits.div_ceil(passes as u32);
    let buckets = 1usize << width;
    let mask = buckets - 1;
    // All digits' histograms in one read of the ids.
    offsets.clear();
    offsets.resize(passes * buckets, 0);
    for &id in ids.iter() {
        for (pass, counts) in offsets.chunks_exact_mut(buckets).enumerate() {
            counts[(id >> (pass as u32 * width)) as usize & mask] += 1;
        }
    }
    for (pass, counts) in offsets.chunks_exact_mut(buckets).enumerate() {
        scatter(ids, scratch, counts, |id| {
            (id >> (pass as u32 * width)) as usize & mask
        });
        std::mem::swap(ids, scratch);
    }
}

/// [`radix_sort`] for ids below 2^16 (the vocabularies redflag trains): two passes of one byte each.
/// Consecutive ids often share their high byte, so its histogram is kept in two halves (even and odd
/// positions) that do not wait for each other's increments.
fn radix_sort_16(ids: &mut [u32], scratch: &mut [u32]) {
    let mut low = [0u32; 256];
    let mut high = [[0u32; 256]; 2];
    let mut pairs = ids.chunks_exact(2);
    for pair in &mut pairs {
        low[pair[0] as usize & 0xFF] += 1;
        low[pair[1] as usize & 0xFF] += 1;
        high[0][(pair[0] >> 8) as usize & 0xFF] += 1;
        high[1][(pair[1] >> 8) as usize & 0xFF] += 1;
    }
    for &id in pairs.remainder() {
        low[id as usize & 0xFF] += 1;
        high[0][(id >> 8) as usize & 0xFF] += 1;
    }
    let [mut high, odd] = high;
    for (h, o) in high.iter_mut().zip(odd) {
        *h += o;
    }
    scatter(ids, scratch, &mut low, |id| id as usize & 0xFF);
    scatter(scratch, ids, &mut high, |id| (id >> 8) as usize & 0xFF);
}

/// One stable counting pass: `from` into `to` by `digit`, given each digit's count in `counts`.
#[inline]
fn scatter(from: &[u32], to: &mut [u32], counts: &mut [u32], digit: impl Fn(u32) -> usize) {
    let mut sum = 0;
    for c in counts.iter_mut() {
        (*c, sum) = (sum, sum + *c);
    }
    for &id in from {
        let c = &mut counts[digit(id)];
        to[*c as usize] = id;
        *c += 1;
    }
}

/// Sublinear term frequency `1 + ln(count)`.
fn tf(count: usize) -> f32 {
    1.0 + (count as f32).ln()
}

/// [`tf`] of the small counts, the usual ones.
static SMALL_TF: LazyLock<[f32; 32]> = LazyLock::new(|| from_fn(tf));

impl Vectorizer {
    /// Vectorizes the tokens in `range` into `out`. When `hits` is given, it receives every
    /// occurrence of every known feature (for explanations), in the order of [`for_each_ngram`](
    /// super::for_each_ngram).
    pub fn vectorize(
        &self,
        tokens: &Tokens,
        range: Range<usize>,
        work: &mut Workspace,
        out: &mut SparseVector,
        hits: Option<&mut Vec<Hit>>,
    ) {
        let Workspace {
            ids,
            memo,
            per_token,
            ..
        } = work;
        ids.clear();
        per_token.clear();
        let mut hits = hits;
        if let Some(hits) = hits.as_deref_mut() {
            hits.clear();
        }
        let skip = self.config.skip_function_words;
        // Character n-grams first, from the memo, which also gives each token's lookup as a word.
        // A function word left out of the features still gets its place, with no n-grams.
        for t in range.clone().filter(|_| self.config.char.0 > 0) {
            if skip && tokens.is_function_word(t) {
                let hash = word_hash(tokens.slice(t, t, false), tokens.quoted(t));
                per_token.push((ids.len(), (hash, None)));
                continue;
            }
            let (features, word) = memo.features(
                tokens.slice(t, t, true),
                tokens.quoted(t),
                &self.vocabulary,
                self.config.char,
            );
            ids.extend_from_slice(features);
            per_token.push((ids.len(), word));
        }
        for_each_word_ngram_hash(tokens, range.clone(), self.config.word, skip, |h, span| {
            let feature = match per_token.get(span.0 - range.start) {
                Some(&(_, (hash, feature))) if hash == h => feature,
                _ => self.vocabulary.get_word(h),
            };
            if let Some(i) = feature {
                ids.push(i);
                if let Some(hits) = hits.as_deref_mut() {
                    hits.push(Hit {
                        feature: i,
                        tokens: span,
                    });
                }
            }
        });
        // Hits in for_each_ngram's order: words, then each token's characters.
        if let Some(hits) = hits {
            let mut start = 0;
            for (t, &(end, _)) in range.zip(per_token.iter()) {
                hits.extend(ids[start..end].iter().map(|&i| Hit {
                    feature: i,
                    tokens: (t, t),
                }));
                start = end;
            }
        }
        radix_sort(ids, &mut work.sorted, &mut work.offsets, self.n_features());
        self.weigh_sorted(ids, out);
    }

    /// Turns the feature indices of every n-gram occurrence (in any order) into the TF-IDF vector.
    pub fn weigh(&self, ids: &mut [u32], out: &mut SparseVector) {
        ids.sort_unstable();
        self.weigh_sorted(ids, out);
    }

    /// Turns sorted feature indices, one per n-gram occurrence, into the TF-IDF vector in one pass:
    /// a run of equal indices is one feature, weighed `tf(run length) × idf`; then each block is
    /// scaled to unit norm.
    fn weigh_sorted(&self, ids: &[u32], out: &mut SparseVector) {
        let (indices, values) = (&mut out.indices, &mut out.values);
        indices.clear();
        values.clear();
        if let Some(&first) = ids.first() {
            // Without a branch on the data, which is as unpredictable as it gets: every occurrence
            // writes its run's slot `k`, the last one with the run's full count.
            indices.resize(ids.len(), 0);
            values.resize(ids.len(), 0.0);
            let small = &*SMALL_TF;
            let (mut last, mut run, mut k) = (first, 0, 0);
            for &id in ids {
                let same = id == last;
                k += usize::from(!same);
                run = if same { run + 1 } else { 1 };
                let tf = match small.get(run) {
                    Some(&tf) => tf,
                    None => tf(run),
                };
                indices[k] = id;
                values[k] = tf * self.idf[id as usize];
                last = id;
            }
            indices.truncate(k + 1);
            values.truncate(k + 1);
        }
        self.normalize_blocks(out);
    }

    /// Scales the word block and the character block of `out` each to unit L2 norm.
    fn normalize_blocks(&self, out: &mut SparseVector) {
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
                skip_function_words: false,
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
    fn hits_and_vectors_are_those_of_the_reference_ngrams() {
        use crate::features::{for_each_ngram, DocumentFrequencies, NgramScratch};
        let long = format!("{} and more", "a".repeat(80));
        let texts = [
            "Hang them. Hang every last one of the traitors, hang hang hang!",
            "He wrote \"hang them all\" and 'string him up'. Sad! «Tuez-les» a dit",
            "Ô Liberté ! naïve café 🔫🔫 k1ll, e x e c u t e them, kiiiill",
            "",
            "a",
            long.as_str(),
        ];
        let model = crate::model::Model::shipped().unwrap();
        let mut tokens = Tokens::new();
        let mut scratch = NgramScratch::default();
        // For several n-gram sizes, a vocabulary of every n-gram of the texts, so that every
        // occurrence is a hit; and the shipped model.
        let mut every = |config: NgramConfig| {
            let mut df = DocumentFrequencies::new(1);
            for text in texts {
                tokens.tokenize(text);
                df.start_document();
                for_each_ngram(&tokens, 0..tokens.len(), &config, &mut scratch, |g| {
                    df.add(g.kind, g.hash, g.text)
                });
            }
            let (vocabulary, frequencies) = df.into_vocabulary(usize::MAX).unwrap();
            assert!(!vocabulary.is_empty());
            Vectorizer {
                config,
                idf: frequencies.iter().map(|&f| idf(f, texts.len())).collect(),
                vocabulary,
            }
        };
        let vectorizers = [
            every(model.vectorizer.config),
            every(NgramConfig {
                word: (1, 3),
                char: (0, 0),
                skip_function_words: true,
            }),
            every(NgramConfig {
                word: (2, 2),
                char: (3, 4),
                skip_function_words: false,
            }),
            model.vectorizer.clone(),
        ];
        for v in &vectorizers {
            let mut work = Workspace::default();
            // Twice: the second time, the tokens' features come from the memo.
            for text in texts.iter().chain(&texts) {
                tokens.tokenize(text);
                let mut reference = Vec::new();
                for_each_ngram(&tokens, 0..tokens.len(), &v.config, &mut scratch, |g| {
                    if let Some(feature) = v.vocabulary.get(g.hash) {
                        reference.push(Hit {
                            feature,
                            tokens: g.tokens,
                        });
                    }
                });
                let (mut fast, mut explained, mut hits) = Default::default();
                v.vectorize(&tokens, 0..tokens.len(), &mut work, &mut fast, None);
                v.vectorize(
                    &tokens,
                    0..tokens.len(),
                    &mut work,
                    &mut explained,
                    Some(&mut hits),
                );
                assert_eq!(hits, reference, "{text}");
                let mut ids: Vec<u32> = reference.iter().map(|h| h.feature).collect();
                let mut weighed = SparseVector::default();
                v.weigh(&mut ids, &mut weighed);
                assert_eq!(fast, weighed, "{text}");
                assert_eq!(explained, weighed, "{text}");
            }
        }
    }

    #[test]
    fn term_frequency_table_matches_the_formula() {
        for count in 1..32 {
            assert_eq!(SMALL_TF[count], 1.0 + (count as f32).ln());
        }
        // A run longer than the table: feature 0 forty times and feature 1 once.
        let mut ids = vec![0; 40];
        ids.push(1);
        let mut out = SparseVector::default();
        vectorizer().weigh(&mut ids, &mut out);
        let raw = [(1.0 + 40f32.ln()) * 2.0, 1.0];
        let norm = raw.iter().map(|r| r * r).sum::<f32>().sqrt();
        assert_eq!(out.values, [raw[0] / norm, raw[1] / norm]);
    }

    #[test]
    fn runs_are_counted_in_any_order() {
        let v = vectorizer();
        let mut out = SparseVector::default();
        // Features 0 and 1 are words, 2 and 3... all words but 3; counts 2, 1, 3, 1.
        v.weigh(&mut [2, 0, 2, 1, 3, 2, 0], &mut out);
        assert_eq!(out.indices, [0, 1, 2, 3]);
        let raw = [tf(2) * 2.0, 1.0, tf(3) * 3.0];
        let norm = raw.iter().map(|r| r * r).sum::<f32>().sqrt();
        for (got, want) in out.values[..3].iter().zip(raw) {
            assert!((got - want / norm).abs() < 1e-6, "{got} {want}");
        }
        assert_eq!(out.values[3], 1.0);
        v.weigh(&mut [], &mut out);
        assert_eq!(out, SparseVector::default());
        v.weigh(&mut [3], &mut out);
        assert_eq!((out.indices, out.values), (vec![3], vec![1.0]));
    }

    #[test]
    fn radix_sort_sorts_for_every_vocabulary_size() {
        let mut scratch = Vec::new();
        for n in [1usize, 2, 5, 256, 257, 40_000, 1 << 16, 200_000, 5_000_000] {
            let mut ids: Vec<u32> = (0..1000u64)
                .map(|k| ((k * 2_654_435_761) % n as u64) as u32)
                .collect();
            let mut expected = ids.clone();
            expected.sort_unstable();
            radix_sort(&mut ids, &mut scratch, &mut Vec::new(), n);
            assert_eq!(ids, expected, "n = {n}");
        }
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
