//! Evaluation metrics for one binary category: precision, recall, F1, ROC-AUC and PR-AUC.
//!
//! Written out rather than borrowed so that train, eval and the tests compute them one way.

use serde::{Deserialize, Serialize};

/// Counts at one threshold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confusion {
    /// Positives flagged.
    pub tp: usize,
    /// Negatives flagged.
    pub fp: usize,
    /// Negatives passed.
    pub tn: usize,
    /// Positives passed.
    #[serde(rename = "fn")]
    pub fn_: usize,
}

impl Confusion {
    /// Counts at `threshold` (a score at or above it is flagged).
    pub fn at(scores: &[f64], truth: &[bool], threshold: f64) -> Self {
        let mut c = Confusion::default();
        for (&s, &t) in scores.iter().zip(truth) {
            match (s >= threshold, t) {
                (true, true) => c.tp += 1,
                (true, false) => c.fp += 1,
                (false, false) => c.tn += 1,
                (false, true) => c.fn_ += 1,
            }
        }
        c
    }

    /// tp / (tp + fp); 0 when nothing is flagged.
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }

    /// tp / (tp + fn); 0 when there are no positives.
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }

    /// Harmonic mean of precision and recall.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }

    /// Share of negatives flagged.
    pub fn false_positive_rate(&self) -> f64 {
        ratio(self.fp, self.fp + self.tn)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Area under the ROC curve (ties count one half); `None` without both classes.
pub fn roc_auc(scores: &[f64], truth: &[bool]) -> Option<f64> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    // Mann–Whitney U with average ranks for ties.
    let mut rank_sum_pos = 0.0;
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && scores[order[j + 1]] == scores[order[i]] {
            j += 1;
        }
        let avg_rank = (i + j) as f64 / 2.0 + 1.0;
        rank_sum_pos += avg_rank * order[i..=j].iter().filter(|&&k| truth[k]).count() as f64;
        i = j + 1;
    }
    let pos = truth.iter().filter(|&&t| t).count() as f64;
    let neg = truth.len() as f64 - pos;
    if pos == 0.0 || neg == 0.0 {
        return None;
    }
    Some((rank_sum_pos - pos * (pos + 1.0) / 2.0) / (pos * neg))
}

/// Points of the precision–recall curve, one per distinct score from the highest down:
/// (threshold, precision, recall).
pub fn pr_curve(scores: &[f64], truth: &[bool]) -> Vec<(f64, f64, f64)> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let pos = truth.iter().filter(|&&t| t).count();
    let mut points = Vec::new();
    let (mut tp, mut fp) = (0usize, 0usize);
    for (k, &i) in order.iter().enumerate() {
        if truth[i] {
            tp += 1;
        } else {
            fp += 1;
        }
        let last_of_tie = order.get(k + 1).is_none_or(|&n| scores[n] != scores[i]);
        if last_of_tie {
            points.push((scores[i], ratio(tp, tp + fp), ratio(tp, pos)));
        }
    }
    points
}

/// Average precision (the step-wise area under the PR curve, as scikit-learn computes it);
/// `None` without positives.
pub fn pr_auc(scores: &[f64], truth: &[bool]) -> Option<f64> {
    if !truth.iter().any(|&t| t) {
        return None;
    }
    let mut area = 0.0;
    let mut last_recall = 0.0;
    for (_, p, r) in pr_curve(scores, truth) {
        area += (r - last_recall) * p;
        last_recall = r;
    }
    Some(area)
}

/// The threshold with the best F-beta on these scores (the lowest such score, so ties favour
/// recall). `beta` < 1 weighs precision more: 0.5 counts a wrongly held comment twice as much as a
/// missed one.
pub fn best_fbeta_threshold(scores: &[f64], truth: &[bool], beta: f64) -> f64 {
    let b2 = beta * beta;
    let mut best = (0.0, 0.5);
    for (threshold, p, r) in pr_curve(scores, truth) {
        let f = if p + r == 0.0 {
            0.0
        } else {
            (1.0 + b2) * p * r / (b2 * p + r)
        };
        if f >= best.0 {
            best = (f, threshold);
        }
    }
    best.1
}

/// Every figure for one category at one threshold.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Examples scored.
    pub examples: usize,
    /// Of which positive.
    pub positives: usize,
    /// The threshold the counts are taken at.
    pub threshold: f64,
    /// Precision at the threshold.
    pub precision: f64,
    /// Recall at the threshold.
    pub recall: f64,
    /// F1 at the threshold.
    pub f1: f64,
    /// Share of negatives flagged at the threshold.
    pub false_positive_rate: f64,
    /// Area under the ROC curve (`null` without both classes).
    pub roc_auc: Option<f64>,
    /// Average precision (`null` without positives).
    pub pr_auc: Option<f64>,
    /// Counts at the threshold.
    pub confusion: Confusion,
}

impl Report {
    /// Computes the report for `scores` against `truth` at `threshold`.
    pub fn new(scores: &[f64], truth: &[bool], threshold: f64) -> Self {
        let confusion = Confusion::at(scores, truth, threshold);
        Report {
            examples: scores.len(),
            positives: truth.iter().filter(|&&t| t).count(),
            threshold,
            precision: confusion.precision(),
            recall: confusion.recall(),
            f1: confusion.f1(),
            false_positive_rate: confusion.false_positive_rate(),
            roc_auc: roc_auc(scores, truth),
            pr_auc: pr_auc(scores, truth),
            confusion,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_of_perfect_random_and_tied_scores() {
        let truth = [false, false, true, true];
        assert_eq!(roc_auc(&[0.1, 0.2, 0.8, 0.9], &truth), Some(1.0));
        assert_eq!(roc_auc(&[0.9, 0.8, 0.2, 0.1], &truth), Some(0.0));
        assert_eq!(roc_auc(&[0.5; 4], &truth), Some(0.5));
        assert_eq!(roc_auc(&[0.5; 2], &[true, true]), None);
    }

    #[test]
    fn average_precision_matches_scikit_learn() {
        // sklearn.metrics.average_precision_score([0,0,1,1], [0.1,0.4,0.35,0.8]) == 0.8333...
        let ap = pr_auc(&[0.1, 0.4, 0.35, 0.8], &[false, false, true, true]).unwrap();
        assert!((ap - 0.833_333).abs() < 1e-5, "{ap}");
        // roc_auc_score of the same is 0.75.
        let auc = roc_auc(&[0.1, 0.4, 0.35, 0.8], &[false, false, true, true]).unwrap();
        assert!((auc - 0.75).abs() < 1e-12);
    }

    #[test]
    fn confusion_and_f1() {
        let c = Confusion::at(&[0.9, 0.6, 0.4, 0.1], &[true, false, true, false], 0.5);
        assert_eq!(
            c,
            Confusion {
                tp: 1,
                fp: 1,
                tn: 1,
                fn_: 1
            }
        );
        assert_eq!(c.f1(), 0.5);
        let (s, t) = ([0.9, 0.6, 0.4, 0.1], [true, false, true, false]);
        assert_eq!(best_fbeta_threshold(&s, &t, 1.0), 0.4);
        // Weighing precision more moves the threshold up to where nothing clean is held.
        assert_eq!(best_fbeta_threshold(&s, &t, 0.5), 0.9);
    }
}
