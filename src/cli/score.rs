//! `redflag score`: a verdict for every comment of every input, as JSON Lines, in input order.

use super::{InputArgs, ModelArgs, Outcome};
use crate::error::{Error, Result};
use crate::moderate::{Decision, Scorer, Verdict};
use crate::thread::{read, Item};
use clap::Args;
use serde::Serialize;
use std::io::Write;
use std::time::Instant;

/// Arguments of `redflag score`.
#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// Thread pages or dumps (JSON Lines, CSV, Reddit JSON; plain, .gz, .zst); `-` or nothing for stdin.
    #[arg(value_name = "FILE")]
    files: Vec<String>,
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    model: ModelArgs,
    /// Print only held comments (and error records).
    #[arg(long)]
    only_flagged: bool,
    /// Stop at the first unreadable record (exit 2) instead of writing an error record.
    #[arg(long)]
    strict: bool,
}

#[derive(Serialize)]
struct Line<'a> {
    id: &'a str,
    #[serde(flatten)]
    verdict: &'a Verdict,
}

/// Counts for the summary on stderr.
#[derive(Debug, Default)]
struct Summary {
    read: usize,
    scored: usize,
    held: usize,
    errors: usize,
}

/// Scores every comment; writes one line per input record (verdict or error record).
pub fn run(args: ScoreArgs) -> Result<Outcome> {
    let model = args.model.load()?;
    let mut scorer = Scorer::new(&model);
    let files = if args.files.is_empty() {
        vec!["-".to_string()]
    } else {
        args.files
    };
    let options = args.input.options();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let io = |e: std::io::Error| Error::io("<stdout>", e);
    let started = Instant::now();
    let mut summary = Summary::default();
    for file in &files {
        for item in read(file, &options)? {
            match item {
                Item::Comment(c) => {
                    summary.read += 1;
                    summary.scored += 1;
                    let verdict = scorer.verdict(&c.body);
                    if verdict.decision == Decision::Hold {
                        summary.held += 1;
                    } else if args.only_flagged {
                        continue;
                    }
                    serde_json::to_writer(
                        &mut out,
                        &Line {
                            id: &c.id,
                            verdict: &verdict,
                        },
                    )
                    .map_err(|e| io(e.into()))?;
                }
                Item::Error(e) => {
                    summary.read += 1;
                    summary.errors += 1;
                    if args.strict {
                        return Err(Error::Input {
                            path: file.clone(),
                            line: e.line,
                            message: format!(
                                "{} (--strict stops at the first bad record)",
                                e.error
                            ),
                        });
                    }
                    serde_json::to_writer(&mut out, &e).map_err(|e| io(e.into()))?;
                }
                Item::Warning(w) => {
                    eprintln!("redflag: warning: {w}");
                    continue;
                }
            }
            out.write_all(b"\n").map_err(io)?;
        }
    }
    out.flush().map_err(io)?;
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "redflag: read {} records: {} scored, {} held, {} errors in {:.2}s ({:.0} comments/s)",
        summary.read,
        summary.scored,
        summary.held,
        summary.errors,
        secs,
        summary.scored as f64 / secs.max(1e-9)
    );
    Ok(Outcome::Clean)
}
