//! JSON Lines dumps, read one record at a time with bounded memory.
//!
//! Only the fields redflag uses are decoded (text, id, author, parent, time, thread); the dozens of
//! other fields of a Reddit dump are skipped without being built. A line that is not a JSON object,
//! lacks a text field, is not valid UTF-8 or is longer than the limit becomes an error record.

use super::{input::Source, iso8601, Comment, Fields, Item, ReadOptions, RecordError};
use crate::text::repair;
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;
use std::borrow::Cow;
use std::io::BufRead;

/// The lines of a JSON Lines input, unparsed: what a reader hands to the threads that parse them.
pub struct Lines {
    name: String,
    reader: Box<dyn BufRead + Send>,
    max_line_bytes: usize,
    line: usize,
    failed: bool,
}

impl Lines {
    /// Reads `source` line by line.
    pub fn new(source: Source, options: &ReadOptions) -> Self {
        Lines {
            name: source.name().to_string(),
            reader: source.into_reader(),
            max_line_bytes: options.max_line_bytes,
            line: 0,
            failed: false,
        }
    }

    /// The input's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Appends the next line that is not blank to `buf` (without its line ending) and returns its
    /// 1-based number. A line over the length limit, or a read error (after which the rest of the
    /// input is lost), comes back as an error item and leaves `buf` as it was. `None` at the end.
    pub fn next_into(&mut self, buf: &mut Vec<u8>) -> Option<Result<usize, Item>> {
        let start = buf.len();
        loop {
            if self.failed {
                return None;
            }
            self.line += 1;
            match read_line_capped(&mut self.reader, buf, self.max_line_bytes) {
                Ok(None) => return None,
                Ok(Some(true)) if buf[start..].iter().all(u8::is_ascii_whitespace) => {
                    buf.truncate(start);
                }
                Ok(Some(true)) => return Some(Ok(self.line)),
                Ok(Some(false)) => {
                    return Some(Err(error_item(
                        &self.name,
                        self.line,
                        None,
                        format!("line longer than {} bytes", self.max_line_bytes),
                    )))
                }
                Err(e) => {
                    self.failed = true;
                    return Some(Err(error_item(
                        &self.name,
                        self.line,
                        None,
                        format!("read error: {e}; the rest of the input is lost"),
                    )));
                }
            }
        }
    }
}

/// An error record for line `line` of `name`, with the record's own id when it had one.
fn error_item(name: &str, line: usize, id: Option<String>, error: String) -> Item {
    Item::Error(RecordError {
        id: id.unwrap_or_else(|| format!("{name}:{line}")),
        error,
        line,
    })
}

/// Parses line `line` of the JSON Lines input `name` into a comment, or an error record when it is not
/// valid UTF-8, not a JSON object, or has no text field.
pub fn parse_line(name: &str, line: usize, bytes: &[u8], fields: &Fields) -> Item {
    let text = match std::str::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => {
            return error_item(
                name,
                line,
                None,
                format!("invalid UTF-8 at byte {} of the line", e.valid_up_to()),
            )
        }
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let picked = match FieldsSeed(fields).deserialize(&mut de) {
        Ok(p) => p,
        Err(e) => return error_item(name, line, None, format!("invalid JSON: {e}")),
    };
    if let Err(e) = de.end() {
        return error_item(name, line, None, format!("invalid JSON: {e}"));
    }
    let Some(body) = picked.text else {
        return error_item(
            name,
            line,
            picked.id,
            format!(
                "no text field (looked for {}); name it with --text-field",
                fields.text.join(", ")
            ),
        );
    };
    // Most bodies need no repair: they are kept, not copied.
    let repaired = match repair(&body) {
        Cow::Owned(repaired) => Some(repaired),
        Cow::Borrowed(_) => None,
    };
    Item::Comment(Comment {
        id: picked.id.unwrap_or_else(|| format!("{name}:{line}")),
        thread: picked.thread,
        author: picked.author,
        posted_at: picked.posted_at,
        body: repaired.unwrap_or(body),
        parent: picked.parent,
    })
}

/// Iterator over the items of a JSON Lines input, parsed one line at a time with bounded memory.
pub struct JsonLines {
    lines: Lines,
    fields: Fields,
    buf: Vec<u8>,
}

impl JsonLines {
    /// Parses the lines of `lines`.
    pub fn new(lines: Lines, options: &ReadOptions) -> Self {
        JsonLines {
            lines,
            fields: options.fields.clone(),
            buf: Vec::new(),
        }
    }
}

/// Appends one line to `buf` (without the newline), keeping at most `max` bytes of it; on a longer
/// line `buf` is left as it was. Returns `Ok(None)` at the end, `Ok(Some(false))` when the line was
/// longer than `max`.
pub(crate) fn read_line_capped(
    reader: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<Option<bool>> {
    let start = buf.len();
    let mut fits = true;
    let mut any = false;
    loop {
        let available = reader.fill_buf()?;
        if available.is_empty() {
            return Ok(if any { Some(fits) } else { None });
        }
        any = true;
        let (chunk, done) = match memchr::memchr(b'\n', available) {
            Some(i) => (&available[..i], Some(i + 1)),
            None => (available, None),
        };
        if fits && buf.len() - start + chunk.len() <= max {
            buf.extend_from_slice(chunk);
        } else {
            fits = false;
            buf.truncate(start);
        }
        let used = done.unwrap_or(available.len());
        reader.consume(used);
        if done.is_some() {
            if buf.len() > start && buf.last() == Some(&b'\r') {
                buf.pop();
            }
            return Ok(Some(fits));
        }
    }
}

impl Iterator for JsonLines {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        self.buf.clear();
        Some(match self.lines.next_into(&mut self.buf)? {
            Ok(line) => parse_line(self.lines.name(), line, &self.buf, &self.fields),
            Err(error) => error,
        })
    }
}

/// The fields of one record that redflag uses.
#[derive(Debug, Default)]
pub(crate) struct Picked {
    pub text: Option<String>,
    text_rank: usize,
    pub id: Option<String>,
    id_rank: usize,
    pub author: Option<String>,
    pub parent: Option<String>,
    pub posted_at: Option<String>,
    pub thread: Option<String>,
}

/// A JSON scalar as text (ids may be numbers, times may be strings).
enum Scalar<'a> {
    Str(Cow<'a, str>),
    Int(i64),
    Float(f64),
    Bool(bool),
    Null,
    /// An array or an object.
    Other,
}

/// Decoded straight from the JSON, as an untagged enum would be but without buffering the value and
/// trying each variant in turn: this runs for every field of every record.
impl<'de: 'a, 'a> Deserialize<'de> for Scalar<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a string, number, boolean or null")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Str(Cow::Owned(v.to_string())))
    }
    fn visit_string<E>(self, v: String) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Str(Cow::Owned(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Scalar<'de>, E> {
        Ok(i64::try_from(v).map_or(Scalar::Float(v as f64), Scalar::Int))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Float(v))
    }
    fn visit_bool<E>(self, v: bool) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Bool(v))
    }
    fn visit_unit<E>(self) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Null)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar<'de>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Scalar::Other)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalar<'de>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Scalar::Other)
    }
}

/// The next value of `map` as a scalar; an array or object is an error once it has been read, so that
/// the error points after it.
fn next_scalar<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Scalar<'de>, A::Error> {
    match map.next_value::<Scalar>()? {
        Scalar::Other => Err(serde::de::Error::custom(
            "data did not match any variant of untagged enum Scalar",
        )),
        scalar => Ok(scalar),
    }
}

impl Scalar<'_> {
    /// [`Scalar::into_string`] when `wanted`, else nothing (and no string built).
    fn into_string_if(self, wanted: bool) -> Option<String> {
        if wanted {
            self.into_string()
        } else {
            None
        }
    }

    fn into_string(self) -> Option<String> {
        match self {
            Scalar::Str(s) => Some(s.into_owned()),
            Scalar::Int(i) => Some(i.to_string()),
            Scalar::Float(f) => Some(f.to_string()),
            Scalar::Bool(b) => Some(b.to_string()),
            Scalar::Null | Scalar::Other => None,
        }
    }
}

/// An object key, borrowed from the line unless it has escapes (serde's `Cow<str>` always copies,
/// and a Reddit record has a dozen keys).
struct Key<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Key<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a string")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(v.to_string())))
    }
}

/// Decodes one JSON object, keeping only the wanted fields.
pub(crate) struct FieldsSeed<'f>(pub &'f Fields);

impl<'de> DeserializeSeed<'de> for FieldsSeed<'_> {
    type Value = Picked;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Picked, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for FieldsSeed<'_> {
    type Value = Picked;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Picked, A::Error> {
        let mut p = Picked {
            text_rank: usize::MAX,
            id_rank: usize::MAX,
            ..Picked::default()
        };
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            let key = key.as_ref();
            if let Some(rank) = self.0.text.iter().position(|t| t == key) {
                let v = next_scalar(&mut map)?.into_string();
                if rank < p.text_rank && v.is_some() {
                    p.text = v;
                    p.text_rank = rank;
                }
            } else if let Some(rank) = self.0.id.iter().position(|t| t == key) {
                let v = next_scalar(&mut map)?.into_string();
                if rank < p.id_rank && v.is_some() {
                    p.id = v;
                    p.id_rank = rank;
                }
            } else {
                // Without metadata, its fields are still read as scalars, so that a record is an
                // error record either way; they are only not turned into strings.
                let metadata = self.0.metadata;
                match key {
                    "author" | "user" | "username" => {
                        let v = next_scalar(&mut map)?;
                        p.author = v.into_string_if(metadata);
                    }
                    "parent_id" | "parent" => {
                        let v = next_scalar(&mut map)?;
                        p.parent = v.into_string_if(metadata);
                    }
                    "link_id" | "thread" | "thread_id" => {
                        let v = next_scalar(&mut map)?;
                        p.thread = v.into_string_if(metadata);
                    }
                    "created_utc" => {
                        p.posted_at = match next_scalar(&mut map)? {
                            _ if !metadata => None,
                            Scalar::Int(s) => Some(iso8601(s)),
                            Scalar::Float(s) => Some(iso8601(s as i64)),
                            Scalar::Str(s) => s.parse::<i64>().ok().map(iso8601),
                            _ => None,
                        }
                    }
                    "posted_at" | "created_at" => {
                        let v = next_scalar(&mut map)?;
                        p.posted_at = v.into_string_if(metadata);
                    }
                    _ => {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
        }
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    #[test]
    fn capped_lines() {
        let mut r: Box<dyn BufRead> = Box::new(Cursor::new(b"short\nmuch too long\r\nok".to_vec()));
        let mut buf = b"kept".to_vec();
        assert_eq!(read_line_capped(&mut r, &mut buf, 8).unwrap(), Some(true));
        assert_eq!(buf, b"keptshort");
        assert_eq!(read_line_capped(&mut r, &mut buf, 8).unwrap(), Some(false));
        assert_eq!(buf, b"keptshort");
        buf.clear();
        assert_eq!(read_line_capped(&mut r, &mut buf, 8).unwrap(), Some(true));
        assert_eq!(buf, b"ok");
        assert_eq!(read_line_capped(&mut r, &mut buf, 8).unwrap(), None);
    }

    #[test]
    fn scalars_of_every_type_and_non_scalars() {
        let f = Fields::default();
        let parse = |line: &str| parse_line("d", 1, line.as_bytes(), &f);
        let comment = |line: &str| match parse(line) {
            Item::Comment(c) => c,
            other => panic!("{other:?}"),
        };
        let c = comment(r#"{"id": 18446744073709551615, "body": 3.25, "author": true}"#);
        assert_eq!(
            (c.id.as_str(), c.body.as_str()),
            ("18446744073709552000", "3.25")
        );
        assert_eq!(c.author.as_deref(), Some("true"));
        let c = comment(r#"{"id": -5, "body": "x\u00e9\"q", "created_utc": "1628860800"}"#);
        assert_eq!((c.id.as_str(), c.body.as_str()), ("-5", "xé\"q"));
        assert_eq!(c.posted_at.as_deref(), Some("2021-08-13T13:20:00Z"));
        let c = comment(r#"{"body": null, "text": "fallback", "x": {"deep": [1, {"z": null}]}}"#);
        assert_eq!((c.id.as_str(), c.body.as_str()), ("d:1", "fallback"));
        // An array or object where a scalar belongs: an error that points just after it.
        for (line, column) in [
            (r#"{"id": "a", "body": {"x": 1}}"#, 29),
            (r#"{"body": [1, 2]}"#, 16),
        ] {
            let Item::Error(e) = parse(line) else {
                panic!("{line}")
            };
            let expected = format!(
                "invalid JSON: data did not match any variant of untagged enum Scalar at line 1 column {column}"
            );
            assert_eq!(e.error, expected);
        }
    }

    #[test]
    fn without_metadata_records_are_read_alike_but_keep_only_id_and_text() {
        let full = Fields::default();
        let lean = Fields {
            metadata: false,
            ..Fields::default()
        };
        let mut comments = 0;
        for line in [
            r#"{"id": "a", "body": "x", "author": "ann", "created_utc": 1628860800, "parent_id": "p", "link_id": "t"}"#,
            r#"{"body": "caf\u00c3\u00a9", "user": "b", "posted_at": "2021", "thread": 7}"#,
            r#"{"body": "x", "author": {"x": 1}}"#,
            r#"{"body": "x", "created_utc": 1e400}"#,
            r#"{"body": "x", "posted_at": [1]}"#,
        ] {
            match (
                parse_line("d", 1, line.as_bytes(), &full),
                parse_line("d", 1, line.as_bytes(), &lean),
            ) {
                (Item::Comment(a), Item::Comment(b)) => {
                    comments += 1;
                    assert!(a.author.is_some() && a.posted_at.is_some() && a.thread.is_some());
                    assert_eq!((&a.id, &a.body), (&b.id, &b.body));
                    assert_eq!(
                        (b.author, b.parent, b.thread, b.posted_at),
                        Default::default()
                    );
                }
                (Item::Error(a), Item::Error(b)) => assert_eq!(a, b),
                other => panic!("{line}: {other:?}"),
            }
        }
        assert_eq!(comments, 2);
    }

    #[test]
    fn keys_with_escapes_are_matched_too() {
        let line = r#"{"b\u006fdy": "escaped", "\u0069d": "k", "author": "a"}"#;
        let Item::Comment(c) = parse_line("d", 1, line.as_bytes(), &Fields::default()) else {
            panic!("{line}")
        };
        assert_eq!((c.id.as_str(), c.body.as_str()), ("k", "escaped"));
        assert_eq!(c.author.as_deref(), Some("a"));
    }

    #[test]
    fn picks_reddit_dump_fields() {
        let line = r#"{"archived":false,"author":"ann","body":"Execute them","created_utc":1628860800,"id":"h8x","link_id":"t3_p3","parent_id":"t1_a","score":5,"all_awardings":[]}"#;
        let mut de = serde_json::Deserializer::from_str(line);
        let p = FieldsSeed(&Fields::default()).deserialize(&mut de).unwrap();
        assert_eq!(p.text.as_deref(), Some("Execute them"));
        assert_eq!(p.id.as_deref(), Some("h8x"));
        assert_eq!(p.author.as_deref(), Some("ann"));
        assert_eq!(p.parent.as_deref(), Some("t1_a"));
        assert_eq!(p.thread.as_deref(), Some("t3_p3"));
        assert_eq!(p.posted_at.as_deref(), Some("2021-08-13T13:20:00Z"));
    }
}
