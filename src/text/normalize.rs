//! Character folding: the part of normalisation that works one character at a time.
//!
//! Commenters who want to get past a filter write "kіll" with a Cyrillic "і", "ｋｉｌｌ" in full width,
//! "k\u{200B}ill" with a zero-width space, or "kíll" with an accent. Folding maps all of these to plain
//! lower-case Latin letters so that they meet the features the model learned from "kill". Folding that
//! needs context (leetspeak digits, spaced letters, elongation) happens in [`super::tokenize`].

use unicode_normalization::char::{decompose_compatible, is_combining_mark};

/// Characters that are invisible and only serve to split words for a filter: removed entirely.
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
        | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{E0100}'..='\u{E01EF}')
}

/// Cyrillic and Greek letters that look like Latin ones, as they are written to dodge filters.
fn confusable(c: char) -> char {
    match c {
        'а' | 'α' => 'a',
        'в' | 'β' => 'b',
        'с' | 'ϲ' => 'c',
        'ԁ' => 'd',
        'е' | 'ё' | 'є' | 'ε' => 'e',
        'һ' | 'н' => 'h',
        'і' | 'ї' | 'ι' | 'ӏ' => 'i',
        'ј' => 'j',
        'к' | 'κ' => 'k',
        'м' => 'm',
        'п' | 'η' => 'n',
        'о' | 'ο' | 'σ' => 'o',
        'р' | 'ρ' => 'p',
        'ԛ' => 'q',
        'г' => 'r',
        'ѕ' => 's',
        'т' | 'τ' => 't',
        'υ' | 'ц' => 'u',
        'ν' => 'v',
        'ш' | 'ω' => 'w',
        'х' | 'χ' => 'x',
        'у' | 'γ' => 'y',
        _ => c,
    }
}

/// Folds one character: compatibility decomposition (full-width and styled letters, ligatures),
/// accents removed, lower case, look-alike letters mapped to Latin. Calls `emit` for each resulting
/// character; invisible characters emit nothing.
pub fn fold_char(c: char, mut emit: impl FnMut(char)) {
    if c.is_ascii() {
        emit(c.to_ascii_lowercase());
        return;
    }
    if is_invisible(c) {
        return;
    }
    match c {
        '’' | '‘' | 'ʼ' | '`' | '´' | '′' => return emit('\''),
        _ => {}
    }
    decompose_compatible(c, |d| {
        if is_combining_mark(d) {
            return;
        }
        for lower in d.to_lowercase() {
            emit(confusable(lower));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::fold_char;

    fn fold(s: &str) -> String {
        let mut out = String::new();
        for c in s.chars() {
            fold_char(c, |f| out.push(f));
        }
        out
    }

    #[test]
    fn folds_case_accents_width_and_lookalikes() {
        assert_eq!(fold("KÍLL"), "kill");
        assert_eq!(fold("ｋｉｌｌ"), "kill");
        assert_eq!(fold("kіll"), "kill"); // Cyrillic і
        assert_eq!(fold("ехесutе"), "execute"); // Cyrillic е, х, с
        assert_eq!(fold("k\u{200B}ill"), "kill");
        assert_eq!(fold("𝐤𝐢𝐥𝐥"), "kill");
        assert_eq!(fold("ﬁre"), "fire");
        assert_eq!(fold("don’t"), "don't");
    }
}
