//! Training: labelled examples in, a [`Model`] and its cross-validated figures out.
//!
//! For each category the L2 penalty is chosen from a small grid by k-fold cross-validation (average
//! precision of the out-of-fold scores), and the threshold is the one with the best out-of-fold F1 at
//! that penalty. In each fold the vocabulary and IDF are fitted on the training part only, so the
//! figures are what a model sees on text it was not fitted on. The final model is fitted on all
//! examples. Everything is deterministic: folds come from a hash of each example's id, the vocabulary
//! is sorted, the optimiser runs single-threaded.

use super::file::{CategoryTraining, LabelFile, Metadata};
use super::logistic::{CsrMatrix, LogisticParams};
use super::metrics::{best_fbeta_threshold, pr_auc, Report};
use super::{Classifier, Model, CATEGORIES};
use crate::error::{Error, Result};
use crate::features::{
    feature_hash, for_each_ngram, idf, DocumentFrequencies, Kind, NgramConfig, NgramScratch,
    SparseVector, Vectorizer, Workspace,
};
use crate::text::{repair, Tokens};
use linfa::traits::Fit;
use linfa::DatasetBase;
use ndarray::Array1;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::time::Instant;

/// One labelled example, as stored in `labels/*.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    /// Unique id.
    pub id: String,
    /// The comment.
    pub text: String,
    /// Categories that apply; empty means acceptable.
    pub labels: Vec<String>,
    /// What sort of example it is (see labels/GUIDE.md); not a feature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Where the example comes from, for per-source figures in `eval`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl Example {
    /// Whether the example carries `category`.
    pub fn has(&self, category: &str) -> bool {
        self.labels.iter().any(|l| l == category)
    }
}

/// Reads labelled examples from a JSON Lines file; an error names the file and line.
pub fn read_examples(path: &Path) -> Result<(Vec<Example>, LabelFile)> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let name = path.display().to_string();
    let text = std::str::from_utf8(&bytes).map_err(|e| Error::Input {
        path: name.clone(),
        line: bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1,
        message: format!("invalid UTF-8 at byte {}", e.valid_up_to()),
    })?;
    let mut examples = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let bad = |message: String| Error::Input {
            path: name.clone(),
            line: n + 1,
            message,
        };
        let ex: Example = serde_json::from_str(line).map_err(|e| {
            bad(format!(
                "{e}; expected {{\"id\": ..., \"text\": ..., \"labels\": [...]}}"
            ))
        })?;
        if let Some(l) = ex.labels.iter().find(|l| !CATEGORIES.contains(&l.as_str())) {
            return Err(bad(format!(
                "unknown label {l:?}; labels are {CATEGORIES:?}"
            )));
        }
        examples.push(ex);
    }
    let file = LabelFile {
        path: name,
        sha256: hex(&Sha256::digest(&bytes)),
        examples: examples.len(),
    };
    Ok((examples, file))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads every `*.jsonl` file in `dir`, in name order; fails on duplicate ids.
pub fn read_label_dir(dir: &Path) -> Result<(Vec<Example>, Vec<LabelFile>)> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    paths.sort();
    if paths.is_empty() {
        return Err(Error::Usage(format!(
            "{}: no *.jsonl label files; see labels/GUIDE.md for the format",
            dir.display()
        )));
    }
    let mut all = Vec::new();
    let mut files = Vec::new();
    for p in paths {
        let (examples, file) = read_examples(&p)?;
        all.extend(examples);
        files.push(file);
    }
    let mut ids: Vec<&str> = all.iter().map(|e| e.id.as_str()).collect();
    ids.sort_unstable();
    if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
        return Err(Error::Usage(format!(
            "{}: the id {:?} is used twice; ids must be unique",
            dir.display(),
            w[0]
        )));
    }
    Ok((all, files))
}

/// Training parameters as the user sets them; [`TrainParams::check`] validates them.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainParams {
    folds: usize,
    min_df: u32,
    max_features: usize,
    alphas: Vec<f64>,
    ngrams: NgramConfig,
    max_iterations: u64,
    beta: f64,
    nb_smoothing: f64,
}

/// Training parameters that passed [`TrainParams::check`].
#[derive(Debug, Clone, PartialEq)]
pub struct ValidTrainParams(TrainParams);

impl Default for TrainParams {
    fn default() -> Self {
        TrainParams {
            folds: 5,
            min_df: 2,
            max_features: 200_000,
            alphas: vec![0.03, 0.1, 0.3, 1.0],
            ngrams: NgramConfig::default(),
            max_iterations: 300,
            beta: 0.5,
            nb_smoothing: 0.1,
        }
    }
}

impl TrainParams {
    /// Cross-validation folds (default 5; 2 to 20).
    pub fn folds(mut self, folds: usize) -> Self {
        self.folds = folds;
        self
    }
    /// Minimum number of examples a feature must occur in (default 2; at least 1).
    pub fn min_df(mut self, min_df: u32) -> Self {
        self.min_df = min_df;
        self
    }
    /// Most features kept, the most frequent first (default 200,000; at least 1).
    pub fn max_features(mut self, n: usize) -> Self {
        self.max_features = n;
        self
    }
    /// L2 penalties tried by cross-validation (default 0.03, 0.1, 0.3, 1; each finite and > 0).
    pub fn alphas(mut self, alphas: Vec<f64>) -> Self {
        self.alphas = alphas;
        self
    }
    /// N-gram ranges (default word 1–2, char 2–5).
    pub fn ngrams(mut self, ngrams: NgramConfig) -> Self {
        self.ngrams = ngrams;
        self
    }
    /// L-BFGS iteration limit per fit (default 300; at least 1).
    pub fn max_iterations(mut self, n: u64) -> Self {
        self.max_iterations = n;
        self
    }

    /// The F-beta that thresholds maximise on out-of-fold scores (default 0.5: a wrongly held comment
    /// costs twice a missed one; must be finite and > 0).
    pub fn beta(mut self, beta: f64) -> Self {
        self.beta = beta;
        self
    }

    /// Naive-Bayes feature scaling (see [`nb_scales`]): the smoothing added to each
    /// feature's summed values per class (default 0.1; 0 turns the scaling off; finite and >= 0).
    pub fn nb_smoothing(mut self, smoothing: f64) -> Self {
        self.nb_smoothing = smoothing;
        self
    }

    /// Checks every parameter, naming the first one out of range.
    pub fn check(self) -> Result<ValidTrainParams> {
        let param = |name, value: String, allowed| {
            Err(Error::Param {
                name,
                value,
                allowed,
            })
        };
        if !(2..=20).contains(&self.folds) {
            return param("folds", self.folds.to_string(), "2 to 20");
        }
        if !(self.beta.is_finite() && self.beta > 0.0) {
            return param("beta", self.beta.to_string(), "a finite number > 0");
        }
        if !(self.nb_smoothing.is_finite() && self.nb_smoothing >= 0.0) {
            return param(
                "nb_smoothing",
                self.nb_smoothing.to_string(),
                "a finite number >= 0",
            );
        }
        if self.min_df == 0 {
            return param("min_df", "0".into(), "at least 1");
        }
        if self.max_features == 0 {
            return param("max_features", "0".into(), "at least 1");
        }
        if self.alphas.is_empty() || self.alphas.iter().any(|a| !(a.is_finite() && *a > 0.0)) {
            return param(
                "alphas",
                format!("{:?}", self.alphas),
                "one or more finite numbers > 0",
            );
        }
        let (w, c) = (self.ngrams.word, self.ngrams.char);
        if w != (0, 0) && (w.0 == 0 || w.0 > w.1 || w.1 > 5) {
            return param(
                "word_ngrams",
                format!("{w:?}"),
                "none, or 1 <= min <= max <= 5",
            );
        }
        if c != (0, 0) && (c.0 == 0 || c.0 > c.1 || c.1 > 8) {
            return param(
                "char_ngrams",
                format!("{c:?}"),
                "none, or 1 <= min <= max <= 8",
            );
        }
        if w == (0, 0) && c == (0, 0) {
            return param(
                "ngrams",
                "none".into(),
                "word or character n-grams, or both",
            );
        }
        LogisticParams::new()
            .max_iterations(self.max_iterations)
            .check()?;
        Ok(ValidTrainParams(self))
    }
}

/// What training measured, for the user.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrainReport {
    /// Examples trained on.
    pub examples: usize,
    /// Rows, features and stored values of the final training matrix.
    pub matrix: (usize, usize, usize),
    /// Bytes the final training matrix held.
    pub matrix_bytes: usize,
    /// Wall-clock seconds for everything.
    pub seconds: f64,
}

/// The training texts, repaired once; each pass re-extracts n-grams rather than storing them, so
/// memory stays at the texts plus the matrix being built.
struct Corpus<'a> {
    texts: Vec<std::borrow::Cow<'a, str>>,
    config: NgramConfig,
}

impl<'a> Corpus<'a> {
    fn new(examples: &'a [Example], config: NgramConfig) -> Self {
        Corpus {
            texts: examples.iter().map(|e| repair(&e.text)).collect(),
            config,
        }
    }

    /// Fits vocabulary and IDF on the examples in `rows`.
    fn fit_vectorizer(&self, rows: &[usize], params: &TrainParams) -> Result<Vectorizer> {
        let mut df = DocumentFrequencies::new(params.min_df);
        let mut tokens = Tokens::new();
        let mut scratch = NgramScratch::default();
        for &r in rows {
            tokens.tokenize(&self.texts[r]);
            df.start_document();
            for_each_ngram(&tokens, 0..tokens.len(), &self.config, &mut scratch, |g| {
                df.add(g.kind, g.hash, g.text)
            });
        }
        let docs = df.documents();
        let (vocabulary, frequencies) = df
            .into_vocabulary(params.max_features)
            .map_err(Error::Train)?;
        Ok(Vectorizer {
            config: self.config,
            vocabulary,
            idf: frequencies.into_iter().map(|f| idf(f, docs)).collect(),
        })
    }

    /// The TF-IDF rows of `rows` under `vectorizer`.
    fn matrix(&self, rows: &[usize], vectorizer: &Vectorizer) -> CsrMatrix {
        let mut m = CsrMatrix::new(vectorizer.n_features());
        let mut x = SparseVector::default();
        let mut tokens = Tokens::new();
        let mut work = Workspace::default();
        for &r in rows {
            tokens.tokenize(&self.texts[r]);
            vectorizer.vectorize(&tokens, 0..tokens.len(), &mut work, &mut x, None);
            m.push_row(&x.indices, &x.values);
        }
        m
    }
}

/// The smallest scale [`nb_scales`] gives a feature, so that features spread evenly over both
/// classes stay usable (at what amounts to a 400-fold penalty).
const MIN_NB_SCALE: f64 = 0.05;

/// Per-feature scales from naive-Bayes log-count ratios, as in NBSVM (Wang and Manning, "Baselines
/// and Bigrams", 2012): `r_j = |ln((p_j/|p|) / (q_j/|q|))|`, where `p` and `q` sum feature `j`'s
/// values over the positive and the negative rows plus `smoothing`. Fitting `x_j * r_j` with an L2
/// penalty is fitting `x_j` with the penalty scaled by `1 / r_j²`: the model can lean on n-grams that
/// separate the classes and pays more for the rest. Scoring is unchanged: the fitted weights are for
/// the plain features.
fn nb_scales(x: &CsrMatrix, y: &Array1<bool>, smoothing: f64) -> Vec<f64> {
    let n = x.n_cols();
    let (mut p, mut q) = (vec![smoothing; n], vec![smoothing; n]);
    for (r, &positive) in y.iter().enumerate() {
        let sums = if positive { &mut p } else { &mut q };
        let (idx, val) = x.row(r);
        for (&i, &v) in idx.iter().zip(val) {
            sums[i as usize] += f64::from(v);
        }
    }
    let (sp, sq): (f64, f64) = (p.iter().sum(), q.iter().sum());
    p.iter()
        .zip(&q)
        .map(|(&pj, &qj)| ((pj / sp) / (qj / sq)).ln().abs().max(MIN_NB_SCALE))
        .collect()
}

/// The feature scales of one category's fits ([`nb_scales`]), or none when the scaling is off.
/// They depend on the data only, so every penalty tried on the same rows shares them.
fn scales_for(x: &CsrMatrix, y: &Array1<bool>, params: &TrainParams) -> Option<Vec<f64>> {
    (params.nb_smoothing > 0.0).then(|| nb_scales(x, y, params.nb_smoothing))
}

/// Fits one category with penalty `alpha` on features scaled by `scales`; returns (weights, bias)
/// and gives the matrix back.
fn fit(
    x: CsrMatrix,
    y: Array1<bool>,
    alpha: f64,
    scales: Option<&[f64]>,
    params: &TrainParams,
) -> Result<(Vec<f32>, f32, CsrMatrix)> {
    let mut logistic = LogisticParams::new()
        .alpha(alpha)
        .max_iterations(params.max_iterations);
    if let Some(scales) = scales {
        logistic = logistic.feature_scales(scales.to_vec());
    }
    let dataset = DatasetBase::new(x, y);
    let fitted = logistic.check()?.fit(&dataset)?;
    Ok((
        fitted.weights.iter().map(|&w| w as f32).collect(),
        fitted.intercept as f32,
        dataset.records,
    ))
}

fn probabilities(x: &CsrMatrix, weights: &[f32], bias: f32) -> Vec<f64> {
    (0..x.n_rows())
        .map(|r| {
            let (idx, val) = x.row(r);
            let z: f32 = idx
                .iter()
                .zip(val)
                .map(|(&i, &v)| weights[i as usize] * v)
                .sum();
            super::sigmoid(f64::from(z + bias))
        })
        .collect()
}

/// Trains a model on `examples` (read from `files`). `progress` receives one line per step.
pub fn train(
    examples: &[Example],
    files: Vec<LabelFile>,
    params: &ValidTrainParams,
    progress: &mut dyn FnMut(&str),
) -> Result<(Model, TrainReport)> {
    let started = Instant::now();
    let params = &params.0;
    if examples.len() < params.folds * 2 {
        return Err(Error::Train(format!(
            "{} examples are too few for {}-fold cross-validation",
            examples.len(),
            params.folds
        )));
    }
    let corpus = Corpus::new(examples, params.ngrams);
    let fold_of: Vec<usize> = examples
        .iter()
        .map(|e| (feature_hash(Kind::Word, &e.id) % params.folds as u64) as usize)
        .collect();
    let truth: Vec<Vec<bool>> = CATEGORIES
        .iter()
        .map(|c| examples.iter().map(|e| e.has(c)).collect())
        .collect();

    // Out-of-fold scores: oof[category][alpha][example].
    let mut oof = vec![vec![vec![0.0; examples.len()]; params.alphas.len()]; CATEGORIES.len()];
    for fold in 0..params.folds {
        let train_rows: Vec<usize> = (0..examples.len())
            .filter(|&i| fold_of[i] != fold)
            .collect();
        let test_rows: Vec<usize> = (0..examples.len())
            .filter(|&i| fold_of[i] == fold)
            .collect();
        let vectorizer = corpus.fit_vectorizer(&train_rows, params)?;
        let mut x_train = corpus.matrix(&train_rows, &vectorizer);
        let x_test = corpus.matrix(&test_rows, &vectorizer);
        for (c, category) in CATEGORIES.iter().enumerate() {
            let y: Array1<bool> = train_rows.iter().map(|&i| truth[c][i]).collect();
            let scales = scales_for(&x_train, &y, params);
            for (a, &alpha) in params.alphas.iter().enumerate() {
                progress(&format!(
                    "fold {}/{} {category} alpha {alpha}",
                    fold + 1,
                    params.folds
                ));
                let (w, b, back) = fit(x_train, y.clone(), alpha, scales.as_deref(), params)?;
                x_train = back;
                for (p, &i) in probabilities(&x_test, &w, b).into_iter().zip(&test_rows) {
                    oof[c][a][i] = p;
                }
            }
        }
    }

    progress("final fit on all examples");
    let all_rows: Vec<usize> = (0..examples.len()).collect();
    let vectorizer = corpus.fit_vectorizer(&all_rows, params)?;
    let mut x = corpus.matrix(&all_rows, &vectorizer);
    let matrix = (x.n_rows(), x.n_cols(), x.nnz());
    let matrix_bytes = x.memory_bytes();
    let mut categories = Vec::new();
    let mut trained = Vec::new();
    for (c, category) in CATEGORIES.iter().enumerate() {
        // The penalty with the best out-of-fold average precision; ties go to the stronger penalty.
        let mut best = 0;
        let mut best_ap = f64::NEG_INFINITY;
        for (a, scores) in oof[c].iter().enumerate() {
            let ap = pr_auc(scores, &truth[c]).unwrap_or(0.0);
            if ap > best_ap + 1e-12
                || (ap >= best_ap - 1e-12 && params.alphas[a] > params.alphas[best])
            {
                best_ap = ap;
                best = a;
            }
        }
        let threshold = best_fbeta_threshold(&oof[c][best], &truth[c], params.beta);
        let y: Array1<bool> = truth[c].iter().copied().collect();
        let scales = scales_for(&x, &y, params);
        let (weights, bias, back) = fit(x, y, params.alphas[best], scales.as_deref(), params)?;
        x = back;
        trained.push(CategoryTraining {
            name: category.to_string(),
            positives: truth[c].iter().filter(|&&t| t).count(),
            alpha: params.alphas[best],
            cross_validation: Report::new(&oof[c][best], &truth[c], threshold),
        });
        categories.push(Classifier {
            name: category.to_string(),
            bias,
            threshold: threshold as f32,
            weights,
        });
    }
    let metadata = Metadata {
        redflag_version: env!("CARGO_PKG_VERSION").to_string(),
        label_files: files,
        examples: examples.len(),
        folds: params.folds,
        min_df: params.min_df,
        max_features: params.max_features,
        alphas: params.alphas.clone(),
        beta: params.beta,
        nb_smoothing: params.nb_smoothing,
        categories: trained,
    };
    let report = TrainReport {
        examples: examples.len(),
        matrix,
        matrix_bytes,
        seconds: started.elapsed().as_secs_f64(),
    };
    Ok((
        Model {
            vectorizer,
            categories,
            metadata,
        },
        report,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nb_scales_favour_features_that_separate_the_classes() {
        // Feature 0 only in positives, feature 1 evenly spread, feature 2 mostly in negatives.
        let mut x = CsrMatrix::new(3);
        x.push_row(&[0, 1], &[1.0, 1.0]);
        x.push_row(&[0, 1], &[1.0, 1.0]);
        x.push_row(&[1, 2], &[1.0, 1.0]);
        x.push_row(&[1, 2], &[1.0, 1.0]);
        let y = Array1::from(vec![true, true, false, false]);
        let r = nb_scales(&x, &y, 0.1);
        assert!(r[0] > 2.0 && r[2] > 2.0, "{r:?}");
        assert_eq!(r[1], MIN_NB_SCALE);
    }
}
