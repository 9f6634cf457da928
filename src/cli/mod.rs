//! Command line: clap structs hold what the user typed; each subcommand turns them into a checked plan
//! (model loaded, inputs named, parameters validated) and runs it.

mod check;
mod eval;
mod parse;
mod progress;
mod score;
mod serve;
mod train;

use crate::batch;
use crate::error::Result;
use crate::model::Model;
use crate::thread::{Fields, Format, ReadOptions};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// What a successful run tells the shell: 0 = clean/publish, 1 = flagged/hold. Errors exit 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Outcome {
    /// Nothing to hold (or the subcommand does not judge).
    Clean = 0,
    /// `check` judged the comment should be held.
    Flagged = 1,
}

/// Finds violent and abusive reader comments in comment threads and dumps, offline.
#[derive(Debug, Parser)]
#[command(name = "redflag", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the reader comments found in thread pages or dumps, as JSON Lines.
    Parse(parse::ParseArgs),
    /// Score comments (thread pages, JSON Lines, CSV; plain, .gz or .zst): one verdict per record.
    Score(score::ScoreArgs),
    /// Pre-publish check of one comment: exit 0 = publish, 1 = hold, 2 = error.
    Check(check::CheckArgs),
    /// Serve pre-publish checks over HTTP: Perspective API compatible, redflag's own, Coral Talk's webhook.
    Serve(serve::ServeArgs),
    /// Train the model on labels/ and write models/redflag.json (cross-validated figures on stderr).
    Train(train::TrainArgs),
    /// Precision, recall, F1, ROC-AUC and PR-AUC of the model on a labelled JSON Lines file.
    Eval(eval::EvalArgs),
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<Outcome> {
    match cli.command {
        Command::Parse(a) => parse::run(a),
        Command::Score(a) => score::run(a),
        Command::Check(a) => check::run(a),
        Command::Serve(a) => serve::run(a),
        Command::Train(a) => train::run(a),
        Command::Eval(a) => eval::run(a),
    }
}

/// Which model to use.
#[derive(Debug, Clone, Args)]
struct ModelArgs {
    /// Model file to use instead of the one built into redflag (models/redflag.json at build time).
    #[arg(long, value_name = "PATH", env = "REDFLAG_MODEL")]
    model: Option<PathBuf>,
}

impl ModelArgs {
    fn load(&self) -> Result<Model> {
        match &self.model {
            Some(path) => Model::load(path),
            None => Model::shipped(),
        }
    }
}

/// How to read inputs.
#[derive(Debug, Clone, Args)]
struct InputArgs {
    /// Input format; detected from the content when not given.
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Field (JSON) or column (CSV) holding the comment text [default: body, text, comment_text, comment, content].
    #[arg(long, value_name = "NAME")]
    text_field: Option<String>,
    /// Field or column holding the comment id [default: id, name].
    #[arg(long, value_name = "NAME")]
    id_field: Option<String>,
    /// Longest accepted JSON Lines record in bytes; longer ones become error records.
    #[arg(long, value_name = "BYTES", default_value_t = 8 << 20)]
    max_line_bytes: usize,
}

impl InputArgs {
    fn options(&self) -> ReadOptions {
        let mut fields = Fields::default();
        if let Some(t) = &self.text_field {
            fields.text = vec![t.clone()];
        }
        if let Some(i) = &self.id_field {
            fields.id = vec![i.clone()];
        }
        ReadOptions {
            format: self.format,
            fields,
            max_line_bytes: self.max_line_bytes,
        }
    }
}

/// How to run over many records.
#[derive(Debug, Clone, Args)]
struct BatchArgs {
    /// Worker threads [default: the number of cores].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
}

impl BatchArgs {
    /// The inputs: standard input when none are named.
    fn files(&self, files: Vec<String>) -> Vec<String> {
        if files.is_empty() {
            vec!["-".to_string()]
        } else {
            files
        }
    }

    fn options(&self, read: ReadOptions, strict: bool) -> batch::Options {
        let threads = self.threads.map(usize::from).unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        });
        batch::Options::new(read, threads, strict)
    }
}
