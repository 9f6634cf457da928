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

/// Runs redflag with a standard output whose reader is already gone, as in `| head -0`.
fn run_into_closed_pipe(args: &[&str]) -> Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    redflag()
        .args(args)
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

#[test]
fn eval_and_check_into_a_closed_pipe_do_not_panic() {
    let o = run_into_closed_pipe(&["eval", "tests/fixtures/labels/small.jsonl"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    // The exit code carries the decision, whether or not anyone reads the printed verdict.
    let o = run_into_closed_pipe(&[
        "check",
        "Hang him from the bridge tonight, all of you bring rope",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn eval_json_keeps_one_entry_per_group_and_adds_the_cross_source_table_to_all() {
    let path = tmp("two-sources.jsonl");
    std::fs::write(
        &path,
        concat!(
            r#"{"id":"a1","text":"Execute every last one of them on the spot","labels":["violent"],"source":"a"}"#, "\n",
            r#"{"id":"a2","text":"Great photos of the harbour, thanks","labels":[],"source":"a"}"#, "\n",
            r#"{"id":"b1","text":"I will put a bullet in that judge","labels":["violent"],"source":"b"}"#, "\n",
            r#"{"id":"b2","text":"The council meets on Tuesday","labels":[],"source":"b"}"#, "\n",
        ),
    )
    .unwrap();
    let o = run(&["eval", "--json", path.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let groups: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(groups[0]["group"], "all");
    let table = groups[0]["cross_source"].as_array().unwrap();
    // Two categories would make 8 rows, but only `violent` has positives: a→a, a→b, b→a, b→b.
    assert_eq!(table.len(), 4, "{table:?}");
    assert!(table.iter().all(|x| x["category"] == "violent"));
    assert!(groups[1..].iter().all(|g| g.get("cross_source").is_none()));
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

/// The summary's counts: (read, scored, errors).
fn summary_counts(stderr: &[u8]) -> (u64, u64, u64) {
    let stderr = String::from_utf8_lossy(stderr);
    let line = stderr
        .lines()
        .find(|l| l.starts_with("redflag: read "))
        .unwrap_or_else(|| panic!("no summary in {stderr}"));
    let number_before = |word: &str| -> u64 {
        let before = line.split(word).next().unwrap();
        before.rsplit(' ').next().unwrap().parse().unwrap()
    };
    (
        number_before(" records:"),
        number_before(" scored,"),
        number_before(" errors in"),
    )
}

#[test]
fn every_kind_of_bad_record_is_counted_in_jsonl_and_csv() {
    // JSON Lines: bad JSON, no text field, invalid UTF-8, an over-long line, a blank line (not a
    // record), and good records around them.
    let jsonl = tmp("every-bad.jsonl");
    let mut input = Vec::new();
    input.extend_from_slice(b"{\"id\": \"a\", \"body\": \"fine\"}\n");
    input.extend_from_slice(b"{\"id\": \"b\", \"body\": \n");
    input.extend_from_slice(b"{\"id\": \"c\", \"score\": 3}\n");
    input.extend_from_slice(b"{\"id\": \"d\", \"body\": \"bad \xff byte\"}\n");
    input.extend_from_slice(
        format!("{{\"id\": \"e\", \"body\": \"{}\"}}\n", "x".repeat(500)).as_bytes(),
    );
    input.extend_from_slice(b"\n");
    input.extend_from_slice(b"[1, 2]\n");
    input.extend_from_slice(b"{\"id\": \"g\", \"text\": \"also fine\"}\n");
    std::fs::write(&jsonl, &input).unwrap();
    // CSV: a record with too many fields, invalid UTF-8 in the text, and good records.
    let csv = tmp("every-bad.csv");
    let mut input = Vec::new();
    input.extend_from_slice(
        b"id,comment_text\n1,fine\n2,\"too\",many\n3,bad \xff byte\n4,\"also, fine\"\n",
    );
    std::fs::write(&csv, &input).unwrap();

    for (file, records, errors) in [(&jsonl, 7, 5), (&csv, 4, 2)] {
        for format in ["jsonl", "csv"] {
            let o = run(&[
                "score",
                "--max-line-bytes",
                "200",
                "--output-format",
                format,
                file.to_str().unwrap(),
            ]);
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            let (read, scored, errs) = summary_counts(&o.stderr);
            assert_eq!(
                (read, errs),
                (records, errors),
                "{} as {format}",
                file.display()
            );
            assert_eq!(read, scored + errs, "read = scored + errors");
            let rows = match format {
                "jsonl" => lines(&o).len(),
                _ => csv::Reader::from_reader(&o.stdout[..]).records().count(),
            };
            assert_eq!(rows as u64, read, "one output record per input record");
        }
    }
    let o = run(&["score", "--max-line-bytes", "200", jsonl.to_str().unwrap()]);
    let out = lines(&o);
    let kinds: Vec<&str> = out
        .iter()
        .map(|l| l["error"].as_str().unwrap_or("comment"))
        .map(|e| e.split([' ', ':']).next().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["comment", "invalid", "no", "invalid", "line", "invalid", "comment"]
    );
    assert_eq!(out[4]["line"], 5);
    assert_eq!(out[6]["id"], "g");
}

#[test]
fn parallel_output_equals_single_threaded_output_line_for_line() {
    let path = tmp("parallel.jsonl");
    let mut input = String::new();
    for i in 0..5000 {
        let text = match i % 5 {
            0 => "They should all be hanged, every last one of them",
            1 => "Lovely weather for the match on Saturday",
            2 => "you absolute idiot, shut up",
            _ => "The council meeting was moved to Tuesday evening",
        };
        input.push_str(&format!("{{\"id\": \"n{i}\", \"body\": \"{text} {i}\"}}\n"));
        if i % 997 == 0 {
            input.push_str("{broken\n");
        }
    }
    std::fs::write(&path, input).unwrap();
    for format in ["jsonl", "csv"] {
        let score = |threads: &str| {
            let o = run(&[
                "score",
                "--threads",
                threads,
                "--output-format",
                format,
                path.to_str().unwrap(),
            ]);
            assert!(o.status.success());
            stdout(&o)
        };
        let one = score("1");
        let three = score("3");
        assert_eq!(one.lines().count(), 5006 + usize::from(format == "csv"));
        for (n, (a, b)) in one.lines().zip(three.lines()).enumerate() {
            assert_eq!(a, b, "line {n} ({format})");
        }
        assert_eq!(one.lines().count(), three.lines().count());
    }
}

#[test]
fn only_flagged_and_csv_output() {
    let path = tmp("flagged.jsonl");
    std::fs::write(
        &path,
        "{\"id\": \"v\", \"body\": \"Execute every last one of them on the spot.\"}\n\
         {\"id\": \"q\", \"body\": \"The bakery on Main Street opens at eight.\"}\n\
         not json\n",
    )
    .unwrap();
    let o = run(&["score", "--only-flagged", path.to_str().unwrap()]);
    let ids: Vec<String> = lines(&o)
        .iter()
        .map(|l| l["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["v", &format!("{}:3", path.display())]);
    let (read, scored, errors) = summary_counts(&o.stderr);
    assert_eq!((read, scored, errors), (3, 2, 1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("1 held (violent 1"));

    let o = run(&["score", "--output-format", "csv", path.to_str().unwrap()]);
    let mut reader = csv::Reader::from_reader(&o.stdout[..]);
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        ["id", "decision", "violent", "abusive", "flagged", "reasons", "error", "line"]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(&rows[0][1], "hold");
    assert!(rows[0][5].contains("violent: "), "{:?}", &rows[0]);
    assert_eq!(&rows[1][1], "publish");
    assert_eq!((&rows[2][1], &rows[2][7]), ("error", "3"));
}

#[test]
fn strict_writes_everything_before_the_first_bad_record() {
    let path = tmp("strict.jsonl");
    let mut input = String::new();
    for i in 0..3000 {
        input.push_str(&format!(
            "{{\"id\": \"s{i}\", \"body\": \"a calm comment {i}\"}}\n"
        ));
    }
    input.push_str("not json\n{\"id\": \"after\", \"body\": \"never scored\"}\n");
    std::fs::write(&path, input).unwrap();
    let o = run(&[
        "score",
        "--strict",
        "--threads",
        "2",
        path.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains(":3001:"));
    assert_eq!(lines(&o).len(), 3000);
}

#[test]
fn a_missing_input_stops_the_run_after_the_inputs_before_it() {
    let good = tmp("before-missing.jsonl");
    let mut input = String::new();
    for i in 0..2500 {
        input.push_str(&format!(
            "{{\"id\": \"m{i}\", \"body\": \"a calm comment {i}\"}}\n"
        ));
    }
    std::fs::write(&good, input).unwrap();
    let missing = tmp("no-such-file.jsonl");
    let o = run(&[
        "score",
        good.to_str().unwrap(),
        missing.to_str().unwrap(),
        good.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no-such-file.jsonl"));
    assert_eq!(lines(&o).len(), 2500);
}
