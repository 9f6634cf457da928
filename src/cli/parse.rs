//! `redflag parse`: the comments found in each input, as JSON Lines.

use super::{InputArgs, Outcome};
use crate::error::{Error, Result};
use crate::thread::{read, Item};
use clap::Args;
use std::io::Write;

/// Arguments of `redflag parse`.
#[derive(Debug, Args)]
pub struct ParseArgs {
    /// Thread pages or dumps; `-` or nothing for standard input.
    #[arg(value_name = "FILE")]
    files: Vec<String>,
    #[command(flatten)]
    input: InputArgs,
}

/// Prints `{"id","thread","author","posted_at","body","parent"}` per comment; unreadable records print
/// as `{"id","error","line"}` and are counted on stderr.
pub fn run(args: ParseArgs) -> Result<Outcome> {
    let files = if args.files.is_empty() {
        vec!["-".to_string()]
    } else {
        args.files
    };
    let options = args.input.options();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let io = |e| Error::io("<stdout>", e);
    let mut errors = 0;
    for file in &files {
        for item in read(file, &options)? {
            match item {
                Item::Comment(c) => {
                    serde_json::to_writer(&mut out, &c).map_err(|e| io(e.into()))?
                }
                Item::Error(e) => {
                    errors += 1;
                    serde_json::to_writer(&mut out, &e).map_err(|e| io(e.into()))?
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
    if errors > 0 {
        eprintln!("redflag: {errors} records could not be read (error records in the output)");
    }
    Ok(Outcome::Clean)
}
