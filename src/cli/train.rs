//! `redflag train`: fit the model on the labelled set and write it atomically.

use super::Outcome;
use crate::error::Result;
use crate::features::NgramConfig;
use crate::model::{read_examples, read_label_dir, train, TrainParams};
use clap::Args;
use std::path::PathBuf;

/// Arguments of `redflag train`.
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Folder of labelled JSON Lines files (see labels/GUIDE.md).
    #[arg(long, default_value = "labels")]
    labels: PathBuf,
    /// Extra labelled JSON Lines files to train on as well, for experiments (never for the shipped
    /// model: it must be reproducible from labels/ alone). Repeat for several.
    #[arg(long, value_name = "FILE")]
    extra: Vec<PathBuf>,
    /// Where to write the model (atomically: a crash never leaves half a file).
    #[arg(long, default_value = "models/redflag.json")]
    out: PathBuf,
    /// Cross-validation folds.
    #[arg(long, default_value_t = 5)]
    folds: usize,
    /// Minimum number of examples a feature must occur in.
    #[arg(long, default_value_t = 2)]
    min_df: u32,
    /// Most features kept (the most frequent).
    #[arg(long, default_value_t = 200_000)]
    max_features: usize,
    /// L2 penalties to choose from by cross-validation (repeat the flag for several).
    #[arg(long = "alpha", value_name = "ALPHA", default_values_t = [0.03, 0.1, 0.3, 1.0])]
    alphas: Vec<f64>,
    /// Thresholds maximise this F-beta on out-of-fold scores: below 1 weighs precision more (a
    /// wrongly held comment costs a reader; a missed one is still caught by reports).
    #[arg(long, default_value_t = 0.5)]
    beta: f64,
    /// Word n-gram sizes, as MIN-MAX, or `none`.
    #[arg(long, value_name = "MIN-MAX", default_value = "1-2", value_parser = parse_range)]
    word_ngrams: (usize, usize),
    /// Character n-gram sizes (inside word boundaries), as MIN-MAX, or `none`.
    #[arg(long, value_name = "MIN-MAX", default_value = "2-5", value_parser = parse_range)]
    char_ngrams: (usize, usize),
    /// Smoothing of the naive-Bayes penalty scaling, which lets each category lean on the n-grams
    /// that separate its classes (NBSVM); 0 turns the scaling off.
    #[arg(long, value_name = "S", default_value_t = 0.1)]
    nb_smoothing: f64,
    /// Keep n-grams made only of function words ("these are") and their character n-grams as
    /// features; by default they are left out, since they carry the labels' style, not meaning.
    #[arg(long)]
    keep_function_words: bool,
}

/// Parses "2-5" (or "3") into a range of n-gram sizes; "none" gives (0, 0), no n-grams of that kind.
fn parse_range(s: &str) -> Result<(usize, usize), String> {
    if s == "none" {
        return Ok((0, 0));
    }
    let (a, b) = s.split_once('-').unwrap_or((s, s));
    let n = |x: &str| {
        x.trim()
            .parse::<usize>()
            .map_err(|_| format!("{s:?} is not MIN-MAX (e.g. 2-5) or none"))
    };
    Ok((n(a)?, n(b)?))
}

/// Trains, prints the cross-validated figures, writes the model.
pub fn run(args: TrainArgs) -> Result<Outcome> {
    let params = TrainParams::default()
        .folds(args.folds)
        .min_df(args.min_df)
        .max_features(args.max_features)
        .alphas(args.alphas)
        .beta(args.beta)
        .nb_smoothing(args.nb_smoothing)
        .ngrams(NgramConfig {
            word: args.word_ngrams,
            char: args.char_ngrams,
            skip_function_words: !args.keep_function_words,
        })
        .check()?;
    let (mut examples, mut files) = read_label_dir(&args.labels)?;
    for path in &args.extra {
        let (more, file) = read_examples(path)?;
        eprintln!(
            "redflag: adding {} examples from {}",
            more.len(),
            path.display()
        );
        examples.extend(more);
        files.push(file);
    }
    eprintln!(
        "redflag: training on {} examples from {} files in {}",
        examples.len(),
        files.len(),
        args.labels.display()
    );
    let bar = super::progress::spinner();
    let (model, report) = train(&examples, files, &params, &mut |step| {
        bar.set_message(step.to_string())
    })?;
    bar.finish_and_clear();
    model.save(&args.out)?;
    let (rows, cols, nnz) = report.matrix;
    eprintln!(
        "redflag: training matrix {rows} x {cols}, {nnz} non-zeros ({:.1} MB sparse; a dense matrix would be {:.1} MB)",
        report.matrix_bytes as f64 / 1e6,
        (rows * cols * 8) as f64 / 1e6
    );
    eprintln!(
        "redflag: {}-fold cross-validation at the stored thresholds:",
        model.metadata.folds
    );
    eprintln!(
        "  {:<8} {:>9} {:>6} {:>9} {:>6} {:>6} {:>7} {:>6} {:>6}",
        "category", "positives", "alpha", "threshold", "prec", "recall", "F1", "ROC", "PR"
    );
    for c in &model.metadata.categories {
        let r = &c.cross_validation;
        eprintln!(
            "  {:<8} {:>9} {:>6} {:>9.3} {:>6.3} {:>6.3} {:>7.3} {:>6.3} {:>6.3}",
            c.name,
            c.positives,
            c.alpha,
            r.threshold,
            r.precision,
            r.recall,
            r.f1,
            r.roc_auc.unwrap_or(f64::NAN),
            r.pr_auc.unwrap_or(f64::NAN)
        );
    }
    eprintln!(
        "redflag: trained in {:.1}s, peak memory {}; model written to {}",
        report.seconds,
        super::progress::peak_rss().map_or("unknown".into(), |kb| format!(
            "{:.0} MB",
            kb as f64 / 1024.0
        )),
        args.out.display()
    );
    Ok(Outcome::Clean)
}
