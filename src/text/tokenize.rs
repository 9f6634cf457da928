//! Splits a comment into normalised tokens that remember where they came from.
//!
//! Each [`Token`] carries its normalised text (what the features are built from) and its byte span in
//! the original comment (what a moderator is shown). Besides the per-character folding of
//! [`super::normalize`], this stage undoes the obfuscations that need context:
//!
//! - leetspeak inside words: "k1ll" → "kill", "h@ng" → "hang", "3xecute" → "execute";
//! - letters spaced or dotted apart: "e x e c u t e" → "execute", "k.i.l.l" → "kill";
//! - elongation: "kiiiill" → "kill" (three or more repeats collapse to one);
//! - apostrophes dropped: "don't" and "dont" meet.
//!
//! Emoji are tokens of their own, so "🔫" can carry weight like a word. Nothing is dropped as a stop
//! word: "I will kill you" keeps "i", "will" and "you", which carry the threat.
//!
//! The tokenizer reuses its buffers, so scoring a stream of comments allocates nothing per token.
//! Most comments are plain ASCII; those are cut into tokens byte by byte, without decoding characters
//! or keeping a span per character, and give exactly the tokens of the general path (a test compares
//! the two on random ASCII text).

use super::function_words::is_function_word;
use super::normalize::fold_char;
use std::ops::Range;

/// One token: normalised text and byte span in the original comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token<'a> {
    /// Normalised text ("kill" for "K1LL").
    pub text: &'a str,
    /// Byte range of the token in the original comment.
    pub span: (usize, usize),
}

/// A reusable tokenizer and the tokens of the last comment it read.
#[derive(Debug, Default, Clone)]
pub struct Tokens {
    /// Normalised text of all tokens, each preceded and the last also followed by one space, so that a
    /// word n-gram ("string them") and a padded token (" kill ") are each one contiguous slice.
    text: String,
    /// Each token's range in `text` and span in the input.
    items: Vec<(Range<u32>, (u32, u32))>,
    /// Whether each token opens a sentence (first token, or after `.`, `!`, `?`, `…` or a line break).
    starts: Vec<bool>,
    /// Whether each token stands inside quotation marks.
    quoted: Vec<bool>,
    /// Whether each token is a function word ("the", "are"; see [`is_function_word`]).
    function: Vec<bool>,
    /// Scratch: folded word characters with the input span of the character they came from.
    chars: Vec<(char, u32, u32)>,
    /// Scratch: pre-tokens as ranges into `chars`, and whether each is an emoji.
    pre: Vec<(Range<usize>, bool)>,
    /// Scratch: pre-tokens after spaced letters are merged.
    merged: Vec<(Range<usize>, bool)>,
    /// Scratch, ASCII input: the input in lower case.
    lower: String,
    /// Scratch, ASCII input: pre-tokens as byte ranges of the input, and whether pass 3 leaves them
    /// as they are.
    spans: Vec<(u32, u32, bool)>,
}

/// Whether the text between two tokens ends a sentence: it has `.`, `!`, `?`, `…` or a line break.
fn ends_sentence(gap: &str) -> bool {
    // Byte by byte: every gap between tokens is asked. '…' is the only one that is not ASCII.
    gap.bytes().any(|b| matches!(b, b'.' | b'!' | b'?' | b'\n'))
        || (!gap.is_ascii() && gap.contains('…'))
}

/// Whether `c`, between `prev` and `next`, opens a quotation: a straight or single quote only before a
/// word and not after one, so that apostrophes ("don't", "Iraqis'") never do.
fn opens_quote(
    c: char,
    prev: impl FnOnce() -> Option<char>,
    next: impl FnOnce() -> Option<char>,
) -> bool {
    let word = |x: Option<char>| x.is_some_and(char::is_alphanumeric);
    matches!(c, '“' | '«' | '„') || (matches!(c, '"' | '\'' | '‘') && !word(prev()) && word(next()))
}

/// Whether `c`, before `next`, closes the quotation `open` opened.
fn closes_quote(open: char, c: char, next: impl FnOnce() -> Option<char>) -> bool {
    match open {
        '“' | '„' => matches!(c, '”' | '“' | '"'),
        '«' => c == '»',
        '"' => c == '"',
        _ => matches!(c, '\'' | '’') && !next().is_some_and(char::is_alphanumeric),
    }
}

/// Characters that stand for letters inside an obfuscated word.
const fn leet(c: char) -> Option<char> {
    Some(match c {
        '0' => 'o',
        '1' | '!' | '|' => 'i',
        '3' | '€' => 'e',
        '4' | '@' => 'a',
        '5' | '$' => 's',
        '7' => 't',
        '8' => 'b',
        '9' => 'g',
        _ => return None,
    })
}

/// Characters that may stand inside a word: letters, digits, and symbols used as letters or to censor.
fn is_word_char(c: char) -> bool {
    match ASCII_WORD_CHARS.get(c as usize) {
        Some(&ascii) => ascii,
        None => c.is_alphanumeric() || leet(c).is_some(),
    }
}

/// [`is_word_char`] for ASCII, as a table: the tokenizer asks it for nearly every character.
const ASCII_WORD_CHARS: [bool; 128] = {
    let mut table = [false; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8 as char;
        table[b] = c.is_ascii_alphanumeric() || matches!(c, '\'' | '*' | '!' | '|' | '@' | '$');
        b += 1;
    }
    table
};

/// Pictographs that commenters use in place of words (🔫, 🪢, 💣, ⚰, 🔥).
fn is_emoji(c: char) -> bool {
    matches!(c as u32, 0x1F300..=0x1F5FF | 0x1F600..=0x1F64F | 0x1F680..=0x1F6FF
        | 0x1F900..=0x1F9FF | 0x1FA70..=0x1FAFF | 0x2600..=0x26FF | 0x2700..=0x27BF)
}

/// Characters that may separate the letters of a spaced-out word ("k i l l", "k.i.l.l", "k-i-l-l").
fn is_letter_gap(gap: &str) -> bool {
    !gap.is_empty()
        && gap.chars().count() <= 3
        && gap
            .chars()
            .all(|c| matches!(c, ' ' | '.' | '-' | '_' | '*' | '/' | '·' | '•'))
}

impl Tokens {
    /// An empty tokenizer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Tokenizes `input`, replacing the previous tokens.
    ///
    /// ```
    /// let mut tokens = redflag::text::Tokens::new();
    /// tokens.tokenize("E x e c u t e them, K1LL!");
    /// let texts: Vec<&str> = tokens.iter().map(|t| t.text).collect();
    /// assert_eq!(texts, ["execute", "them", "kill"]);
    /// ```
    pub fn tokenize(&mut self, input: &str) {
        self.tokenize_as(input, input.is_ascii());
    }

    /// [`Tokens::tokenize`], on the ASCII path when `ascii` (which `input` must then be).
    fn tokenize_as(&mut self, input: &str, ascii: bool) {
        self.text.clear();
        self.text.push(' ');
        self.items.clear();
        if ascii {
            self.split_ascii(input);
        } else {
            self.chars.clear();
            self.pre.clear();
            self.split(input);
            self.merge_spaced_letters(input);
            for i in 0..self.pre.len() {
                let (range, emoji) = self.pre[i].clone();
                self.finish(range, emoji);
            }
        }
        self.text.push(' ');
        self.starts.clear();
        self.function.clear();
        let mut previous_end = 0;
        for (range, (start, end)) in &self.items {
            let gap = &input[previous_end..*start as usize];
            self.starts.push(previous_end == 0 || ends_sentence(gap));
            previous_end = *end as usize;
            let text = &self.text[range.start as usize..range.end as usize];
            self.function.push(is_function_word(text));
        }
        self.mark_quotes(input, ascii);
    }

    /// Whether token `i` stands inside quotation marks ("…", “…”, ‘…’, '…', «…»).
    pub fn quoted(&self, i: usize) -> bool {
        self.quoted[i]
    }

    /// Finds quoted stretches of `input` and marks the tokens inside them. A straight or single quote
    /// opens only before a word and closes only after one, so apostrophes ("don't", "Iraqis'") never
    /// open a quotation; an unclosed quotation marks nothing.
    fn mark_quotes(&mut self, input: &str, ascii: bool) {
        self.quoted.clear();
        self.quoted.resize(self.items.len(), false);
        let mut open: Option<(char, usize)> = None;
        let mark = |at: usize| {
            let Some(c) = input[at..].chars().next() else {
                return;
            };
            let prev = || input[..at].chars().next_back();
            let next = || input[at + c.len_utf8()..].chars().next();
            match open {
                None if opens_quote(c, prev, next) => open = Some((c, at)),
                None => {}
                Some((o, start)) if closes_quote(o, c, next) => {
                    for (k, (_, (s, e))) in self.items.iter().enumerate() {
                        if *s as usize > start && (*e as usize) <= at {
                            self.quoted[k] = true;
                        }
                    }
                    open = None;
                }
                Some(_) => {}
            }
        };
        // Only quotation marks move the state, so only they are looked at: every one starts with
        // one of these bytes, none of which continues a UTF-8 sequence; ASCII has only the first two.
        let bytes = input.as_bytes();
        if ascii {
            memchr::memchr2_iter(b'"', b'\'', bytes).for_each(mark);
        } else {
            (0..bytes.len())
                .filter(|&at| matches!(bytes[at], b'"' | b'\'' | 0xC2 | 0xE2))
                .for_each(mark);
        }
    }

    /// Whether token `i` is a function word ("the", "are"), which the features may leave out.
    pub fn is_function_word(&self, i: usize) -> bool {
        self.function[i]
    }

    /// Whether token `i` opens a sentence: the first token, or one after `.`, `!`, `?`, `…` or a
    /// line break. Imperatives ("Execute them!") are told from reports ("they executed him") by it.
    pub fn starts_sentence(&self, i: usize) -> bool {
        self.starts[i]
    }

    /// The normalised text from the start of token `first` to the end of token `last`, with single
    /// spaces between tokens; `padded` adds the space before and after ("string them", " kill ").
    #[inline]
    pub fn slice(&self, first: usize, last: usize, padded: bool) -> &str {
        let start = self.items[first].0.start as usize - usize::from(padded);
        let end = self.items[last].0.end as usize + usize::from(padded);
        &self.text[start..end]
    }

    /// The tokens of the last comment, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Token<'_>> + '_ {
        self.items.iter().map(|(r, (s, e))| Token {
            text: &self.text[r.start as usize..r.end as usize],
            span: (*s as usize, *e as usize),
        })
    }

    /// How many tokens the last comment had.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the last comment had no tokens.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Pass 1: fold characters and cut them into pre-tokens at separators; trims symbols at the edges.
    fn split(&mut self, input: &str) {
        let mut start = 0;
        for (off, c) in input.char_indices() {
            let end = (off + c.len_utf8()) as u32;
            let off = off as u32;
            if c.is_ascii() {
                // The common case, folded in place: ASCII folds to its lower case alone.
                let f = c.to_ascii_lowercase();
                if is_word_char(f) {
                    self.chars.push((f, off, end));
                } else {
                    self.close(start);
                    start = self.chars.len();
                }
                continue;
            }
            if is_emoji(c) {
                self.close(start);
                self.chars.push((c, off, end));
                self.pre
                    .push((self.chars.len() - 1..self.chars.len(), true));
                start = self.chars.len();
                continue;
            }
            let mut cut = false;
            let chars = &mut self.chars;
            fold_char(c, |f| {
                if is_word_char(f) {
                    chars.push((f, off, end));
                } else {
                    cut = true;
                }
            });
            if cut {
                self.close(start);
                start = self.chars.len();
            }
        }
        self.close(start);
    }

    /// Ends the pre-token that started at `start` in `chars`, trimming non-alphanumeric edges.
    fn close(&mut self, start: usize) {
        let mut s = start;
        let mut e = self.chars.len();
        while s < e && !self.chars[s].0.is_alphanumeric() {
            s += 1;
        }
        while e > s && !self.chars[e - 1].0.is_alphanumeric() {
            e -= 1;
        }
        if s < e {
            self.pre.push((s..e, false));
        }
        // Characters trimmed off the end must not leak into the next pre-token.
        self.chars.truncate(e);
    }

    /// Pass 2: three or more single characters separated by spaces or dots become one word.
    fn merge_spaced_letters(&mut self, input: &str) {
        let single = |p: &(Range<usize>, bool)| !p.1 && p.0.len() == 1;
        let mut merged = std::mem::take(&mut self.merged);
        merged.clear();
        let mut i = 0;
        while i < self.pre.len() {
            let mut j = i + 1;
            if single(&self.pre[i]) {
                while j < self.pre.len() && single(&self.pre[j]) {
                    let prev_end = self.chars[self.pre[j - 1].0.start].2 as usize;
                    let next_start = self.chars[self.pre[j].0.start].1 as usize;
                    if !is_letter_gap(&input[prev_end..next_start]) {
                        break;
                    }
                    j += 1;
                }
            }
            if j - i >= 3 {
                let start = self.chars.len();
                for p in &self.pre[i..j] {
                    self.chars.push(self.chars[p.0.start]);
                }
                merged.push((start..self.chars.len(), false));
            } else {
                merged.extend(self.pre[i..j].iter().cloned());
            }
            i = j;
        }
        self.merged = std::mem::replace(&mut self.pre, merged);
    }

    /// Pass 3: leetspeak, apostrophes and elongation; appends the finished token.
    fn finish(&mut self, range: Range<usize>, emoji: bool) {
        let chars = &self.chars[range];
        let span = (chars[0].1, chars[chars.len() - 1].2);
        if self.text.len() > 1 {
            self.text.push(' ');
        }
        let start = self.text.len() as u32;
        if emoji {
            self.text.push(chars[0].0);
        } else {
            push_word(&mut self.text, chars.iter().map(|c| c.0));
        }
        self.items
            .push((start..self.text.len() as u32, (span.0, span.1)));
    }

    /// Passes 1 to 3 for ASCII input, byte by byte: a character is a byte, its span is its offset, and
    /// a pre-token is a run of word bytes trimmed to alphanumeric edges.
    fn split_ascii(&mut self, input: &str) {
        // The input in lower case, once: most words are copied from it as they are.
        self.lower.clear();
        self.lower.push_str(input);
        self.lower.make_ascii_lowercase();
        let bytes = self.lower.as_bytes();
        let is_word = |b: u8| ASCII_WORD_CHARS[usize::from(b & 0x7F)];
        let spans = &mut self.spans;
        spans.clear();
        let mut at = 0;
        while at < bytes.len() {
            if !is_word(bytes[at]) {
                at += 1;
                continue;
            }
            // Whether pass 3 does more than copy the run: it has a character that can stand for a
            // letter or an apostrophe (leetspeak, apostrophes), or one byte three times in a row
            // (elongation). Asked of the whole run, so also true of the word trimmed from it.
            let (mut special, mut triple) = (false, false);
            let (mut previous, mut before) = (0, 0);
            let (mut start, mut end) = (at, at);
            while end < bytes.len() && is_word(bytes[end]) {
                let b = bytes[end];
                special |= ASCII_LEET_OR_APOSTROPHE[usize::from(b & 0x7F)];
                triple |= b == previous && b == before;
                (before, previous) = (previous, b);
                end += 1;
            }
            at = end;
            while start < end && !bytes[start].is_ascii_alphanumeric() {
                start += 1;
            }
            while end > start && !bytes[end - 1].is_ascii_alphanumeric() {
                end -= 1;
            }
            if start < end {
                spans.push((start as u32, end as u32, !special && !triple));
            }
        }
        let mut i = 0;
        while i < spans.len() {
            // Spaced letters ("k i l l"), as in `merge_spaced_letters`.
            let single = |(start, end, _): (u32, u32, bool)| end - start == 1;
            let mut j = i + 1;
            if single(spans[i]) {
                while j < spans.len()
                    && single(spans[j])
                    && is_letter_gap(&input[spans[j - 1].1 as usize..spans[j].0 as usize])
                {
                    j += 1;
                }
            }
            let merge = j - i >= 3;
            let pieces = if merge { 1 } else { j - i };
            for &(s, e, plain) in &spans[i..i + pieces] {
                if self.text.len() > 1 {
                    self.text.push(' ');
                }
                let start = self.text.len() as u32;
                let (s, e) = (s as usize, e as usize);
                let span = if merge {
                    let letters = spans[i..j].iter().map(|&(s, _, _)| s as usize);
                    push_word(&mut self.text, letters.map(|s| char::from(bytes[s])));
                    (spans[i].0, spans[j - 1].1)
                } else if plain {
                    self.text.push_str(&self.lower[s..e]);
                    (s as u32, e as u32)
                } else {
                    push_word(&mut self.text, bytes[s..e].iter().map(|&b| char::from(b)));
                    (s as u32, e as u32)
                };
                self.items.push((start..self.text.len() as u32, span));
            }
            i = j;
        }
    }
}

/// ASCII characters that [`leet`] maps to a letter, and the apostrophe: the characters that make pass
/// 3 do more than lower the case of a word.
const ASCII_LEET_OR_APOSTROPHE: [bool; 128] = {
    let mut table = [false; 128];
    let mut b = 0;
    while b < 128 {
        table[b] = b == b'\'' as usize || leet(b as u8 as char).is_some();
        b += 1;
    }
    table
};

/// Pass 3 for a word: appends the normalised `chars` to `text`, decoding leetspeak when the word
/// looks like it, dropping apostrophes, and keeping one of three or more repeats.
fn push_word(text: &mut String, chars: impl Iterator<Item = char> + Clone) {
    let decode_leet = looks_like_leet(chars.clone());
    let mut last = None;
    let mut repeats = 0;
    for c in chars {
        if c == '\'' {
            continue;
        }
        let c = if decode_leet { leet(c).unwrap_or(c) } else { c };
        if Some(c) == last {
            repeats += 1;
            if repeats == 2 {
                // A third repeat: the word is elongated; keep a single one.
                text.pop();
            }
            if repeats >= 2 {
                continue;
            }
        } else {
            repeats = 0;
            last = Some(c);
        }
        text.push(c);
    }
}

/// Whether digits and symbols in a word stand for letters: the word has letters, and is not a number
/// with a short suffix ("1st", "90s", "5pm") or a number followed by letters ("2021th").
fn looks_like_leet(chars: impl Iterator<Item = char> + Clone) -> bool {
    // Most words have no digit or symbol: asked first, that settles them.
    if !chars.clone().any(|c| leet(c).is_some()) || !chars.clone().any(char::is_alphabetic) {
        return false;
    }
    let leading_digits = chars.clone().take_while(|c| c.is_ascii_digit()).count();
    let rest = chars.clone().skip(leading_digits);
    let suffix_is_letters = rest.clone().all(char::is_alphabetic);
    !(leading_digits >= 2 || (leading_digits >= 1 && suffix_is_letters && rest.count() <= 2))
}

#[cfg(test)]
mod tests {
    use super::Tokens;

    fn texts(input: &str) -> Vec<String> {
        let mut t = Tokens::new();
        t.tokenize(input);
        t.iter().map(|t| t.text.to_string()).collect()
    }

    #[test]
    fn obfuscations_meet_the_plain_word() {
        for v in [
            "kill", "KILL", "k1ll", "k i l l", "k.i.l.l", "kiiiill", "kіll", "k!ll", "k-i-l-l",
        ] {
            assert_eq!(texts(v), ["kill"], "{v}");
        }
        assert_eq!(texts("e x e c u t e"), ["execute"]);
        assert_eq!(texts("3xecute"), ["execute"]);
        assert_eq!(texts("h@ng them"), ["hang", "them"]);
    }

    #[test]
    fn numbers_mentions_and_ordinals_stay_readable() {
        assert_eq!(texts("On 9/11, 2021"), ["on", "9", "11", "2021"]);
        assert_eq!(texts("the 1st and 90s"), ["the", "1st", "and", "90s"]);
        assert_eq!(texts("@mike don't"), ["mike", "dont"]);
        assert_eq!(texts("spot! Execute!!"), ["spot", "execute"]);
    }

    #[test]
    fn function_words_are_marked_after_normalisation_on_both_paths() {
        let mut t = Tokens::new();
        for input in ["Th3 judges ARE these fools", "Th3 jüdges ARE these fools"] {
            t.tokenize(input);
            let function: Vec<bool> = (0..t.len()).map(|i| t.is_function_word(i)).collect();
            assert_eq!(function, [true, false, true, true, false], "{input}");
        }
    }

    #[test]
    fn spans_point_into_the_original() {
        let input = "Let them STRING them up 🪢!";
        let mut t = Tokens::new();
        t.tokenize(input);
        let spans: Vec<&str> = t.iter().map(|t| &input[t.span.0..t.span.1]).collect();
        assert_eq!(spans, ["Let", "them", "STRING", "them", "up", "🪢"]);
        t.tokenize("e x e c u t e now");
        let first = t.iter().next().unwrap();
        assert_eq!(first.span, (0, 13));
        assert_eq!(t.slice(0, 1, false), "execute now");
        assert_eq!(t.slice(1, 1, true), " now ");
        t.tokenize("Go home. Now! then stop");
        let starts: Vec<bool> = (0..t.len()).map(|i| t.starts_sentence(i)).collect();
        assert_eq!(starts, [true, false, true, true, false]);
    }

    /// The quotation marking as first written: the same rules, applied at every character.
    fn reference_quotes(t: &Tokens, input: &str) -> Vec<bool> {
        let items: Vec<(usize, usize)> = t.iter().map(|t| t.span).collect();
        let mut quoted = vec![false; items.len()];
        let mut open: Option<(char, usize)> = None;
        let mut prev: Option<char> = None;
        let mut chars = input.char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            let next = chars.peek().map(|&(_, n)| n);
            match open {
                None if super::opens_quote(c, || prev, || next) => open = Some((c, at)),
                Some((o, start)) if super::closes_quote(o, c, || next) => {
                    let inside = |&(s, e): &(usize, usize)| s > start && e <= at;
                    for (q, span) in quoted.iter_mut().zip(&items) {
                        *q |= inside(span);
                    }
                    open = None;
                }
                _ => {}
            }
            prev = Some(c);
        }
        quoted
    }

    #[test]
    fn quotation_marks_alone_decide_quoting() {
        let mut t = Tokens::new();
        for input in [
            "he said \"hang them\" and left",
            "don't say ‘kill’ here, it's the Iraqis' fault",
            "«Tuez-les» a dit „er“ and “the ”end”",
            "'a' 'b 'c' d' \"\"e\" «» ‘’ ’’ \"",
            "Ô “Liberté” ! «crimes» ‘en’ ton nom 'x'",
            "k'i'l'l \"k i l l\" 'e x e c'",
        ] {
            t.tokenize(input);
            let quoted: Vec<bool> = (0..t.len()).map(|i| t.quoted(i)).collect();
            assert_eq!(quoted, reference_quotes(&t, input), "{input}");
        }
    }

    #[test]
    fn ascii_word_characters_table() {
        for b in 0..128u8 {
            let c = b as char;
            let rule = c.is_alphanumeric() || c == '\'' || c == '*' || super::leet(c).is_some();
            assert_eq!(super::is_word_char(c), rule, "{c:?}");
        }
    }

    #[test]
    fn quotations_are_marked_but_apostrophes_are_not() {
        let mut t = Tokens::new();
        let quoted = |t: &Tokens| (0..t.len()).map(|i| t.quoted(i)).collect::<Vec<_>>();
        t.tokenize("he said \"hang them\" and left");
        assert_eq!(quoted(&t), [false, false, true, true, false, false]);
        t.tokenize("don't say ‘kill’ here, it's the Iraqis' fault");
        assert_eq!(
            quoted(&t),
            [false, false, true, false, false, false, false, false]
        );
        t.tokenize("an “unclosed quote");
        assert_eq!(quoted(&t), [false, false, false]);
    }

    #[test]
    fn the_ascii_path_gives_the_tokens_of_the_general_path() {
        // Random ASCII text from pieces that exercise every rule: leetspeak, spaced and dotted
        // letters, elongation, apostrophes and quotation marks, sentence ends, symbols at the edges.
        let pieces = [
            "a", "k", "I", "x", "kill", "Hang", "THEM", "k1ll", "h@ng", "3xecute", "1st", "90s",
            "5pm", "2021th", "a1", "11a", "sh00t", "$hit", "|<", "f**k", "kiiiill", "aa", "don't",
            "'", "\"", "'quoted'", "\"q\"", ".", "!", "?", ",", "-", "_", "*", "/", "|", "@", "$",
            "...", " ", " ", " ", "  ", "\n", "\t", "(", ")", ":", "#", "&", "~", "0", "7", "9",
            "e x e", "k.i.l.l", "k-i-l", "k / i", "a b c d",
        ];
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let (mut fast, mut general) = (Tokens::new(), Tokens::new());
        for _ in 0..20_000 {
            let input: String = (0..next(24)).map(|_| pieces[next(pieces.len())]).collect();
            fast.tokenize_as(&input, true);
            general.tokenize_as(&input, false);
            assert_eq!(
                (&fast.text, &fast.items, &fast.starts, &fast.quoted),
                (
                    &general.text,
                    &general.items,
                    &general.starts,
                    &general.quoted
                ),
                "{input:?}"
            );
        }
    }

    #[test]
    fn ordinary_single_letters_are_not_merged() {
        assert_eq!(texts("I am a fan"), ["i", "am", "a", "fan"]);
        assert_eq!(texts("a, b"), ["a", "b"]);
    }
}
