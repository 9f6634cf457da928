//! `redflag serve`: the pre-publish check as a local HTTP service, so that a comment platform can ask
//! redflag before it publishes a comment, the way it asks Google's Perspective API today.
//!
//! The model is loaded once and shared by every request; a request never touches the disk, and no
//! comment text is logged or kept. The routes:
//!
//! | route | what |
//! | --- | --- |
//! | `POST /v1alpha1/comments:analyze` | Perspective API's request and response shapes ([`perspective`]) |
//! | `POST /v1alpha1/comments:suggestscore` | Perspective's score feedback: acknowledged, not kept |
//! | `POST /v1/check` | redflag's own verdict, the JSON of `redflag check --json` |
//! | `POST /v1/coral` | Coral Talk's external moderation phase, signed with a shared secret |
//! | `GET /healthz` | liveness, with the model's categories and their thresholds |
//! | `GET /metrics` | Prometheus text: requests by route and status, in flight, latency, holds by category |
//!
//! Every error, on every route, has one JSON shape — Google's, which Perspective clients already read:
//! `{"error": {"code": 400, "message": "...", "status": "INVALID_ARGUMENT"}}`. Bodies above the cap get
//! 413, requests slower than the timeout 408; on SIGTERM the server stops accepting, lets the requests in
//! flight finish (for at most the timeout) and returns.

mod check;
mod coral;
mod metrics;
pub mod perspective;

use crate::error::{Error, Result};
use crate::model::Model;
use crate::moderate::Decision;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use serde::Serialize;
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

/// The route of Perspective API's `AnalyzeComment` method.
pub const PERSPECTIVE_ROUTE: &str = "/v1alpha1/comments:analyze";
/// The route of Perspective API's `SuggestCommentScore` method.
pub const SUGGEST_ROUTE: &str = "/v1alpha1/comments:suggestscore";
/// The route of redflag's own check.
pub const CHECK_ROUTE: &str = "/v1/check";
/// The route of Coral Talk's external moderation phase.
pub const CORAL_ROUTE: &str = "/v1/coral";

/// How long a connection may take to send a request's headers, and how long an idle keep-alive
/// connection is kept open (hyper's default, made explicit: it needs a timer to take effect).
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// How the service behaves. Built from the command line and checked once by [`Options::check`].
#[derive(Debug, Clone)]
pub struct Options {
    /// Largest request body accepted, in bytes; a larger one gets 413.
    pub max_body_bytes: usize,
    /// Longest time to read and answer one request; a slower one gets 408. Also how long a shutdown
    /// waits for the requests in flight.
    pub timeout: Duration,
    /// Signing secrets of Coral's external moderation phase; none turns `POST /v1/coral` off (403).
    pub coral_secrets: Vec<String>,
}

/// [`Options`] whose values are known to be in range; the only form [`router`] accepts.
#[derive(Debug, Clone)]
pub struct ValidOptions(Options);

impl Options {
    /// Checks every value, naming the flag and the allowed range on error.
    pub fn check(self) -> Result<ValidOptions> {
        if self.max_body_bytes == 0 {
            return Err(Error::Param {
                name: "--max-body-bytes",
                value: "0".into(),
                allowed: "at least 1",
            });
        }
        if self.timeout.is_zero() {
            return Err(Error::Param {
                name: "--timeout-ms",
                value: "0".into(),
                allowed: "at least 1",
            });
        }
        if self.coral_secrets.iter().any(|s| s.trim().is_empty()) {
            return Err(Error::Param {
                name: "--coral-secret",
                value: "\"\"".into(),
                allowed: "a non-empty secret, as Coral shows it",
            });
        }
        Ok(ValidOptions(self))
    }
}

impl ValidOptions {
    /// The checked values.
    pub fn get(&self) -> &Options {
        &self.0
    }
}

/// What every request shares: the model, the Perspective attribute table, Coral's keys, the counters.
struct AppState {
    model: Arc<Model>,
    attributes: perspective::Attributes,
    coral: coral::Verifier,
    metrics: metrics::Metrics,
    max_body_bytes: usize,
    timeout: Duration,
}

type Shared = Arc<AppState>;

/// The service's routes over `model`, with the body cap, the timeout and the metrics applied.
pub fn router(model: Arc<Model>, options: &ValidOptions) -> Router {
    let options = options.get();
    let state = Arc::new(AppState {
        attributes: perspective::Attributes::new(&model),
        coral: coral::Verifier::new(&options.coral_secrets),
        metrics: metrics::Metrics::new(model.categories.iter().map(|c| c.name.as_str())),
        model,
        max_body_bytes: options.max_body_bytes,
        timeout: options.timeout,
    });
    Router::new()
        .route(PERSPECTIVE_ROUTE, post(perspective::analyze))
        .route(SUGGEST_ROUTE, post(perspective::suggest_score))
        .route(CHECK_ROUTE, post(check::check))
        .route(CORAL_ROUTE, post(coral::moderate))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics::render))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(options.max_body_bytes))
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .with_state(state)
}

/// Serves `app` on `listener` until `shutdown` completes, then lets the requests in flight finish for
/// at most `grace` and returns.
pub async fn run(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()>,
    grace: Duration,
) {
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        // A client may shut down its sending side once its request is out and wait for the answer;
        // without this, hyper drops such a request if the end of input arrives before the answer.
        .half_close(true);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of file descriptors and the like: wait a little instead of spinning.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Answers are small and latency matters more than packet count.
        let _ = stream.set_nodelay(true);
        let connection =
            http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(app.clone()));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // A client that hangs up or sends garbage ends its own connection, nothing else.
            let _ = connection.await;
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(grace) => {}
    }
}

/// An error answer, in the shape Google APIs (and so Perspective clients) use.
#[derive(Debug)]
pub(crate) struct ApiError {
    code: StatusCode,
    message: String,
}

impl ApiError {
    /// An error answer with `code` and a message saying what is wrong and, where possible, what to do.
    pub(crate) fn new(code: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
        }
    }

    /// 400 with `message`.
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    /// The canonical Google error status for the HTTP code.
    fn status(&self) -> &'static str {
        match self.code {
            StatusCode::BAD_REQUEST | StatusCode::PAYLOAD_TOO_LARGE => "INVALID_ARGUMENT",
            StatusCode::UNAUTHORIZED => "UNAUTHENTICATED",
            StatusCode::FORBIDDEN => "PERMISSION_DENIED",
            StatusCode::NOT_FOUND => "NOT_FOUND",
            StatusCode::METHOD_NOT_ALLOWED => "UNIMPLEMENTED",
            StatusCode::REQUEST_TIMEOUT => "DEADLINE_EXCEEDED",
            _ => "INTERNAL",
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        #[derive(Serialize)]
        struct Body<'a> {
            error: Inner<'a>,
        }
        #[derive(Serialize)]
        struct Inner<'a> {
            code: u16,
            message: &'a str,
            status: &'static str,
        }
        let body = Body {
            error: Inner {
                code: self.code.as_u16(),
                message: &self.message,
                status: self.status(),
            },
        };
        json(self.code, &body)
    }
}

/// A JSON answer.
fn json(code: StatusCode, body: &impl Serialize) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => (code, [(header::CONTENT_TYPE, "application/json")], bytes).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

impl AppState {
    /// The request body, or the error answer saying why it could not be read (413 above the cap).
    fn body(&self, body: std::result::Result<Bytes, BytesRejection>) -> Result<Bytes, ApiError> {
        body.map_err(|rejection| {
            let code = rejection.status();
            if code == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    code,
                    format!(
                        "request body is larger than {} bytes (redflag serve --max-body-bytes)",
                        self.max_body_bytes
                    ),
                )
            } else {
                ApiError::new(code, format!("cannot read the request body: {rejection}"))
            }
        })
    }

    /// Redflag's decision on a comment from its probabilities (model order), counted in the metrics.
    fn judge(&self, probabilities: &[f32]) -> Decision {
        self.metrics.verdict(
            self.model
                .categories
                .iter()
                .zip(probabilities)
                .filter(|(c, &p)| p >= c.threshold)
                .map(|(c, _)| c.name.as_str()),
        )
    }
}

/// Parses a JSON request body, with a message that says where it is wrong.
fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("Invalid JSON payload received. {e}")))
}

/// Applies the timeout and records the request's route, status and latency.
async fn observe(State(state): State<Shared>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let _in_flight = state.metrics.start();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string());
    let response = match tokio::time::timeout(state.timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            format!(
                "the request took longer than {} ms (redflag serve --timeout-ms)",
                state.timeout.as_millis()
            ),
        )
        .into_response(),
    };
    state.metrics.request(
        route.as_deref().unwrap_or(metrics::UNMATCHED),
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}

/// `GET /healthz`: the service is up and its model loaded; with the model's categories and the
/// threshold at which each holds a comment (what a Perspective client's own threshold should match).
async fn healthz(State(state): State<Shared>) -> Response {
    #[derive(Serialize)]
    struct Health<'a> {
        status: &'static str,
        redflag_version: &'static str,
        categories: Vec<&'a str>,
        thresholds: BTreeMap<&'a str, f32>,
    }
    let categories = &state.model.categories;
    json(
        StatusCode::OK,
        &Health {
            status: "ok",
            redflag_version: env!("CARGO_PKG_VERSION"),
            categories: categories.iter().map(|c| c.name.as_str()).collect(),
            thresholds: categories
                .iter()
                .map(|c| (c.name.as_str(), c.threshold))
                .collect(),
        },
    )
}

async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        format!(
            "no such route; redflag serves POST {PERSPECTIVE_ROUTE}, POST {SUGGEST_ROUTE}, \
             POST {CHECK_ROUTE}, POST {CORAL_ROUTE}, GET /healthz and GET /metrics"
        ),
    )
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method not allowed on this route: the checks take POST, /healthz and /metrics take GET",
    )
}
