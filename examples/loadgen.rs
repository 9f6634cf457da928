//! Load generator for `redflag serve`, used by benches/serve.sh: sends real comments to a running
//! server from a separate process and prints latency percentiles and throughput.
//!
//! Two modes:
//! - `--rate R`: open loop. Request `i` is due at `start + i / R`, whatever happened to the earlier
//!   ones, spread over `--connections` keep-alive connections. Latency counts from the due time when
//!   the connection was still busy with its previous request (the wait is the server's fault:
//!   "coordinated omission" corrected), from the send time otherwise (so that the timer's 1 ms
//!   granularity is not charged to the server).
//! - `--rate 0`: closed loop, every connection sends as soon as its previous answer is in: the
//!   saturation throughput.
//!
//! ```text
//! cargo run --release --example loadgen -- --addr 127.0.0.1:8080 --route perspective \
//!     --texts labels/ordinary.jsonl --rate 1000 --seconds 10
//! ```
//!
//! It runs on one thread, so that on a small machine it leaves the other cores to the server.

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use std::error::Error;
use std::io::{BufRead, Write};
use std::rc::Rc;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;

type AnyError = Box<dyn Error>;

const USAGE: &str = "usage: loadgen --addr HOST:PORT --route perspective|check|healthz \
    [--texts FILE.jsonl]... [--rate PER_SECOND (0 = as fast as possible)] [--seconds N] \
    [--warmup-seconds N] [--connections N] [--write-bodies FILE (write them, one a line, and exit)]";

/// What to send where.
struct Plan {
    addr: String,
    path: &'static str,
    method: Method,
    bodies: Vec<Bytes>,
    rate: f64,
    seconds: f64,
    warmup: f64,
    connections: usize,
    /// Where to write the request bodies instead of sending them (for another load generator).
    write_bodies: Option<String>,
}

/// What one run measured.
#[derive(Default)]
struct Outcome {
    /// Latencies of the successful requests, in microseconds.
    latencies: Vec<u64>,
    errors: u64,
    elapsed: Duration,
}

fn main() -> Result<(), AnyError> {
    let plan = plan(std::env::args().skip(1).collect())?;
    if let Some(path) = &plan.write_bodies {
        let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
        for body in &plan.bodies {
            out.write_all(body)?;
            out.write_all(b"\n")?;
        }
        return Ok(out.flush()?);
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let plan = Rc::new(plan);
    tokio::task::LocalSet::new().block_on(&runtime, async {
        if plan.warmup > 0.0 {
            run(plan.clone(), plan.warmup).await?;
        }
        let outcome = run(plan.clone(), plan.seconds).await?;
        report(&plan, outcome);
        Ok(())
    })
}

fn plan(args: Vec<String>) -> Result<Plan, AnyError> {
    let mut addr = None;
    let mut route = None;
    let mut texts = Vec::new();
    let mut write_bodies = None;
    let (mut rate, mut seconds, mut warmup, mut connections): (f64, f64, f64, usize) =
        (0.0, 10.0, 1.0, 32);
    let mut args = args.into_iter();
    while let Some(flag) = args.next() {
        let mut value = || {
            args.next()
                .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))
        };
        match flag.as_str() {
            "--addr" => addr = Some(value()?),
            "--route" => route = Some(value()?),
            "--texts" => texts.push(value()?),
            "--rate" => rate = value()?.parse()?,
            "--seconds" => seconds = value()?.parse()?,
            "--warmup-seconds" => warmup = value()?.parse()?,
            "--connections" => connections = value()?.parse()?,
            "--write-bodies" => write_bodies = Some(value()?),
            _ => return Err(format!("unknown argument {flag}\n{USAGE}").into()),
        }
    }
    let addr = addr.ok_or(USAGE)?;
    let comments = read_texts(&texts)?;
    let (method, path, bodies): (Method, &'static str, Vec<Bytes>) =
        match route.as_deref().ok_or(USAGE)? {
            // What a Perspective client such as Coral Talk asks for.
            "perspective" => (
                Method::POST,
                "/v1alpha1/comments:analyze",
                comments
                    .iter()
                    .map(|t| {
                        serde_json::json!({
                            "comment": {"text": t},
                            "requestedAttributes": {"TOXICITY": {}, "THREAT": {}, "INSULT": {}},
                            "languages": ["en"],
                            "doNotStore": true
                        })
                    })
                    .map(|v| Bytes::from(v.to_string()))
                    .collect(),
            ),
            "check" => (
                Method::POST,
                "/v1/check",
                comments
                    .iter()
                    .map(|t| Bytes::from(serde_json::json!({ "text": t }).to_string()))
                    .collect(),
            ),
            // The same HTTP round trip without scoring: the baseline.
            "healthz" => (Method::GET, "/healthz", vec![Bytes::new()]),
            other => return Err(format!("unknown route {other}\n{USAGE}").into()),
        };
    if bodies.is_empty() {
        return Err(format!("no texts: give --texts FILE.jsonl\n{USAGE}").into());
    }
    if connections == 0 || seconds.is_nan() || seconds <= 0.0 || rate.is_nan() || rate < 0.0 {
        return Err(
            format!("--connections, --seconds must be positive, --rate >= 0\n{USAGE}").into(),
        );
    }
    Ok(Plan {
        addr,
        path,
        method,
        bodies,
        rate,
        seconds,
        warmup,
        connections,
        write_bodies,
    })
}

/// The `text` field of every line of every file.
fn read_texts(files: &[String]) -> Result<Vec<String>, AnyError> {
    let mut texts = Vec::new();
    for file in files {
        let reader = std::io::BufReader::new(std::fs::File::open(file)?);
        for line in reader.lines() {
            let record: serde_json::Value = serde_json::from_str(&line?)?;
            if let Some(t) = record["text"].as_str() {
                texts.push(t.to_string());
            }
        }
    }
    Ok(texts)
}

/// One measured run of `seconds` over `plan.connections` connections.
async fn run(plan: Rc<Plan>, seconds: f64) -> Result<Outcome, AnyError> {
    let start = Instant::now() + Duration::from_millis(50);
    let deadline = start + Duration::from_secs_f64(seconds);
    let total = (plan.rate * seconds).round() as usize;
    let tasks: Vec<_> = (0..plan.connections)
        .map(|k| tokio::task::spawn_local(connection(plan.clone(), k, start, deadline, total)))
        .collect();
    let mut outcome = Outcome::default();
    for task in tasks {
        let part = task.await??;
        outcome.latencies.extend(part.latencies);
        outcome.errors += part.errors;
    }
    outcome.elapsed = start.elapsed();
    Ok(outcome)
}

/// Connection `k`: requests `k, k + C, k + 2C, …` until `total` are sent (open loop) or `deadline`.
async fn connection(
    plan: Rc<Plan>,
    k: usize,
    start: Instant,
    deadline: Instant,
    total: usize,
) -> Result<Outcome, AnyError> {
    let mut sender = connect(&plan.addr).await?;
    let mut outcome = Outcome::default();
    let mut i = k;
    let mut previous_done = start;
    tokio::time::sleep_until(start.into()).await;
    loop {
        let began = if plan.rate > 0.0 {
            if i >= total {
                break;
            }
            let due = start + Duration::from_secs_f64(i as f64 / plan.rate);
            if previous_done > due {
                due
            } else {
                tokio::time::sleep_until(due.into()).await;
                Instant::now()
            }
        } else {
            if Instant::now() >= deadline {
                break;
            }
            Instant::now()
        };
        let body = plan.bodies[i % plan.bodies.len()].clone();
        let request = Request::builder()
            .method(plan.method.clone())
            .uri(plan.path)
            .header("host", &plan.addr)
            .header("content-type", "application/json")
            .body(Full::new(body))?;
        let ok = match sender.send_request(request).await {
            Ok(response) => {
                let success = response.status().is_success();
                response.into_body().collect().await.is_ok() && success
            }
            Err(_) => false,
        };
        let done = Instant::now();
        if ok {
            outcome.latencies.push((done - began).as_micros() as u64);
        } else {
            outcome.errors += 1;
            sender = connect(&plan.addr).await?;
        }
        previous_done = done;
        i += plan.connections;
    }
    Ok(outcome)
}

/// A new keep-alive HTTP/1.1 connection to `addr`.
async fn connect(addr: &str) -> Result<SendRequest<Full<Bytes>>, AnyError> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::task::spawn_local(conn);
    Ok(sender)
}

fn report(plan: &Plan, mut outcome: Outcome) {
    outcome.latencies.sort_unstable();
    let n = outcome.latencies.len();
    let at = |q: f64| -> f64 {
        if n == 0 {
            return f64::NAN;
        }
        let i = ((q * n as f64).ceil() as usize).clamp(1, n) - 1;
        outcome.latencies[i] as f64 / 1000.0
    };
    let offered = if plan.rate > 0.0 {
        format!("{:.0}/s", plan.rate)
    } else {
        "max".to_string()
    };
    println!(
        "route {} offered {offered} connections {}: {n} ok, {} errors in {:.2} s = {:.0} req/s; \
         latency ms p50 {:.3} p90 {:.3} p99 {:.3} p99.9 {:.3} max {:.3}",
        plan.path,
        plan.connections,
        outcome.errors,
        outcome.elapsed.as_secs_f64(),
        n as f64 / outcome.elapsed.as_secs_f64(),
        at(0.50),
        at(0.90),
        at(0.99),
        at(0.999),
        at(1.0),
    );
}
