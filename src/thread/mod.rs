//! Thread stage: find the reader comments in whatever the user has.
//!
//! Inputs are thread pages saved as text (Reddit-style and WordPress-style, see [`page`]), JSON Lines
//! dumps (Reddit's comment dumps and anything with a `body`, `text` or `comment_text` field), Reddit
//! thread JSON, and CSV with a header; plain, gzip or zstd. The format is detected from the content
//! ([`detect`]) unless the user names it. Every input record becomes an [`Item`]: a comment, or an
//! error that names the file and line, so that nothing is silently dropped.

mod csv;
mod input;
mod jsonl;
pub mod page;
mod reddit_json;

pub use input::{open, open_counting, Source};
pub use jsonl::{parse_line, Lines};

use crate::error::{Error, Result};
use serde::Serialize;

/// One reader comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comment {
    /// From the record when it has one, else `FILE:LINE`.
    pub id: String,
    /// The thread it belongs to (file, or the dump's thread id), when known.
    pub thread: Option<String>,
    /// The commenter's name, when known.
    pub author: Option<String>,
    /// When it was posted, ISO 8601 in UTC, when known.
    pub posted_at: Option<String>,
    /// The comment text, mojibake repaired.
    pub body: String,
    /// The comment it replies to, when known.
    pub parent: Option<String>,
}

/// A record that could not be read as a comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordError {
    /// `FILE:LINE` of the record (or its id when it had one).
    pub id: String,
    /// What is wrong.
    pub error: String,
    /// 1-based line in the (decompressed) input.
    pub line: usize,
}

/// What reading an input yields, in input order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A comment.
    Comment(Comment),
    /// A record that is not a usable comment; counted and reported, never dropped.
    Error(RecordError),
    /// Something the user should know that does not lose a record (e.g. invalid UTF-8 replaced).
    Warning(String),
}

/// Input formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A thread page saved as text (Reddit-style or WordPress-style comments).
    Page,
    /// JSON Lines, one record per line.
    Jsonl,
    /// A JSON document: Reddit thread JSON, or an array of records.
    Json,
    /// CSV with a header row.
    Csv,
}

/// Where to find a record's fields in JSON Lines and CSV input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fields {
    /// Candidate names of the text field, the first present wins.
    pub text: Vec<String>,
    /// Candidate names of the id field.
    pub id: Vec<String>,
    /// Whether to read each record's author, parent, thread and posting time (default: yes).
    /// `redflag score` prints none of them and turns this off, which spares building them for every
    /// record; what they hold is not checked either way, beyond the JSON being valid.
    pub metadata: bool,
}

impl Default for Fields {
    /// `body`, `text`, `comment_text`, `comment`, `content` for text; `id`, `name` for the id.
    fn default() -> Self {
        let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
        Fields {
            text: s(&["body", "text", "comment_text", "comment", "content"]),
            id: s(&["id", "name"]),
            metadata: true,
        }
    }
}

/// How to read inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOptions {
    /// The format, or `None` to detect it from the content.
    pub format: Option<Format>,
    /// Field names for JSON Lines and CSV.
    pub fields: Fields,
    /// Longest accepted line of JSON Lines, in bytes; a longer one is an error record.
    pub max_line_bytes: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            format: None,
            fields: Fields::default(),
            max_line_bytes: 8 << 20,
        }
    }
}

/// Detects the format of an input from its first bytes (already decompressed).
pub fn detect(head: &[u8], fields: &Fields) -> Format {
    let text = String::from_utf8_lossy(head);
    let trimmed = text.trim_start_matches('\u{FEFF}').trim_start();
    if trimmed.starts_with('[') {
        return Format::Json;
    }
    if trimmed.starts_with('{') {
        let first_line = trimmed.lines().next().unwrap_or("");
        let one_object = serde_json::from_str::<serde_json::Value>(first_line)
            .is_ok_and(|v| v.is_object() && v.get("kind").is_none_or(|k| k != "Listing"));
        return if one_object {
            Format::Jsonl
        } else {
            Format::Json
        };
    }
    let header = trimmed.lines().next().unwrap_or("");
    if header.contains(',') {
        let names: Vec<String> = header
            .split(',')
            .map(|h| h.trim().trim_matches('"').to_ascii_lowercase())
            .collect();
        if fields
            .text
            .iter()
            .any(|t| names.contains(&t.to_ascii_lowercase()))
        {
            return Format::Csv;
        }
    }
    Format::Page
}

/// An opened input, as its records come: JSON Lines as raw lines, to be parsed by whoever handles
/// them (in parallel, in `redflag score`), other formats as items.
pub enum Records {
    /// The unparsed lines of a JSON Lines input; parse each with [`parse_line`].
    Lines(Lines),
    /// The items of any other input.
    Items(Box<dyn Iterator<Item = Item> + Send>),
}

/// Detects the format of `source` (unless `options` names it) and starts reading its records.
pub fn records(mut source: Source, options: &ReadOptions) -> Result<Records> {
    let format = match options.format {
        Some(f) => f,
        None => detect(source.head()?, &options.fields),
    };
    let name = source.name().to_string();
    Ok(match format {
        Format::Jsonl => Records::Lines(Lines::new(source, options)),
        Format::Csv => Records::Items(Box::new(csv::read(source, options)?)),
        Format::Json => Records::Items(Box::new(reddit_json::read(source, options)?.into_iter())),
        Format::Page => {
            let (text, warnings) = source.read_to_string_lossy()?;
            let comments = page::parse(&text, &name);
            Records::Items(Box::new(
                warnings
                    .into_iter()
                    .map(Item::Warning)
                    .chain(comments.into_iter().map(Item::Comment)),
            ))
        }
    })
}

/// Reads every item of one input: `path` is a file, or `-` for standard input.
pub fn read(path: &str, options: &ReadOptions) -> Result<Box<dyn Iterator<Item = Item> + Send>> {
    Ok(match records(open(path)?, options)? {
        Records::Lines(lines) => Box::new(jsonl::JsonLines::new(lines, options)),
        Records::Items(items) => items,
    })
}

/// Formats seconds since the Unix epoch as ISO 8601 UTC ("2021-08-13T13:20:00Z").
pub fn iso8601(epoch_seconds: i64) -> String {
    let days = epoch_seconds.div_euclid(86_400);
    let secs = epoch_seconds.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// An error for input that cannot be read at all.
pub(crate) fn input_error(path: &str, line: usize, message: impl Into<String>) -> Error {
    Error::Input {
        path: path.to_string(),
        line,
        message: message.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_to_iso() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(1_628_860_800), "2021-08-13T13:20:00Z");
        assert_eq!(iso8601(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn detects_formats_from_content() {
        let f = Fields::default();
        assert_eq!(
            detect(b"{\"body\": \"x\"}\n{\"body\": \"y\"}", &f),
            Format::Jsonl
        );
        assert_eq!(detect(b"[{\"kind\": \"Listing\"}]", &f), Format::Json);
        assert_eq!(detect(b"{\n  \"kind\": \"Listing\"\n}", &f), Format::Json);
        assert_eq!(detect(b"id,comment_text,toxic\n1,hi,0", &f), Format::Csv);
        assert_eq!(
            detect(b"U.S. Asks Taliban, again\n\ntext", &f),
            Format::Page
        );
    }
}
