//! Function words: articles, copulas, demonstratives, conjunctions and prepositions.
//!
//! A small hand-labelled set teaches a linear model the habits of whoever wrote it as well as the
//! meaning: when many insults in the labels read "these are …" or "X is a …", the n-grams "these
//! are", "is a" and the character n-grams of "are" become evidence of abuse, and real posts that
//! happen to say "these are our people" get held. Leaving function words out of the features (see
//! [`crate::features::NgramConfig::skip_function_words`]) removed most of that on real posts.
//! Pronouns stay features: "kill them" and "you are a …" need their targets.
//!
//! The list is part of the model format: a model trained with it scores differently without it, so
//! it only grows with a new format version.

/// The function words, sorted, as normalised tokens (lower case, apostrophes removed).
const FUNCTION_WORDS: [&str; 50] = [
    "a", "about", "am", "an", "and", "are", "as", "at", "be", "been", "but", "by", "did", "do",
    "does", "for", "from", "had", "has", "have", "here", "how", "if", "in", "is", "its", "just",
    "like", "of", "on", "one", "or", "so", "than", "that", "thats", "the", "then", "there",
    "these", "this", "those", "to", "too", "very", "was", "were", "what", "who", "with",
];

/// Whether a normalised token is a function word.
pub fn is_function_word(token: &str) -> bool {
    token.len() <= 5 && FUNCTION_WORDS.binary_search(&token).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_sorted_so_binary_search_finds_every_word() {
        assert!(FUNCTION_WORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(FUNCTION_WORDS.iter().all(|w| is_function_word(w)));
    }

    #[test]
    fn content_words_and_pronouns_are_not_function_words() {
        for token in ["kill", "them", "you", "hang", "these's", "the ", ""] {
            assert!(!is_function_word(token), "{token:?}");
        }
    }
}
