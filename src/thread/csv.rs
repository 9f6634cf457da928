//! CSV with a header row: one comment per record, the text in a named column.

use super::{input::Source, input_error, Comment, Item, ReadOptions, RecordError};
use crate::error::Result;
use crate::text::repair;

/// Reads `source` as CSV; fails at once when no column holds the text.
pub fn read(source: Source, options: &ReadOptions) -> Result<impl Iterator<Item = Item> + Send> {
    let name = source.name().to_string();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(source.into_reader());
    let headers = reader
        .byte_headers()
        .map_err(|e| input_error(&name, 1, format!("cannot read the CSV header: {e}")))?
        .clone();
    let column = |names: &[String]| {
        names.iter().find_map(|n| {
            headers
                .iter()
                .position(|h| String::from_utf8_lossy(h).trim().eq_ignore_ascii_case(n))
        })
    };
    let text_col = column(&options.fields.text).ok_or_else(|| {
        input_error(
            &name,
            1,
            format!(
                "no text column in the header (looked for {}); name it with --text-field",
                options.fields.text.join(", ")
            ),
        )
    })?;
    let id_col = column(&options.fields.id);
    let metadata = |names: &[&str]| {
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        column(&names).filter(|_| options.fields.metadata)
    };
    let author_col = metadata(&["author", "user", "username"]);
    let parent_col = metadata(&["parent_id", "parent"]);
    let mut records = reader.into_byte_records();
    Ok(std::iter::from_fn(move || {
        let record = records.next()?;
        Some(match record {
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                Item::Error(RecordError {
                    id: format!("{name}:{line}"),
                    error: format!("invalid CSV record: {e}"),
                    line,
                })
            }
            Ok(r) => {
                let line = r.position().map_or(0, |p| p.line() as usize);
                let field = |c: Option<usize>| {
                    c.and_then(|c| r.get(c))
                        .map(|b| String::from_utf8_lossy(b).into_owned())
                        .filter(|s| !s.is_empty())
                };
                let id = field(id_col).unwrap_or_else(|| format!("{name}:{line}"));
                match r.get(text_col).map(std::str::from_utf8) {
                    Some(Ok(text)) => Item::Comment(Comment {
                        id,
                        thread: None,
                        author: field(author_col),
                        posted_at: None,
                        body: repair(text).into_owned(),
                        parent: field(parent_col),
                    }),
                    Some(Err(e)) => Item::Error(RecordError {
                        id,
                        error: format!("invalid UTF-8 at byte {} of the text", e.valid_up_to()),
                        line,
                    }),
                    None => Item::Error(RecordError {
                        id,
                        error: "record has no text column".into(),
                        line,
                    }),
                }
            }
        })
    }))
}
