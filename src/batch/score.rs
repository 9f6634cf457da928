//! Scoring as a batch handler, and the output formats of `redflag score`.
//!
//! JSON Lines (the default) carry everything: `{"id", "scores", "decision", "flagged", "reasons"}` per
//! comment and `{"id", "error", "line"}` per error record. CSV is for spreadsheets and SQL loaders: one
//! row per record under a fixed header, `id,decision,<one score column per category>,flagged,reasons,
//! error,line`, with `decision` = `error` on error rows.

use super::{Handler, Tally};
use crate::error::{Error, Result};
use crate::model::Model;
use crate::moderate::{Decision, Reason, Scorer, Verdict};
use crate::thread::{Comment, RecordError};
use serde::Serialize;
use std::collections::BTreeMap;

/// How `redflag score` writes its results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum OutputFormat {
    /// One JSON object per line.
    #[default]
    Jsonl,
    /// CSV with a header row.
    Csv,
}

/// Scores each comment and writes its verdict; one per worker thread.
#[derive(Debug)]
pub struct Scoring<'m> {
    scorer: Scorer<'m>,
    format: OutputFormat,
    only_flagged: bool,
}

impl<'m> Scoring<'m> {
    /// Scores with `model`, writes `format`; with `only_flagged`, writes held comments (and error
    /// records) only.
    pub fn new(model: &'m Model, format: OutputFormat, only_flagged: bool) -> Self {
        Scoring {
            scorer: Scorer::for_stream(model),
            format,
            only_flagged,
        }
    }
}

impl Handler for Scoring<'_> {
    fn comment(&mut self, comment: &Comment, out: &mut Vec<u8>, tally: &mut Tally) -> Result<()> {
        let verdict = self.scorer.verdict(&comment.body);
        let model = self.scorer.model();
        for name in &verdict.flagged {
            if let Some(k) = model.categories.iter().position(|c| &c.name == name) {
                tally.flag(k);
            }
        }
        if verdict.decision == Decision::Hold {
            tally.held += 1;
        } else if self.only_flagged {
            return Ok(());
        }
        render_verdict(out, &comment.id, &verdict, model, self.format)
    }

    fn error(&mut self, error: &RecordError, out: &mut Vec<u8>) -> Result<()> {
        render_error(out, error, self.scorer.model(), self.format)
    }
}

/// The JSON Lines form of a verdict: the id, then the verdict's fields.
#[derive(Serialize)]
struct Line<'a> {
    id: &'a str,
    scores: &'a BTreeMap<String, f32>,
    decision: Decision,
    flagged: &'a [String],
    reasons: &'a [Reason],
}

fn json_error(e: serde_json::Error) -> Error {
    Error::io("<output>", e.into())
}

/// The header row for `format` (CSV), or nothing (JSON Lines).
pub fn csv_header(model: &Model, format: OutputFormat) -> Vec<u8> {
    let mut out = Vec::new();
    if format == OutputFormat::Csv {
        let mut row = vec!["id", "decision"];
        row.extend(model.categories.iter().map(|c| c.name.as_str()));
        row.extend(["flagged", "reasons", "error", "line"]);
        csv_row(&mut out, row);
    }
    out
}

/// Writes the verdict on comment `id`.
pub(super) fn render_verdict(
    out: &mut Vec<u8>,
    id: &str,
    verdict: &Verdict,
    model: &Model,
    format: OutputFormat,
) -> Result<()> {
    match format {
        OutputFormat::Jsonl => {
            let line = Line {
                id,
                scores: &verdict.scores,
                decision: verdict.decision,
                flagged: &verdict.flagged,
                reasons: &verdict.reasons,
            };
            serde_json::to_writer(&mut *out, &line).map_err(json_error)?;
            out.push(b'\n');
        }
        OutputFormat::Csv => {
            let scores: Vec<String> = model
                .categories
                .iter()
                .map(|c| verdict.scores.get(&c.name).map(f32::to_string))
                .map(Option::unwrap_or_default)
                .collect();
            let reasons: Vec<String> = verdict
                .reasons
                .iter()
                .map(|r| format!("{}: {}", r.category, r.text))
                .collect();
            let decision = match verdict.decision {
                Decision::Publish => "publish",
                Decision::Hold => "hold",
            };
            let (flagged, reasons) = (verdict.flagged.join(";"), reasons.join("; "));
            let mut row = vec![id, decision];
            row.extend(scores.iter().map(String::as_str));
            row.extend([flagged.as_str(), reasons.as_str(), "", ""]);
            csv_row(out, row);
        }
    }
    Ok(())
}

/// Writes an error record.
pub(super) fn render_error(
    out: &mut Vec<u8>,
    error: &RecordError,
    model: &Model,
    format: OutputFormat,
) -> Result<()> {
    match format {
        OutputFormat::Jsonl => {
            serde_json::to_writer(&mut *out, error).map_err(json_error)?;
            out.push(b'\n');
        }
        OutputFormat::Csv => {
            let line = error.line.to_string();
            let mut row = vec![error.id.as_str(), "error"];
            row.extend(model.categories.iter().map(|_| ""));
            row.extend(["", "", error.error.as_str(), line.as_str()]);
            csv_row(out, row);
        }
    }
    Ok(())
}

/// Writes one CSV row (RFC 4180): fields with a comma, quote or line break are quoted, quotes doubled.
fn csv_row<'a>(out: &mut Vec<u8>, fields: impl IntoIterator<Item = &'a str>) {
    for (i, field) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        if field.contains([',', '"', '\n', '\r']) {
            out.push(b'"');
            out.extend_from_slice(field.replace('"', "\"\"").as_bytes());
            out.push(b'"');
        } else {
            out.extend_from_slice(field.as_bytes());
        }
    }
    out.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_quote_what_needs_quoting_and_read_back() {
        let mut out = Vec::new();
        csv_row(&mut out, ["a", "b,c", "say \"hi\"", "two\nlines", ""]);
        assert_eq!(out, b"a,\"b,c\",\"say \"\"hi\"\"\",\"two\nlines\",\n");
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(&out[..]);
        let record = reader.records().next().unwrap().unwrap();
        assert_eq!(
            record.iter().collect::<Vec<_>>(),
            ["a", "b,c", "say \"hi\"", "two\nlines", ""]
        );
    }
}
