//! String functions: `strlen`, `string_size`, `tolower`, `toupper`, `strcat`,
//! `strcat_delim`, `tostring`, `substring`, `trim`, `trim_start`, `trim_end`, `split`,
//! `replace_string`, `extract`, `extract_all`, `indexof`, `reverse`, `strrep`, `countof`.
//!
//! Positions and lengths count characters (Unicode scalar values), as Kusto's recorded
//! answers do (`strlen("café")` is 4). Strings are never null: where a string result has no
//! value it is `""`. Regular expressions use the Rust `regex` crate, Kusto's documented
//! dialect (`K:regex`); constant patterns are checked when binding and compiled once per
//! distinct pattern.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use arrow::array::{Array, ArrayRef, Int64Array, StringArray};
use kql_parser::Span;
use regex::{Regex, RegexBuilder};

use super::convert::{constant_long, first_text, integer_arg, required_text, text_arg};
use super::{Call, Function, call, check_arity, downcast, string_arg};
use crate::error::{DiagResult, arrow_error, not_supported, semantic};
use crate::eval::string_at;
use crate::limits::REGEX_SIZE_LIMIT;
use crate::plan::{BoundExpr, ExprKind};
use crate::types::KustoType;

/// The names of this family.
pub(super) const NAMES: &[&str] = &[
    "strlen",
    "tolower",
    "toupper",
    "strcat",
    "strcat_delim",
    "string_size",
    "tostring",
    "substring",
    "trim",
    "trim_start",
    "trim_end",
    "split",
    "replace_string",
    "extract",
    "extract_all",
    "indexof",
    "reverse",
    "strrep",
    "countof",
];

/// The string functions. A string result is never null: it is `""` where Kusto has no
/// value; other results are null when an argument they need is null.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextFn {
    /// `strlen(s)`: length in characters.
    StrLen,
    /// `tolower(s)`.
    ToLower,
    /// `toupper(s)`.
    ToUpper,
    /// `strcat(a, b, ...)`: 1 to 64 values, converted to strings and joined.
    StrCat,
    /// `strcat_delim(delimiter, a, b, ...)`: 2 to 64 values, converted to strings and
    /// joined by `delimiter`.
    StrCatDelim,
    /// `string_size(s)`: length in UTF-8 bytes.
    StringSize,
    /// `tostring(x)`: the text Kusto prints for a value; null becomes `""`.
    ToString,
    /// `substring(s, start[, length])`: characters from `start` (negative counts from the
    /// end); `""` when out of range or when `start` or `length` is null or negative.
    Substring,
    /// `trim_start(regex, s)`: `s` without one match of `regex` at its start.
    TrimStart,
    /// `trim_end(regex, s)`: `s` without one match of `regex` at its end.
    TrimEnd,
    /// `trim(regex, s)`: both `trim_start` and `trim_end`.
    Trim,
    /// `split(s, delimiter[, index])`: a dynamic array of the parts, or of the one part at
    /// `index`; null when `index` is null or out of range.
    Split,
    /// `replace_string(s, lookup, rewrite)`: every non-overlapping `lookup` replaced; an
    /// empty `lookup` changes nothing.
    ReplaceString,
    /// `extract(regex, group, s)`: the text of a capture group of the first match; `""`
    /// when nothing matches or the group is null.
    Extract,
    /// `extract_all(regex, [groups,] s)`: a dynamic array of all matches' groups; null when
    /// nothing matches.
    ExtractAll,
    /// `indexof(s, lookup[, start[, length[, occurrence]]])`: the character index of a
    /// match, -1 when not found; null for an empty `lookup`, a null argument, a `length`
    /// below -1 or an `occurrence` below 1.
    IndexOf,
    /// `reverse(x)`: the characters of `x`'s text in reverse order.
    Reverse,
    /// `strrep(s, n[, delimiter])`: `s` repeated `n` times (at most 1024), joined by
    /// `delimiter`; `""` when `n` is null or below 1.
    StrRep,
    /// `countof(s, search)`: occurrences of `search`, overlapping ones included.
    CountOf,
    /// `countof(s, regex, "regex")`: non-overlapping matches of a constant regex.
    CountOfRegex,
}

pub(super) fn bind(name: &str, args: Vec<BoundExpr>, span: Span) -> DiagResult<BoundExpr> {
    let function = |f| Function::Text(f);
    match name {
        "strcat" => {
            check_arity(name, &args, 1..=64, span)?;
            let args = args.into_iter().map(string_arg).collect();
            Ok(call(
                function(TextFn::StrCat),
                args,
                KustoType::String,
                span,
            ))
        }
        "tostring" => {
            check_arity(name, &args, 1..=1, span)?;
            Ok(call(
                function(TextFn::ToString),
                args,
                KustoType::String,
                span,
            ))
        }
        "strcat_delim" => {
            check_arity(name, &args, 3..=65, span)?;
            let args = args.into_iter().map(string_arg).collect();
            Ok(call(
                function(TextFn::StrCatDelim),
                args,
                KustoType::String,
                span,
            ))
        }
        "strlen" | "tolower" | "toupper" | "string_size" => {
            check_arity(name, &args, 1..=1, span)?;
            let (f, ty) = match name {
                "strlen" => (TextFn::StrLen, KustoType::Long),
                "string_size" => (TextFn::StringSize, KustoType::Long),
                "tolower" => (TextFn::ToLower, KustoType::String),
                _ => (TextFn::ToUpper, KustoType::String),
            };
            Ok(call(
                function(f),
                args.into_iter().map(string_arg).collect(),
                ty,
                span,
            ))
        }
        _ => bind_more(name, args, span),
    }
}

/// Binds the functions added with the language-breadth work (issue 7).
fn bind_more(name: &str, args: Vec<BoundExpr>, span: Span) -> DiagResult<BoundExpr> {
    let function = |f| Function::Text(f);
    let string = KustoType::String;
    let mut bound: Vec<BoundExpr> = Vec::with_capacity(args.len());
    match name {
        "substring" => {
            check_arity(name, &args, 2..=3, span)?;
            for (index, arg) in args.into_iter().enumerate() {
                bound.push(match index {
                    0 => string_arg(arg),
                    1 => integer_arg(name, "the start index", arg)?,
                    _ => integer_arg(name, "the length", arg)?,
                });
            }
            Ok(call(function(TextFn::Substring), bound, string, span))
        }
        "trim" | "trim_start" | "trim_end" => {
            check_arity(name, &args, 2..=2, span)?;
            let [pattern, source] = two(args)?;
            let text = required_text(name, "the regular expression", &pattern)?;
            let f = match name {
                "trim" => TextFn::Trim,
                "trim_start" => TextFn::TrimStart,
                _ => TextFn::TrimEnd,
            };
            for anchored in trim_patterns(f, text) {
                compiled(&anchored, pattern.span)?;
            }
            let source = text_arg(name, "the source", source)?;
            Ok(call(function(f), vec![pattern, source], string, span))
        }
        "split" => {
            check_arity(name, &args, 2..=3, span)?;
            for (index, arg) in args.into_iter().enumerate() {
                bound.push(match index {
                    0 => string_arg(arg),
                    1 => text_arg(name, "the delimiter", arg)?,
                    _ => integer_arg(name, "the index", arg)?,
                });
            }
            if let Some(delimiter) = bound
                .get(1)
                .filter(|d| super::convert::constant_text(d) == Some(""))
            {
                return Err(
                    not_supported("`split` with an empty delimiter").with_span(delimiter.span)
                );
            }
            Ok(call(
                function(TextFn::Split),
                bound,
                KustoType::Dynamic,
                span,
            ))
        }
        "replace_string" => {
            check_arity(name, &args, 3..=3, span)?;
            for (arg, what) in args
                .into_iter()
                .zip(["the text", "the lookup", "the rewrite"])
            {
                bound.push(text_arg(name, what, arg)?);
            }
            Ok(call(function(TextFn::ReplaceString), bound, string, span))
        }
        "extract" => {
            check_arity(name, &args, 3..=4, span)?;
            if let Some(extra) = args.get(3) {
                return Err(not_supported("`extract` with a type argument").with_span(extra.span));
            }
            let [pattern, group, source] = three(args)?;
            let text = required_text(name, "the regular expression", &pattern)?;
            let regex = compiled(text, pattern.span)?;
            let group = integer_arg(name, "the capture group", group)?;
            let groups = regex.captures_len();
            if let Some(index) = constant_long(&group)
                && usize::try_from(index).map_or(true, |index| index >= groups)
            {
                return Err(semantic(format!(
                    "`extract`: the regular expression has no capture group {index}"
                ))
                .with_span(group.span)
                .with_hint(format!(
                    "use 0 for the whole match, or 1 to {} for a group",
                    groups - 1
                )));
            }
            let source = text_arg(name, "the source", source)?;
            Ok(call(
                function(TextFn::Extract),
                vec![pattern, group, source],
                string,
                span,
            ))
        }
        "extract_all" => {
            check_arity(name, &args, 2..=3, span)?;
            let mut args = args;
            let source = args.pop().ok_or_else(|| lost(name))?;
            let mut args = args.into_iter();
            let pattern = args.next().ok_or_else(|| lost(name))?;
            let text = required_text(name, "the regular expression", &pattern)?;
            let regex = compiled(text, pattern.span)?;
            let groups = regex.captures_len() - 1;
            if !(1..=MAX_CAPTURE_GROUPS).contains(&groups) {
                return Err(semantic(format!(
                    "`extract_all` needs a regular expression with 1 to \
                     {MAX_CAPTURE_GROUPS} capture groups, found {groups}"
                ))
                .with_span(pattern.span)
                .with_hint("put the part to extract in parentheses"));
            }
            bound.push(pattern);
            if let Some(selection) = args.next() {
                let json = match (&selection.kind, selection.ty) {
                    (ExprKind::Literal(_), KustoType::Dynamic) => {
                        super::convert::constant_text(&selection)
                    }
                    _ => None,
                }
                .ok_or_else(|| {
                    semantic("`extract_all` needs a constant dynamic array of capture groups")
                        .with_span(selection.span)
                        .with_hint("write the groups as `dynamic([1, 3])`")
                })?;
                capture_groups(&regex, Some(json))
                    .map_err(|message| semantic(message).with_span(selection.span))?;
                bound.push(selection);
            }
            bound.push(text_arg(name, "the source", source)?);
            Ok(call(
                function(TextFn::ExtractAll),
                bound,
                KustoType::Dynamic,
                span,
            ))
        }
        "indexof" => {
            check_arity(name, &args, 2..=5, span)?;
            for (index, arg) in args.into_iter().enumerate() {
                bound.push(match index {
                    0 | 1 => string_arg(arg),
                    2 => integer_arg(name, "the start", arg)?,
                    3 => integer_arg(name, "the length", arg)?,
                    _ => integer_arg(name, "the occurrence", arg)?,
                });
            }
            if let Some(occurrence) = bound.get(4)
                && constant_long(occurrence) == Some(0)
            {
                return Err(not_supported("`indexof` with occurrence 0")
                    .with_span(occurrence.span)
                    .with_hint("occurrences count from 1"));
            }
            Ok(call(
                function(TextFn::IndexOf),
                bound,
                KustoType::Long,
                span,
            ))
        }
        "reverse" => {
            check_arity(name, &args, 1..=1, span)?;
            bound.extend(args.into_iter().map(string_arg));
            Ok(call(function(TextFn::Reverse), bound, string, span))
        }
        "strrep" => {
            check_arity(name, &args, 2..=3, span)?;
            for (index, arg) in args.into_iter().enumerate() {
                bound.push(match index {
                    1 => integer_arg(name, "the multiplier", arg)?,
                    _ => string_arg(arg),
                });
            }
            Ok(call(function(TextFn::StrRep), bound, string, span))
        }
        _ => {
            // countof
            check_arity(name, &args, 2..=3, span)?;
            let mut args = args.into_iter();
            let (Some(source), Some(search)) = (args.next(), args.next()) else {
                return Err(lost(name));
            };
            let regex = match args.next() {
                None => false,
                Some(kind) => match required_text(name, "the kind", &kind)? {
                    "normal" => false,
                    "regex" => true,
                    other => {
                        return Err(semantic(format!(
                            "`countof`: the kind must be `normal` or `regex`, found `{other}`"
                        ))
                        .with_span(kind.span));
                    }
                },
            };
            let source = text_arg(name, "the source", source)?;
            let search = text_arg(name, "the search", search)?;
            let f = if regex {
                let Some(pattern) = super::convert::constant_text(&search) else {
                    return Err(
                        not_supported("`countof` with a regex that is not a constant")
                            .with_span(search.span),
                    );
                };
                compiled(pattern, search.span)?;
                TextFn::CountOfRegex
            } else {
                TextFn::CountOf
            };
            Ok(call(
                function(f),
                vec![source, search],
                KustoType::Long,
                span,
            ))
        }
    }
}

fn lost(name: &str) -> kql_parser::Diagnostic {
    kql_parser::Diagnostic::internal(format!("`{name}` lost its arguments"))
}

fn two(args: Vec<BoundExpr>) -> DiagResult<[BoundExpr; 2]> {
    <[BoundExpr; 2]>::try_from(args).map_err(|_| lost("a string function"))
}

fn three(args: Vec<BoundExpr>) -> DiagResult<[BoundExpr; 3]> {
    <[BoundExpr; 3]>::try_from(args).map_err(|_| lost("a string function"))
}

/// The most capture groups `extract_all` takes (`K:extract-all-function`).
const MAX_CAPTURE_GROUPS: usize = 16;

/// How many compiled patterns the cache keeps before it starts over.
const REGEX_CACHE_LIMIT: usize = 256;

/// Compiles a pattern once per process: calls evaluate once per batch, and a constant
/// pattern should not be compiled for each.
fn cached_regex(pattern: &str) -> Result<Arc<Regex>, regex::Error> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<Regex>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(regex) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(pattern) {
        return Ok(Arc::clone(regex));
    }
    let regex = Arc::new(
        RegexBuilder::new(pattern)
            .size_limit(REGEX_SIZE_LIMIT)
            .build()?,
    );
    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    if cache.len() >= REGEX_CACHE_LIMIT {
        cache.clear();
    }
    cache.insert(pattern.to_string(), Arc::clone(&regex));
    Ok(regex)
}

/// Compiles a pattern from the query, pointing an error at it.
fn compiled(pattern: &str, span: Span) -> DiagResult<Arc<Regex>> {
    cached_regex(pattern).map_err(|error| {
        semantic(format!("invalid regular expression: {error}"))
            .with_span(span)
            .with_span_label("this pattern")
    })
}

/// A pattern of the query, compiled when the call runs (it was checked when binding).
fn runtime_regex(pattern: &str) -> DiagResult<Arc<Regex>> {
    cached_regex(pattern).map_err(|error| semantic(format!("invalid regular expression: {error}")))
}

/// The anchored patterns of a trim: the user's pattern alone first, so that it is checked
/// on its own, then `\A(?:p)` for the start and `(?:p)\z` for the end.
fn trim_patterns(function: TextFn, pattern: &str) -> Vec<String> {
    let mut patterns = vec![pattern.to_string()];
    if function != TextFn::TrimEnd {
        patterns.push(format!(r"\A(?:{pattern})"));
    }
    if function != TextFn::TrimStart {
        patterns.push(format!(r"(?:{pattern})\z"));
    }
    patterns
}

/// The capture groups `extract_all` returns: all of them, or the selection (numbers from 1
/// and group names) given as a dynamic array.
fn capture_groups(regex: &Regex, selection: Option<&str>) -> Result<Vec<usize>, String> {
    let count = regex.captures_len();
    let Some(json) = selection else {
        return Ok((1..count).collect());
    };
    let items = match serde_json::from_str::<serde_json::Value>(json) {
        Ok(serde_json::Value::Array(items)) if !items.is_empty() => items,
        _ => return Err("`extract_all` needs a non-empty array of capture groups".to_string()),
    };
    items
        .iter()
        .map(|item| {
            let index = match item {
                serde_json::Value::Number(n) => n.as_u64().and_then(|n| usize::try_from(n).ok()),
                serde_json::Value::String(name) => regex
                    .capture_names()
                    .position(|candidate| candidate == Some(name.as_str())),
                _ => None,
            };
            index
                .filter(|index| (1..count).contains(index))
                .ok_or_else(|| format!("`extract_all`: {item} is not a capture group of the regex"))
        })
        .collect()
}

pub(super) fn evaluate(function: TextFn, call: &Call<'_>) -> DiagResult<ArrayRef> {
    let len = call.len;
    Ok(match function {
        TextFn::StrLen | TextFn::StringSize => {
            let texts = call.strings(0)?;
            let bytes = function == TextFn::StringSize;
            let lengths: Int64Array = (0..len)
                .map(|row| {
                    let text = string_at(texts, false, row);
                    i64::try_from(if bytes {
                        text.len()
                    } else {
                        text.chars().count()
                    })
                    .ok()
                })
                .collect();
            Arc::new(lengths)
        }
        TextFn::ToLower | TextFn::ToUpper => {
            let texts = call.strings(0)?;
            let lower = function == TextFn::ToLower;
            let converted: StringArray = (0..len)
                .map(|row| {
                    let text = string_at(texts, false, row);
                    Some(if lower {
                        text.to_lowercase()
                    } else {
                        text.to_uppercase()
                    })
                })
                .collect();
            Arc::new(converted)
        }
        TextFn::StrCat | TextFn::StrCatDelim => {
            let parts = (0..call.arrays.len())
                .map(|i| call.strings(i))
                .collect::<DiagResult<Vec<_>>>()?;
            let (delimiter, parts) = match function {
                TextFn::StrCatDelim => match parts.split_first() {
                    Some((delimiter, parts)) => (Some(*delimiter), parts),
                    None => (None, &parts[..]),
                },
                _ => (None, &parts[..]),
            };
            let joined: StringArray = (0..len)
                .map(|row| {
                    let texts = parts.iter().map(|part| string_at(part, false, row));
                    Some(match delimiter {
                        Some(delimiter) => texts
                            .collect::<Vec<_>>()
                            .join(string_at(delimiter, false, row)),
                        None => texts.collect::<String>(),
                    })
                })
                .collect();
            Arc::new(joined)
        }
        TextFn::ToString => match call.types.first() {
            // `tostring(true)` is `True` (recorded answers), as .NET prints a bool.
            Some(KustoType::Bool) => {
                let bools = downcast::<arrow::array::BooleanArray>(call.arg(0)?)?;
                let texts: StringArray = bools
                    .iter()
                    .map(|b| Some(b.map_or("", |b| if b { "True" } else { "False" })))
                    .collect();
                Arc::new(texts)
            }
            ty => to_kusto_strings(call.arg(0)?, ty.copied().unwrap_or(KustoType::String))?,
        },
        _ => evaluate_more(function, call)?,
    })
}

/// The value of a `long` argument in a row, `None` when null.
fn long_at(array: &Int64Array, row: usize) -> Option<i64> {
    array.is_valid(row).then(|| array.value(row))
}

/// Strings computed row by row from the text of the argument at `index`.
fn map_texts<'a>(
    call: &'a Call<'_>,
    index: usize,
    mut f: impl FnMut(usize, &'a str) -> Option<String>,
) -> DiagResult<ArrayRef> {
    let texts = call.strings(index)?;
    let result: StringArray = (0..call.len)
        .map(|row| f(row, string_at(texts, false, row)))
        .collect();
    Ok(Arc::new(result))
}

/// Evaluates the functions added with the language-breadth work (issue 7).
fn evaluate_more(function: TextFn, call: &Call<'_>) -> DiagResult<ArrayRef> {
    let len = call.len;
    let optional_longs = |index: usize| -> DiagResult<Option<&Int64Array>> {
        match call.arrays.get(index) {
            Some(array) => downcast::<Int64Array>(array).map(Some),
            None => Ok(None),
        }
    };
    match function {
        TextFn::Substring => {
            let starts = downcast::<Int64Array>(call.arg(1)?)?;
            let lengths = optional_longs(2)?;
            map_texts(call, 0, |row, text| {
                let start = long_at(starts, row);
                let length = lengths.map(|lengths| long_at(lengths, row));
                Some(match (start, length) {
                    (Some(start), None) => substring(text, start, None).to_string(),
                    (Some(start), Some(Some(length))) => {
                        substring(text, start, Some(length)).to_string()
                    }
                    _ => String::new(),
                })
            })
        }
        TextFn::Trim | TextFn::TrimStart | TextFn::TrimEnd => {
            let pattern = first_text(call, 0)?;
            let start = match function {
                TextFn::TrimEnd => None,
                _ => Some(runtime_regex(&format!(r"\A(?:{pattern})"))?),
            };
            let end = match function {
                TextFn::TrimStart => None,
                _ => Some(runtime_regex(&format!(r"(?:{pattern})\z"))?),
            };
            map_texts(call, 1, |_, text| {
                let mut text = text;
                if let Some(found) = start.as_ref().and_then(|start| start.find(text)) {
                    text = &text[found.end()..];
                }
                if let Some(found) = end.as_ref().and_then(|end| end.find(text)) {
                    text = &text[..found.start()];
                }
                Some(text.to_string())
            })
        }
        TextFn::Split => {
            let delimiters = call.strings(1)?;
            let indexes = optional_longs(2)?;
            let texts = call.strings(0)?;
            let result: StringArray = (0..len)
                .map(|row| {
                    let text = string_at(texts, false, row);
                    let delimiter = string_at(delimiters, false, row);
                    let parts: Vec<&str> = if delimiter.is_empty() {
                        vec![text]
                    } else {
                        text.split(delimiter).collect()
                    };
                    match indexes {
                        None => Some(json_array(&parts)),
                        Some(indexes) => {
                            let index = usize::try_from(long_at(indexes, row)?).ok()?;
                            parts.get(index).map(|part| json_array(&[part]))
                        }
                    }
                })
                .collect();
            Ok(Arc::new(result))
        }
        TextFn::ReplaceString => {
            let (lookups, rewrites) = (call.strings(1)?, call.strings(2)?);
            map_texts(call, 0, |row, text| {
                let lookup = string_at(lookups, false, row);
                Some(if lookup.is_empty() {
                    text.to_string()
                } else {
                    text.replace(lookup, string_at(rewrites, false, row))
                })
            })
        }
        TextFn::Extract => {
            let regex = runtime_regex(first_text(call, 0)?)?;
            let groups = downcast::<Int64Array>(call.arg(1)?)?;
            map_texts(call, 2, |row, text| {
                let group = long_at(groups, row).and_then(|g| usize::try_from(g).ok());
                let found = match group {
                    Some(0) => regex.find(text).map(|m| m.as_str()),
                    Some(group) => regex
                        .captures(text)
                        .and_then(|captures| captures.get(group))
                        .map(|m| m.as_str()),
                    None => None,
                };
                Some(found.unwrap_or_default().to_string())
            })
        }
        TextFn::ExtractAll => {
            let regex = runtime_regex(first_text(call, 0)?)?;
            let selection = match call.arrays.len() {
                3 => Some(first_text(call, 1)?),
                _ => None,
            };
            let groups = capture_groups(&regex, selection).map_err(semantic)?;
            map_texts(call, call.arrays.len() - 1, |_, text| {
                extract_all(&regex, &groups, text)
            })
        }
        TextFn::IndexOf => {
            let (texts, lookups) = (call.strings(0)?, call.strings(1)?);
            let (starts, lengths, occurrences) =
                (optional_longs(2)?, optional_longs(3)?, optional_longs(4)?);
            let value = |array: Option<&Int64Array>, row: usize, default: i64| match array {
                Some(array) => long_at(array, row),
                None => Some(default),
            };
            let result: Int64Array = (0..len)
                .map(|row| {
                    index_of(
                        string_at(texts, false, row),
                        string_at(lookups, false, row),
                        value(starts, row, 0)?,
                        value(lengths, row, -1)?,
                        value(occurrences, row, 1)?,
                    )
                })
                .collect();
            Ok(Arc::new(result))
        }
        TextFn::Reverse => map_texts(call, 0, |_, text| Some(text.chars().rev().collect())),
        TextFn::StrRep => {
            let counts = downcast::<Int64Array>(call.arg(1)?)?;
            let delimiters = match call.arrays.get(2) {
                Some(_) => Some(call.strings(2)?),
                None => None,
            };
            map_texts(call, 0, |row, text| {
                let count = long_at(counts, row).unwrap_or(0).clamp(0, MAX_REPEAT);
                let delimiter = delimiters.map_or("", |d| string_at(d, false, row));
                let count = usize::try_from(count).unwrap_or_default();
                Some(vec![text; count].join(delimiter))
            })
        }
        TextFn::CountOf => {
            let (texts, searches) = (call.strings(0)?, call.strings(1)?);
            let result: Int64Array = (0..len)
                .map(|row| {
                    let count = count_overlapping(
                        string_at(texts, false, row),
                        string_at(searches, false, row),
                    );
                    i64::try_from(count).ok()
                })
                .collect();
            Ok(Arc::new(result))
        }
        TextFn::CountOfRegex => {
            let regex = runtime_regex(first_text(call, 1)?)?;
            let texts = call.strings(0)?;
            let result: Int64Array = (0..len)
                .map(|row| {
                    i64::try_from(regex.find_iter(string_at(texts, false, row)).count()).ok()
                })
                .collect();
            Ok(Arc::new(result))
        }
        TextFn::StrLen
        | TextFn::StringSize
        | TextFn::ToLower
        | TextFn::ToUpper
        | TextFn::StrCat
        | TextFn::StrCatDelim
        | TextFn::ToString => Err(kql_parser::Diagnostic::internal(
            "a basic string function reached the wrong evaluator",
        )),
    }
}

/// The most repetitions `strrep` makes (`K:strrep-function`).
const MAX_REPEAT: i64 = 1024;

/// Strings as a JSON array: the text of a dynamic value.
fn json_array(parts: &[&str]) -> String {
    serde_json::Value::Array(
        parts
            .iter()
            .map(|part| serde_json::Value::String((*part).to_string()))
            .collect(),
    )
    .to_string()
}

/// The byte offset of character `index` (the length when past the end).
fn byte_offset(text: &str, index: usize) -> usize {
    text.char_indices()
        .nth(index)
        .map_or(text.len(), |(offset, _)| offset)
}

/// `substring`: characters from `start` (negative: from the end), `length` of them or the
/// rest. Out of range gives `""`: the recorded answers give `""` for `substring("x", -2, 5)`
/// and `substring("abc", 5, 3)`.
fn substring(text: &str, start: i64, length: Option<i64>) -> &str {
    let count = i64::try_from(text.chars().count()).unwrap_or(i64::MAX);
    let start = if start < 0 { start + count } else { start };
    if start < 0 || start >= count {
        return "";
    }
    let end = match length {
        Some(length) if length < 0 => return "",
        Some(length) => start.saturating_add(length).min(count),
        None => count,
    };
    let (Ok(start), Ok(end)) = (usize::try_from(start), usize::try_from(end)) else {
        return "";
    };
    let from = byte_offset(text, start);
    let to = from + byte_offset(&text[from..], end - start);
    &text[from..to]
}

/// `indexof`: the character index of the `occurrence`-th match of `lookup` that starts at
/// or after `start` and, unless `length` is -1, before `start + length`. The match itself
/// may run past that range: the recorded answer of the docs' example
/// `indexof("abcdefg", "cde", 1, 2)` is 2 (the docs say -1). Occurrences may overlap.
fn index_of(text: &str, lookup: &str, start: i64, length: i64, occurrence: i64) -> Option<i64> {
    if lookup.is_empty() || length < -1 || occurrence < 1 {
        return None;
    }
    let count = i64::try_from(text.chars().count()).ok()?;
    let start = if start < 0 {
        (count + start).max(0)
    } else {
        start
    };
    if start > count {
        return Some(-1);
    }
    let limit = if length == -1 {
        count
    } else {
        start.saturating_add(length)
    };
    let mut byte = byte_offset(text, usize::try_from(start).ok()?);
    let mut index = start;
    let mut found = 0;
    while let Some(position) = text[byte..].find(lookup) {
        index += i64::try_from(text[byte..byte + position].chars().count()).ok()?;
        if index >= limit {
            break;
        }
        found += 1;
        if found == occurrence {
            return Some(index);
        }
        let first = text[byte + position..]
            .chars()
            .next()
            .map_or(1, char::len_utf8);
        byte += position + first;
        index += 1;
    }
    Some(-1)
}

/// Occurrences of `search` in `text`, overlapping ones included (`K:countof-function`:
/// `countof("aaaa", "aa")` is 3). An empty search counts nothing.
fn count_overlapping(text: &str, search: &str) -> usize {
    if search.is_empty() {
        return 0;
    }
    let mut count = 0;
    let mut byte = 0;
    while let Some(position) = text[byte..].find(search) {
        count += 1;
        let first = text[byte + position..]
            .chars()
            .next()
            .map_or(1, char::len_utf8);
        byte += position + first;
    }
    count
}

/// `extract_all`: the selected groups of every match, as a JSON array (of arrays when more
/// than one group is selected); `None` when nothing matches. Groups that did not take part
/// in a match give `""`.
fn extract_all(regex: &Regex, groups: &[usize], text: &str) -> Option<String> {
    let mut matches = Vec::new();
    for captures in regex.captures_iter(text) {
        let mut values = groups.iter().map(|&group| {
            serde_json::Value::String(captures.get(group).map_or("", |m| m.as_str()).to_string())
        });
        matches.push(if groups.len() == 1 {
            values.next().unwrap_or(serde_json::Value::Null)
        } else {
            serde_json::Value::Array(values.collect())
        });
    }
    (!matches.is_empty()).then(|| serde_json::Value::Array(matches).to_string())
}

/// A datetime as `tostring` prints it: ISO 8601 with all seven fraction digits (recorded
/// answers; `K:reverse-function`: `reverse(datetime(2017-10-15 12:00))` is
/// `Z0000000.00:00:21T51-01-7102`).
pub(crate) fn datetime_with_ticks(nanos: i64) -> String {
    let text = crate::format::datetime(nanos);
    let body = text.strip_suffix('Z').unwrap_or(&text);
    match body.split_once('.') {
        Some((whole, fraction)) => format!("{whole}.{fraction:0<7}Z"),
        None => format!("{body}.0000000Z"),
    }
}

/// A real as `tostring` prints it, which is not how results print: whole numbers keep a
/// `.0` and infinities are `inf` (recorded answers: `tostring(1.0)` is `1.0`,
/// `tostring(-0.0)` is `-0.0`, `tostring(real(+inf))` is `inf`).
fn real_text(x: f64) -> String {
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    let text = crate::format::real(x);
    if x.is_finite() && !text.contains(['.', 'E', 'e']) {
        format!("{text}.0")
    } else {
        text
    }
}

/// Values as Kusto's `tostring` prints them; null becomes `""`.
pub(crate) fn to_kusto_strings(array: &ArrayRef, ty: KustoType) -> DiagResult<ArrayRef> {
    use arrow::array::{DurationNanosecondArray, TimestampNanosecondArray};
    let strings: StringArray = match ty {
        KustoType::DateTime => {
            let values = array
                .as_any()
                .downcast_ref::<TimestampNanosecondArray>()
                .ok_or_else(|| kql_parser::Diagnostic::internal("expected datetimes"))?;
            values
                .iter()
                .map(|v| Some(v.map(datetime_with_ticks).unwrap_or_default()))
                .collect()
        }
        KustoType::TimeSpan => {
            let values = array
                .as_any()
                .downcast_ref::<DurationNanosecondArray>()
                .ok_or_else(|| kql_parser::Diagnostic::internal("expected timespans"))?;
            values
                .iter()
                .map(|v| Some(v.map(crate::format::timespan).unwrap_or_default()))
                .collect()
        }
        KustoType::Real | KustoType::Decimal => {
            let values = array
                .as_any()
                .downcast_ref::<arrow::array::Float64Array>()
                .ok_or_else(|| kql_parser::Diagnostic::internal("expected reals"))?;
            values
                .iter()
                .map(|v| Some(v.map(real_text).unwrap_or_default()))
                .collect()
        }
        KustoType::Dynamic => {
            // A dynamic string prints without its JSON quotes, JSON null as `""`, anything
            // else as its JSON text.
            let texts = array
                .as_any()
                .downcast_ref::<StringArray>()
                .ok_or_else(|| kql_parser::Diagnostic::internal("expected dynamic text"))?;
            texts
                .iter()
                .map(|v| {
                    let text = v.unwrap_or_default();
                    Some(match serde_json::from_str::<serde_json::Value>(text) {
                        Ok(serde_json::Value::String(s)) => s,
                        Ok(serde_json::Value::Null) => String::new(),
                        _ => text.to_string(),
                    })
                })
                .collect()
        }
        _ => {
            let cast = arrow::compute::cast(array, &arrow::datatypes::DataType::Utf8)
                .map_err(arrow_error)?;
            let texts = cast
                .as_any()
                .downcast_ref::<StringArray>()
                .ok_or_else(|| kql_parser::Diagnostic::internal("a cast to string failed"))?;
            texts
                .iter()
                .map(|v| Some(v.unwrap_or_default().to_string()))
                .collect()
        }
    };
    Ok(Arc::new(strings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substrings_count_characters() {
        assert_eq!(substring("123456", 1, None), "23456");
        assert_eq!(substring("123456", 2, Some(2)), "34");
        assert_eq!(substring("123456", -2, Some(2)), "56");
        assert_eq!(substring("café!", 3, Some(1)), "é");
        assert_eq!(substring("x", -2, Some(5)), "");
        assert_eq!(substring("abc", 5, Some(3)), "");
        assert_eq!(substring("abc", 1, Some(-1)), "");
    }

    #[test]
    fn indexof_follows_the_recorded_answers() {
        assert_eq!(index_of("abcdefg", "cde", 0, -1, 1), Some(2));
        assert_eq!(index_of("abcdefg", "cde", 1, 2, 1), Some(2));
        assert_eq!(index_of("abcdefg", "cde", 3, 4, 1), Some(-1));
        assert_eq!(index_of("abcdefg", "cde", -5, -1, 1), Some(2));
        assert_eq!(index_of("abcdefgabcdefg", "cde", 1, 10, 2), Some(9));
        assert_eq!(index_of("abcdefgabcdefg", "cde", 1, -1, 3), Some(-1));
        assert_eq!(index_of("abc", "", 0, -1, 1), None);
        assert_eq!(index_of("café", "é", 0, -1, 1), Some(3));
    }

    #[test]
    fn countof_overlaps() {
        assert_eq!(count_overlapping("aaaa", "aa"), 3);
        assert_eq!(count_overlapping("ababa", "aba"), 2);
        assert_eq!(count_overlapping("abc", ""), 0);
    }

    #[test]
    fn tostring_prints_datetimes_with_ticks_and_reals_with_a_point() {
        assert_eq!(real_text(1.0), "1.0");
        assert_eq!(real_text(-0.0), "-0.0");
        assert_eq!(real_text(1.5), "1.5");
        assert_eq!(real_text(f64::INFINITY), "inf");
        assert_eq!(real_text(f64::NAN), "NaN");
        assert_eq!(datetime_with_ticks(0), "1970-01-01T00:00:00.0000000Z");
        assert_eq!(
            datetime_with_ticks(500_000_000),
            "1970-01-01T00:00:00.5000000Z"
        );
    }
}
