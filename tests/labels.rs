//! The labelled set is data people trust: these tests enforce its schema, unique ids, the absence of
//! near-duplicates, that the shipped model was trained on exactly these files, and (when the shared
//! public corpora are present) that no example was copied from them.

use redflag::model::{read_label_dir, Example, Model};
use std::collections::{HashMap, HashSet};
use std::path::Path;

fn labels() -> Vec<Example> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("labels");
    read_label_dir(&dir).expect("labels/ reads").0
}

/// Lower-cased, whitespace-folded text.
fn fold(text: &str) -> String {
    text.to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Character 5-gram shingles, hashed.
fn shingles(text: &str) -> HashSet<u64> {
    let chars: Vec<char> = fold(text).chars().collect();
    let mut out = HashSet::new();
    for w in chars.windows(5.min(chars.len().max(1))) {
        let s: String = w.iter().collect();
        out.insert(redflag::features::feature_hash(
            redflag::features::Kind::Char,
            &s,
        ));
    }
    out
}

/// Pairs (i, j) with Jaccard similarity above `limit`, found through an inverted index of shingles.
fn near_duplicates(
    a: &[HashSet<u64>],
    b: &[HashSet<u64>],
    same: bool,
    limit: f64,
) -> Vec<(usize, usize, f64)> {
    let mut index: HashMap<u64, Vec<usize>> = HashMap::new();
    for (j, s) in b.iter().enumerate() {
        for &h in s {
            index.entry(h).or_default().push(j);
        }
    }
    let mut found = Vec::new();
    for (i, s) in a.iter().enumerate() {
        let mut common: HashMap<usize, usize> = HashMap::new();
        for h in s {
            for &j in index.get(h).map_or(&[][..], Vec::as_slice) {
                if !same || j > i {
                    *common.entry(j).or_default() += 1;
                }
            }
        }
        for (j, c) in common {
            let jaccard = c as f64 / (s.len() + b[j].len() - c) as f64;
            if jaccard > limit {
                found.push((i, j, jaccard));
            }
        }
    }
    found
}

#[test]
fn labels_follow_the_schema_and_kinds_match_labels() {
    let examples = labels();
    assert!(
        examples.len() >= 600,
        "the starter set has at least 600 examples"
    );
    let violent_kinds = ["explicit", "incitement", "implicit", "obfuscated"];
    let abusive_kinds = ["insult", "dehumanising", "harassment"];
    let clean_kinds = [
        "reporting",
        "history",
        "quoting",
        "idiom",
        "profanity",
        "fiction",
        "policy",
        "anger",
        "negation",
        "ordinary",
    ];
    for e in &examples {
        assert!(!e.text.trim().is_empty(), "{}: empty text", e.id);
        let mut sorted = e.labels.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(
            sorted, e.labels,
            "{}: labels must be sorted and distinct",
            e.id
        );
        let kind = e
            .kind
            .as_deref()
            .unwrap_or_else(|| panic!("{}: no kind", e.id));
        let ok = if e.has("violent") {
            violent_kinds.contains(&kind)
        } else if e.has("abusive") {
            abusive_kinds.contains(&kind)
        } else {
            clean_kinds.contains(&kind)
        };
        assert!(
            ok,
            "{}: kind {kind:?} does not fit labels {:?}",
            e.id, e.labels
        );
    }
}

#[test]
fn labels_have_no_near_duplicates() {
    let examples = labels();
    let sh: Vec<HashSet<u64>> = examples.iter().map(|e| shingles(&e.text)).collect();
    let dups = near_duplicates(&sh, &sh, true, 0.8);
    let report: Vec<String> = dups
        .iter()
        .map(|(i, j, s)| format!("{} ~ {} ({s:.2})", examples[*i].id, examples[*j].id))
        .collect();
    assert!(
        report.is_empty(),
        "near-duplicate examples:\n{}",
        report.join("\n")
    );
}

#[test]
fn the_shipped_model_was_trained_on_these_label_files() {
    let model = Model::shipped().expect("shipped model loads");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("labels");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let trained: Vec<String> = model
        .metadata
        .label_files
        .iter()
        .map(|f| {
            Path::new(&f.path)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(trained, files, "retrain with `cargo run -- train`");
    for f in &model.metadata.label_files {
        let name = Path::new(&f.path).file_name().unwrap();
        let bytes = std::fs::read(dir.join(name)).unwrap();
        let digest: String = sha256_hex(&bytes);
        assert_eq!(
            digest, f.sha256,
            "{} changed since the model was trained: run `cargo run -- train`",
            f.path
        );
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn no_example_is_copied_from_the_public_corpora() {
    let public = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/public-dev.jsonl");
    let Ok(text) = std::fs::read_to_string(&public) else {
        eprintln!("skipped: {} is absent", public.display());
        return;
    };
    let examples = labels();
    let ours: Vec<HashSet<u64>> = examples.iter().map(|e| shingles(&e.text)).collect();
    let theirs: Vec<HashSet<u64>> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["text"].as_str().map(shingles))
        .filter(|s| s.len() >= 8)
        .collect();
    let dups = near_duplicates(&ours, &theirs, false, 0.8);
    let report: Vec<String> = dups
        .iter()
        .map(|(i, _, s)| format!("{} ({s:.2})", examples[*i].id))
        .collect();
    assert!(
        report.is_empty(),
        "examples too close to public texts:\n{}",
        report.join("\n")
    );
}
