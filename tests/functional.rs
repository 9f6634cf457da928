//! Functional tests of the shipped model's decisions, by kind of comment.
//!
//! tests/functional/cases.jsonl holds 200 comments written for this test (25 per kind) and checked
//! to be far from every training example (character 5-gram Jaccard ≤ 0.6). A retrain that breaks a
//! kind — stops holding obfuscated threats, starts holding quotations — fails here. The floors are
//! regression gates set a little under what the shipped model measured when they were set (see the
//! README); the test prints every miss so that a failure says what broke.

use redflag::model::Model;
use redflag::moderate::{Decision, Scorer};
use std::collections::BTreeMap;

/// Least share of each kind's cases that must be decided as expected.
const FLOOR_PER_KIND: f64 = 0.76;
/// Least share of all cases.
const FLOOR_OVERALL: f64 = 0.88;

#[test]
fn the_shipped_model_decides_each_kind_of_comment_as_expected() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/functional/cases.jsonl");
    let text = std::fs::read_to_string(path).unwrap();
    let model = Model::shipped().unwrap();
    let mut scorer = Scorer::new(&model);
    let mut by_kind: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut misses = Vec::new();
    for line in text.lines() {
        let case: serde_json::Value = serde_json::from_str(line).unwrap();
        let kind = case["kind"].as_str().unwrap().to_string();
        let expect = match case["expect"].as_str().unwrap() {
            "hold" => Decision::Hold,
            _ => Decision::Publish,
        };
        let verdict = scorer.verdict(case["text"].as_str().unwrap());
        let entry = by_kind.entry(kind.clone()).or_default();
        entry.1 += 1;
        if verdict.decision == expect {
            entry.0 += 1;
        } else {
            misses.push(format!(
                "{} {:?}: {}",
                case["id"], verdict.scores, case["text"]
            ));
        }
    }
    let total: usize = by_kind.values().map(|v| v.1).sum();
    let right: usize = by_kind.values().map(|v| v.0).sum();
    eprintln!(
        "{right}/{total} as expected; misses:\n{}",
        misses.join("\n")
    );
    for (kind, (ok, n)) in &by_kind {
        eprintln!("{kind:<12} {ok}/{n}");
        assert!(*n >= 20, "{kind}: at least 20 cases per kind");
        assert!(
            *ok as f64 / *n as f64 >= FLOOR_PER_KIND,
            "{kind}: only {ok}/{n} decided as expected"
        );
    }
    assert_eq!(by_kind.len(), 8, "eight kinds");
    assert!(
        right as f64 / total as f64 >= FLOOR_OVERALL,
        "only {right}/{total} overall"
    );
}
