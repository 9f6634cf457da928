//! Features stage: hashed word and character n-grams, a sorted vocabulary, TF-IDF with stored IDF.

mod memo;
mod ngrams;
mod tfidf;
mod vocabulary;

pub use ngrams::{
    feature_hash, for_each_ngram, Kind, Ngram, NgramConfig, NgramScratch, QUOTED, SENTENCE_START,
};
pub use tfidf::{idf, Hit, SparseVector, Vectorizer, Workspace};
pub use vocabulary::{DocumentFrequencies, Vocabulary};
