//! Builders for the tabular operators after `|`.

use pest::iterators::Pair;

use super::expr::{assignment, bracketed_name, expr, name, pipe_expr};
use super::literal::{literal, string_literal, type_name};
use super::{BuildResult, Rule, children, first_child, missing, span_of, unexpected};
use crate::ast::{
    BinaryOp, ColumnPattern, Evaluate, Expr, ExprKind, Join, JoinCondition, Lookup, MvExpand,
    MvExpandColumn, NullsPosition, Operator, OperatorKind, OperatorParam, Parse, ParsePart,
    Render, ReorderColumn, Rename, SortKey, SortOrder, Summarize, Top, Union,
};
use crate::diagnostic::Diagnostic;

/// `tabular_operator`: one operator after a `|`.
pub(crate) fn tabular_operator(pair: Pair<'_, Rule>) -> BuildResult<Operator> {
    let inner = first_child(pair)?;
    let span = span_of(&inner);
    let rule = inner.as_rule();
    let kind = match rule {
        Rule::where_operator => OperatorKind::Where(expr(first_child(inner)?)?),
        Rule::extend_operator => OperatorKind::Extend(assignments(inner)?),
        Rule::project_operator => OperatorKind::Project(assignments(inner)?),
        Rule::project_away_operator => OperatorKind::ProjectAway(patterns(inner)?),
        Rule::project_keep_operator => OperatorKind::ProjectKeep(patterns(inner)?),
        Rule::project_rename_operator => OperatorKind::ProjectRename(renames(inner)?),
        Rule::project_reorder_operator => OperatorKind::ProjectReorder(reorder(inner)?),
        Rule::summarize_operator => OperatorKind::Summarize(summarize(inner)?),
        Rule::count_operator => OperatorKind::Count,
        Rule::take_operator => OperatorKind::Take(expr(first_child(inner)?)?),
        Rule::top_operator => {
            let mut parts = children(inner);
            let count = expr(parts.next().ok_or_else(|| missing(rule))?)?;
            let by = sort_key(parts.next().ok_or_else(|| missing(rule))?)?;
            OperatorKind::Top(Top { count, by })
        }
        Rule::sort_operator => {
            OperatorKind::Sort(children(inner).map(sort_key).collect::<BuildResult<_>>()?)
        }
        Rule::distinct_operator => OperatorKind::Distinct(distinct(inner)?),
        Rule::union_operator => OperatorKind::Union(union_body(first_child(inner)?)?),
        Rule::join_operator => {
            let (params, right, on) = join_parts(inner)?;
            OperatorKind::Join(Join { params, right, on })
        }
        Rule::lookup_operator => {
            let (params, right, on) = join_parts(inner)?;
            OperatorKind::Lookup(Lookup { params, right, on })
        }
        Rule::mv_expand_operator => OperatorKind::MvExpand(mv_expand(inner)?),
        Rule::parse_operator => OperatorKind::Parse(parse(inner)?),
        Rule::as_operator => {
            let name_pair = children(inner).last().ok_or_else(|| missing(rule))?;
            OperatorKind::As(name(name_pair)?)
        }
        Rule::render_operator => OperatorKind::Render(render(inner)?),
        Rule::invoke_operator => OperatorKind::Invoke(expr(first_child(inner)?)?),
        Rule::evaluate_operator => {
            let mut params = Vec::new();
            let mut plugin = None;
            for part in children(inner) {
                match part.as_rule() {
                    Rule::operator_param => params.push(operator_param(part)?),
                    _ => plugin = Some(expr(part)?),
                }
            }
            let plugin = plugin.ok_or_else(|| missing(rule))?;
            OperatorKind::Evaluate(Evaluate { params, plugin })
        }
        Rule::getschema_operator => OperatorKind::GetSchema,
        Rule::serialize_operator => OperatorKind::Serialize(assignments(inner)?),
        _ => return Err(unexpected(&inner)),
    };
    Ok(Operator { kind, span })
}

fn assignments(pair: Pair<'_, Rule>) -> BuildResult<Vec<crate::ast::Assignment>> {
    children(pair).map(assignment).collect()
}

fn patterns(pair: Pair<'_, Rule>) -> BuildResult<Vec<ColumnPattern>> {
    children(pair).map(column_pattern).collect()
}

/// `column_pattern`: a name, possibly with `*` wildcards.
fn column_pattern(pair: Pair<'_, Rule>) -> BuildResult<ColumnPattern> {
    let inner = first_child(pair)?;
    let span = span_of(&inner);
    let pattern = match inner.as_rule() {
        Rule::bracketed_name => bracketed_name(inner)?.name,
        _ => inner.as_str().to_string(),
    };
    Ok(ColumnPattern { pattern, span })
}

fn renames(pair: Pair<'_, Rule>) -> BuildResult<Vec<Rename>> {
    children(pair)
        .map(|rename| {
            let mut parts = children(rename);
            let new = name(parts.next().ok_or_else(|| missing(Rule::rename))?)?;
            let old = name(parts.next().ok_or_else(|| missing(Rule::rename))?)?;
            Ok(Rename { new, old })
        })
        .collect()
}

fn reorder(pair: Pair<'_, Rule>) -> BuildResult<Vec<ReorderColumn>> {
    children(pair)
        .map(|column| {
            let mut parts = children(column);
            let pattern = column_pattern(parts.next().ok_or_else(|| missing(Rule::reorder_column))?)?;
            let order = parts.next().map(|order| match order.as_rule() {
                Rule::kw_asc => SortOrder::Ascending,
                _ => SortOrder::Descending,
            });
            Ok(ReorderColumn { pattern, order })
        })
        .collect()
}

fn summarize(pair: Pair<'_, Rule>) -> BuildResult<Summarize> {
    let mut summarize = Summarize { aggregates: Vec::new(), by: Vec::new() };
    for part in children(pair) {
        match part.as_rule() {
            // Hints change how Kusto distributes the work, never the result.
            Rule::operator_param => {}
            Rule::summarize_aggregates => summarize.aggregates = assignments(part)?,
            Rule::summarize_by => summarize.by = assignments(part)?,
            _ => return Err(unexpected(&part)),
        }
    }
    Ok(summarize)
}

/// `sort_key`: `expr [asc|desc] [nulls first|last]`.
fn sort_key(pair: Pair<'_, Rule>) -> BuildResult<SortKey> {
    let mut key = SortKey { expr: Expr::new(ExprKind::Star, span_of(&pair)), order: None, nulls: None };
    for part in children(pair) {
        match part.as_rule() {
            Rule::expr => key.expr = expr(part)?,
            Rule::sort_order => {
                key.order = Some(match first_child(part)?.as_rule() {
                    Rule::kw_asc => SortOrder::Ascending,
                    _ => SortOrder::Descending,
                });
            }
            Rule::nulls_position => {
                key.nulls = Some(match first_child(part)?.as_rule() {
                    Rule::kw_first => NullsPosition::First,
                    _ => NullsPosition::Last,
                });
            }
            _ => return Err(unexpected(&part)),
        }
    }
    Ok(key)
}

fn distinct(pair: Pair<'_, Rule>) -> BuildResult<Vec<Expr>> {
    children(pair)
        .map(|part| match part.as_rule() {
            Rule::star => Ok(Expr::new(ExprKind::Star, span_of(&part))),
            _ => expr(part),
        })
        .collect()
}

/// `union_body`: parameters and tables.
pub(crate) fn union_body(pair: Pair<'_, Rule>) -> BuildResult<Union> {
    let mut union = Union { params: Vec::new(), tables: Vec::new() };
    for part in children(pair) {
        match part.as_rule() {
            Rule::operator_param => union.params.push(operator_param(part)?),
            Rule::union_table => {
                let inner = first_child(part)?;
                let span = span_of(&inner);
                let table = match inner.as_rule() {
                    Rule::pipe_expr => {
                        Expr::new(ExprKind::Paren(Box::new(pipe_expr(inner)?)), span)
                    }
                    _ => {
                        let pattern = column_pattern(inner)?;
                        let ident = crate::ast::Ident::new(pattern.pattern, span);
                        Expr::new(ExprKind::Name(ident), span)
                    }
                };
                union.tables.push(table);
            }
            _ => return Err(unexpected(&part)),
        }
    }
    Ok(union)
}

/// The parameters, right side and conditions shared by `join` and `lookup`.
fn join_parts(pair: Pair<'_, Rule>) -> BuildResult<(Vec<OperatorParam>, Expr, Vec<JoinCondition>)> {
    let rule = pair.as_rule();
    let mut params = Vec::new();
    let mut right = None;
    let mut on = Vec::new();
    for part in children(pair) {
        match part.as_rule() {
            Rule::operator_param => params.push(operator_param(part)?),
            Rule::join_right => {
                let inner = first_child(part)?;
                let span = span_of(&inner);
                right = Some(match inner.as_rule() {
                    Rule::pipe_expr => Expr::new(ExprKind::Paren(Box::new(pipe_expr(inner)?)), span),
                    _ => Expr::new(ExprKind::Name(name(inner)?), span),
                });
            }
            Rule::join_on => {
                for condition in children(part) {
                    join_conditions(expr(condition)?, &mut on)?;
                }
            }
            _ => return Err(unexpected(&part)),
        }
    }
    Ok((params, right.ok_or_else(|| missing(rule))?, on))
}

/// Splits `A and $left.B == $right.C` into conditions.
fn join_conditions(condition: Expr, out: &mut Vec<JoinCondition>) -> BuildResult<()> {
    match condition.kind {
        ExprKind::Name(column) => out.push(JoinCondition::Column(column)),
        ExprKind::Binary { op: BinaryOp::And, left, right } => {
            join_conditions(*left, out)?;
            join_conditions(*right, out)?;
        }
        ExprKind::Binary { op: BinaryOp::Eq, left, right } => {
            out.push(JoinCondition::Equality { left: *left, right: *right });
        }
        _ => {
            return Err(Diagnostic::syntax(
                "expected a column name or `$left.Column == $right.Column`",
                condition.span,
            )
            .with_hint("join conditions can only test equality"));
        }
    }
    Ok(())
}

fn mv_expand(pair: Pair<'_, Rule>) -> BuildResult<MvExpand> {
    let mut mv_expand = MvExpand { params: Vec::new(), columns: Vec::new(), limit: None };
    for part in children(pair) {
        match part.as_rule() {
            Rule::operator_param => mv_expand.params.push(operator_param(part)?),
            Rule::mv_expand_column => {
                let mut parts = children(part);
                let column = assignment(parts.next().ok_or_else(|| missing(Rule::mv_expand_column))?)?;
                let to_type = parts.next().map(type_name);
                mv_expand.columns.push(MvExpandColumn { column, to_type });
            }
            Rule::expr => mv_expand.limit = Some(expr(part)?),
            _ => return Err(unexpected(&part)),
        }
    }
    Ok(mv_expand)
}

fn parse(pair: Pair<'_, Rule>) -> BuildResult<Parse> {
    let mut params = Vec::new();
    let mut source = None;
    let mut pattern = Vec::new();
    for part in children(pair) {
        match part.as_rule() {
            Rule::operator_param => params.push(operator_param(part)?),
            Rule::expr => source = Some(expr(part)?),
            Rule::parse_part => pattern.push(parse_part(part)?),
            _ => return Err(unexpected(&part)),
        }
    }
    let source = source.ok_or_else(|| missing(Rule::parse_operator))?;
    Ok(Parse { params, source, pattern })
}

fn parse_part(pair: Pair<'_, Rule>) -> BuildResult<ParsePart> {
    let inner = first_child(pair)?;
    match inner.as_rule() {
        Rule::string_literal => Ok(ParsePart::Literal(string_literal(inner)?)),
        Rule::star => Ok(ParsePart::Wildcard),
        Rule::parse_column => {
            let mut parts = children(inner);
            let name = name(parts.next().ok_or_else(|| missing(Rule::parse_column))?)?;
            let ty = parts.next().map(type_name);
            Ok(ParsePart::Column { name, ty })
        }
        _ => Err(unexpected(&inner)),
    }
}

fn render(pair: Pair<'_, Rule>) -> BuildResult<Render> {
    let mut parts = children(pair);
    let visualization = name(parts.next().ok_or_else(|| missing(Rule::render_operator))?)?;
    let properties = parts.map(operator_param).collect::<BuildResult<_>>()?;
    Ok(Render { visualization, properties })
}

/// `operator_param` or `render_property`: `name=value`.
fn operator_param(pair: Pair<'_, Rule>) -> BuildResult<OperatorParam> {
    let rule = pair.as_rule();
    let mut parts = children(pair);
    let name_pair = parts.next().ok_or_else(|| missing(rule))?;
    let name = name(name_pair)?;
    let value_pair = parts.next().ok_or_else(|| missing(rule))?;
    let span = span_of(&value_pair);
    let value = match value_pair.as_rule() {
        Rule::literal => Expr::new(ExprKind::Literal(literal(value_pair)?), span),
        _ => Expr::new(ExprKind::Name(self::name(value_pair)?), span),
    };
    Ok(OperatorParam { name, value })
}
