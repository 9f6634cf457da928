//! Repairs mojibake: UTF-8 text that was once decoded as Windows-1252 ("â€™" for "’", "Ã©" for "é").
//!
//! Comment dumps and scraped pages often pass through a tool that reads UTF-8 bytes as Windows-1252.
//! Each broken character then shows up as two to four Latin-1 characters. Left alone, "donâ€™t" becomes
//! three meaningless tokens and hides a word from the model, so every comment is repaired before it is
//! normalised. The repair is local: only sequences that re-encode to one valid multi-byte UTF-8 character
//! are replaced, so genuine accented text ("café", "Liberté") is left untouched.

use std::borrow::Cow;

/// Windows-1252 bytes 0x80..=0x9F; `None` where the code page leaves the byte undefined.
const CP1252_HIGH: [Option<char>; 32] = [
    Some('€'),
    None,
    Some('‚'),
    Some('ƒ'),
    Some('„'),
    Some('…'),
    Some('†'),
    Some('‡'),
    Some('ˆ'),
    Some('‰'),
    Some('Š'),
    Some('‹'),
    Some('Œ'),
    None,
    Some('Ž'),
    None,
    None,
    Some('‘'),
    Some('’'),
    Some('“'),
    Some('”'),
    Some('•'),
    Some('–'),
    Some('—'),
    Some('˜'),
    Some('™'),
    Some('š'),
    Some('›'),
    Some('œ'),
    None,
    Some('ž'),
    Some('Ÿ'),
];

/// The Windows-1252 byte a character came from, if it could have come from one above ASCII.
/// C1 control characters stand for themselves: "sloppy" decoders map undefined bytes to them.
fn cp1252_byte(c: char) -> Option<u8> {
    let code = c as u32;
    if (0x80..=0xFF).contains(&code) {
        return Some(code as u8);
    }
    CP1252_HIGH
        .iter()
        .position(|&m| m == Some(c))
        .map(|i| 0x80 + i as u8)
}

/// How many bytes a UTF-8 sequence starting with `lead` has, for lead bytes of multi-byte characters.
fn sequence_len(lead: u8) -> Option<usize> {
    match lead {
        0xC2..=0xDF => Some(2),
        0xE0..=0xEF => Some(3),
        0xF0..=0xF4 => Some(4),
        _ => None,
    }
}

/// Repairs mojibake in `text`; returns it unchanged (borrowed) when there is nothing to repair.
///
/// ```
/// assert_eq!(redflag::text::repair("donâ€™t"), "don’t");
/// assert_eq!(redflag::text::repair("Liberté"), "Liberté");
/// ```
pub fn repair(text: &str) -> Cow<'_, str> {
    if !may_hold_mojibake(text) {
        return Cow::Borrowed(text);
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if let Some((decoded, used)) = decode_at(&chars, i) {
            out.push(decoded);
            i += used;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    if out == text {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(out)
    }
}

/// Whether `text` has a character that a UTF-8 lead byte (0xC2 and up) becomes when read as
/// Windows-1252: U+00C2 to U+00FF, which UTF-8 encodes as 0xC3 followed by 0x82 to 0xBF. Every comment
/// is asked, so this looks at bytes, not characters.
fn may_hold_mojibake(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr_iter(0xC3, bytes).any(|i| bytes.get(i + 1).is_some_and(|&b| b >= 0x82))
}

/// Tries to read one mis-decoded UTF-8 character at `chars[i]`: returns it and how many chars it used.
fn decode_at(chars: &[char], i: usize) -> Option<(char, usize)> {
    let lead = cp1252_byte(chars[i])?;
    let len = sequence_len(lead)?;
    let mut bytes = [lead, 0, 0, 0];
    let mut have = 1;
    while have < len {
        match chars.get(i + have).and_then(|&c| cp1252_byte(c)) {
            Some(b @ 0x80..=0xBF) => bytes[have] = b,
            _ => break,
        }
        have += 1;
    }
    if have == len {
        if let Ok(s) = std::str::from_utf8(&bytes[..len]) {
            return s.chars().next().map(|c| (c, len));
        }
        return None;
    }
    // "â€" followed by a space or the end: the right double quote (E2 80 9D) whose last byte, undefined
    // in Windows-1252, was dropped by the decoder. It is by far the most common truncated sequence.
    let at_boundary = chars.get(i + 2).is_none_or(|c| c.is_whitespace());
    if have == 2 && lead == 0xE2 && bytes[1] == 0x80 && at_boundary {
        return Some(('”', 2));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::repair;

    #[test]
    fn repairs_quotes_apostrophes_and_accents() {
        assert_eq!(repair("Khalilzadâ€™s efforts"), "Khalilzad’s efforts");
        assert_eq!(repair("â€œLegitimacyâ€\u{9d} said"), "“Legitimacy” said");
        assert_eq!(repair("cafÃ© crÃ¨me"), "café crème");
        assert_eq!(repair("a â€” b"), "a — b");
    }

    #[test]
    fn repairs_the_truncated_closing_quote_of_seed_002() {
        assert_eq!(
            repair("semblance of durability.â€"),
            "semblance of durability.”"
        );
        assert_eq!(repair("right side.â€\nNext"), "right side.”\nNext");
    }

    #[test]
    fn the_byte_check_finds_what_the_character_check_finds() {
        let by_characters = |t: &str| {
            t.chars()
                .any(|c| super::cp1252_byte(c).is_some_and(|b| b >= 0xC2))
        };
        for c in (0..0x3000).filter_map(char::from_u32) {
            let text = format!("a{c}b");
            assert_eq!(
                super::may_hold_mojibake(&text),
                by_characters(&text),
                "{c:?}"
            );
        }
    }

    #[test]
    fn leaves_genuine_text_alone() {
        for text in [
            "Ô Liberté ! Que de crimes on commet en ton nom !",
            "Ceaușescu, Zürich, naïve, São Paulo",
            "plain ascii",
            "price: 5€ — “quoted”",
            "Don’t spare",
        ] {
            assert_eq!(repair(text), text);
        }
    }
}
