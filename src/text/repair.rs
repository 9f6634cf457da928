//! Repairs mojibake: UTF-8 text that was once decoded as Windows-1252 ("â€™" for "’", "Ã©" for "é").
//!
//! Comment dumps and scraped pages often pass through a tool that reads UTF-8 bytes as Windows-1252.
//! Each broken character then shows up as two to four Latin-1 characters. Left alone, "donâ€™t" becomes
//! three meaningless tokens and hides a word from the model, so every comment is repaired before it is
//! normalised. The repair is local: only sequences that re-encode to one valid multi-byte UTF-8 character
//! are replaced, so genuine accented text ("café", "Liberté") is left untouched.
//!
//! It also decodes HTML character references, which dumps keep escaped: Reddit's bodies have "&amp;",
//! "&gt;" and "&lt;", tweets in public corpora carry emoji as "&#128299;". Left alone, a gun emoji
//! becomes the digits "128299" and "&amp;" a token "amp". Only the references that mean one character
//! are decoded (`&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;`, `&nbsp;`, `&#NNN;`, `&#xHHHH;`); anything
//! else that starts with "&" stays as it is.
//!
//! Both repairs are repeated until nothing changes, so text escaped or mis-decoded twice ("&amp;gt;",
//! "Ã¢â‚¬â„¢") comes out whole, and repairing repaired text changes nothing: a comment scores the same
//! whether `redflag check` gets it raw or `redflag score` gets it from `parse`, which repaired it
//! already.

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
    let Cow::Owned(mut out) = repair_once(text) else {
        return Cow::Borrowed(text);
    };
    // Each pass that changes the text shortens it (a reference or a mis-decoded sequence becomes one
    // shorter character), so this ends.
    while let Cow::Owned(next) = repair_once(&out) {
        out = next;
    }
    Cow::Owned(out)
}

/// One pass: references first, so that mojibake they spell out ("&#195;&#169;") is repaired too.
fn repair_once(text: &str) -> Cow<'_, str> {
    match decode_references(text) {
        Cow::Borrowed(text) => repair_mojibake(text),
        Cow::Owned(text) => Cow::Owned(repair_mojibake(&text).into_owned()),
    }
}

/// Replaces the mis-decoded UTF-8 sequences of `text`.
fn repair_mojibake(text: &str) -> Cow<'_, str> {
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

/// Decodes the HTML character references of `text` that stand for one character (see the module
/// documentation); returns it borrowed when it has none.
fn decode_references(text: &str) -> Cow<'_, str> {
    let Some(first) = memchr::memchr(b'&', text.as_bytes()) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::new();
    let mut copied = 0;
    let mut at = first;
    while at < text.len() {
        if let Some((c, len)) = reference_at(&text[at..]) {
            out.push_str(&text[copied..at]);
            out.push(c);
            at += len;
            copied = at;
        } else {
            at += 1;
        }
        match memchr::memchr(b'&', &text.as_bytes()[at..]) {
            Some(next) => at += next,
            None => break,
        }
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// The character a reference at the start of `s` (which starts with "&") stands for, and its length.
fn reference_at(s: &str) -> Option<(char, usize)> {
    let end = s.as_bytes().iter().take(10).position(|&b| b == b';')?;
    let name = &s[1..end];
    let c = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code).filter(|&c| c != '\0')?
        }
    };
    Some((c, end + 1))
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
    fn decodes_html_character_references() {
        assert_eq!(repair("guns &amp; roses"), "guns & roses");
        assert_eq!(repair("&gt; quoted &lt;3"), "> quoted <3");
        assert_eq!(repair("shoot &#128299;&#x1F52B;!"), "shoot 🔫🔫!");
        assert_eq!(repair("&quot;a&quot; &apos;b&apos;"), "\"a\" 'b'");
        assert_eq!(repair("Ã© &amp; â€™"), "é & ’");
        assert_eq!(repair("&amp;gt; quoted"), "> quoted", "escaped twice");
        assert_eq!(
            repair("&#195;&#169;t&#195;&#169;"),
            "été",
            "mojibake spelt as references"
        );
    }

    #[test]
    fn repeats_until_nothing_changes_so_repaired_text_stays_as_it_is() {
        assert_eq!(repair("donÃ¢â‚¬â„¢t"), "don’t", "mis-decoded twice");
        for text in [
            "&amp;amp;lt;3",
            "donÃ¢â‚¬â„¢t &amp;gt; cafÃ©",
            "&#38;#128299;",
            "plain",
        ] {
            let once = repair(text).into_owned();
            assert_eq!(repair(&once), once, "{text:?}");
        }
    }

    #[test]
    fn leaves_other_ampersands_alone() {
        for text in [
            "R&D and AT&T",
            "a & b",
            "&unknown; &#; &#xZZ; &#55296; &#0; &#99999999999;",
            "&amp",
            "trailing &",
            "&#128299 no semicolon",
        ] {
            assert_eq!(repair(text), text);
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
