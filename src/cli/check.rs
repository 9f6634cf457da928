//! `redflag check`: the pre-publish check of one comment, for people and for scripts.

use super::{ModelArgs, Outcome};
use crate::error::{Error, Result};
use crate::model::Model;
use crate::moderate::{Decision, Scorer, Verdict};
use clap::Args;
use std::io::Read;
use std::io::Write;

/// Arguments of `redflag check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The comment; read from standard input when not given.
    text: Option<String>,
    /// Print the verdict as JSON instead of a summary.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    model: ModelArgs,
}

/// Prints the verdict; `Flagged` (exit 1) when the comment should be held.
pub fn run(args: CheckArgs) -> Result<Outcome> {
    let text = match args.text {
        Some(t) => t,
        None => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .map_err(|e| Error::io("<stdin>", e))?;
            s
        }
    };
    let model = args.model.load()?;
    let verdict = Scorer::new(&model).verdict(&text);
    // The decision is the exit code; the printed verdict is for people, so a reader that goes away
    // (`| head`) must not turn a hold into a success.
    match print_verdict(&verdict, &model, args.json) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            return Err(Error::io("<stdout>", e))
        }
        _ => {}
    }
    Ok(match verdict.decision {
        Decision::Publish => Outcome::Clean,
        Decision::Hold => Outcome::Flagged,
    })
}

/// Prints the verdict as JSON (`check --json`, also what `/v1/check` answers) or as lines for people.
fn print_verdict(verdict: &Verdict, model: &Model, json: bool) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer(&mut out, verdict)?;
        return writeln!(out);
    }
    let label = match verdict.decision {
        Decision::Publish => "PUBLISH",
        Decision::Hold => "HOLD",
    };
    let scores: Vec<String> = model
        .categories
        .iter()
        .map(|c| {
            format!(
                "{} {:.2} (threshold {:.2})",
                c.name,
                verdict.scores.get(&c.name).copied().unwrap_or_default(),
                c.threshold
            )
        })
        .collect();
    writeln!(out, "{label}  {}", scores.join(", "))?;
    for r in &verdict.reasons {
        writeln!(
            out,
            "  {:<8} {:+.2}  \"{}\"  (bytes {}..{})",
            r.category, r.contribution, r.text, r.span.0, r.span.1
        )?;
    }
    Ok(())
}
