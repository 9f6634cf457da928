//! Binary logistic regression on sparse rows, trained with argmin's L-BFGS behind linfa's `Fit` trait.
//!
//! linfa-logistic fits a dense `Array2`: rows × features × 8 bytes, 8 GB for 20,000 comments with
//! 50,000 features. This module minimises the same objective over a CSR matrix, with the same
//! optimiser (L-BFGS with a Moré–Thuente line search), so memory grows with the non-zeros only. A test
//! checks that on a small dense problem it finds linfa-logistic's coefficients.
//!
//! Objective (linfa-logistic's, with optional sample weights `s`):
//! `Σ s_i · ln(1 + exp(−y_i (x_i·w + b))) + ½ α ‖w‖²`, `y_i ∈ {−1, +1}`; the intercept is not penalised.
//! Classes are oriented by value: `true` is the positive class whatever the class counts.

use crate::error::{Error, Result};
use argmin::core::{CostFunction, Executor, Gradient};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::quasinewton::LBFGS;
use linfa::dataset::Records;
use linfa::traits::Fit;
use linfa::DatasetBase;
use ndarray::Array1;
use std::ops::Range;
use std::sync::Mutex;

/// A compressed sparse row matrix of `f32` values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CsrMatrix {
    indptr: Vec<usize>,
    indices: Vec<u32>,
    values: Vec<f32>,
    n_cols: usize,
}

impl CsrMatrix {
    /// An empty matrix with `n_cols` columns.
    pub fn new(n_cols: usize) -> Self {
        CsrMatrix {
            indptr: vec![0],
            indices: Vec::new(),
            values: Vec::new(),
            n_cols,
        }
    }

    /// Appends a row given as sorted, distinct column indices and values.
    pub fn push_row(&mut self, indices: &[u32], values: &[f32]) {
        debug_assert!(indices.iter().all(|&i| (i as usize) < self.n_cols));
        self.indices.extend_from_slice(indices);
        self.values.extend_from_slice(values);
        self.indptr.push(self.indices.len());
    }

    /// Row `r` as (indices, values).
    pub fn row(&self, r: usize) -> (&[u32], &[f32]) {
        let (s, e) = (self.indptr[r], self.indptr[r + 1]);
        (&self.indices[s..e], &self.values[s..e])
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.indptr.len() - 1
    }

    /// Number of columns.
    pub fn n_cols(&self) -> usize {
        self.n_cols
    }

    /// Number of stored values.
    pub fn nnz(&self) -> usize {
        self.values.len()
    }

    /// Bytes held by the matrix's buffers.
    pub fn memory_bytes(&self) -> usize {
        self.indptr.len() * std::mem::size_of::<usize>() + self.values.len() * 8
    }
}

impl Records for CsrMatrix {
    type Elem = f32;
    fn nsamples(&self) -> usize {
        self.n_rows()
    }
    fn nfeatures(&self) -> usize {
        self.n_cols
    }
}

/// Hyper-parameters as the user sets them; [`LogisticParams::check`] turns them into the checked form
/// that training accepts.
#[derive(Debug, Clone, PartialEq)]
pub struct LogisticParams {
    alpha: f64,
    max_iterations: u64,
    gradient_tolerance: f64,
    feature_scales: Option<Vec<f64>>,
}

/// Hyper-parameters that passed [`LogisticParams::check`].
#[derive(Debug, Clone, PartialEq)]
pub struct ValidLogisticParams(LogisticParams);

impl Default for LogisticParams {
    fn default() -> Self {
        LogisticParams {
            alpha: 1.0,
            max_iterations: 200,
            gradient_tolerance: 1e-4,
            feature_scales: None,
        }
    }
}

impl LogisticParams {
    /// Default parameters: `alpha` 1.0, 200 iterations, gradient tolerance 1e-4.
    pub fn new() -> Self {
        Self::default()
    }

    /// L2 penalty strength (default 1.0; must be finite and ≥ 0).
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.alpha = alpha;
        self
    }

    /// Most L-BFGS iterations (default 200; must be ≥ 1).
    pub fn max_iterations(mut self, n: u64) -> Self {
        self.max_iterations = n;
        self
    }

    /// Stop when the gradient norm falls below this (default 1e-4; must be finite and > 0).
    pub fn gradient_tolerance(mut self, tol: f64) -> Self {
        self.gradient_tolerance = tol;
        self
    }

    /// Fits on the features multiplied by `scales` (default 1 each; one finite scale > 0 per
    /// feature) and returns weights for the features as given: the same as an L2 penalty of
    /// `alpha / scale²` on each weight, better conditioned for the optimiser.
    pub fn feature_scales(mut self, scales: Vec<f64>) -> Self {
        self.feature_scales = Some(scales);
        self
    }

    /// Checks every parameter, naming the first one out of range. (The number of feature scales
    /// is checked against the data at fitting.)
    pub fn check(self) -> Result<ValidLogisticParams> {
        if !(self.alpha.is_finite() && self.alpha >= 0.0) {
            return Err(Error::Param {
                name: "alpha",
                value: self.alpha.to_string(),
                allowed: "a finite number >= 0",
            });
        }
        if self.max_iterations == 0 {
            return Err(Error::Param {
                name: "max_iterations",
                value: "0".into(),
                allowed: "at least 1",
            });
        }
        if !(self.gradient_tolerance.is_finite() && self.gradient_tolerance > 0.0) {
            return Err(Error::Param {
                name: "gradient_tolerance",
                value: self.gradient_tolerance.to_string(),
                allowed: "a finite number > 0",
            });
        }
        if let Some(f) = &self.feature_scales {
            if let Some(bad) = f.iter().find(|v| !(v.is_finite() && **v > 0.0)) {
                return Err(Error::Param {
                    name: "feature_scales",
                    value: bad.to_string(),
                    allowed: "finite numbers > 0",
                });
            }
        }
        Ok(ValidLogisticParams(self))
    }
}

impl ValidLogisticParams {
    /// The L2 penalty.
    pub fn alpha(&self) -> f64 {
        self.0.alpha
    }
    /// The iteration limit.
    pub fn max_iterations(&self) -> u64 {
        self.0.max_iterations
    }
    /// The gradient tolerance.
    pub fn gradient_tolerance(&self) -> f64 {
        self.0.gradient_tolerance
    }
    /// The per-feature scales, if set.
    pub fn feature_scales(&self) -> Option<&[f64]> {
        self.0.feature_scales.as_deref()
    }
}

/// A fitted binary logistic regression: `P(true | x) = σ(x·w + b)`.
#[derive(Debug, Clone, PartialEq)]
pub struct FittedLogistic {
    /// One weight per feature.
    pub weights: Array1<f64>,
    /// The intercept `b`.
    pub intercept: f64,
    /// L-BFGS iterations used.
    pub iterations: u64,
}

/// The logistic function.
pub fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// `ln(1 + exp(t))` without overflow.
fn softplus(t: f64) -> f64 {
    if t > 0.0 {
        t + (-t).exp().ln_1p()
    } else {
        t.exp().ln_1p()
    }
}

/// A point with its cost and gradient.
type Evaluation = (Array1<f64>, f64, Array1<f64>);

/// Rows per block of the loss and gradient sums. Fixed (not derived from the number of cores) so
/// that the floating-point sums, and so the model file, are the same on every machine.
const BLOCK_ROWS: usize = 4096;

struct Problem<'a> {
    x: &'a CsrMatrix,
    /// Targets as ±1.
    y: Vec<f64>,
    /// Sample weights.
    s: Vec<f64>,
    alpha: f64,
    /// Feature scales: the optimiser's parameters are the weights of the scaled features.
    scales: Option<&'a [f64]>,
    /// Threads to spread the blocks over.
    threads: usize,
    /// The last point evaluated, with its cost and gradient: L-BFGS asks for both at each point, and
    /// one pass over the data computes both.
    last: Mutex<Option<Evaluation>>,
}

impl Problem<'_> {
    /// Data loss and its gradient over rows `rows` (without the penalty); `p` is `[w..., b]`.
    fn block(&self, p: &[f64], rows: Range<usize>) -> (f64, Vec<f64>) {
        let n = self.x.n_cols;
        let b = p[n];
        let mut g = vec![0.0; n + 1];
        let mut loss = 0.0;
        for r in rows {
            let (idx, val) = self.x.row(r);
            let z = idx
                .iter()
                .zip(val)
                .map(|(&i, &v)| p[i as usize] * f64::from(v))
                .sum::<f64>()
                + b;
            let (y, s) = (self.y[r], self.s[r]);
            loss += s * softplus(-y * z);
            let coef = -s * y * sigmoid(-y * z);
            for (&i, &v) in idx.iter().zip(val) {
                g[i as usize] += coef * f64::from(v);
            }
            g[n] += coef;
        }
        (loss, g)
    }

    /// Cost and gradient at `p`: blocks in parallel, summed in block order.
    fn evaluate(&self, p: &Array1<f64>) -> (f64, Array1<f64>) {
        if let Ok(last) = self.last.lock() {
            if let Some((q, cost, grad)) = last.as_ref() {
                if q == p {
                    return (*cost, grad.clone());
                }
            }
        }
        let rows = self.x.n_rows();
        let blocks: Vec<Range<usize>> = (0..rows.div_ceil(BLOCK_ROWS))
            .map(|k| k * BLOCK_ROWS..((k + 1) * BLOCK_ROWS).min(rows))
            .collect();
        let per_thread = blocks.len().div_ceil(self.threads).max(1);
        let n = self.x.n_cols;
        let mut params = p.to_vec();
        if let Some(scales) = self.scales {
            for (w, s) in params.iter_mut().zip(scales) {
                *w *= s;
            }
        }
        let params = params.as_slice();
        let results: Vec<(f64, Vec<f64>)> = std::thread::scope(|scope| {
            let handles: Vec<_> = blocks
                .chunks(per_thread)
                .map(|chunk| {
                    scope.spawn(move || {
                        chunk
                            .iter()
                            .map(|r| self.block(params, r.clone()))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_default())
                .collect()
        });
        let mut cost = 0.0;
        let mut grad = Array1::<f64>::zeros(n + 1);
        for (loss, g) in &results {
            cost += loss;
            for (a, b) in grad.iter_mut().zip(g) {
                *a += b;
            }
        }
        if let Some(scales) = self.scales {
            for (g, s) in grad.iter_mut().zip(scales) {
                *g *= s;
            }
        }
        let w = p.slice(ndarray::s![..n]);
        cost += 0.5 * self.alpha * w.dot(&w);
        for i in 0..n {
            grad[i] += self.alpha * p[i];
        }
        if let Ok(mut last) = self.last.lock() {
            *last = Some((p.clone(), cost, grad.clone()));
        }
        (cost, grad)
    }
}

impl CostFunction for Problem<'_> {
    type Param = Array1<f64>;
    type Output = f64;
    fn cost(&self, p: &Array1<f64>) -> std::result::Result<f64, argmin::core::Error> {
        Ok(self.evaluate(p).0)
    }
}

impl Gradient for Problem<'_> {
    type Param = Array1<f64>;
    type Gradient = Array1<f64>;
    fn gradient(&self, p: &Array1<f64>) -> std::result::Result<Array1<f64>, argmin::core::Error> {
        Ok(self.evaluate(p).1)
    }
}

impl Fit<CsrMatrix, Array1<bool>, Error> for ValidLogisticParams {
    type Object = FittedLogistic;

    /// Fits on the dataset's rows; `true` targets are the positive class. Sample weights, when the
    /// dataset has them, weight each row's loss.
    fn fit(&self, dataset: &DatasetBase<CsrMatrix, Array1<bool>>) -> Result<FittedLogistic> {
        let x = &dataset.records;
        let targets = &dataset.targets;
        if targets.len() != x.n_rows() {
            return Err(Error::Train(format!(
                "{} targets for {} rows",
                targets.len(),
                x.n_rows()
            )));
        }
        let positives = targets.iter().filter(|&&t| t).count();
        if positives == 0 || positives == targets.len() {
            return Err(Error::Train(
                "both classes need at least one example; add labelled examples of the missing class"
                    .into(),
            ));
        }
        let s = match dataset.weights() {
            Some(w) => w.iter().map(|&w| f64::from(w)).collect(),
            None => vec![1.0; x.n_rows()],
        };
        let scales = self.feature_scales();
        if let Some(f) = scales.filter(|f| f.len() != x.n_cols()) {
            return Err(Error::Train(format!(
                "{} feature scales for {} features",
                f.len(),
                x.n_cols()
            )));
        }
        let problem = Problem {
            x,
            y: targets
                .iter()
                .map(|&t| if t { 1.0 } else { -1.0 })
                .collect(),
            s,
            alpha: self.alpha(),
            scales,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            last: Mutex::new(None),
        };
        let solver = LBFGS::new(MoreThuenteLineSearch::new(), 10)
            .with_tolerance_grad(self.gradient_tolerance())
            .map_err(|e| Error::Train(e.to_string()))?;
        let init = Array1::<f64>::zeros(x.n_cols() + 1);
        let result = Executor::new(problem, solver)
            .configure(|state| state.param(init).max_iters(self.max_iterations()))
            .run()
            .map_err(|e| Error::Train(e.to_string()))?;
        let iterations = result.state.iter;
        let params = result
            .state
            .best_param
            .ok_or_else(|| Error::Train("the optimiser returned no parameters".into()))?;
        let n = x.n_cols();
        let mut weights = params.slice(ndarray::s![..n]).to_owned();
        if let Some(scales) = scales {
            weights *= &ndarray::ArrayView1::from(scales);
        }
        Ok(FittedLogistic {
            weights,
            intercept: params[n],
            iterations,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use linfa_logistic::LogisticRegression;
    use ndarray::Array2;

    /// A small dense problem with overlapping classes, so the optimum is finite.
    fn problem() -> (Array2<f64>, Array1<bool>) {
        let rows: Vec<[f64; 3]> = (0..60)
            .map(|i| {
                let t = f64::from(i);
                [
                    (t * 0.37).sin(),
                    (t * 0.11).cos(),
                    ((t * 0.53).sin() * 2.0).round() / 2.0,
                ]
            })
            .collect();
        let y: Array1<bool> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| r[0] + 0.5 * r[1] - 0.3 * r[2] + if i % 7 == 0 { 1.0 } else { 0.0 } > 0.2)
            .collect();
        let x = Array2::from_shape_vec((60, 3), rows.concat()).unwrap();
        (x, y)
    }

    fn to_csr(x: &Array2<f64>) -> CsrMatrix {
        let mut m = CsrMatrix::new(x.ncols());
        for row in x.rows() {
            let (idx, val): (Vec<u32>, Vec<f32>) = row
                .iter()
                .enumerate()
                .filter(|(_, v)| **v != 0.0)
                .map(|(i, v)| (i as u32, *v as f32))
                .unzip();
            m.push_row(&idx, &val);
        }
        m
    }

    #[test]
    fn finds_the_coefficients_linfa_logistic_finds() {
        let (x, y) = problem();
        let x32 = x.mapv(|v| f64::from(v as f32));
        let reference = LogisticRegression::default()
            .alpha(0.5)
            .max_iterations(500)
            .fit(&DatasetBase::new(x32.clone(), y.clone()))
            .unwrap();
        let ours = LogisticParams::new()
            .alpha(0.5)
            .max_iterations(500)
            .gradient_tolerance(1e-8)
            .check()
            .unwrap()
            .fit(&DatasetBase::new(to_csr(&x32), y.clone()))
            .unwrap();
        // linfa-logistic orients by its own choice of positive class; compare probabilities of `true`.
        let theirs = reference.predict_probabilities(&x32);
        let positive_is_true = reference.labels().pos.class;
        let csr = to_csr(&x32);
        let ours_p = (0..csr.n_rows()).map(|r| {
            let (idx, val) = csr.row(r);
            let z: f64 = idx
                .iter()
                .zip(val)
                .map(|(&i, &v)| ours.weights[i as usize] * f64::from(v))
                .sum();
            sigmoid(z + ours.intercept)
        });
        for (i, p) in ours_p.enumerate() {
            let q = if positive_is_true {
                theirs[i]
            } else {
                1.0 - theirs[i]
            };
            assert!((p - q).abs() < 1e-3, "row {i}: {p} vs {q}");
        }
        let sign = if positive_is_true { 1.0 } else { -1.0 };
        for (a, b) in ours.weights.iter().zip(reference.params()) {
            assert!((a - sign * b).abs() < 1e-3, "{a} vs {b}");
        }
    }

    #[test]
    fn true_is_positive_even_when_it_is_the_majority() {
        let (x, y) = problem();
        let flipped: Array1<bool> = y.mapv(|t| !t);
        let params = LogisticParams::new().check().unwrap();
        let a = params.fit(&DatasetBase::new(to_csr(&x), y)).unwrap();
        let b = params.fit(&DatasetBase::new(to_csr(&x), flipped)).unwrap();
        for (wa, wb) in a.weights.iter().zip(&b.weights) {
            assert!((wa + wb).abs() < 1e-4);
        }
    }

    #[test]
    fn feature_scales_fit_the_scaled_features_and_return_plain_weights() {
        let (x, y) = problem();
        let scales = [2.0, 0.5, 0.1];
        let scaled = x.clone() * &ndarray::arr1(&scales);
        let fit = |x: &Array2<f64>, scales: Option<Vec<f64>>| {
            let mut params = LogisticParams::new()
                .alpha(0.5)
                .max_iterations(500)
                .gradient_tolerance(1e-9);
            if let Some(s) = scales {
                params = params.feature_scales(s);
            }
            params
                .check()
                .unwrap()
                .fit(&DatasetBase::new(to_csr(x), y.clone()))
                .unwrap()
        };
        let on_scaled = fit(&scaled, None);
        let ours = fit(&x, Some(scales.to_vec()));
        for (j, scale) in scales.iter().enumerate() {
            let want = on_scaled.weights[j] * scale;
            assert!(
                (ours.weights[j] - want).abs() < 1e-4,
                "{j}: {ours:?} vs {want}"
            );
        }
        assert!((ours.intercept - on_scaled.intercept).abs() < 1e-4);
        // A small scale is a stronger penalty: the third weight shrinks against the plain fit.
        let plain = fit(&x, None);
        assert!(ours.weights[2].abs() < plain.weights[2].abs());
        let e = LogisticParams::new()
            .feature_scales(vec![1.0, 0.0, 1.0])
            .check()
            .unwrap_err();
        assert!(e.to_string().contains("feature_scales"), "{e}");
    }

    #[test]
    fn rejects_out_of_range_parameters_by_name() {
        let e = LogisticParams::new().alpha(-1.0).check().unwrap_err();
        assert!(e.to_string().contains("alpha"), "{e}");
        assert!(LogisticParams::new().max_iterations(0).check().is_err());
    }
}
