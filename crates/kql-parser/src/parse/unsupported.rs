//! Valid Kusto syntax that kql does not parse yet, recognised where the parse fails, so that
//! the query gets a "not supported yet" error instead of a syntax error.

/// What Kusto construct the text before `start` and the token `found` there begin, when kql
/// does not parse it yet.
pub(crate) fn unsupported_syntax(text: &str, start: usize, found: &str) -> Option<&'static str> {
    let before = text.get(..start).unwrap_or("").trim_end();
    match found {
        // `declare pattern App = ...;` (K:pattern-statement).
        "pattern" if ends_with_word(before, "declare") => Some("the `declare pattern` statement"),
        // `where * has "x"`: a term over every column (K:where-operator).
        "*" if ends_with_word(before, "where") => {
            Some("`*` as a term over every column (`where * has ...`)")
        }
        // `extend (a, b) = f(x)`: several columns from one expression (K:extend-operator).
        "," if opens_a_name_list(before) => {
            Some("assigning several columns at once (`extend (a, b) = ...`)")
        }
        // `let V = view () { ... }` (K:let-statement).
        "{" if view_parameters(before) => Some("a `view` function"),
        _ => None,
    }
}

/// True when `text` ends with `word` as a whole word.
fn ends_with_word(text: &str, word: &str) -> bool {
    text.strip_suffix(word).is_some_and(|rest| {
        !rest
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// True when `text` ends with `extend (Name` or `project (Name`.
fn opens_a_name_list(text: &str) -> bool {
    let name_start = text
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .map_or(0, |at| at + 1);
    let name = text.get(name_start..).unwrap_or("");
    let Some(rest) = text.get(..name_start).map(str::trim_end) else {
        return false;
    };
    !name.is_empty()
        && rest
            .strip_suffix('(')
            .map(str::trim_end)
            .is_some_and(|rest| ends_with_word(rest, "extend") || ends_with_word(rest, "project"))
}

/// True when `text` ends with `view (...)`.
fn view_parameters(text: &str) -> bool {
    let Some(rest) = text.strip_suffix(')') else {
        return false;
    };
    rest.rfind('(')
        .and_then(|open| rest.get(..open))
        .is_some_and(|head| ends_with_word(head.trim_end(), "view"))
}
