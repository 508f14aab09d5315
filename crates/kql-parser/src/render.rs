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
        if self.color { format!("{style}{text}{RESET}") } else { text.to_string() }
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
        format!("{level_style}{level}{RESET}{BOLD}: {}{RESET}", diagnostic.message)
    } else {
        format!("{level}: {}", diagnostic.message)
    };
    let _ = writeln!(out, "{header}");

    let mut places = Vec::new();
    if let Some(span) = diagnostic.span {
        places.push((span, diagnostic.span_label.clone().unwrap_or_default(), level_style));
    }
    for label in &diagnostic.labels {
        places.push((label.span, label.message.clone(), BLUE));
    }

    let last_line = places
        .iter()
        .map(|(span, _, _)| line_col(source, span.end).0)
        .max()
        .unwrap_or(1);
    let gutter = last_line.to_string().len();
    let pad = " ".repeat(gutter);

    if let Some((span, _, _)) = places.first() {
        let (line, column) = line_col(source, span.start);
        let _ = writeln!(out, "{pad}{} {origin}:{line}:{column}", paint.paint(BLUE, "-->"));
        let _ = writeln!(out, "{pad} {}", paint.paint(BLUE, "|"));
    }
    for (span, message, style) in &places {
        render_place(&mut out, source, *span, message, style, gutter, &paint);
    }
    for hint in &diagnostic.hints {
        let _ = writeln!(out, "{pad} {} {hint}", paint.paint(BLUE, "= help:"));
    }
    out
}

/// Writes the source line of `span` with carets under it. A span over several lines is
/// shown on its first line, underlined to the end of that line.
fn render_place(
    out: &mut String,
    source: &str,
    span: crate::Span,
    message: &str,
    style: &str,
    gutter: usize,
    paint: &Paint,
) {
    let (line, column) = line_col(source, span.start);
    let text = source.lines().nth(line - 1).unwrap_or("");
    let width = span_width(source, span, text, column);
    let carets = "^".repeat(width.max(1));
    let spaces = " ".repeat(column - 1);
    let bar = paint.paint(BLUE, "|");
    let number = paint.paint(BLUE, &format!("{line:>gutter$}"));
    let _ = writeln!(out, "{number} {bar} {text}");
    let note = if message.is_empty() { String::new() } else { format!(" {message}") };
    let pad = " ".repeat(gutter);
    let _ = writeln!(out, "{pad} {bar} {spaces}{}", paint.paint(style, &format!("{carets}{note}")));
}

/// How many characters of the line the span covers.
fn span_width(source: &str, span: crate::Span, line_text: &str, column: usize) -> usize {
    let covered = source.get(span.start..span.end.max(span.start)).unwrap_or("");
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
    fn a_span_at_the_end_of_the_text_gets_one_caret() {
        let query = "T | where";
        let diagnostic = Diagnostic::syntax("expected an expression", Span::new(9, 9));
        let text = diagnostic.render(query, "q.kql");
        assert!(text.contains(" --> q.kql:1:10"), "{text}");
        assert!(text.contains("|          ^"), "{text}");
    }
}
