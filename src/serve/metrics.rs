//! `GET /metrics`: what the service has done, in Prometheus' text exposition format, so that an
//! operator can watch request rates, errors, latency and how often each category holds a comment.
//!
//! The counters are few and their labels bounded (route templates, status codes, category names), so
//! they are kept by hand rather than through a metrics library: one short lock per request.

use super::{AppState, Shared};
use crate::moderate::Decision;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// The route label of requests that matched no route.
pub(super) const UNMATCHED: &str = "unmatched";

/// Upper bounds of the latency histogram's buckets, in seconds: 100 µs to 1 s.
const BUCKETS: [f64; 12] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0,
];

/// Requests of one route.
#[derive(Debug, Default)]
struct RouteStats {
    by_status: BTreeMap<u16, u64>,
    /// Requests at or below each bound of [`BUCKETS`] (not cumulative; summed when rendered).
    buckets: [u64; BUCKETS.len()],
    count: u64,
    seconds: f64,
}

/// The service's counters.
#[derive(Debug)]
pub(super) struct Metrics {
    routes: Mutex<BTreeMap<String, RouteStats>>,
    /// Requests being answered now.
    in_flight: AtomicU64,
    publish: AtomicU64,
    hold: AtomicU64,
    /// Per model category: comments at or above its threshold.
    holds: Vec<(String, AtomicU64)>,
}

impl Metrics {
    /// Counters for a service whose model scores `categories`.
    pub(super) fn new<'a>(categories: impl IntoIterator<Item = &'a str>) -> Self {
        Metrics {
            routes: Mutex::new(BTreeMap::new()),
            in_flight: AtomicU64::new(0),
            publish: AtomicU64::new(0),
            hold: AtomicU64::new(0),
            holds: categories
                .into_iter()
                .map(|c| (c.to_string(), AtomicU64::new(0)))
                .collect(),
        }
    }

    /// Counts a request in flight until the returned guard is dropped: answered, timed out, or
    /// abandoned by its client.
    pub(super) fn start(&self) -> InFlight<'_> {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(&self.in_flight)
    }

    /// Records one answered request.
    pub(super) fn request(&self, route: &str, status: u16, took: Duration) {
        let seconds = took.as_secs_f64();
        // A panic elsewhere while holding the lock cannot leave the counters half-written.
        let mut routes = self.routes.lock().unwrap_or_else(|e| e.into_inner());
        let stats = match routes.get_mut(route) {
            Some(s) => s,
            None => routes.entry(route.to_string()).or_default(),
        };
        *stats.by_status.entry(status).or_default() += 1;
        if let Some(b) = BUCKETS.iter().position(|&bound| seconds <= bound) {
            stats.buckets[b] += 1;
        }
        stats.count += 1;
        stats.seconds += seconds;
    }

    /// Records one judged comment from the categories it reached; returns the decision.
    pub(super) fn verdict<'a>(&self, flagged: impl Iterator<Item = &'a str>) -> Decision {
        let mut decision = Decision::Publish;
        for name in flagged {
            decision = Decision::Hold;
            if let Some((_, n)) = self.holds.iter().find(|(c, _)| c == name) {
                n.fetch_add(1, Ordering::Relaxed);
            }
        }
        match decision {
            Decision::Publish => &self.publish,
            Decision::Hold => &self.hold,
        }
        .fetch_add(1, Ordering::Relaxed);
        decision
    }

    /// The Prometheus text exposition of every counter.
    fn exposition(&self) -> String {
        let mut out = String::new();
        let routes = self.routes.lock().unwrap_or_else(|e| e.into_inner());
        // Writing to a String cannot fail.
        let _ = self.write(&mut out, &routes);
        out
    }

    fn write(&self, out: &mut String, routes: &BTreeMap<String, RouteStats>) -> std::fmt::Result {
        writeln!(
            out,
            "# HELP redflag_http_requests_total HTTP requests answered, by route and status code."
        )?;
        writeln!(out, "# TYPE redflag_http_requests_total counter")?;
        for (route, stats) in routes {
            for (status, n) in &stats.by_status {
                writeln!(
                    out,
                    "redflag_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}"
                )?;
            }
        }
        writeln!(
            out,
            "# HELP redflag_http_requests_in_flight Requests being answered, this scrape included."
        )?;
        writeln!(out, "# TYPE redflag_http_requests_in_flight gauge")?;
        writeln!(
            out,
            "redflag_http_requests_in_flight {}",
            self.in_flight.load(Ordering::Relaxed)
        )?;
        writeln!(
            out,
            "# HELP redflag_http_request_duration_seconds Time from receiving a request to answering \
             it, by route."
        )?;
        writeln!(
            out,
            "# TYPE redflag_http_request_duration_seconds histogram"
        )?;
        for (route, stats) in routes {
            let mut cumulative = 0;
            for (bound, n) in BUCKETS.iter().zip(&stats.buckets) {
                cumulative += n;
                writeln!(
                    out,
                    "redflag_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} \
                     {cumulative}"
                )?;
            }
            writeln!(
                out,
                "redflag_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                stats.count
            )?;
            writeln!(
                out,
                "redflag_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                stats.seconds
            )?;
            writeln!(
                out,
                "redflag_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                stats.count
            )?;
        }
        writeln!(
            out,
            "# HELP redflag_comments_total Comments judged, by redflag's decision (every route that \
             scores)."
        )?;
        writeln!(out, "# TYPE redflag_comments_total counter")?;
        for (decision, n) in [("publish", &self.publish), ("hold", &self.hold)] {
            writeln!(
                out,
                "redflag_comments_total{{decision=\"{decision}\"}} {}",
                n.load(Ordering::Relaxed)
            )?;
        }
        writeln!(
            out,
            "# HELP redflag_holds_total Comments at or above a category's threshold, by category."
        )?;
        writeln!(out, "# TYPE redflag_holds_total counter")?;
        for (category, n) in &self.holds {
            writeln!(
                out,
                "redflag_holds_total{{category=\"{category}\"}} {}",
                n.load(Ordering::Relaxed)
            )?;
        }
        Ok(())
    }
}

/// A request in flight; dropping it ends the count.
pub(super) struct InFlight<'a>(&'a AtomicU64);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// `GET /metrics`.
pub(super) async fn render(State(state): State<Shared>) -> Response {
    let state: &AppState = &state;
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.exposition(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metrics() -> Metrics {
        Metrics::new(["violent", "abusive"])
    }

    #[test]
    fn histogram_buckets_are_cumulative_and_end_with_the_count() {
        let m = metrics();
        m.request("/v1/check", 200, Duration::from_micros(80));
        m.request("/v1/check", 200, Duration::from_micros(700));
        m.request("/v1/check", 400, Duration::from_secs(3));
        let text = m.exposition();
        for line in [
            "redflag_http_requests_total{route=\"/v1/check\",status=\"200\"} 2",
            "redflag_http_requests_total{route=\"/v1/check\",status=\"400\"} 1",
            "redflag_http_request_duration_seconds_bucket{route=\"/v1/check\",le=\"0.0001\"} 1",
            "redflag_http_request_duration_seconds_bucket{route=\"/v1/check\",le=\"0.0005\"} 1",
            "redflag_http_request_duration_seconds_bucket{route=\"/v1/check\",le=\"0.001\"} 2",
            "redflag_http_request_duration_seconds_bucket{route=\"/v1/check\",le=\"1\"} 2",
            "redflag_http_request_duration_seconds_bucket{route=\"/v1/check\",le=\"+Inf\"} 3",
            "redflag_http_request_duration_seconds_count{route=\"/v1/check\"} 3",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} missing in\n{text}");
        }
    }

    #[test]
    fn in_flight_counts_until_the_guard_is_dropped() {
        let m = metrics();
        let gauge = |m: &Metrics| {
            m.exposition()
                .lines()
                .find_map(|l| l.strip_prefix("redflag_http_requests_in_flight "))
                .map(str::to_string)
        };
        let a = m.start();
        let b = m.start();
        assert_eq!(gauge(&m).as_deref(), Some("2"));
        drop(a);
        assert_eq!(gauge(&m).as_deref(), Some("1"));
        drop(b);
        assert_eq!(gauge(&m).as_deref(), Some("0"));
    }

    #[test]
    fn verdicts_count_decisions_and_holds_per_category() {
        let m = metrics();
        assert_eq!(
            m.verdict(["violent", "abusive"].into_iter()),
            Decision::Hold
        );
        assert_eq!(m.verdict(["abusive"].into_iter()), Decision::Hold);
        assert_eq!(m.verdict(std::iter::empty()), Decision::Publish);
        let text = m.exposition();
        for line in [
            "redflag_comments_total{decision=\"publish\"} 1",
            "redflag_comments_total{decision=\"hold\"} 2",
            "redflag_holds_total{category=\"violent\"} 1",
            "redflag_holds_total{category=\"abusive\"} 2",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} missing in\n{text}");
        }
    }
}
