//! Integration tests through the real binary: parse, score, check and train on the seed threads.
//!
//! Golden files under tests/golden/ are regenerated only on purpose: `REDFLAG_BLESS=1 cargo test`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn redflag() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_redflag"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c.env_remove("REDFLAG_MODEL");
    c
}

fn run(args: &[&str]) -> Output {
    redflag().args(args).output().expect("redflag runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("UTF-8 output")
}

fn lines(o: &Output) -> Vec<serde_json::Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}

fn seed(prefix: &str) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    let name = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.starts_with(prefix))
        .unwrap_or_else(|| panic!("no seed {prefix}"));
    format!("seeds/{name}")
}

/// Compares `actual` with the golden file, printing both on failure; rewrites it with REDFLAG_BLESS=1.
fn golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("REDFLAG_BLESS").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{} missing; create it with REDFLAG_BLESS=1", path.display()));
    assert!(
        expected == actual,
        "{name} differs from the golden file\n--- expected\n{expected}\n--- actual\n{actual}"
    );
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("redflag-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn parse_finds_the_comments_of_the_seed_threads() {
    let o = run(&["parse", &seed("000"), &seed("003")]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let authors: Vec<String> = lines(&o)
        .iter()
        .map(|c| c["author"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        authors,
        [
            "ThreeCranes",
            "Common_Echo_9061",
            "EsteemedRogue_54",
            "Ruan Gong",
            "Jerry Hood",
            "Steven Ginn",
            "Mr Reynard",
            "yuri"
        ]
    );
    golden("seeds.parse.jsonl", &stdout(&o));
}

#[test]
fn pages_without_comments_yield_none() {
    for s in ["001", "002", "004"] {
        let o = run(&["parse", &seed(s)]);
        assert!(o.status.success());
        assert_eq!(stdout(&o), "", "seed {s} has no reader comments");
    }
}

/// The seed comments, by author.
fn seed_comments() -> Vec<(String, String)> {
    let o = run(&["parse", &seed("000"), &seed("003")]);
    lines(&o)
        .iter()
        .map(|c| {
            (
                c["author"].as_str().unwrap().to_string(),
                c["body"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn check_holds_the_two_violent_seed_comments_and_publishes_the_rest() {
    for (author, body) in seed_comments() {
        let o = run(&["check", "--json", &body]);
        let held = matches!(author.as_str(), "Jerry Hood" | "Steven Ginn");
        assert_eq!(
            o.status.code(),
            Some(if held { 1 } else { 0 }),
            "{author}: {}",
            stdout(&o)
        );
        let verdict: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        if held {
            let reasons: Vec<String> = verdict["reasons"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["ngram"].as_str().unwrap().to_string())
                .collect();
            let expected = if author == "Jerry Hood" {
                "execute"
            } else {
                "string them up"
            };
            assert!(
                reasons.iter().any(|r| r.contains(expected)),
                "{author}: reasons {reasons:?} should point at {expected:?}"
            );
        }
    }
}

#[test]
fn check_reads_stdin_and_prints_a_human_verdict() {
    let mut child = redflag()
        .args(["check"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all("Execute every last one of them on the spot.".as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).starts_with("HOLD"), "{}", stdout(&o));
}

#[test]
fn score_golden_verdicts_for_the_seed_threads() {
    let o = run(&["score", &seed("000"), &seed("003")]);
    assert!(o.status.success());
    golden("seeds.score.jsonl", &stdout(&o));
}

#[test]
fn a_comment_scores_the_same_alone_and_in_a_batch() {
    let comments = seed_comments();
    let batch: String = comments
        .iter()
        .enumerate()
        .map(|(i, (_, b))| format!("{}\n", serde_json::json!({"id": i.to_string(), "text": b})))
        .collect();
    let path = tmp("batch.jsonl");
    std::fs::write(&path, &batch).unwrap();
    let together = lines(&run(&["score", path.to_str().unwrap()]));
    assert_eq!(together.len(), comments.len());
    for (i, (_, body)) in comments.iter().enumerate() {
        let alone: serde_json::Value =
            serde_json::from_str(&stdout(&run(&["check", "--json", body]))).unwrap();
        assert_eq!(together[i]["scores"], alone["scores"], "comment {i}");
        assert_eq!(together[i]["reasons"], alone["reasons"], "comment {i}");
    }
}

#[test]
fn bad_records_become_error_records_and_nothing_is_lost() {
    let path = tmp("bad.jsonl");
    let mut input = Vec::new();
    input.extend_from_slice(b"{\"id\": \"a\", \"body\": \"fine\"}\n");
    input.extend_from_slice(b"not json\n");
    input.extend_from_slice(b"{\"id\": \"c\", \"score\": 3}\n");
    input.extend_from_slice(b"{\"id\": \"d\", \"body\": \"bad \xff byte\"}\n");
    input.extend_from_slice(b"{\"id\": \"e\", \"body\": \"also fine\"}\n");
    std::fs::write(&path, &input).unwrap();
    let o = run(&["score", path.to_str().unwrap()]);
    assert!(o.status.success());
    let out = lines(&o);
    assert_eq!(out.len(), 5, "one output line per input record");
    assert_eq!(out[0]["id"], "a");
    assert!(out[1]["error"].as_str().unwrap().contains("invalid JSON"));
    assert_eq!(out[1]["line"], 2);
    assert_eq!(out[2]["id"], "c");
    assert!(out[2]["error"].as_str().unwrap().contains("no text field"));
    assert!(out[3]["error"].as_str().unwrap().contains("UTF-8"));
    assert_eq!(out[4]["id"], "e");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("read 5 records: 2 scored"), "{stderr}");
    assert!(stderr.contains("3 errors"), "{stderr}");

    let strict = run(&["score", "--strict", path.to_str().unwrap()]);
    assert_eq!(strict.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&strict.stderr).contains(":2:"));
}

#[test]
fn csv_and_compressed_inputs() {
    let csv = tmp("c.csv");
    std::fs::write(
        &csv,
        "id,comment_text,other\n7,\"Hang them all, every one\",x\n8,nice day,y\n",
    )
    .unwrap();
    let out = lines(&run(&["score", csv.to_str().unwrap()]));
    assert_eq!(out.len(), 2);
    assert_eq!(out[0]["id"], "7");
    assert_eq!(out[1]["id"], "8");

    let jsonl = "{\"id\": \"z\", \"text\": \"hello there\"}\n";
    let gz = tmp("c.jsonl.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut enc, jsonl.as_bytes()).unwrap();
    std::fs::write(&gz, enc.finish().unwrap()).unwrap();
    let zst = tmp("c.jsonl.zst");
    std::fs::write(&zst, zstd::encode_all(jsonl.as_bytes(), 3).unwrap()).unwrap();
    for f in [&gz, &zst] {
        let out = lines(&run(&["parse", f.to_str().unwrap()]));
        assert_eq!(out.len(), 1, "{}", f.display());
        assert_eq!(out[0]["body"], "hello there");
    }
}

#[test]
fn corrupt_and_wrong_version_models_give_clear_errors() {
    let corrupt = tmp("corrupt.json");
    std::fs::write(
        &corrupt,
        b"{\"format\": \"redflag-model\", \"version\": 1, \"metad",
    )
    .unwrap();
    let o = run(&["check", "--model", corrupt.to_str().unwrap(), "hi"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("corrupt.json"), "{err}");

    let shipped =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("models/redflag.json"))
            .unwrap();
    let future = tmp("future.json");
    std::fs::write(
        &future,
        shipped.replacen("\"version\":1", "\"version\":99", 1),
    )
    .unwrap();
    let o = run(&["check", "--model", future.to_str().unwrap(), "hi"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("version 99 is not supported"), "{err}");
}

#[test]
fn score_into_a_closed_pipe_exits_quietly() {
    let path = tmp("many.jsonl");
    let line = "{\"text\": \"a perfectly ordinary comment about the weather today\"}\n";
    std::fs::write(&path, line.repeat(20_000)).unwrap();
    let mut child = redflag()
        .args(["score", path.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read one line, then close the pipe, as `| head -1` does.
    let mut out = child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    std::io::Read::read_exact(&mut out, &mut first).unwrap();
    drop(out);
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert!(!String::from_utf8_lossy(&o.stderr).contains("error"));
}

#[test]
fn training_twice_gives_byte_identical_models() {
    let a = tmp("a.json");
    let b = tmp("b.json");
    for out in [&a, &b] {
        let o = run(&[
            "train",
            "--labels",
            "tests/fixtures/labels",
            "--out",
            out.to_str().unwrap(),
            "--folds",
            "3",
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let (a, b) = (std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
    assert!(a == b, "two trainings on the same labels differ");
    let model: serde_json::Value = serde_json::from_slice(&a).unwrap();
    assert_eq!(model["format"], "redflag-model");
    assert_eq!(model["metadata"]["examples"], 48);
}

#[test]
fn invalid_training_parameters_are_named() {
    let o = run(&[
        "train",
        "--folds",
        "1",
        "--out",
        tmp("never.json").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("folds"));
    assert!(!tmp("never.json").exists());
}

#[test]
fn training_on_labels_reproduces_the_shipped_model_byte_for_byte() {
    let out = tmp("retrained.json");
    let o = run(&["train", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let shipped = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("models/redflag.json"));
    assert!(
        std::fs::read(&out).unwrap() == shipped.unwrap(),
        "models/redflag.json is not what `cargo run -- train` produces from labels/; retrain and commit it"
    );
}
