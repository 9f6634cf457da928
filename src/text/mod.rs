//! Text stage: repair broken encodings, fold characters, split into tokens with spans.
//!
//! `repair` → `normalize` (per character) → `tokenize` (context: leet, spacing, elongation). The
//! features stage only ever sees [`Tokens`].

pub mod normalize;
mod repair;
mod tokenize;

pub use repair::repair;
pub use tokenize::{Token, Tokens};
