//! `redflag score`: a verdict for every record of every input, in input order, as JSON Lines or CSV,
//! and a summary on stderr.

use super::progress::{total_size, BatchProgress};
use super::{BatchArgs, InputArgs, ModelArgs, Outcome};
use crate::batch::{csv_header, run as run_batch, OutputFormat, Scoring, Tally};
use crate::error::{Error, Result};
use crate::model::Model;
use clap::Args;
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
    #[command(flatten)]
    batch: BatchArgs,
    /// Output format: JSON Lines, or CSV with a header row.
    #[arg(long, value_enum, default_value_t = OutputFormat::Jsonl)]
    output_format: OutputFormat,
    /// Print only held comments (and error records).
    #[arg(long)]
    only_flagged: bool,
    /// Stop at the first unreadable record (exit 2) instead of writing an error record.
    #[arg(long)]
    strict: bool,
}

/// Scores every comment; writes one line per input record (verdict or error record), except
/// published comments with `--only-flagged`.
pub fn run(args: ScoreArgs) -> Result<Outcome> {
    let model = args.model.load()?;
    let files = args.batch.files(args.files);
    let mut read = args.input.options();
    // Verdicts carry only the id: author, parent, thread and time are not built.
    read.fields.metadata = false;
    let options = args.batch.options(read, args.strict);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 20, stdout.lock());
    out.write_all(&csv_header(&model, args.output_format))
        .map_err(|e| Error::io("<stdout>", e))?;
    let started = Instant::now();
    let mut progress = BatchProgress::new(total_size(&files));
    let tally = run_batch(
        &files,
        &options,
        || Scoring::new(&model, args.output_format, args.only_flagged),
        &mut out,
        &mut progress,
    );
    progress.finish();
    eprintln!("redflag: {}", summary(&tally?, &model, started));
    Ok(Outcome::Clean)
}

/// "read 10 records: 8 scored, 1 held (violent 1, abusive 0), 2 errors in 0.01s (800 comments/s)".
fn summary(tally: &Tally, model: &Model, started: Instant) -> String {
    let secs = started.elapsed().as_secs_f64();
    let per_category: Vec<String> = model
        .categories
        .iter()
        .enumerate()
        .map(|(k, c)| format!("{} {}", c.name, tally.flagged.get(k).copied().unwrap_or(0)))
        .collect();
    format!(
        "read {} records: {} scored, {} held ({}), {} errors in {secs:.2}s ({:.0} comments/s)",
        tally.read,
        tally.comments,
        tally.held,
        per_category.join(", "),
        tally.errors,
        tally.comments as f64 / secs.max(1e-9)
    )
}
