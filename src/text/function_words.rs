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

/// The function words, sorted, as normalised tokens (lower case, apostrophes removed): the list
/// [`is_function_word`] is tested against.
#[cfg(test)]
const FUNCTION_WORDS: [&str; 50] = [
    "a", "about", "am", "an", "and", "are", "as", "at", "be", "been", "but", "by", "did", "do",
    "does", "for", "from", "had", "has", "have", "here", "how", "if", "in", "is", "its", "just",
    "like", "of", "on", "one", "or", "so", "than", "that", "thats", "the", "then", "there",
    "these", "this", "those", "to", "too", "very", "was", "were", "what", "who", "with",
];

/// Whether a normalised token is a function word. It runs once per token on the scoring hot path, so
/// it is a `match` (compiled to a dispatch on length and a few comparisons) rather than a binary
/// search of a list; a test checks it against the sorted list.
#[rustfmt::skip]
pub fn is_function_word(token: &str) -> bool {
    matches!(
        token,
        "a" | "about" | "am" | "an" | "and" | "are" | "as" | "at" | "be" | "been" | "but" | "by"
            | "did" | "do" | "does" | "for" | "from" | "had" | "has" | "have" | "here" | "how"
            | "if" | "in" | "is" | "its" | "just" | "like" | "of" | "on" | "one" | "or" | "so"
            | "than" | "that" | "thats" | "the" | "then" | "there" | "these" | "this" | "those"
            | "to" | "too" | "very" | "was" | "were" | "what" | "who" | "with"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_match_agrees_with_the_list() {
        assert!(
            FUNCTION_WORDS.windows(2).all(|w| w[0] < w[1]),
            "sorted, no repeats"
        );
        assert!(FUNCTION_WORDS.iter().all(|w| is_function_word(w)));
        // Every prefix and one-letter extension of a listed word: the match must agree with the list.
        for word in FUNCTION_WORDS {
            for end in 0..=word.len() {
                for extra in ["", "s", "e", "y"] {
                    let probe = format!("{}{extra}", &word[..end]);
                    let listed = FUNCTION_WORDS.binary_search(&probe.as_str()).is_ok();
                    assert_eq!(is_function_word(&probe), listed, "{probe:?}");
                }
            }
        }
    }

    #[test]
    fn content_words_and_pronouns_are_not_function_words() {
        for token in ["kill", "them", "you", "hang", "these's", "the ", ""] {
            assert!(!is_function_word(token), "{token:?}");
        }
    }
}
