//! Text stage: repair broken encodings, fold characters, split into tokens with spans.
//!
//! `repair` → `normalize` (per character) → `tokenize` (context: leet, spacing, elongation). The
//! features stage only ever sees [`Tokens`].

mod function_words;
pub mod normalize;
mod repair;
mod tokenize;

pub use function_words::is_function_word;
pub use repair::repair;
pub use tokenize::{Token, Tokens};
