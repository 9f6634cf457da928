//! Decide and explain: scores → publish or hold, with the words that drove each score.
//!
//! A comment is held when any category's probability reaches that category's threshold (chosen by
//! cross-validation at training and stored in the model). Each reason is a phrase of the comment with
//! the summed contribution (weight × TF-IDF value, in log-odds) of the features found there, so a
//! moderator sees "string them up" highlighted rather than an opaque number.

use crate::features::{Hit, SparseVector, Workspace};
use crate::model::Model;
use crate::text::{repair, Tokens};
use serde::Serialize;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// Publish or hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// No category reached its threshold.
    Publish,
    /// At least one category reached its threshold: hold for review.
    Hold,
}

/// One stretch of text that raised a category's score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason {
    /// The category it raised.
    pub category: String,
    /// The original text of the stretch.
    pub text: String,
    /// Its normalised form, as the model saw it.
    pub ngram: String,
    /// Byte offsets `[start, end)` in the comment (after mojibake repair).
    pub span: (usize, usize),
    /// Summed weight × value of the features found in it (log-odds).
    pub contribution: f32,
}

/// The verdict on one comment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    /// Probability per category, in model order.
    pub scores: BTreeMap<String, f32>,
    /// Publish or hold.
    pub decision: Decision,
    /// Categories at or above their threshold.
    pub flagged: Vec<String>,
    /// The strongest reasons for each flagged category, strongest first.
    pub reasons: Vec<Reason>,
}

/// How many reasons to give per flagged category.
pub const REASONS_PER_CATEGORY: usize = 5;

/// A token belongs to a reason when it carries at least this share of the strongest token's
/// contribution; neighbouring such tokens form one phrase ("string them up"), bridging single weaker
/// tokens that still add to the score.
const PHRASE_SHARE: f32 = 0.25;

/// Scores comments with one model, reusing its buffers from one comment to the next.
#[derive(Debug, Clone)]
pub struct Scorer<'m> {
    model: &'m Model,
    tokens: Tokens,
    work: Workspace,
    vector: SparseVector,
    hits: Vec<Hit>,
    explaining: Explaining,
    /// For streams ([`Scorer::for_stream`]): per feature, the weight of each category (at most
    /// [`INTERLEAVED`] of them), so that one read brings what a feature adds to every score.
    interleaved: Vec<[f32; INTERLEAVED]>,
    /// Each category's log-odds for the current comment, without the bias.
    dots: Vec<f32>,
}

/// The most categories whose weights [`Scorer::for_stream`] interleaves; a model with more is
/// scored one category at a time.
const INTERLEAVED: usize = 4;

/// Scratch space for explanations: where each feature occurrence sits in the comment's vector.
#[derive(Debug, Clone, Default)]
struct Explaining {
    /// Per feature of the model: its position in the current vector (valid for the current features).
    slot_of: Vec<u32>,
    /// Per hit: the position of its feature in the vector.
    slots: Vec<u32>,
    /// Per position in the vector: how many hits that feature has.
    occurrences: Vec<u32>,
    /// Per token: the summed contribution of the features over it.
    per_token: Vec<f32>,
}

impl<'m> Scorer<'m> {
    /// A scorer for `model`.
    pub fn new(model: &'m Model) -> Self {
        Scorer {
            model,
            tokens: Tokens::new(),
            work: Workspace::default(),
            vector: SparseVector::default(),
            hits: Vec::new(),
            explaining: Explaining::default(),
            interleaved: Vec::new(),
            dots: Vec::new(),
        }
    }

    /// A scorer for a stream of comments: the same verdicts as [`Scorer::new`]'s, faster per comment
    /// once it has read the model's weights into one table (about a millisecond for the shipped
    /// model, so not worth it for a single comment).
    pub fn for_stream(model: &'m Model) -> Self {
        let mut scorer = Scorer::new(model);
        let k = model.categories.len();
        if k <= INTERLEAVED {
            scorer.interleaved = (0..model.vectorizer.n_features())
                .map(|f| {
                    std::array::from_fn(|c| model.categories.get(c).map_or(0.0, |c| c.weights[f]))
                })
                .collect();
        }
        scorer
    }

    /// Computes each category's log-odds without the bias for the current vector into `dots`: the
    /// dot product with its weights, summed in feature order either way.
    fn dots(&mut self) {
        self.dots.clear();
        if self.interleaved.is_empty() {
            let x = &self.vector;
            self.dots
                .extend(self.model.categories.iter().map(|c| x.dot(&c.weights)));
            return;
        }
        // Every category at once, each in its own lane: the same additions in the same order as
        // `SparseVector::dot`, which starts from -0.0 as `Iterator::sum` does.
        let mut sums = [-0.0f32; INTERLEAVED];
        for (&i, &v) in self.vector.indices.iter().zip(&self.vector.values) {
            let row = &self.interleaved[i as usize];
            for (sum, w) in sums.iter_mut().zip(row) {
                *sum += w * v;
            }
        }
        self.dots
            .extend_from_slice(&sums[..self.model.categories.len()]);
    }

    /// The model scored with.
    pub fn model(&self) -> &'m Model {
        self.model
    }

    /// Repairs, tokenizes and vectorizes `text`; with `explain`, also records feature occurrences.
    fn vectorize(&mut self, text: &str, explain: bool) {
        self.tokens.tokenize(text);
        self.model.vectorizer.vectorize(
            &self.tokens,
            0..self.tokens.len(),
            &mut self.work,
            &mut self.vector,
            explain.then_some(&mut self.hits),
        );
    }

    /// Probability per category (model order) for `text`, without explanations.
    pub fn probabilities(&mut self, text: &str) -> Vec<f32> {
        self.vectorize(&repair(text), false);
        self.dots();
        self.model
            .categories
            .iter()
            .zip(&self.dots)
            .map(|(c, &dot)| c.probability_of(dot))
            .collect()
    }

    /// The full verdict on `text`: scores, decision, and reasons for each flagged category.
    ///
    /// The features are found on the fast path first; only a flagged comment is vectorized again with
    /// every occurrence recorded, to explain it. Both passes give the same vector, so the scores do not
    /// depend on whether the comment was explained.
    pub fn verdict(&mut self, text: &str) -> Verdict {
        let text: Cow<'_, str> = repair(text);
        self.vectorize(&text, false);
        let mut scores = BTreeMap::new();
        let mut flagged = Vec::new();
        self.dots();
        for (c, &dot) in self.model.categories.iter().zip(&self.dots) {
            let p = c.probability_of(dot);
            scores.insert(c.name.clone(), round4(p));
            if p >= c.threshold {
                flagged.push(c);
            }
        }
        let mut reasons = Vec::new();
        if !flagged.is_empty() {
            self.vectorize(&text, true);
            self.locate_hits();
            for c in &flagged {
                reasons.extend(self.explain(&text, &c.name, &c.weights));
            }
        }
        Verdict {
            decision: if flagged.is_empty() {
                Decision::Publish
            } else {
                Decision::Hold
            },
            scores,
            flagged: flagged.iter().map(|c| c.name.clone()).collect(),
            reasons,
        }
    }

    /// Finds each hit's feature in the vector and counts the occurrences of each feature.
    fn locate_hits(&mut self) {
        let x = &mut self.explaining;
        x.slot_of.resize(self.model.vectorizer.n_features(), 0);
        for (k, &i) in self.vector.indices.iter().enumerate() {
            x.slot_of[i as usize] = k as u32;
        }
        x.occurrences.clear();
        x.occurrences.resize(self.vector.indices.len(), 0);
        x.slots.clear();
        for h in &self.hits {
            let k = x.slot_of[h.feature as usize];
            x.slots.push(k);
            x.occurrences[k as usize] += 1;
        }
    }

    /// The phrases of the comment whose features raised `weights`' score most.
    fn explain(&mut self, text: &str, category: &str, weights: &[f32]) -> Vec<Reason> {
        // Each feature's contribution is shared among its occurrences, and each occurrence's among
        // the tokens it spans.
        let x = &mut self.explaining;
        let per_token = &mut x.per_token;
        per_token.clear();
        per_token.resize(self.tokens.len(), 0.0);
        for (h, &k) in self.hits.iter().zip(&x.slots) {
            let contribution = weights[h.feature as usize] * self.vector.values[k as usize];
            let width = (h.tokens.1 - h.tokens.0 + 1) as f32;
            let share = contribution / x.occurrences[k as usize] as f32 / width;
            for c in &mut per_token[h.tokens.0..=h.tokens.1] {
                *c += share;
            }
        }
        let strongest = per_token.iter().copied().fold(0f32, f32::max);
        if strongest <= 0.0 {
            return Vec::new();
        }
        let mut phrases: Vec<(usize, usize, f32)> = Vec::new();
        let strong = |t: usize| {
            per_token
                .get(t)
                .is_some_and(|&c| c >= strongest * PHRASE_SHARE)
        };
        for (t, &c) in per_token.iter().enumerate() {
            // A weaker token that still adds to the score joins the strong ones on both sides of
            // it, so "Execute on the spot" is one phrase rather than "Execute" and "the spot".
            let bridge = c > 0.0 && t > 0 && strong(t - 1) && strong(t + 1);
            if !strong(t) && !bridge {
                continue;
            }
            match phrases.last_mut() {
                Some(p) if p.1 + 1 == t && !self.tokens.starts_sentence(t) => {
                    p.1 = t;
                    p.2 += c;
                }
                _ => phrases.push((t, t, c)),
            }
        }
        phrases.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
        let tokens: Vec<_> = self.tokens.iter().collect();
        phrases
            .into_iter()
            .take(REASONS_PER_CATEGORY)
            .map(|(first, last, contribution)| {
                let span = (tokens[first].span.0, tokens[last].span.1);
                Reason {
                    category: category.to_string(),
                    text: text[span.0..span.1].to_string(),
                    ngram: self.tokens.slice(first, last, false).to_string(),
                    span,
                    contribution: round4(contribution),
                }
            })
            .collect()
    }
}

/// Rounds to four decimals, enough for a probability and stable in golden files.
fn round4(x: f32) -> f32 {
    (x * 10_000.0).round() / 10_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_score_exactly_as_single_comments() {
        let model = Model::shipped().unwrap();
        let (mut one, mut stream) = (Scorer::new(&model), Scorer::for_stream(&model));
        assert!(!stream.interleaved.is_empty() && one.interleaved.is_empty());
        for text in [
            "Don't spare no one US terrorist! Execute on the spot!",
            "Let them string them up like the dogs they are",
            "You absolute moron, learn to read",
            "A quiet comment about the weather.",
            "",
        ] {
            let (a, b) = (one.probabilities(text), stream.probabilities(text));
            let bits = |p: &[f32]| p.iter().map(|p| p.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&a), bits(&b), "{text}");
            assert_eq!(one.verdict(text), stream.verdict(text), "{text}");
        }
    }
}
