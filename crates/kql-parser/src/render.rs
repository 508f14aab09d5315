//! Plain-text rendering of diagnostics: header, `-->` location, source lines, carets, hints.

use std::fmt::Write;

use crate::diagnostic::{Diagnostic, Severity, line_col};

const RED: &str = "\x1b[1;31m";
const YELLOW: &str = "\x1b[1;33m";
const BLUE: &str = "\x1b[1;34m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// Paints text when colour is on.
struct Paint {
    color: bool,
}

impl Paint {
    fn paint(&self, style: &str, text: &str) -> String {
        if self.color {
            format!("{style}{text}{RESET}")
        } else {
            text.to_string()
        }
    }
}

pub(crate) fn render(diagnostic: &Diagnostic, source: &str, origin: &str, color: bool) -> String {
    let paint = Paint { color };
    let (level, level_style) = match diagnostic.severity {
        Severity::Error => ("error", RED),
        Severity::Warning => ("warning", YELLOW),
    };
    let mut out = String::new();
    let header = if color {
        format!(
            "{level_style}{level}{RESET}{BOLD}: {}{RESET}",
            diagnostic.message
        )
    } else {
        format!("{level}: {}", diagnostic.message)
    };
    let _ = writeln!(out, "{header}");

    let mut places = Vec::new();
    if let Some(span) = diagnostic.span {
        let label = diagnostic.span_label.clone().unwrap_or_default();
        places.push((span, label, level_style, '^'));
    }
    for label in &diagnostic.labels {
        places.push((label.span, label.message.clone(), BLUE, '-'));
    }

    let last_line = places
        .iter()
        .map(|(span, _, _, _)| line_col(source, span.end).0)
        .max()
        .unwrap_or(1);
    let gutter = last_line.to_string().len();
    let pad = " ".repeat(gutter);

    if let Some((span, _, _, _)) = places.first() {
        // The location line names the primary place, which comes first before sorting.
        let (line, column) = line_col(source, span.start);
        let _ = writeln!(
            out,
            "{pad}{} {origin}:{line}:{column}",
            paint.paint(BLUE, "-->")
        );
        let _ = writeln!(out, "{pad} {}", paint.paint(BLUE, "|"));
    }
    // Places in text order; the primary one keeps its `^` markers.
    places.sort_by_key(|(span, _, _, _)| span.start);
    let mut shown_line: Option<usize> = None;
    for (span, message, style, marker) in &places {
        let line = line_col(source, span.start).0;
        if shown_line.is_some_and(|shown| line > shown + 1) {
            let _ = writeln!(out, "{}", paint.paint(BLUE, "..."));
        }
        let place = Place {
            span: *span,
            message,
            style,
            marker: *marker,
        };
        render_place(
            &mut out,
            source,
            &place,
            shown_line != Some(line),
            gutter,
            &paint,
        );
        shown_line = Some(line);
    }
    for hint in &diagnostic.hints {
        let _ = writeln!(out, "{pad} {} {hint}", paint.paint(BLUE, "= help:"));
    }
    out
}

/// A place to underline: the primary span with `^`, a secondary label with `-`.
struct Place<'a> {
    span: crate::Span,
    message: &'a str,
    style: &'a str,
    marker: char,
}

/// Writes the source line of a place (unless the previous place showed it already) with
/// markers under the span. A span over several lines is shown on its first line,
/// underlined to the end of that line.
fn render_place(
    out: &mut String,
    source: &str,
    place: &Place<'_>,
    show_line: bool,
    gutter: usize,
    paint: &Paint,
) {
    let (line, column) = line_col(source, place.span.start);
    let text = source.lines().nth(line - 1).unwrap_or("");
    let width = span_width(source, place.span, text, column);
    let markers = place.marker.to_string().repeat(width.max(1));
    let spaces = " ".repeat(column - 1);
    let bar = paint.paint(BLUE, "|");
    if show_line {
        let number = paint.paint(BLUE, &format!("{line:>gutter$}"));
        let _ = writeln!(out, "{number} {bar} {text}");
    }
    let note = if place.message.is_empty() {
        String::new()
    } else {
        format!(" {}", place.message)
    };
    let pad = " ".repeat(gutter);
    let underline = paint.paint(place.style, &format!("{markers}{note}"));
    let _ = writeln!(out, "{pad} {bar} {spaces}{underline}");
}

/// How many characters of the line the span covers.
fn span_width(source: &str, span: crate::Span, line_text: &str, column: usize) -> usize {
    let covered = source
        .get(span.start..span.end.max(span.start))
        .unwrap_or("");
    let covered = covered.split('\n').next().unwrap_or("");
    let line_rest = line_text.chars().count().saturating_sub(column - 1);
    covered.chars().count().min(line_rest.max(1))
}

#[cfg(test)]
mod tests {
    use crate::{Diagnostic, DiagnosticKind, Span};

    #[test]
    fn renders_header_location_line_carets_and_hint() {
        let query = "StormEvents\n| where Duraton > 10m";
        let diagnostic = Diagnostic::new(DiagnosticKind::Semantic, "unknown column `Duraton`")
            .with_span(Span::new(20, 27))
            .with_span_label("no such column in `StormEvents`")
            .with_hint("did you mean `Duration`?");
        let expected = "\
error: unknown column `Duraton`
 --> query:2:9
  |
2 | | where Duraton > 10m
  |         ^^^^^^^ no such column in `StormEvents`
  = help: did you mean `Duration`?
";
        assert_eq!(diagnostic.render(query, "query"), expected);
    }

    #[test]
    fn places_on_one_line_share_it_in_text_order() {
        let query = "T | where (a";
        let diagnostic = Diagnostic::syntax("expected `)`", Span::new(12, 12))
            .with_label(Span::new(10, 11), "this `(` is not closed");
        let expected = "\
error: expected `)`
 --> query:1:13
  |
1 | T | where (a
  |           - this `(` is not closed
  |             ^
";
        assert_eq!(diagnostic.render(query, "query"), expected);
    }

    #[test]
    fn a_span_at_the_end_of_the_text_gets_one_caret() {
        let query = "T | where";
        let diagnostic = Diagnostic::syntax("expected an expression", Span::new(9, 9));
        let text = diagnostic.render(query, "q.kql");
        assert!(text.contains(" --> q.kql:1:10"), "{text}");
        assert!(text.contains("|          ^"), "{text}");
    }
}
