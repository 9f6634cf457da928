//! Integration tests of `redflag serve` through the real binary: each test starts a server on an
//! ephemeral loopback port, talks plain HTTP/1.1 to it over a socket, and stops it.
//!
//! Scores are not pinned: the server's answers are compared with `redflag check --json` on the same
//! text, so the tests hold whatever the shipped model is, as long as it holds the obviously violent
//! comment below and publishes the benign one (which the library's doctest already assumes).

use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

const VIOLENT: &str = "Execute every last one of them on the spot.";
const BENIGN: &str = "Embassy security is cover.";
const PERSPECTIVE: &str = "/v1alpha1/comments:analyze";
const CORAL_SECRET: &str = "whsec_redflag_test";

fn redflag() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_redflag"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c.env_remove("REDFLAG_MODEL");
    c.env_remove("REDFLAG_CORAL_SECRET");
    c
}

/// `redflag check --json TEXT`, parsed.
fn check_json(text: &str) -> Value {
    let o = redflag().args(["check", "--json", text]).output().unwrap();
    serde_json::from_slice(&o.stdout).unwrap()
}

/// A running `redflag serve`, stopped (killed) when dropped.
struct Server {
    child: Child,
    stdout: BufReader<ChildStdout>,
    addr: String,
}

impl Server {
    /// `redflag serve ARGS` on a free port.
    fn start(args: &[&str]) -> Server {
        Server::start_with(args, &[])
    }

    /// `redflag serve ARGS` on a free port, with environment variables `env`.
    fn start_with(args: &[&str], env: &[(&str, &str)]) -> Server {
        let mut child = redflag()
            .envs(env.iter().copied())
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("redflag serve starts");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let addr = line
            .trim()
            .strip_prefix("redflag: listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_string();
        Server {
            child,
            stdout,
            addr,
        }
    }

    fn connect(&self) -> TcpStream {
        let s = TcpStream::connect(&self.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s
    }

    /// Sends one request (`Connection: close`) and reads the whole answer.
    fn send(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
        let mut s = self.connect();
        s.write_all(&request_head(method, path, headers, body.len()))
            .unwrap();
        s.write_all(body).unwrap();
        read_reply(&mut s)
    }

    fn post(&self, path: &str, body: &Value) -> Reply {
        self.send("POST", path, &[], body.to_string().as_bytes())
    }

    fn get(&self, path: &str) -> Reply {
        self.send("GET", path, &[], b"")
    }

    /// Sends SIGTERM and waits for the exit; returns the exit code and everything printed after the
    /// first line (stdout and stderr).
    fn terminate(mut self) -> (Option<i32>, String) {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success());
        let deadline = Instant::now() + Duration::from_secs(10);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(Instant::now() < deadline, "no exit 10 s after SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut output = String::new();
        self.stdout.read_to_string(&mut output).unwrap();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut output)
            .unwrap();
        (status.code(), output)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn request_head(method: &str, path: &str, headers: &[(&str, &str)], len: usize) -> Vec<u8> {
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {len}\r\n"
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    head.into_bytes()
}

#[derive(Debug)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {:?} {}", self, String::from_utf8_lossy(&self.body)))
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Asserts an error answer with `status`, in Google's shape, whose message contains `needle`.
    fn assert_error(&self, status: u16, needle: &str) {
        let body = String::from_utf8_lossy(&self.body);
        assert_eq!(self.status, status, "{body}");
        let v = self.json();
        assert_eq!(v["error"]["code"], status, "{body}");
        assert!(v["error"]["status"].is_string(), "{body}");
        let message = v["error"]["message"].as_str().unwrap();
        assert!(message.contains(needle), "{needle:?} not in {message:?}");
    }
}

fn read_reply(s: &mut TcpStream) -> Reply {
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no header end in {:?}", String::from_utf8_lossy(&raw)));
    let head = String::from_utf8(raw[..split].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let reply = Reply {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    };
    if let Some(len) = reply.header("content-length") {
        assert_eq!(len.parse::<usize>().unwrap(), reply.body.len());
    }
    reply
}

/// Coral's `X-Coral-Signature` for `body` under `secret`.
fn coral_signature(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256={hex}")
}

/// A request as Coral's external moderation phase sends it (pretty-printed, as Coral does).
fn coral_request(text: &str) -> Vec<u8> {
    serde_json::to_vec_pretty(&json!({
        "action": "NEW",
        "comment": {"body": text, "parentID": null},
        "author": {"id": "u1", "role": "COMMENTER"},
        "story": {"id": "s1", "url": "https://example.org/story"},
        "site": {"id": "site1"},
        "tenantID": "t1",
        "tenantDomain": "example.org"
    }))
    .unwrap()
}

/// `text` sliced by UTF-16 code units, as a JavaScript client would slice it.
fn utf16_slice(text: &str, begin: &Value, end: &Value) -> String {
    let units: Vec<u16> = text.encode_utf16().collect();
    let (b, e) = (begin.as_u64().unwrap(), end.as_u64().unwrap());
    String::from_utf16(&units[b as usize..e as usize]).unwrap()
}

#[test]
fn healthz_names_the_model_categories() {
    let server = Server::start(&[]);
    let r = server.get("/healthz");
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["status"], "ok");
    assert_eq!(r.json()["categories"], json!(["violent", "abusive"]));
    for category in ["violent", "abusive"] {
        let t = r.json()["thresholds"][category].as_f64().unwrap();
        assert!(t > 0.0 && t < 1.0, "{category}: {t}");
    }
}

#[test]
fn v1_check_answers_exactly_what_redflag_check_json_prints() {
    let server = Server::start(&[]);
    for text in [
        VIOLENT,
        BENIGN,
        "Café crème, naïve 😀 — donâ€™t kill the messenger.",
    ] {
        let r = server.post("/v1/check", &json!({ "text": text }));
        assert_eq!(r.status, 200);
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(r.json(), check_json(text), "{text}");
    }
    assert_eq!(
        server.post("/v1/check", &json!({ "text": VIOLENT })).json()["decision"],
        "hold"
    );
    assert_eq!(
        server.post("/v1/check", &json!({ "text": BENIGN })).json()["decision"],
        "publish"
    );
}

#[test]
fn v1_check_refuses_bad_requests() {
    let server = Server::start(&[]);
    server
        .send("POST", "/v1/check", &[], b"{\"text\": ")
        .assert_error(400, "Invalid JSON payload received");
    server
        .post("/v1/check", &json!({ "comment": "hi" }))
        .assert_error(400, "unknown field `comment`");
    server
        .post("/v1/check", &json!({ "text": 3 }))
        .assert_error(400, "invalid type");
    server
        .send("POST", "/v1/check", &[], b"{\"text\": \"\xff\xfe\"}")
        .assert_error(400, "Invalid JSON payload received");
}

#[test]
fn perspective_scores_map_redflag_categories_to_attributes() {
    let server = Server::start(&[]);
    for text in [VIOLENT, BENIGN] {
        let r = server.post(
            PERSPECTIVE,
            &json!({
                "comment": {"text": text},
                "requestedAttributes": {
                    "THREAT": {}, "INSULT": {}, "IDENTITY_ATTACK": {},
                    "TOXICITY": {}, "SEVERE_TOXICITY": {"scoreType": "PROBABILITY"}
                },
                "languages": ["en"],
                "doNotStore": true,
                "clientToken": "comment-53922"
            }),
        );
        assert_eq!(r.status, 200);
        let v = r.json();
        assert_eq!(v["languages"], json!(["en"]));
        assert_eq!(v["clientToken"], "comment-53922");
        let scores = check_json(text)["scores"].clone();
        let (violent, abusive) = (
            scores["violent"].as_f64().unwrap(),
            scores["abusive"].as_f64().unwrap(),
        );
        let summary = |name: &str| {
            let s = &v["attributeScores"][name]["summaryScore"];
            assert_eq!(s["type"], "PROBABILITY", "{name}: {v}");
            assert!(
                v["attributeScores"][name].get("spanScores").is_none(),
                "no spans unless asked: {v}"
            );
            s["value"].as_f64().unwrap()
        };
        // check --json rounds to four decimals; Perspective answers are unrounded.
        let close = |a: f64, b: f64| (a - b).abs() < 1e-4;
        assert!(close(summary("THREAT"), violent), "{v}");
        assert!(close(summary("INSULT"), abusive), "{v}");
        assert!(close(summary("IDENTITY_ATTACK"), abusive), "{v}");
        assert!(close(summary("TOXICITY"), violent.max(abusive)), "{v}");
        assert!(
            close(summary("SEVERE_TOXICITY"), violent.max(abusive)),
            "{v}"
        );
    }
}

#[test]
fn perspective_answers_without_languages_with_english_and_no_client_token() {
    let server = Server::start(&[]);
    let v = server
        .post(
            PERSPECTIVE,
            &json!({"comment": {"text": BENIGN}, "requestedAttributes": {"TOXICITY": null}}),
        )
        .json();
    assert_eq!(v["languages"], json!(["en"]));
    assert!(v.get("clientToken").is_none(), "{v}");
    assert!(v["attributeScores"]["TOXICITY"]["summaryScore"]["value"].is_f64());
    let v = server
        .post(
            PERSPECTIVE,
            &json!({"comment": {"text": BENIGN}, "requestedAttributes": {"TOXICITY": {}}, "languages": []}),
        )
        .json();
    assert_eq!(v["languages"], json!(["en"]));
}

#[test]
fn perspective_span_offsets_are_utf16_units_of_the_text_as_sent() {
    let server = Server::start(&[]);
    // Accents (2 bytes, 1 unit), an emoji (4 bytes, 2 units) and mojibake that redflag repairs before
    // scoring ("donâ€™t" is "don’t" read as Windows-1252): offsets must still fit the text as sent.
    let first = "Café crème, naïve 😀 — donâ€™t worry.";
    let text = format!("{first}  {VIOLENT}\n{BENIGN}");
    let v = server
        .post(
            PERSPECTIVE,
            &json!({
                "comment": {"text": text},
                "requestedAttributes": {"THREAT": {}},
                "spanAnnotations": true
            }),
        )
        .json();
    let spans = v["attributeScores"]["THREAT"]["spanScores"]
        .as_array()
        .unwrap_or_else(|| panic!("no spans: {v}"));
    let pieces: Vec<String> = spans
        .iter()
        .map(|s| utf16_slice(&text, &s["begin"], &s["end"]))
        .collect();
    assert_eq!(pieces, [first, VIOLENT, BENIGN]);
    // Each sentence is scored alone, as `redflag check` scores it.
    for (span, piece) in spans.iter().zip(&pieces) {
        let alone = check_json(piece)["scores"]["violent"].as_f64().unwrap();
        let value = span["score"]["value"].as_f64().unwrap();
        assert!((value - alone).abs() < 1e-4, "{piece}: {value} vs {alone}");
        assert_eq!(span["score"]["type"], "PROBABILITY");
    }
}

#[test]
fn perspective_as_coral_talk_calls_it_with_a_key_in_the_query() {
    // Coral's Perspective integration: endpoint + "/comments:analyze?key=…", the tenant's language,
    // one attribute, and a score suggestion when a moderator decides.
    let server = Server::start(&[]);
    let r = server.post(
        &format!("{PERSPECTIVE}?key=anything"),
        &json!({
            "comment": {"text": VIOLENT},
            "doNotStore": true,
            "requestedAttributes": {"SEVERE_TOXICITY": {}},
            "languages": ["en"]
        }),
    );
    assert_eq!(r.status, 200);
    let value = r.json()["attributeScores"]["SEVERE_TOXICITY"]["summaryScore"]["value"]
        .as_f64()
        .unwrap();
    let scores = check_json(VIOLENT)["scores"].clone();
    let max = scores["violent"]
        .as_f64()
        .unwrap()
        .max(scores["abusive"].as_f64().unwrap());
    assert!((value - max).abs() < 1e-4);
    let r = server.post(
        "/v1alpha1/comments:suggestscore?key=anything",
        &json!({
            "comment": {"text": VIOLENT},
            "context": {"entries": [{"text": "{\"url\": \"https://example.org/s#c1\"}"}]},
            "attributeScores": {"SEVERE_TOXICITY": {"summaryScore": {"value": 1}}},
            "languages": ["en"],
            "communityId": "Coral:https://example.org",
            "clientToken": "comment:c1"
        }),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.json(), json!({"clientToken": "comment:c1"}));
    server
        .send("POST", "/v1alpha1/comments:suggestscore", &[], b"[1, 2]")
        .assert_error(400, "Invalid JSON payload received");
}

#[test]
fn perspective_score_threshold_leaves_out_lower_scores() {
    let server = Server::start(&[]);
    let request = |threshold: f64| {
        json!({
            "comment": {"text": BENIGN},
            "requestedAttributes": {"THREAT": {"scoreThreshold": threshold}, "INSULT": {}}
        })
    };
    let v = server.post(PERSPECTIVE, &request(0.0)).json();
    let threat = v["attributeScores"]["THREAT"]["summaryScore"]["value"]
        .as_f64()
        .unwrap();
    assert!(threat < 1.0, "{v}");
    let v = server.post(PERSPECTIVE, &request(1.0)).json();
    assert!(v["attributeScores"].get("THREAT").is_none(), "{v}");
    assert!(v["attributeScores"].get("INSULT").is_some(), "{v}");
}

#[test]
fn perspective_refuses_what_it_cannot_answer_in_perspectives_error_shape() {
    let server = Server::start(&[]);
    let base = json!({"comment": {"text": BENIGN}, "requestedAttributes": {"TOXICITY": {}}});
    let with = |patch: Value| {
        let mut v = base.clone();
        for (k, val) in patch.as_object().unwrap() {
            v[k] = val.clone();
        }
        v
    };
    let cases = [
        (
            with(json!({"requestedAttributes": {"PROFANITY": {}}})),
            "Requested attribute PROFANITY is not supported",
        ),
        (
            with(json!({"requestedAttributes": {}})),
            "requestedAttributes must name at least one attribute",
        ),
        (
            with(json!({"languages": ["en", "de"]})),
            "Attribute TOXICITY does not support request languages: de",
        ),
        (
            with(json!({"requestedAttributes": {"TOXICITY": {"scoreType": "STD_DEV_SCORE"}}})),
            "scoreType \"STD_DEV_SCORE\" is not supported",
        ),
        (
            with(json!({"requestedAttributes": {"TOXICITY": {"scoreThreshold": 1.5}}})),
            "scoreThreshold 1.5 is outside [0, 1]",
        ),
        (
            with(json!({"comment": {"text": "<b>hi</b>", "type": "HTML"}})),
            "comment.type \"HTML\" is not supported",
        ),
        (
            with(json!({"spanAnnotation": true})),
            "unknown field `spanAnnotation`",
        ),
        (
            json!({"requestedAttributes": {"TOXICITY": {}}}),
            "missing field `comment`",
        ),
        (with(json!({"comment": {}})), "missing field `text`"),
    ];
    for (request, needle) in cases {
        let r = server.post(PERSPECTIVE, &request);
        r.assert_error(400, needle);
        assert_eq!(r.json()["error"]["status"], "INVALID_ARGUMENT");
    }
    server
        .send(
            "POST",
            PERSPECTIVE,
            &[],
            b"{\"comment\": {\"text\": \"unclosed",
        )
        .assert_error(400, "Invalid JSON payload received");
    server
        .send("POST", PERSPECTIVE, &[], b"")
        .assert_error(400, "Invalid JSON payload received");
}

#[test]
fn bodies_above_the_cap_get_413_and_the_server_goes_on() {
    let server = Server::start(&["--max-body-bytes", "1000"]);
    let big = json!({"text": "a".repeat(5000)});
    server
        .post("/v1/check", &big)
        .assert_error(413, "larger than 1000 bytes");
    let big = json!({"comment": {"text": "a".repeat(5000)}, "requestedAttributes": {"THREAT": {}}});
    server
        .post(PERSPECTIVE, &big)
        .assert_error(413, "--max-body-bytes");
    // Chunked, with no Content-Length to refuse up front: cut off while reading.
    let mut s = server.connect();
    s.write_all(
        b"POST /v1/check HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\
          Transfer-Encoding: chunked\r\n\r\n",
    )
    .unwrap();
    for _ in 0..4 {
        let chunk = "b".repeat(500);
        let _ = s.write_all(format!("{:x}\r\n{chunk}\r\n", chunk.len()).as_bytes());
    }
    let _ = s.write_all(b"0\r\n\r\n");
    read_reply(&mut s).assert_error(413, "larger than 1000 bytes");
    assert_eq!(server.post("/v1/check", &json!({"text": "ok"})).status, 200);
}

#[test]
fn a_request_slower_than_the_timeout_gets_408() {
    let server = Server::start(&["--timeout-ms", "300"]);
    let mut s = server.connect();
    let body = json!({"text": BENIGN}).to_string();
    s.write_all(&request_head("POST", "/v1/check", &[], body.len()))
        .unwrap();
    s.write_all(&body.as_bytes()[..5]).unwrap();
    let started = Instant::now();
    read_reply(&mut s).assert_error(408, "longer than 300 ms");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn unknown_routes_and_wrong_methods_get_json_errors() {
    let server = Server::start(&[]);
    server.get("/v1/nothing").assert_error(404, "no such route");
    server
        .get("/v1/check")
        .assert_error(405, "method not allowed");
    server
        .send("POST", "/healthz", &[], b"{}")
        .assert_error(405, "method not allowed");
}

#[test]
fn coral_holds_a_violent_comment_and_lets_a_benign_one_through() {
    let server = Server::start(&["--coral-secret", CORAL_SECRET]);
    let body = coral_request(VIOLENT);
    let signature = coral_signature(CORAL_SECRET, &body);
    let r = server.send(
        "POST",
        "/v1/coral",
        &[("X-Coral-Signature", &signature)],
        &body,
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(
        r.json(),
        json!({
            "status": "SYSTEM_WITHHELD",
            "actions": [{"actionType": "FLAG", "reason": "COMMENT_DETECTED_TOXIC"}]
        })
    );
    let body = coral_request(BENIGN);
    // A rotated secret: Coral signs with the old and the new one, comma-separated.
    let signatures = format!(
        "{},{}",
        coral_signature("whsec_retired", &body),
        coral_signature(CORAL_SECRET, &body)
    );
    let r = server.send(
        "POST",
        "/v1/coral",
        &[("X-Coral-Signature", &signatures)],
        &body,
    );
    assert_eq!(r.status, 204);
    assert!(r.body.is_empty());
}

#[test]
fn coral_secrets_come_from_the_environment_too() {
    let secrets = format!("whsec_old,{CORAL_SECRET}");
    let server = Server::start_with(&[], &[("REDFLAG_CORAL_SECRET", &secrets)]);
    let body = coral_request(VIOLENT);
    for secret in ["whsec_old", CORAL_SECRET] {
        let signature = coral_signature(secret, &body);
        let r = server.send(
            "POST",
            "/v1/coral",
            &[("X-Coral-Signature", &signature)],
            &body,
        );
        assert_eq!(r.status, 200, "{secret}");
    }
}

#[test]
fn coral_refuses_unsigned_wrongly_signed_and_malformed_requests() {
    let server = Server::start(&["--coral-secret", CORAL_SECRET]);
    let body = coral_request(VIOLENT);
    let wrong = coral_signature("whsec_someone_else", &body);
    server
        .send("POST", "/v1/coral", &[("X-Coral-Signature", &wrong)], &body)
        .assert_error(401, "does not match");
    // Signed, then altered in transit.
    let signature = coral_signature(CORAL_SECRET, &body);
    let altered = coral_request(BENIGN);
    server
        .send(
            "POST",
            "/v1/coral",
            &[("X-Coral-Signature", &signature)],
            &altered,
        )
        .assert_error(401, "does not match");
    server
        .send("POST", "/v1/coral", &[], &body)
        .assert_error(401, "missing X-Coral-Signature");
    let garbage = b"{\"comment\": 3}";
    let signature = coral_signature(CORAL_SECRET, garbage);
    server
        .send(
            "POST",
            "/v1/coral",
            &[("X-Coral-Signature", &signature)],
            garbage,
        )
        .assert_error(400, "Invalid JSON payload received");

    let off = Server::start(&[]);
    off.send(
        "POST",
        "/v1/coral",
        &[("X-Coral-Signature", &signature)],
        &body,
    )
    .assert_error(403, "--coral-secret");
}

#[test]
fn metrics_count_requests_latency_and_holds() {
    let server = Server::start(&["--coral-secret", CORAL_SECRET]);
    server.post("/v1/check", &json!({"text": VIOLENT}));
    server.post("/v1/check", &json!({"text": BENIGN}));
    server.send("POST", "/v1/check", &[], b"nope");
    server.get("/nowhere");
    let violent = check_json(VIOLENT);
    let r = server.get("/metrics");
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/plain"));
    let text = String::from_utf8(r.body).unwrap();
    let mut expected = vec![
        "redflag_http_requests_total{route=\"/v1/check\",status=\"200\"} 2".to_string(),
        "redflag_http_requests_total{route=\"/v1/check\",status=\"400\"} 1".to_string(),
        "redflag_http_requests_total{route=\"unmatched\",status=\"404\"} 1".to_string(),
        "redflag_http_request_duration_seconds_count{route=\"/v1/check\"} 3".to_string(),
        "redflag_comments_total{decision=\"hold\"} 1".to_string(),
        "redflag_comments_total{decision=\"publish\"} 1".to_string(),
    ];
    for category in ["violent", "abusive"] {
        let held = violent["flagged"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == category);
        expected.push(format!(
            "redflag_holds_total{{category=\"{category}\"}} {}",
            u8::from(held)
        ));
    }
    for line in expected {
        assert!(text.lines().any(|l| l == line), "{line} missing in\n{text}");
    }
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let value = line.rsplit(' ').next().unwrap();
        assert!(value.parse::<f64>().is_ok(), "not a sample: {line}");
    }
}

#[test]
fn no_input_makes_it_fail_or_fall_over() {
    let server = Server::start(&["--coral-secret", CORAL_SECRET]);
    // A small fixed-seed generator: the same odd inputs every run.
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut bodies: Vec<Vec<u8>> = vec![
        // Nested past serde_json's recursion limit, and past the body cap.
        "[".repeat(50_000).into_bytes(),
        "[".repeat(100_000).into_bytes(),
        b"{\"text\": \"\\ud800\"}".to_vec(),
        b"{\"text\": \"\\u0000\"}".to_vec(),
        b"null".to_vec(),
        b"{\"comment\": {\"text\": \"x\"}, \"requestedAttributes\": {\"THREAT\": {\"scoreThreshold\": 1e999}}}"
            .to_vec(),
        b"{\"comment\": {\"text\": \"x\"}, \"requestedAttributes\": {\"THREAT\": 7}}".to_vec(),
        json!({"text": "\u{202e}\u{200b}".repeat(1000)}).to_string().into_bytes(),
        json!({"comment": {"text": "!?.…\n".repeat(2000)}, "requestedAttributes": {"TOXICITY": {}}, "spanAnnotations": true})
            .to_string()
            .into_bytes(),
        json!({"comment": {"text": "🏴‍☠️".repeat(3000)}, "requestedAttributes": {"TOXICITY": {}}, "spanAnnotations": true})
            .to_string()
            .into_bytes(),
    ];
    for _ in 0..30 {
        let len = (next() % 3000) as usize;
        bodies.push((0..len).map(|_| next() as u8).collect());
    }
    for body in &bodies {
        for path in [PERSPECTIVE, "/v1/check", "/v1/coral"] {
            let signature = coral_signature(CORAL_SECRET, body);
            let r = server.send("POST", path, &[("X-Coral-Signature", &signature)], body);
            assert!(
                r.status < 500,
                "{path}: {} for {:?}",
                r.status,
                String::from_utf8_lossy(&body[..body.len().min(80)])
            );
            if r.status >= 400 {
                assert!(r.json()["error"]["message"].is_string());
            }
        }
    }
    assert_eq!(server.get("/healthz").status, 200);
}

#[test]
fn a_client_that_half_closes_still_gets_its_answer() {
    // Some clients shut down their sending side once the request is out. A long comment keeps the
    // server busy while the end of input arrives.
    let server = Server::start(&[]);
    let text = format!("{VIOLENT} ").repeat(1000);
    for _ in 0..3 {
        let mut s = server.connect();
        let body = json!({ "text": text }).to_string();
        s.write_all(&request_head("POST", "/v1/check", &[], body.len()))
            .unwrap();
        s.write_all(body.as_bytes()).unwrap();
        s.shutdown(Shutdown::Write).unwrap();
        let reply = read_reply(&mut s);
        assert_eq!(reply.status, 200);
        assert_eq!(reply.json()["decision"], "hold");
    }
}

#[test]
fn sigterm_finishes_the_request_in_flight_then_exits_0_without_logging_comments() {
    let server = Server::start(&[]);
    let marker = "Zanzibar-marker-7731 kill them all";
    server.post("/v1/check", &json!({ "text": marker }));
    // A request whose body is still arriving when SIGTERM comes.
    let mut s = server.connect();
    let body = json!({ "text": format!("{marker} {VIOLENT}") }).to_string();
    s.write_all(&request_head("POST", "/v1/check", &[], body.len()))
        .unwrap();
    s.write_all(&body.as_bytes()[..10]).unwrap();
    // In flight means inside the server: wait until /metrics counts it (and the scrape itself).
    let deadline = Instant::now() + Duration::from_secs(10);
    while !String::from_utf8_lossy(&server.get("/metrics").body)
        .lines()
        .any(|l| l == "redflag_http_requests_in_flight 2")
    {
        assert!(
            Instant::now() < deadline,
            "the request never reached the server"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let addr = server.addr.clone();
    let finisher = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        s.write_all(&body.as_bytes()[10..]).unwrap();
        s.shutdown(Shutdown::Write).unwrap();
        read_reply(&mut s)
    });
    let (code, output) = server.terminate();
    assert_eq!(code, Some(0), "{output}");
    let reply = finisher.join().unwrap();
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["decision"], "hold");
    assert!(
        !output.contains("Zanzibar"),
        "comment text in the output: {output}"
    );
    assert!(
        TcpStream::connect(&addr).is_err(),
        "still accepting after exit"
    );
}
