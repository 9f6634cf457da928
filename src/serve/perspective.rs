//! `POST /v1alpha1/comments:analyze`: Google's Perspective API, answered offline, so that a platform
//! that calls Perspective today (Coral Talk, news sites' own code) can point its endpoint at redflag
//! when Perspective stops serving, with no other change.
//!
//! The request and response follow Perspective's `AnalyzeComment` method field for field. redflag's
//! categories stand in for Perspective's attributes: `THREAT` is the violent probability, `INSULT` and
//! `IDENTITY_ATTACK` the abusive one, `TOXICITY` and `SEVERE_TOXICITY` the larger of the two; every
//! score is of type `PROBABILITY`, the only type Perspective documents. Any other attribute, score
//! type, a language other than English, or an HTML comment is refused with Perspective's error shape
//! (400, `INVALID_ARGUMENT`) rather than answered with a number that means something else.
//!
//! `POST /v1alpha1/comments:suggestscore`, a client's correction of a score (Coral Talk sends one when a
//! moderator decides), is acknowledged as Perspective acknowledges it, and neither kept nor learnt from.
//!
//! With `spanAnnotations`, each sentence gets its own score, as Perspective does ("currently done at
//! per-sentence level"), so a long comment cannot hide one violent sentence. `begin` and `end` count
//! UTF-16 code units of the comment as sent, `end` exclusive — Perspective's "UTF-16 codepoint range",
//! the same as a JavaScript string index — not bytes and not characters.

use super::{parse, ApiError, Shared};
use crate::model::Model;
use crate::moderate::Scorer;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::ops::Range;

/// The attributes redflag serves and the model categories each one reads; several categories mean
/// the largest of their probabilities.
pub const ATTRIBUTES: [(&str, &[&str]); 5] = [
    ("THREAT", &["violent"]),
    ("INSULT", &["abusive"]),
    ("IDENTITY_ATTACK", &["abusive"]),
    ("TOXICITY", &["violent", "abusive"]),
    ("SEVERE_TOXICITY", &["violent", "abusive"]),
];

/// The only score type Perspective documents.
const PROBABILITY: &str = "PROBABILITY";

/// The attributes the loaded model can serve, each with the indices of its categories in the model.
#[derive(Debug, Clone)]
pub(super) struct Attributes(Vec<(&'static str, Vec<usize>)>);

impl Attributes {
    /// The attributes of [`ATTRIBUTES`] whose categories are all in `model`.
    pub(super) fn new(model: &Model) -> Self {
        Attributes(
            ATTRIBUTES
                .iter()
                .filter_map(|&(name, categories)| {
                    let indices = categories
                        .iter()
                        .map(|c| model.categories.iter().position(|m| m.name == *c))
                        .collect::<Option<Vec<usize>>>()?;
                    Some((name, indices))
                })
                .collect(),
        )
    }

    /// The category indices of attribute `name`, if it is served.
    fn get(&self, name: &str) -> Option<&[usize]> {
        self.0
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, indices)| indices.as_slice())
    }

    fn names(&self) -> String {
        let names: Vec<&str> = self.0.iter().map(|(n, _)| *n).collect();
        names.join(", ")
    }
}

/// Perspective's `AnalyzeCommentRequest`. Unknown fields are refused (as Google's API does), so that a
/// misspelt `spanAnnotation` is an error rather than silently ignored.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AnalyzeRequest {
    comment: TextEntry,
    requested_attributes: BTreeMap<String, Option<AttributeParameters>>,
    span_annotations: Option<bool>,
    languages: Option<Vec<String>>,
    client_token: Option<String>,
    /// Accepted and unused: nothing is stored whatever its value.
    #[serde(default, rename = "doNotStore")]
    _do_not_store: Option<IgnoredAny>,
    /// Accepted and unused, as by Perspective itself.
    #[serde(default, rename = "context")]
    _context: Option<IgnoredAny>,
    #[serde(default, rename = "sessionId")]
    _session_id: Option<IgnoredAny>,
    #[serde(default, rename = "communityId")]
    _community_id: Option<IgnoredAny>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TextEntry {
    text: String,
    #[serde(rename = "type")]
    kind: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AttributeParameters {
    score_type: Option<String>,
    score_threshold: Option<f32>,
}

/// Perspective's `AnalyzeCommentResponse`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct AnalyzeResponse {
    attribute_scores: BTreeMap<String, AttributeScores>,
    languages: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct AttributeScores {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    span_scores: Vec<SpanScore>,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary_score: Option<Score>,
}

#[derive(Debug, Serialize)]
struct SpanScore {
    begin: usize,
    end: usize,
    score: Score,
}

#[derive(Debug, Serialize)]
struct Score {
    value: f32,
    #[serde(rename = "type")]
    kind: &'static str,
}

impl Score {
    fn probability(value: f32) -> Self {
        Score {
            value,
            kind: PROBABILITY,
        }
    }
}

/// Perspective's `SuggestCommentScoreRequest`: a client's correction of a score. Coral Talk sends one
/// when a moderator approves or rejects a comment. redflag stores nothing and learns nothing from it;
/// only `clientToken` is read, to be echoed as Perspective does.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SuggestRequest {
    client_token: Option<String>,
}

/// Perspective's `SuggestCommentScoreResponse`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SuggestResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    client_token: Option<String>,
}

/// One requested attribute, checked: its name, categories and threshold.
struct Requested<'a> {
    name: String,
    categories: &'a [usize],
    threshold: f32,
}

/// `POST /v1alpha1/comments:analyze`.
pub(super) async fn analyze(
    State(state): State<Shared>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let request: AnalyzeRequest = parse(&state.body(body)?)?;
    let requested = check(&request, &state.attributes)?;
    let mut scorer = Scorer::new(&state.model);
    let text = &request.comment.text;
    let probabilities = scorer.probabilities(text);
    state.judge(&probabilities);
    let sentences: Vec<(Range<usize>, Vec<f32>)> = if request.span_annotations == Some(true) {
        let bytes = sentences(text);
        utf16_ranges(text, &bytes)
            .into_iter()
            .zip(bytes)
            .map(|(units, bytes)| (units, scorer.probabilities(&text[bytes])))
            .collect()
    } else {
        Vec::new()
    };
    let mut attribute_scores = BTreeMap::new();
    for r in requested {
        let value = |p: &[f32]| r.categories.iter().map(|&i| p[i]).fold(0f32, f32::max);
        let summary = value(&probabilities);
        let scores = AttributeScores {
            summary_score: (summary >= r.threshold).then(|| Score::probability(summary)),
            span_scores: sentences
                .iter()
                .map(|(units, p)| (units, value(p)))
                .filter(|&(_, v)| v >= r.threshold)
                .map(|(units, v)| SpanScore {
                    begin: units.start,
                    end: units.end,
                    score: Score::probability(v),
                })
                .collect(),
        };
        if scores.summary_score.is_some() || !scores.span_scores.is_empty() {
            attribute_scores.insert(r.name, scores);
        }
    }
    let response = AnalyzeResponse {
        attribute_scores,
        // Perspective answers the languages asked for, or those it detected: here always English.
        languages: request
            .languages
            .filter(|l| !l.is_empty())
            .unwrap_or_else(|| vec!["en".to_string()]),
        client_token: request.client_token,
    };
    Ok(super::json(StatusCode::OK, &response))
}

/// `POST /v1alpha1/comments:suggestscore`: acknowledged, not kept.
pub(super) async fn suggest_score(
    State(state): State<Shared>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let request: SuggestRequest = parse(&state.body(body)?)?;
    let response = SuggestResponse {
        client_token: request.client_token,
    };
    Ok(super::json(StatusCode::OK, &response))
}

/// Checks what Perspective would refuse, with its messages where it has one; returns the attributes.
fn check<'a>(
    request: &AnalyzeRequest,
    attributes: &'a Attributes,
) -> Result<Vec<Requested<'a>>, ApiError> {
    if let Some(kind) = &request.comment.kind {
        if kind != "PLAIN_TEXT" {
            return Err(ApiError::bad_request(format!(
                "comment.type {kind:?} is not supported: only \"PLAIN_TEXT\" is"
            )));
        }
    }
    if request.requested_attributes.is_empty() {
        return Err(ApiError::bad_request(format!(
            "requestedAttributes must name at least one attribute (redflag serves {})",
            attributes.names()
        )));
    }
    let mut requested = Vec::new();
    for (name, parameters) in &request.requested_attributes {
        let Some(categories) = attributes.get(name) else {
            return Err(ApiError::bad_request(format!(
                "Requested attribute {name} is not supported: redflag serves {}",
                attributes.names()
            )));
        };
        let parameters = parameters.as_ref();
        if let Some(t) = parameters.and_then(|p| p.score_type.as_deref()) {
            if t != PROBABILITY {
                return Err(ApiError::bad_request(format!(
                    "Attribute {name}: scoreType {t:?} is not supported: only {PROBABILITY:?} is"
                )));
            }
        }
        let threshold = parameters.and_then(|p| p.score_threshold).unwrap_or(0.0);
        if !(0.0..=1.0).contains(&threshold) {
            return Err(ApiError::bad_request(format!(
                "Attribute {name}: scoreThreshold {threshold} is outside [0, 1]"
            )));
        }
        requested.push(Requested {
            name: name.clone(),
            categories,
            threshold,
        });
    }
    let other: Vec<&str> = request
        .languages
        .iter()
        .flatten()
        .map(String::as_str)
        .filter(|l| !is_english(l))
        .collect();
    if !other.is_empty() {
        // Perspective's own message for a language an attribute does not serve.
        let attribute = requested.first().map_or("", |r| r.name.as_str());
        return Err(ApiError::bad_request(format!(
            "Attribute {attribute} does not support request languages: {}",
            other.join(",")
        )));
    }
    Ok(requested)
}

/// Whether a language tag is English: `en`, `EN`, `en-GB`, `en_US`.
fn is_english(tag: &str) -> bool {
    let primary = tag.split(['-', '_']).next().unwrap_or_default();
    primary.eq_ignore_ascii_case("en")
}

/// Byte ranges of the sentences of `text`, without surrounding white space. A sentence ends after
/// `.`, `!`, `?` or `…` (and any closing quotes or brackets) followed by white space, at a line break,
/// or at the end of the text.
fn sentences(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    let mut end = 0;
    let mut after_stop = false;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            if let Some(s) = start {
                if after_stop || c == '\n' {
                    out.push(s..end);
                    start = None;
                }
            }
            continue;
        }
        start.get_or_insert(i);
        end = i + c.len_utf8();
        after_stop = matches!(c, '.' | '!' | '?' | '…')
            || (after_stop && matches!(c, '"' | '\'' | ')' | ']' | '”' | '’' | '»'));
    }
    if let Some(s) = start {
        out.push(s..end);
    }
    out
}

/// The UTF-16 code unit ranges of increasing, non-overlapping byte ranges of `text`, in one pass.
fn utf16_ranges(text: &str, bytes: &[Range<usize>]) -> Vec<Range<usize>> {
    let mut chars = text.char_indices().peekable();
    let mut units = 0;
    let mut to_units = |byte: usize| {
        while let Some((_, c)) = chars.next_if(|&(i, _)| i < byte) {
            units += c.len_utf16();
        }
        units
    };
    bytes
        .iter()
        .map(|r| {
            let start = to_units(r.start);
            start..to_units(r.end)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<&str> {
        sentences(text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn splits_sentences_like_the_perspective_example() {
        let text = "What kind of idiot name is foo? Sorry, I like your name.";
        assert_eq!(sentences(text), [0..31, 32..56]);
    }

    #[test]
    fn sentence_ends_take_closing_quotes_and_line_breaks() {
        assert_eq!(
            texts("He said “run!” Then left.\nnew line  \n\n  last one"),
            ["He said “run!”", "Then left.", "new line", "last one"]
        );
        assert_eq!(
            texts("3.5 percent... really?!"),
            ["3.5 percent...", "really?!"]
        );
        assert!(texts(" \n\t ").is_empty());
        assert_eq!(texts("no stop at all"), ["no stop at all"]);
    }

    #[test]
    fn utf16_ranges_count_code_units_not_bytes_or_chars() {
        // "é" is 2 bytes and 1 unit, "😀" 4 bytes and 2 units (a surrogate pair), "€" 3 bytes, 1 unit.
        let text = "Café 😀 ok. € kill them.";
        let bytes = sentences(text);
        assert_eq!(texts(text), ["Café 😀 ok.", "€ kill them."]);
        let units = utf16_ranges(text, &bytes);
        let utf16: Vec<u16> = text.encode_utf16().collect();
        let pieces: Vec<String> = units
            .iter()
            .map(|r| String::from_utf16(&utf16[r.clone()]).unwrap())
            .collect();
        assert_eq!(pieces, ["Café 😀 ok.", "€ kill them."]);
        assert_eq!(units, [0..11, 12..24]);
    }

    #[test]
    fn english_tags_in_any_spelling() {
        for tag in ["en", "EN", "en-GB", "en_US"] {
            assert!(is_english(tag), "{tag}");
        }
        for tag in ["de", "eng", "", "fr-CA"] {
            assert!(!is_english(tag), "{tag}");
        }
    }
}
