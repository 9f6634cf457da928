//! `redflag parse`: the comments found in each input, as JSON Lines, in input order.

use super::progress::{total_size, BatchProgress};
use super::{BatchArgs, InputArgs, Outcome};
use crate::batch::{run as run_batch, Handler, Tally};
use crate::error::{Error, Result};
use crate::thread::{Comment, RecordError};
use clap::Args;

/// Arguments of `redflag parse`.
#[derive(Debug, Args)]
pub struct ParseArgs {
    /// Thread pages or dumps; `-` or nothing for standard input.
    #[arg(value_name = "FILE")]
    files: Vec<String>,
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    batch: BatchArgs,
}

/// Writes each comment, or error record, as one JSON line.
struct Printing;

impl Handler for Printing {
    fn comment(&mut self, comment: &Comment, out: &mut Vec<u8>, _: &mut Tally) -> Result<()> {
        line(out, comment)
    }

    fn error(&mut self, error: &RecordError, out: &mut Vec<u8>) -> Result<()> {
        line(out, error)
    }
}

fn line(out: &mut Vec<u8>, value: &impl serde::Serialize) -> Result<()> {
    serde_json::to_writer(&mut *out, value).map_err(|e| Error::io("<output>", e.into()))?;
    out.push(b'\n');
    Ok(())
}

/// Prints `{"id","thread","author","posted_at","body","parent"}` per comment; unreadable records print
/// as `{"id","error","line"}` and are counted on stderr.
pub fn run(args: ParseArgs) -> Result<Outcome> {
    let files = args.batch.files(args.files);
    let options = args.batch.options(args.input.options(), false);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 20, stdout.lock());
    let mut progress = BatchProgress::new(total_size(&files));
    let tally = run_batch(&files, &options, || Printing, &mut out, &mut progress);
    progress.finish();
    let tally = tally?;
    if tally.errors > 0 {
        eprintln!(
            "redflag: {} records could not be read (error records in the output)",
            tally.errors
        );
    }
    Ok(Outcome::Clean)
}
