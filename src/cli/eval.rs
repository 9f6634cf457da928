//! `redflag eval`: how well the model does on a labelled file, in the figures moderators ask for.
//!
//! Precision, recall, F1, ROC-AUC and PR-AUC per category and for "any category", pooled and per
//! `source` (and per `kind`) when the examples carry one; confusion counts and the share of clean
//! comments held, at the thresholds stored in the model. `--plot` draws the precision–recall curves.
//!
//! A pooled ROC-AUC over several sources also ranks one source's posts against another's, which the
//! per-source figures never do; the cross-source table (positives of one source against the
//! negatives of each source) shows which pairs pull the pooled figure down.

use super::{ModelArgs, Outcome};
use crate::error::{Error, Result};
use crate::model::metrics::{pr_curve, roc_auc, Report};
use crate::model::{read_examples, Example};
use crate::moderate::Scorer;
use clap::Args;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `redflag eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Labelled JSON Lines: `{"id", "text", "labels": [...]}`, optionally `"source"` and `"kind"`.
    file: PathBuf,
    /// Print the figures as JSON.
    #[arg(long)]
    json: bool,
    /// Also draw the precision–recall curve of each category (pooled) into this SVG file.
    #[arg(long, value_name = "SVG")]
    plot: Option<PathBuf>,
    #[command(flatten)]
    model: ModelArgs,
}

/// Figures for one group of examples.
#[derive(Debug, Serialize)]
struct Group {
    /// `all`, `source=NAME` or `kind=NAME`.
    group: String,
    /// Examples in the group.
    examples: usize,
    /// Per category, and `any` (the highest score against "has any label").
    categories: BTreeMap<String, Report>,
    /// Share of examples without labels that the stored thresholds hold.
    clean_held: Option<f64>,
    /// For the `all` group when the examples come from more than one source: each source's positives
    /// ranked against each source's negatives (a new field, so `--json` readers of the older output
    /// still work).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    cross_source: Vec<CrossSource>,
}

/// ROC-AUC of one source's positives against another source's negatives, for one category.
#[derive(Debug, Serialize)]
struct CrossSource {
    category: String,
    /// Source of the positive examples.
    positives_from: String,
    /// Source of the negative examples.
    negatives_from: String,
    positives: usize,
    negatives: usize,
    roc_auc: Option<f64>,
}

/// Scores every example once; returns per-example scores in model category order.
fn score_all(scorer: &mut Scorer<'_>, examples: &[Example]) -> Vec<Vec<f64>> {
    examples
        .iter()
        .map(|e| {
            scorer
                .probabilities(&e.text)
                .into_iter()
                .map(f64::from)
                .collect()
        })
        .collect()
}

fn group(
    name: String,
    members: &[usize],
    examples: &[Example],
    scores: &[Vec<f64>],
    names: &[String],
    thresholds: &[f64],
) -> Group {
    let mut categories = BTreeMap::new();
    for (c, category) in names.iter().enumerate() {
        let s: Vec<f64> = members.iter().map(|&i| scores[i][c]).collect();
        let t: Vec<bool> = members.iter().map(|&i| examples[i].has(category)).collect();
        categories.insert(category.clone(), Report::new(&s, &t, thresholds[c]));
    }
    // "any": a comment is held when any category reaches its threshold; rank by the largest margin.
    let margin = |i: usize| {
        scores[i]
            .iter()
            .zip(thresholds)
            .map(|(s, t)| s - t)
            .fold(f64::NEG_INFINITY, f64::max)
    };
    let s: Vec<f64> = members.iter().map(|&i| margin(i)).collect();
    let t: Vec<bool> = members
        .iter()
        .map(|&i| !examples[i].labels.is_empty())
        .collect();
    categories.insert("any".into(), Report::new(&s, &t, 0.0));
    let clean: Vec<f64> = members
        .iter()
        .filter(|&&i| examples[i].labels.is_empty())
        .map(|&i| margin(i))
        .collect();
    let clean_held = (!clean.is_empty())
        .then(|| clean.iter().filter(|&&m| m >= 0.0).count() as f64 / clean.len() as f64);
    Group {
        group: name,
        examples: members.len(),
        categories,
        clean_held,
        cross_source: Vec::new(),
    }
}

/// Every (positives from A, negatives from B) pair of sources, per category, when there are at
/// least two sources.
fn cross_source(examples: &[Example], scores: &[Vec<f64>], names: &[String]) -> Vec<CrossSource> {
    let mut by_source: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, e) in examples.iter().enumerate() {
        if let Some(source) = &e.source {
            by_source.entry(source).or_default().push(i);
        }
    }
    let mut table = Vec::new();
    if by_source.len() < 2 {
        return table;
    }
    for (c, category) in names.iter().enumerate() {
        // Per source: (scores of its positives, scores of its negatives) in this category.
        let split: Vec<(&str, Vec<f64>, Vec<f64>)> = by_source
            .iter()
            .map(|(source, members)| {
                let (pos, neg): (Vec<usize>, Vec<usize>) =
                    members.iter().partition(|&&i| examples[i].has(category));
                let score = |m: Vec<usize>| m.into_iter().map(|i| scores[i][c]).collect();
                (*source, score(pos), score(neg))
            })
            .collect();
        for (from_pos, pos, _) in split.iter().filter(|(_, pos, _)| !pos.is_empty()) {
            for (from_neg, _, neg) in &split {
                let s: Vec<f64> = pos.iter().chain(neg).copied().collect();
                let truth: Vec<bool> = (0..s.len()).map(|k| k < pos.len()).collect();
                table.push(CrossSource {
                    category: category.clone(),
                    positives_from: (*from_pos).to_string(),
                    negatives_from: (*from_neg).to_string(),
                    positives: pos.len(),
                    negatives: neg.len(),
                    roc_auc: roc_auc(&s, &truth),
                });
            }
        }
    }
    table
}

/// Evaluates and prints the figures.
pub fn run(args: EvalArgs) -> Result<Outcome> {
    let model = args.model.load()?;
    let (examples, _) = read_examples(&args.file)?;
    if examples.is_empty() {
        return Err(Error::Usage(format!(
            "{}: no examples to evaluate",
            args.file.display()
        )));
    }
    let bar = super::progress::spinner();
    bar.set_message(format!("scoring {} examples", examples.len()));
    let scores = score_all(&mut Scorer::for_stream(&model), &examples);
    bar.finish_and_clear();
    let names: Vec<String> = model.categories.iter().map(|c| c.name.clone()).collect();
    let thresholds: Vec<f64> = model
        .categories
        .iter()
        .map(|c| f64::from(c.threshold))
        .collect();

    let mut groups = vec![("all".to_string(), (0..examples.len()).collect::<Vec<_>>())];
    for (key, get) in [
        (
            "source",
            (|e: &Example| e.source.clone()) as fn(&Example) -> Option<String>,
        ),
        ("kind", |e: &Example| e.kind.clone()),
    ] {
        let mut by: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, e) in examples.iter().enumerate() {
            if let Some(v) = get(e) {
                by.entry(format!("{key}={v}")).or_default().push(i);
            }
        }
        groups.extend(by);
    }
    let mut report: Vec<Group> = groups
        .into_iter()
        .map(|(name, members)| group(name, &members, &examples, &scores, &names, &thresholds))
        .collect();
    report[0].cross_source = cross_source(&examples, &scores, &names);

    if let Some(path) = &args.plot {
        plot(path, &examples, &scores, &names)?;
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &report)
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(out))
    } else {
        print_table(&report, &mut out)
    }
    .map_err(|e| Error::io("<stdout>", e))?;
    Ok(Outcome::Clean)
}

fn fmt(x: Option<f64>) -> String {
    x.map_or("-".into(), |v| format!("{v:.3}"))
}

fn print_table(report: &[Group], out: &mut impl Write) -> std::io::Result<()> {
    writeln!(
        out,
        "{:<22} {:<8} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6}  {:>6} {:>6} {:>6} {:>6}  {:>10}",
        "group",
        "category",
        "n",
        "pos",
        "prec",
        "recall",
        "F1",
        "ROC",
        "PR",
        "tp",
        "fp",
        "tn",
        "fn",
        "clean held"
    )?;
    for g in report {
        for (name, r) in &g.categories {
            if r.positives == 0 && name != "any" {
                continue;
            }
            writeln!(
                out,
                "{:<22} {:<8} {:>6} {:>6} {:>6.3} {:>6.3} {:>6.3} {:>6} {:>6}  {:>6} {:>6} {:>6} {:>6}  {:>10}",
                g.group,
                name,
                r.examples,
                r.positives,
                r.precision,
                r.recall,
                r.f1,
                fmt(r.roc_auc),
                fmt(r.pr_auc),
                r.confusion.tp,
                r.confusion.fp,
                r.confusion.tn,
                r.confusion.fn_,
                if name == "any" { fmt(g.clean_held) } else { String::new() }
            )?;
        }
    }
    if !report[0].cross_source.is_empty() {
        writeln!(
            out,
            "\ncross-source ROC-AUC: positives of one source against the negatives of another"
        )?;
        writeln!(
            out,
            "{:<8} {:<22} {:<22} {:>6} {:>6} {:>6}",
            "category", "positives from", "negatives from", "pos", "neg", "ROC"
        )?;
        for x in &report[0].cross_source {
            writeln!(
                out,
                "{:<8} {:<22} {:<22} {:>6} {:>6} {:>6}",
                x.category,
                x.positives_from,
                x.negatives_from,
                x.positives,
                x.negatives,
                fmt(x.roc_auc)
            )?;
        }
    }
    Ok(())
}

/// Draws the pooled precision–recall curve of each category into an SVG file.
fn plot(path: &PathBuf, examples: &[Example], scores: &[Vec<f64>], names: &[String]) -> Result<()> {
    use plotters::prelude::*;
    let draw = || -> std::result::Result<(), Box<dyn std::error::Error>> {
        let root = SVGBackend::new(path, (640, 480)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .caption("Precision-recall", ("sans-serif", 22))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(44)
            .build_cartesian_2d(0f64..1f64, 0f64..1.02f64)?;
        chart
            .configure_mesh()
            .x_desc("recall")
            .y_desc("precision")
            .draw()?;
        for (c, name) in names.iter().enumerate() {
            let s: Vec<f64> = scores.iter().map(|v| v[c]).collect();
            let t: Vec<bool> = examples.iter().map(|e| e.has(name)).collect();
            if !t.iter().any(|&x| x) {
                continue;
            }
            let color = Palette99::pick(c).to_rgba();
            chart
                .draw_series(LineSeries::new(
                    pr_curve(&s, &t).into_iter().map(|(_, p, r)| (r, p)),
                    color.stroke_width(2),
                ))?
                .label(name.as_str())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color));
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()?;
        root.present()?;
        Ok(())
    };
    draw().map_err(|e| Error::io(path, std::io::Error::other(e.to_string())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example(source: &str, violent: bool) -> Example {
        Example {
            id: String::new(),
            text: String::new(),
            labels: if violent {
                vec!["violent".into()]
            } else {
                vec![]
            },
            kind: None,
            source: Some(source.into()),
        }
    }

    #[test]
    fn cross_source_ranks_each_sources_positives_against_each_sources_negatives() {
        // Source a: positive 0.9, negative 0.2. Source b: positive 0.5, negatives 0.6 and 0.1.
        let examples = [
            example("a", true),
            example("a", false),
            example("b", true),
            example("b", false),
            example("b", false),
        ];
        let scores: Vec<Vec<f64>> = [0.9, 0.2, 0.5, 0.6, 0.1].iter().map(|&s| vec![s]).collect();
        let table = cross_source(&examples, &scores, &["violent".to_string()]);
        let auc: Vec<(&str, &str, Option<f64>)> = table
            .iter()
            .map(|x| (&x.positives_from[..], &x.negatives_from[..], x.roc_auc))
            .collect();
        assert_eq!(
            auc,
            [
                ("a", "a", Some(1.0)),
                ("a", "b", Some(1.0)),
                ("b", "a", Some(1.0)),
                ("b", "b", Some(0.5)),
            ]
        );
    }

    #[test]
    fn one_source_gives_no_cross_source_table() {
        let examples = [example("a", true), example("a", false)];
        let scores = vec![vec![0.9], vec![0.1]];
        assert!(cross_source(&examples, &scores, &["violent".to_string()]).is_empty());
    }
}
