//! redflag finds the reader comments in comment threads and flags the violent or abusive ones.
//!
//! The pipeline runs one way, one module per stage:
//!
//! ```text
//! thread page / dump ──thread──▶ Comment ──text (repair, normalize, tokenize)──▶ tokens with spans
//!   ──features (TF-IDF, IDF fixed at training)──▶ sparse vector
//!   ──model (one logistic regression per category)──▶ probabilities {violent, abusive}
//!   ──moderate (thresholds)──▶ Verdict { scores, decision, reasons }
//! ```
//!
//! [`serve`] answers the same verdicts over HTTP, in Perspective API's shapes among others.
//!
//! Scoring with the shipped model:
//!
//! ```
//! use redflag::{model::Model, moderate::{Decision, Scorer}};
//! let model = Model::shipped()?;
//! let mut scorer = Scorer::new(&model);
//! let verdict = scorer.verdict("Don't spare no one US terrorist! Execute on the spot!");
//! assert_eq!(verdict.decision, Decision::Hold);
//! assert!(verdict.reasons.iter().any(|r| r.ngram.contains("execute")));
//! assert_eq!(scorer.verdict("Embassy security is cover.").decision, Decision::Publish);
//! # Ok::<(), redflag::Error>(())
//! ```

#![warn(missing_docs)]

pub mod batch;
pub mod cli;
pub mod error;
pub mod features;
pub mod model;
pub mod moderate;
pub mod serve;
pub mod text;
pub mod thread;

pub use error::{Error, Result};
