//! `POST /v1/coral`: Coral Talk's external moderation phase, so that Coral asks redflag before it
//! publishes a comment.
//!
//! Coral POSTs `{"action", "comment": {"body", "parentID"}, "author", "story", "site", "tenantID",
//! "tenantDomain"}` and signs the exact body bytes: the `X-Coral-Signature` header holds one
//! `sha256=<hex HMAC-SHA256 of the body>` per active signing secret, comma-separated (two while a
//! rotated secret is still valid). A request is accepted when any of its signatures matches any
//! configured secret; the comparison is constant-time.
//!
//! The answer follows Coral's contract: 204 with no body lets the comment through untouched; a held
//! comment gets 200 with `{"status": "SYSTEM_WITHHELD", "actions": [{"actionType": "FLAG", "reason":
//! "COMMENT_DETECTED_TOXIC"}]}` — what Coral's own Perspective phase answers for a toxic comment, so
//! the comment waits in the moderation queue marked "Toxic".

use super::{parse, ApiError, Shared};
use crate::moderate::{Decision, Scorer};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// The header Coral signs its requests with.
const SIGNATURE_HEADER: &str = "x-coral-signature";

/// Checks Coral's signatures against the configured secrets.
#[derive(Debug, Clone)]
pub(super) struct Verifier {
    /// One HMAC keyed with each secret, cloned for each request.
    keys: Vec<Hmac<Sha256>>,
}

impl Verifier {
    /// A verifier for `secrets` (none: every request is refused).
    pub(super) fn new(secrets: &[String]) -> Self {
        Verifier {
            keys: secrets
                .iter()
                // HMAC takes keys of any length: `new_from_slice` cannot fail for it.
                .filter_map(|s| Hmac::<Sha256>::new_from_slice(s.as_bytes()).ok())
                .collect(),
        }
    }

    /// Whether `header` (Coral's `X-Coral-Signature`) signs `body` with one of the secrets.
    fn verify(&self, header: Option<&str>, body: &[u8]) -> Result<(), ApiError> {
        if self.keys.is_empty() {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "the Coral webhook is off: start redflag serve with --coral-secret \
                 (or REDFLAG_CORAL_SECRET) set to the phase's signing secret",
            ));
        }
        let Some(header) = header else {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "missing X-Coral-Signature header: only Coral's signed requests are accepted",
            ));
        };
        let signatures: Vec<Vec<u8>> = header
            .split(',')
            .filter_map(|s| s.trim().strip_prefix("sha256="))
            .filter_map(decode_hex)
            .collect();
        let signed = signatures.iter().any(|signature| {
            self.keys.iter().any(|key| {
                key.clone()
                    .chain_update(body)
                    .verify_slice(signature)
                    .is_ok()
            })
        });
        if signed {
            Ok(())
        } else {
            Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "X-Coral-Signature does not match the body for any configured secret \
                 (copy the phase's signing secret from Coral into --coral-secret)",
            ))
        }
    }
}

/// Lower- or upper-case hex to bytes; `None` if it is not hex.
fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    fn nibble(c: u8) -> Option<u8> {
        (c as char).to_digit(16).map(|d| d as u8)
    }
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    hex.as_bytes()
        .chunks(2)
        .map(|pair| Some(nibble(pair[0])? << 4 | nibble(pair[1])?))
        .collect()
}

/// The part of Coral's request redflag reads; the rest (author, story, tenant) is ignored.
#[derive(Debug, Deserialize)]
struct ModerationRequest {
    comment: CoralComment,
}

#[derive(Debug, Deserialize)]
struct CoralComment {
    body: String,
}

/// Coral's `ExternalModerationResponse` for a held comment.
#[derive(Debug, Serialize)]
struct ModerationResponse {
    status: &'static str,
    actions: [Action; 1],
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Action {
    action_type: &'static str,
    reason: &'static str,
}

/// `POST /v1/coral`.
pub(super) async fn moderate(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = state.body(body)?;
    let signature = headers
        .get(SIGNATURE_HEADER)
        .map(|v| v.to_str().unwrap_or_default());
    state.coral.verify(signature, &body)?;
    let request: ModerationRequest = parse(&body)?;
    let probabilities = Scorer::new(&state.model).probabilities(&request.comment.body);
    Ok(match state.judge(&probabilities) {
        Decision::Publish => StatusCode::NO_CONTENT.into_response(),
        Decision::Hold => super::json(
            StatusCode::OK,
            &ModerationResponse {
                status: "SYSTEM_WITHHELD",
                actions: [Action {
                    action_type: "FLAG",
                    reason: "COMMENT_DETECTED_TOXIC",
                }],
            },
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// HMAC-SHA256 of `body` under `secret`, as Coral writes it.
    fn sign(secret: &str, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(body);
        let bytes = mac.finalize().into_bytes();
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        format!("sha256={hex}")
    }

    #[test]
    fn hmac_matches_the_rfc_4231_test_vector() {
        // RFC 4231, test case 2: key "Jefe", data "what do ya want for nothing?".
        assert_eq!(
            sign("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn accepts_any_listed_signature_of_any_secret() {
        let v = Verifier::new(&["old".into(), "new".into()]);
        let body = br#"{"comment":{"body":"hi"}}"#;
        for header in [
            sign("old", body),
            sign("new", body),
            format!("{},{}", sign("gone", body), sign("new", body)),
            format!("{}, {}", sign("new", body), sign("gone", body)),
            sign("new", body)
                .to_uppercase()
                .replace("SHA256=", "sha256="),
        ] {
            assert!(v.verify(Some(&header), body).is_ok(), "{header}");
        }
    }

    #[test]
    fn refuses_wrong_missing_or_malformed_signatures() {
        let v = Verifier::new(&["secret".into()]);
        let body = br#"{"comment":{"body":"hi"}}"#;
        let other_body = br#"{"comment":{"body":"ho"}}"#;
        for header in [
            Some(sign("wrong", body)),
            Some(sign("secret", other_body)),
            Some(sign("secret", body).replace("sha256=", "sha1=")),
            Some("sha256=zz".to_string()),
            Some("sha256=abc".to_string()),
            Some(String::new()),
            None,
        ] {
            let e = v.verify(header.as_deref(), body).unwrap_err();
            assert_eq!(e.code, StatusCode::UNAUTHORIZED, "{header:?}");
        }
    }

    #[test]
    fn without_a_secret_the_webhook_is_off() {
        let body = b"{}";
        let e = Verifier::new(&[])
            .verify(Some(&sign("", body)), body)
            .unwrap_err();
        assert_eq!(e.code, StatusCode::FORBIDDEN);
    }
}
