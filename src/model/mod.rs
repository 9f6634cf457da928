//! Model stage: one logistic regression per category over the TF-IDF features.
//!
//! Scoring is a sparse dot product over stored weights and needs no linfa; training
//! ([`train`](crate::model::train())) fits the weights with argmin behind linfa's `Fit` trait.

mod file;
mod logistic;
pub mod metrics;
mod train;

pub use file::{CategoryTraining, LabelFile, Metadata, FORMAT, VERSION};
pub use logistic::{sigmoid, CsrMatrix, FittedLogistic, LogisticParams, ValidLogisticParams};
pub use train::{
    read_examples, read_label_dir, train, Example, TrainParams, TrainReport, ValidTrainParams,
};

use crate::features::{SparseVector, Vectorizer};
use serde::{Deserialize, Serialize};

/// The categories redflag scores, in output order.
pub const CATEGORIES: [&str; 2] = ["violent", "abusive"];

/// One category's classifier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Classifier {
    /// Category name (`violent`, `abusive`).
    pub name: String,
    /// Intercept.
    pub bias: f32,
    /// A score at or above this holds the comment; chosen by cross-validation.
    pub threshold: f32,
    /// One weight per feature.
    pub weights: Vec<f32>,
}

impl Classifier {
    /// Probability of the category for a vectorized comment.
    pub fn probability(&self, x: &SparseVector) -> f32 {
        self.probability_of(x.dot(&self.weights))
    }

    /// Probability of the category for a comment whose dot product with the weights is `dot`.
    pub fn probability_of(&self, dot: f32) -> f32 {
        sigmoid(f64::from(self.bias + dot)) as f32
    }
}

/// A trained model: the vectorizer, one classifier per category, and how it was trained.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Tokens to TF-IDF vectors.
    pub vectorizer: Vectorizer,
    /// One classifier per category, in [`CATEGORIES`] order.
    pub categories: Vec<Classifier>,
    /// What the model was trained on and how.
    pub metadata: Metadata,
}

/// The model shipped in `models/`, built into the binary so that redflag works with no download.
pub const SHIPPED: &[u8] = include_bytes!("../../models/redflag.json");

impl Model {
    /// The shipped model.
    pub fn shipped() -> crate::Result<Model> {
        Model::from_bytes(SHIPPED, "<built-in models/redflag.json>")
    }
}
