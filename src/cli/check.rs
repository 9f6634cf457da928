//! `redflag check`: the pre-publish check of one comment, for people and for scripts.

use super::{ModelArgs, Outcome};
use crate::error::{Error, Result};
use crate::moderate::{Decision, Scorer};
use clap::Args;
use std::io::Read;

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
    if args.json {
        println!(
            "{}",
            serde_json::to_string(&verdict).map_err(|e| Error::io("<stdout>", e.into()))?
        );
    } else {
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
        println!("{label}  {}", scores.join(", "));
        for r in &verdict.reasons {
            println!(
                "  {:<8} {:+.2}  \"{}\"  (bytes {}..{})",
                r.category, r.contribution, r.text, r.span.0, r.span.1
            );
        }
    }
    Ok(match verdict.decision {
        Decision::Publish => Outcome::Clean,
        Decision::Hold => Outcome::Flagged,
    })
}
