//! JSON documents: Reddit thread JSON (the `.json` of a thread page), or an array of records.
//!
//! A Reddit thread is `[post listing, comment listing]`; comments nest under `replies`. They are
//! flattened depth-first, so a reply follows its parent, with `parent` set from `parent_id`. Reddit's
//! "more" stubs (comments not included in the file) are reported as a warning with their count.

use super::jsonl::FieldsSeed;
use super::{input::Source, input_error, iso8601, Comment, Item, ReadOptions, RecordError};
use crate::error::Result;
use crate::text::repair;
use serde::de::DeserializeSeed;
use serde_json::Value;

/// Reads a JSON document into items.
pub fn read(source: Source, options: &ReadOptions) -> Result<Vec<Item>> {
    let name = source.name().to_string();
    let (text, mut items) = {
        let (t, w) = source.read_to_string_lossy()?;
        (t, w.into_iter().map(Item::Warning).collect::<Vec<_>>())
    };
    let doc: Value = serde_json::from_str(&text).map_err(|e| {
        input_error(
            &name,
            e.line(),
            format!("invalid JSON: {e}; for one record per line use --format jsonl"),
        )
    })?;
    let mut more = 0;
    let listings: Vec<&Value> = match &doc {
        Value::Array(a) if a.iter().any(is_listing) => a.iter().filter(|v| is_listing(v)).collect(),
        v if is_listing(v) => vec![v],
        Value::Array(records) => {
            for (i, r) in records.iter().enumerate() {
                items.push(record(r, &name, i + 1, options));
            }
            return Ok(items);
        }
        _ => {
            return Err(input_error(
                &name,
                1,
                "a JSON document that is neither a Reddit thread nor an array of records",
            ))
        }
    };
    for listing in listings {
        walk(listing, &name, &mut items, &mut more);
    }
    if more > 0 {
        items.push(Item::Warning(format!(
            "{name}: {more} comments are not in this file (Reddit's \"load more\" stubs); fetch them to score them"
        )));
    }
    Ok(items)
}

fn is_listing(v: &Value) -> bool {
    v.get("kind").and_then(Value::as_str) == Some("Listing")
}

fn walk(listing: &Value, name: &str, out: &mut Vec<Item>, more: &mut usize) {
    let children = listing
        .pointer("/data/children")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    for child in children {
        let data = &child["data"];
        match child.get("kind").and_then(Value::as_str) {
            Some("t1") => {
                let s = |k: &str| data.get(k).and_then(Value::as_str).map(str::to_string);
                let id = s("id").unwrap_or_else(|| format!("{name}#{}", out.len() + 1));
                match s("body") {
                    Some(body) => out.push(Item::Comment(Comment {
                        id,
                        thread: s("link_id"),
                        author: s("author"),
                        posted_at: data
                            .get("created_utc")
                            .and_then(Value::as_f64)
                            .map(|t| iso8601(t as i64)),
                        body: repair(&body).into_owned(),
                        parent: s("parent_id"),
                    })),
                    None => out.push(Item::Error(RecordError {
                        id,
                        error: "Reddit comment without a body".into(),
                        line: 0,
                    })),
                }
                if is_listing(&data["replies"]) {
                    walk(&data["replies"], name, out, more);
                }
            }
            Some("more") => {
                *more += data.get("count").and_then(Value::as_u64).unwrap_or(0) as usize
            }
            _ => {} // t3: the submission itself, not a reader comment.
        }
    }
}

fn record(r: &Value, name: &str, n: usize, options: &ReadOptions) -> Item {
    let fallback = format!("{name}#{n}");
    match FieldsSeed(&options.fields).deserialize(r) {
        Ok(p) => match p.text {
            Some(text) => Item::Comment(Comment {
                id: p.id.unwrap_or(fallback),
                thread: p.thread,
                author: p.author,
                posted_at: p.posted_at,
                body: repair(&text).into_owned(),
                parent: p.parent,
            }),
            None => Item::Error(RecordError {
                id: p.id.unwrap_or(fallback),
                error: "no text field; name it with --text-field".into(),
                line: 0,
            }),
        },
        Err(e) => Item::Error(RecordError {
            id: fallback,
            error: format!("not a record: {e}"),
            line: 0,
        }),
    }
}
