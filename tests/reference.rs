//! The fast tokenizer against the reference: Hugging Face `tokenizers`.
//!
//! redflag's hand-written tokenizer is on the scoring hot path; `tokenizers`' normalizer and
//! pre-tokenizer pipeline is the reference it must agree with on text without obfuscation: the same
//! words, in the same order, at the same byte offsets.

use redflag::text::Tokens;
use tokenizers::normalizers::{Lowercase, Sequence, StripAccents, NFKD};
use tokenizers::pre_tokenizers::whitespace::Whitespace;
use tokenizers::{
    NormalizedString, Normalizer, OffsetReferential, OffsetType, PreTokenizedString, PreTokenizer,
};

/// Words (runs of letters and digits) with their byte offsets in the original, by the reference.
fn reference_words(text: &str) -> Vec<(String, (usize, usize))> {
    let normalizer = Sequence::new(vec![NFKD.into(), StripAccents.into(), Lowercase.into()]);
    let mut normalized = NormalizedString::from(text);
    normalizer.normalize(&mut normalized).unwrap();
    let mut pre = PreTokenizedString::from(normalized);
    Whitespace {}.pre_tokenize(&mut pre).unwrap();
    pre.get_splits(OffsetReferential::Original, OffsetType::Byte)
        .into_iter()
        .filter(|(s, _, _)| s.chars().all(char::is_alphanumeric))
        .map(|(s, offsets, _)| (s.to_string(), offsets))
        .collect()
}

fn ours(text: &str) -> Vec<(String, (usize, usize))> {
    let mut t = Tokens::new();
    t.tokenize(text);
    t.iter().map(|t| (t.text.to_string(), t.span)).collect()
}

/// Plain text: letters, digits, spaces and sentence punctuation; no leetspeak, apostrophes, look-alike
/// Greek or Cyrillic letters, spaced-out or elongated letters in any case ("KkK"), where redflag
/// deliberately differs.
fn is_plain(text: &str) -> bool {
    !text.chars().any(|c| ('\u{370}'..='\u{52F}').contains(&c))
        && text
            .chars()
            .all(|c| c.is_alphanumeric() || c.is_whitespace() || ",.;:?()\"-".contains(c))
        && !text
            .split_whitespace()
            .any(|w| w.chars().any(|c| c.is_ascii_digit()) && w.chars().any(char::is_alphabetic))
        && !reference_words(text)
            .windows(3)
            .any(|w| w.iter().all(|x| x.0.chars().count() == 1))
        && !text
            .to_lowercase()
            .chars()
            .collect::<Vec<_>>()
            .windows(3)
            .any(|w| w[0] == w[1] && w[1] == w[2])
}

#[test]
fn agrees_with_the_reference_on_plain_text() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("labels");
    let (examples, _) = redflag::model::read_label_dir(&dir).unwrap();
    let mut compared = 0;
    for e in examples.iter().filter(|e| is_plain(&e.text)) {
        assert_eq!(
            ours(&e.text),
            reference_words(&e.text),
            "{}: {:?}",
            e.id,
            e.text
        );
        compared += 1;
    }
    assert!(compared > 500, "only {compared} plain examples compared");
}

#[test]
fn agrees_on_accents_and_width() {
    for text in [
        "Ô Liberté ! Que de crimes",
        "ＦＵＬＬ width and café",
        "Zürich, São Paulo",
    ] {
        assert_eq!(ours(text), reference_words(text), "{text}");
    }
}
