//! Thread pages saved as text: find the reader comments, leave the article and the boilerplate.
//!
//! Two layouts are recognised, each by the header line that opens a comment:
//!
//! - Reddit-style: `ThreeCranes on August 13rd, 2021 at 13:20 UTC »`. The body is every paragraph up
//!   to the next header (or the end). Wrong ordinal suffixes ("13rd") are tolerated.
//! - WordPress-style: `  2. Jerry Hood says`. The body is the indented lines that follow, up to the next
//!   header or the first line that is not indented ("Leave a Reply", footers).
//!
//! Text before the first header — title, "Authored by … and submitted by …", the article — is not a
//! comment, and a page with no header has no comments.

use super::Comment;
use crate::text::repair;
use regex::Regex;
use std::sync::LazyLock;

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

static REDDIT_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?P<user>\S+) on (?P<month>[A-Za-z]+) (?P<day>\d{1,2})(?:st|nd|rd|th)?, (?P<year>\d{4}) at (?P<h>\d{1,2}):(?P<m>\d{2}) UTC »\s*$",
    )
    .expect("valid regex")
});

static WORDPRESS_HEADER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s+\d+\.\s+(?P<name>\S.*?)\s+says:?\s*$").expect("valid regex"));

/// A WordPress date line under the header: "August 13, 2021 at 5:20 pm".
static WORDPRESS_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?P<month>[A-Za-z]+) (?P<day>\d{1,2}), (?P<year>\d{4}) at (?P<h>\d{1,2}):(?P<m>\d{2}) ?(?P<ampm>[AaPp][Mm])\s*$",
    )
    .expect("valid regex")
});

/// ISO 8601 from the parts of a page's date, or `None` if they do not make a date.
fn iso(month: &str, day: &str, year: &str, hour: u32, minute: &str) -> Option<String> {
    let m = MONTHS.iter().position(|x| x.eq_ignore_ascii_case(month))? + 1;
    let d: u32 = day.parse().ok()?;
    let min: u32 = minute.parse().ok()?;
    if !(1..=31).contains(&d) || hour > 23 || min > 59 {
        return None;
    }
    Some(format!("{year}-{m:02}-{d:02}T{hour:02}:{min:02}:00Z"))
}

struct Header {
    line: usize,
    author: String,
    posted_at: Option<String>,
    wordpress: bool,
}

fn header(line: &str, number: usize) -> Option<Header> {
    if let Some(c) = REDDIT_HEADER.captures(line) {
        if MONTHS.iter().any(|m| m.eq_ignore_ascii_case(&c["month"])) {
            return Some(Header {
                line: number,
                author: c["user"].to_string(),
                posted_at: iso(
                    &c["month"],
                    &c["day"],
                    &c["year"],
                    c["h"].parse().ok()?,
                    &c["m"],
                ),
                wordpress: false,
            });
        }
    }
    WORDPRESS_HEADER.captures(line).map(|c| Header {
        line: number,
        author: c["name"].to_string(),
        posted_at: None,
        wordpress: true,
    })
}

/// Joins body lines: each trimmed, runs of blank lines collapsed to one paragraph break.
fn join_body(lines: &[&str]) -> String {
    let mut body = String::new();
    let mut blank = false;
    for line in lines {
        let line = line.trim();
        if line.is_empty() {
            blank = !body.is_empty();
            continue;
        }
        if !body.is_empty() {
            body.push_str(if blank { "\n\n" } else { "\n" });
        }
        blank = false;
        body.push_str(line);
    }
    body
}

/// The comments of a thread page, in page order. `name` is the file name used for ids and `thread`.
pub fn parse(text: &str, name: &str) -> Vec<Comment> {
    let lines: Vec<&str> = text.lines().collect();
    let headers: Vec<Header> = lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| header(l, i + 1))
        .collect();
    let mut comments = Vec::with_capacity(headers.len());
    for (k, h) in headers.iter().enumerate() {
        let next = headers.get(k + 1).map_or(lines.len(), |n| n.line - 1);
        let mut body_lines = &lines[h.line..next];
        let mut posted_at = h.posted_at.clone();
        if h.wordpress {
            // The body ends at the first line that is not indented.
            let end = body_lines
                .iter()
                .position(|l| !l.trim().is_empty() && !l.starts_with([' ', '\t']))
                .unwrap_or(body_lines.len());
            body_lines = &body_lines[..end];
            let first = body_lines.iter().position(|l| !l.trim().is_empty());
            if let Some(i) = first {
                if let Some(c) = WORDPRESS_DATE.captures(body_lines[i].trim()) {
                    let h12: u32 = c["h"].parse().unwrap_or(99) % 12;
                    let pm = c["ampm"].eq_ignore_ascii_case("pm");
                    posted_at = iso(
                        &c["month"],
                        &c["day"],
                        &c["year"],
                        h12 + 12 * u32::from(pm),
                        &c["m"],
                    );
                    body_lines = &body_lines[i + 1..];
                }
            }
        }
        let body = join_body(body_lines);
        if body.is_empty() {
            continue;
        }
        comments.push(Comment {
            id: format!("{name}:{}", h.line),
            thread: Some(name.to_string()),
            author: Some(h.author.clone()),
            posted_at,
            body: repair(&body).into_owned(),
            parent: None,
        });
    }
    comments
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn reddit_style_headers_with_wrong_ordinals() {
        let page = "Title\n\nAuthored by x and submitted by bob\n\nArticle text.\n\n\
                    bob on August 13rd, 2021 at 13:20 UTC »\n\nFirst para.\n\nSecond para.\n\n\
                    amy on May 1st, 2020 at 9:05 UTC »\n\nHi.\n";
        let c = parse(page, "t.txt");
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].author.as_deref(), Some("bob"));
        assert_eq!(c[0].posted_at.as_deref(), Some("2021-08-13T13:20:00Z"));
        assert_eq!(c[0].body, "First para.\n\nSecond para.");
        assert_eq!(c[0].id, "t.txt:7");
        assert_eq!(c[1].body, "Hi.");
        assert_eq!(c[1].posted_at.as_deref(), Some("2020-05-01T09:05:00Z"));
    }

    #[test]
    fn wordpress_comments_end_at_unindented_boilerplate() {
        let page = "Article.\n\n  1. Ann Lee says\n\n    August 13, 2021 at 5:20 pm\n\n    Hello\n    – quote\n\n  2. Bo says:\n\n    Bye\n\nLeave a Reply\n\nYour email address will not be published.\n";
        let c = parse(page, "p");
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].author.as_deref(), Some("Ann Lee"));
        assert_eq!(c[0].posted_at.as_deref(), Some("2021-08-13T17:20:00Z"));
        assert_eq!(c[0].body, "Hello\n– quote");
        assert_eq!(c[1].body, "Bye");
    }

    #[test]
    fn articles_and_boilerplate_are_not_comments() {
        let page = "Leave a Reply\n\nYour email address will not be published.\n\nBack to top button\n\n\
                    Adblocker detected! Please consider reading this notice.\n\n1. Point one of the article says\n";
        assert!(parse(page, "p").is_empty());
    }
}
