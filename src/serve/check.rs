//! `POST /v1/check`: redflag's own pre-publish check over HTTP, for platforms written against redflag
//! rather than Perspective. The answer is the JSON that `redflag check --json` prints — scores, the
//! publish / hold decision, and the phrases that raised each flagged category — so that one parser
//! serves both.

use super::{parse, ApiError, Shared};
use crate::moderate::Scorer;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

/// The request: `{"text": "the comment"}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckRequest {
    text: String,
}

/// `POST /v1/check`.
pub(super) async fn check(
    State(state): State<Shared>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let request: CheckRequest = parse(&state.body(body)?)?;
    let verdict = Scorer::new(&state.model).verdict(&request.text);
    state
        .metrics
        .verdict(verdict.flagged.iter().map(String::as_str));
    Ok(super::json(StatusCode::OK, &verdict))
}
