//! Binding the `parse` operator: its pattern becomes one regex, and each extracted column a
//! capture group of it (`K:parse-operator`).
//!
//! The translation follows the documented regex mode: `*` is `.*?`, a `string` column is
//! `(.*?)` (or `(.*)` when it ends the pattern, so it takes the rest of the text), a `long`
//! is `(\-?\d+)`. In `simple` and `relaxed` mode the string constants are matched literally;
//! in `regex` mode they are regular expressions. The match is anchored at the start.

use kql_parser::Span;
use kql_parser::ast::{ExprKind as Ast, Literal, Parse, ParsePart};

use super::Binder;
use super::expr::compile_regex;
use crate::error::{DiagResult, not_supported, semantic};
use crate::plan::{BoundExpr, Column, ExprKind, Plan, PlanKind};
use crate::types::KustoType;

/// How the pattern is matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ParseKind {
    Simple,
    Regex,
    Relaxed,
}

impl Binder<'_> {
    /// `parse [kind=..] [flags=..] Source with Pattern`.
    pub(crate) fn bind_parse(
        &mut self,
        input: Plan,
        parse: &Parse,
        span: Span,
    ) -> DiagResult<Plan> {
        let mut kind = ParseKind::Simple;
        let mut flags = String::new();
        for param in &parse.params {
            let value = match &param.value.kind {
                Ast::Name(ident) => ident.name.clone(),
                Ast::Literal(Literal::String(text)) => text.value.clone(),
                _ => String::new(),
            };
            match (param.name.name.as_str(), value.as_str()) {
                ("kind", "simple") => kind = ParseKind::Simple,
                ("kind", "regex") => kind = ParseKind::Regex,
                ("kind", "relaxed") => kind = ParseKind::Relaxed,
                ("flags", value) => flags = value.to_string(),
                (name, value) => {
                    return Err(
                        semantic(format!("unknown `parse` parameter `{name}={value}`"))
                            .with_span(param.name.span),
                    );
                }
            }
        }
        if !flags.is_empty() && kind != ParseKind::Regex {
            return Err(semantic("`flags` only applies to `kind=regex`").with_span(span));
        }

        let source = self.bind_expr(&parse.source, &input.columns, "parse")?;
        let source = super::expr::as_string(source);
        let mut pattern = String::new();
        if !flags.is_empty() {
            pattern.push_str(&format!("(?{flags})"));
        }
        pattern.push('^');
        let mut extracted: Vec<(String, KustoType)> = Vec::new();
        check_columns_are_separated(&parse.pattern)?;
        for (index, part) in parse.pattern.iter().enumerate() {
            let last = index + 1 == parse.pattern.len();
            match part {
                ParsePart::Literal(text) => match kind {
                    ParseKind::Regex => pattern.push_str(&format!("(?:{})", text.value)),
                    _ => pattern.push_str(&regex::escape(&text.value)),
                },
                // Regex mode is greedy (the docs' outputs show it; `flags=U` makes it lazy).
                ParsePart::Wildcard if kind == ParseKind::Regex => pattern.push_str(".*"),
                ParsePart::Wildcard => pattern.push_str(".*?"),
                ParsePart::Column { name, ty } => {
                    let ty: KustoType = match ty {
                        Some(ty) => ty.name.parse().map_err(|_| {
                            semantic(format!("unknown type `{}`", ty.name)).with_span(ty.span)
                        })?,
                        None => KustoType::String,
                    };
                    let strict = kind != ParseKind::Relaxed;
                    let body = match ty {
                        KustoType::Int | KustoType::Long if strict => r"\-?\d+",
                        KustoType::Real | KustoType::Decimal if strict => {
                            r"\-?\d+(?:\.\d+)?(?:[eE][+\-]?\d+)?"
                        }
                        KustoType::Bool if strict => "(?i:true|false)",
                        _ if kind == ParseKind::Regex || last => ".*",
                        _ => ".*?",
                    };
                    // Named groups, so the pattern's own groups (in regex mode) do not shift
                    // the columns' group numbers.
                    pattern.push_str(&format!("(?P<kql{}>{body})", extracted.len()));
                    extracted.push((name.name.clone(), ty));
                }
            }
        }
        if extracted.is_empty() {
            return Err(semantic("the `parse` pattern extracts no column").with_span(span));
        }
        if extracted.len() > 64 {
            return Err(not_supported("a `parse` pattern of more than 64 columns").with_span(span));
        }
        let regex = compile_regex(&pattern, span)?;
        let group_of = |index: usize| {
            let name = format!("kql{index}");
            regex
                .capture_names()
                .position(|n| n == Some(name.as_str()))
                .unwrap_or(0)
        };
        let all: std::sync::Arc<[(usize, KustoType)]> = extracted
            .iter()
            .enumerate()
            .map(|(i, (_, ty))| (group_of(i), *ty))
            .collect();
        let strict = kind != ParseKind::Relaxed;

        let mut columns = input.columns.clone();
        let mut exprs: Vec<BoundExpr> = columns
            .iter()
            .enumerate()
            .map(|(index, column)| BoundExpr {
                kind: ExprKind::Column(index),
                ty: column.ty,
                span,
            })
            .collect();
        for ((name, ty), &(group, _)) in extracted.into_iter().zip(all.iter()) {
            let expr = BoundExpr {
                kind: ExprKind::ParseCapture {
                    source: Box::new(source.clone()),
                    regex: regex.clone(),
                    group,
                    all: all.clone(),
                    strict,
                },
                ty,
                span,
            };
            match columns
                .iter_mut()
                .zip(&mut exprs)
                .find(|(c, _)| c.name == name)
            {
                Some((existing_column, existing_expr)) => {
                    *existing_column = Column::new(name, ty);
                    *existing_expr = expr;
                }
                None => {
                    columns.push(Column::new(name, ty));
                    exprs.push(expr);
                }
            }
        }
        Ok(Plan {
            kind: PlanKind::Project {
                input: Box::new(input),
                exprs,
            },
            columns,
        })
    }
}

/// In Kusto's pattern syntax a string (or `*`) stands between any two columns: nothing tells
/// where one would end and the next begin. Kusto rejects `parse kind=regex s with
/// c1:string n1:long ...` (`agent-parse-search-0033`, `-0034` in the conformance cases).
fn check_columns_are_separated(pattern: &[ParsePart]) -> DiagResult<()> {
    for pair in pattern.windows(2) {
        if let [ParsePart::Column { .. }, ParsePart::Column { name, .. }] = pair {
            return Err(semantic(format!(
                "the `parse` column `{}` follows another column without a string between them",
                name.name
            ))
            .with_span(name.span)
            .with_hint("put the text that separates the two values between them"));
        }
    }
    Ok(())
}
