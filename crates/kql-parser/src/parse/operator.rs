//! Builders for the tabular operators after `|`.

use pest::iterators::Pair;

use super::expr::{assignment, bracketed_name, expr, name, pipe_expr};
use super::literal::{literal, string_literal, type_name};
use super::{BuildResult, Rule, children, first_child, missing, span_of, unexpected};
use crate::ast::{
    BinaryOp, ColumnPattern, Evaluate, Expr, ExprKind, Join, JoinCondition, Literal, Lookup,
    MvExpand, MvExpandColumn, NullsPosition, Operator, OperatorKind, OperatorParam, Parse,
    ParsePart, Rename, Render, ReorderColumn, SortKey, SortOrder, Summarize, Top, Union,
};
use crate::diagnostic::Diagnostic;

/// The join kinds Kusto accepts, aliases included (`anti` is `leftanti`).
const JOIN_KINDS: &[&str] = &[
    "innerunique",
    "inner",
    "leftouter",
    "rightouter",
    "fullouter",
    "leftanti",
    "anti",
    "leftantisemi",
    "rightanti",
    "rightantisemi",
    "leftsemi",
    "rightsemi",
];
/// The kinds of `lookup`.
const LOOKUP_KINDS: &[&str] = &["leftouter", "inner"];
/// The kinds of `union`.
const UNION_KINDS: &[&str] = &["outer", "inner"];
/// The kinds of `parse`.
const PARSE_KINDS: &[&str] = &["simple", "regex", "relaxed"];
/// The values of `mv-expand bagexpansion=`.
const BAG_EXPANSIONS: &[&str] = &["bag", "array"];

/// `tabular_operator`: one operator after a `|`.
///
/// Each operator has its own builder, so that this function's stack frame stays small:
/// subqueries in `join` or `in (...)` recurse through it once per level.
pub(crate) fn tabular_operator(pair: Pair<'_, Rule>) -> BuildResult<Operator> {
    let inner = first_child(pair)?;
    let span = span_of(&inner);
    let build: fn(Pair<'_, Rule>) -> BuildResult<OperatorKind> = match inner.as_rule() {
        Rule::where_operator => where_operator,
        Rule::extend_operator => extend_operator,
        Rule::project_operator => project_operator,
        Rule::project_away_operator => project_away_operator,
        Rule::project_keep_operator => project_keep_operator,
        Rule::project_rename_operator => project_rename_operator,
        Rule::project_reorder_operator => project_reorder_operator,
        Rule::summarize_operator => summarize_operator,
        Rule::count_operator => count_operator,
        Rule::take_operator => take_operator,
        Rule::top_operator => top_operator,
        Rule::sort_operator => sort_operator,
        Rule::distinct_operator => distinct_operator,
        Rule::union_operator => union_operator,
        Rule::join_operator => join_operator,
        Rule::lookup_operator => lookup_operator,
        Rule::mv_expand_operator => mv_expand_operator,
        Rule::parse_operator => parse_operator,
        Rule::as_operator => as_operator,
        Rule::render_operator => render_operator,
        Rule::invoke_operator => invoke_operator,
        Rule::evaluate_operator => evaluate_operator,
        Rule::getschema_operator => |_| Ok(OperatorKind::GetSchema),
        Rule::serialize_operator => serialize_operator,
        _ => return Err(unexpected(&inner)),
    };
    Ok(Operator {
        kind: build(inner)?,
        span,
    })
}

/// `where_operator`: `where Predicate`.
fn where_operator(pair: Pair<'_, Rule>) -> BuildResult<OperatorKind> {
    Ok(OperatorKind::Where(expr(first_child(pair)?)?))
}

/// `extend_operator`: `extend A = expr, expr`.
fn extend_operator(pair: Pair<'_, Rule>) -> BuildResult<OperatorKind> {
    Ok(OperatorKind::Extend(assignments(pair)?))
}

/// `project_operator`: `project A, B = expr`.
fn project_operator(pair: Pair<'_, Rule>) -> BuildResult<OperatorKind> {
    Ok(OperatorKind::Project(assignments(pair)?))
}

/// `project_away_operator`: `project-away A, B*`.
fn project_away_operator(pair: Pair<'_, Rule>) -> BuildResult<OperatorKind> {
    Ok(OperatorKind::ProjectAway(patterns(pair)?))
}

/// `project_keep_operator`: `project-keep A, B*`.
fn project_keep_operator(pair: Pair<'_, Rule>) -> BuildResult<OperatorKind> {
    Ok(OperatorKind::ProjectKeep(patterns(pair)?))
}

/// `project_rename_operator`: `project-rename New = Old`.
fn project_rename_operator(pair: Pair<'_, Rule>) -> BuildResult<OperatorKind> {
    Ok(OperatorKind::ProjectRename(renames(pair)?))
}

/// `project_reorder_operator`: `project-reorder A, B* asc`.
fn project_reorder_operator(pair: Pair<'_, Rule>) -> BuildResult<OperatorKind> {
    Ok(OperatorKind::ProjectReorder(reorder(pair)?))
}

/// `summarize_operator`: `summarize Aggregates by Keys`.
fn summarize_operator(pair: Pair<'_, Rule>) -> BuildResult<OperatorKind> {
    Ok(OperatorKind::Summarize(summarize(pair)?))
}

/// `take_operator`: `take N` or `limit N`.
fn take_operator(pair: Pair<'_, Rule>) -> BuildResult<OperatorKind> {
    Ok(OperatorKind::Take(expr(first_child(pair)?)?))
}

/// `top_operator`: `top N by Expr`.
fn top_operator(pair: Pair<'_, Rule>) -> BuildResult<OperatorKind> {
    let mut parts = children(pair);
    let count = expr(parts.next().ok_or_else(|| missing(Rule::top_operator))?)?;
    let by = sort_key(parts.next().ok_or_else(|| missing(Rule::top_operator))?)?;
    Ok(OperatorKind::Top(Top { count, by }))
}

/// `sort_operator`: `sort by Keys` or `order by Keys`.
fn sort_operator(pair: Pair<'_, Rule>) -> BuildResult<OperatorKind> {
    Ok(OperatorKind::Sort(
        children(pair).map(sort_key).collect::<BuildResult<_>>()?,
    ))
}

/// `distinct_operator`: `distinct A, B` or `distinct *`.
fn distinct_operator(pair: Pair<'_, Rule>) -> BuildResult<OperatorKind> {
    Ok(OperatorKind::Distinct(distinct(pair)?))
}

/// `union_operator`: `union T2, T3` after a pipe.
fn union_operator(pair: Pair<'_, Rule>) -> BuildResult<OperatorKind> {
    Ok(OperatorKind::Union(union_body(first_child(pair)?)?))
}

/// `join_operator`: `join [params] Right on Conditions`.
fn join_operator(pair: Pair<'_, Rule>) -> BuildResult<OperatorKind> {
    let (params, right, on) = join_parts(pair)?;
    check_param(&params, "kind", JOIN_KINDS, "join kind")?;
    Ok(OperatorKind::Join(Join { params, right, on }))
}

/// `lookup_operator`: `lookup [kind=..] Right on Conditions`.
fn lookup_operator(pair: Pair<'_, Rule>) -> BuildResult<OperatorKind> {
    let (params, right, on) = join_parts(pair)?;
    check_param(&params, "kind", LOOKUP_KINDS, "lookup kind")?;
    Ok(OperatorKind::Lookup(Lookup { params, right, on }))
}

/// `mv_expand_operator`: `mv-expand Col [to typeof(T)]`.
fn mv_expand_operator(pair: Pair<'_, Rule>) -> BuildResult<OperatorKind> {
    Ok(OperatorKind::MvExpand(mv_expand(pair)?))
}

/// `parse_operator`: `parse [kind=..] Source with Pattern`.
fn parse_operator(pair: Pair<'_, Rule>) -> BuildResult<OperatorKind> {
    Ok(OperatorKind::Parse(parse(pair)?))
}

/// `as_operator`: `as Name`.
fn as_operator(pair: Pair<'_, Rule>) -> BuildResult<OperatorKind> {
    let name_pair = children(pair)
        .last()
        .ok_or_else(|| missing(Rule::as_operator))?;
    Ok(OperatorKind::As(name(name_pair)?))
}

/// `render_operator`: `render chart [with (props)]`.
fn render_operator(pair: Pair<'_, Rule>) -> BuildResult<OperatorKind> {
    Ok(OperatorKind::Render(render(pair)?))
}

/// `invoke_operator`: `invoke f(args)`.
fn invoke_operator(pair: Pair<'_, Rule>) -> BuildResult<OperatorKind> {
    Ok(OperatorKind::Invoke(expr(first_child(pair)?)?))
}

/// `evaluate_operator`: `evaluate [params] plugin(args)`.
fn evaluate_operator(pair: Pair<'_, Rule>) -> BuildResult<OperatorKind> {
    let mut params = Vec::new();
    let mut plugin = None;
    for part in children(pair) {
        match part.as_rule() {
            Rule::operator_param => params.push(operator_param(part)?),
            _ => plugin = Some(expr(part)?),
        }
    }
    let plugin = plugin.ok_or_else(|| missing(Rule::evaluate_operator))?;
    Ok(OperatorKind::Evaluate(Evaluate { params, plugin }))
}

/// `serialize_operator`: `serialize [Name = expr, ...]`.
fn serialize_operator(pair: Pair<'_, Rule>) -> BuildResult<OperatorKind> {
    Ok(OperatorKind::Serialize(assignments(pair)?))
}

/// The assignments that are a pair's children.
fn assignments(pair: Pair<'_, Rule>) -> BuildResult<Vec<crate::ast::Assignment>> {
    children(pair).map(assignment).collect()
}

/// The column patterns that are a pair's children.
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

/// The `rename` children of `project-rename`.
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

/// The `reorder_column` children of `project-reorder`.
fn reorder(pair: Pair<'_, Rule>) -> BuildResult<Vec<ReorderColumn>> {
    children(pair)
        .map(|column| {
            let mut parts = children(column);
            let pattern =
                column_pattern(parts.next().ok_or_else(|| missing(Rule::reorder_column))?)?;
            let order = parts.next().map(|order| match order.as_rule() {
                Rule::kw_asc => SortOrder::Ascending,
                _ => SortOrder::Descending,
            });
            Ok(ReorderColumn { pattern, order })
        })
        .collect()
}

/// The aggregates and keys of `summarize`; hints are dropped.
fn summarize(pair: Pair<'_, Rule>) -> BuildResult<Summarize> {
    let mut summarize = Summarize {
        aggregates: Vec::new(),
        by: Vec::new(),
    };
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
    let mut key = SortKey {
        expr: Expr::new(ExprKind::Star, span_of(&pair)),
        order: None,
        nulls: None,
    };
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

/// The columns of `distinct`.
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
    let mut union = Union {
        params: Vec::new(),
        tables: Vec::new(),
    };
    for part in children(pair) {
        match part.as_rule() {
            Rule::operator_param => union.params.push(operator_param(part)?),
            Rule::union_table => union.tables.push(union_table(part)?),
            _ => return Err(unexpected(&part)),
        }
    }
    check_param(&union.params, "kind", UNION_KINDS, "union kind")?;
    Ok(union)
}

/// `union_table`: `(expr)` or a name, possibly with wildcards, kept as a name.
fn union_table(pair: Pair<'_, Rule>) -> BuildResult<Expr> {
    let inner = first_child(pair)?;
    let span = span_of(&inner);
    match inner.as_rule() {
        Rule::pipe_expr => Ok(Expr::new(
            ExprKind::Paren(Box::new(pipe_expr(inner)?)),
            span,
        )),
        _ => {
            let pattern = column_pattern(inner)?;
            let ident = crate::ast::Ident::new(pattern.pattern, span);
            Ok(Expr::new(ExprKind::Name(ident), span))
        }
    }
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
            Rule::join_right => right = Some(join_right(part)?),
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

/// `join_right`: `(expr)` or a name.
fn join_right(pair: Pair<'_, Rule>) -> BuildResult<Expr> {
    let inner = first_child(pair)?;
    let span = span_of(&inner);
    match inner.as_rule() {
        Rule::pipe_expr => Ok(Expr::new(
            ExprKind::Paren(Box::new(pipe_expr(inner)?)),
            span,
        )),
        _ => Ok(Expr::new(ExprKind::Name(name(inner)?), span)),
    }
}

/// Splits `A and $left.B == $right.C` into conditions.
fn join_conditions(condition: Expr, out: &mut Vec<JoinCondition>) -> BuildResult<()> {
    match condition.kind {
        ExprKind::Name(column) => out.push(JoinCondition::Column(column)),
        ExprKind::Binary {
            op: BinaryOp::And,
            left,
            right,
        } => {
            join_conditions(*left, out)?;
            join_conditions(*right, out)?;
        }
        ExprKind::Binary {
            op: BinaryOp::Eq,
            left,
            right,
        } => {
            out.push(JoinCondition::Equality {
                left: *left,
                right: *right,
            });
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

/// The parameters, columns and limit of `mv-expand`.
fn mv_expand(pair: Pair<'_, Rule>) -> BuildResult<MvExpand> {
    let mut mv_expand = MvExpand {
        params: Vec::new(),
        columns: Vec::new(),
        limit: None,
    };
    for part in children(pair) {
        match part.as_rule() {
            Rule::operator_param => mv_expand.params.push(operator_param(part)?),
            Rule::mv_expand_column => {
                let mut parts = children(part);
                let column = assignment(
                    parts
                        .next()
                        .ok_or_else(|| missing(Rule::mv_expand_column))?,
                )?;
                let to_type = parts.next().map(type_name);
                mv_expand.columns.push(MvExpandColumn { column, to_type });
            }
            Rule::expr => mv_expand.limit = Some(expr(part)?),
            _ => return Err(unexpected(&part)),
        }
    }
    check_param(
        &mv_expand.params,
        "bagexpansion",
        BAG_EXPANSIONS,
        "`bagexpansion` value",
    )?;
    Ok(mv_expand)
}

/// The parameters, source and pattern of `parse`.
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
    check_param(&params, "kind", PARSE_KINDS, "parse kind")?;
    Ok(Parse {
        params,
        source,
        pattern,
    })
}

/// `count_operator`: `count` or `count as Name`.
fn count_operator(pair: Pair<'_, Rule>) -> BuildResult<OperatorKind> {
    match children(pair).find(|part| part.as_rule() == Rule::name) {
        Some(part) => Ok(OperatorKind::CountAs(name(part)?)),
        None => Ok(OperatorKind::Count),
    }
}

/// `parse_part`: a string, `*` or `Name[:type]`.
fn parse_part(pair: Pair<'_, Rule>) -> BuildResult<ParsePart> {
    let inner = first_child(pair)?;
    match inner.as_rule() {
        Rule::string_literal => Ok(ParsePart::Literal(string_literal(inner)?)),
        Rule::star => Ok(ParsePart::Wildcard),
        Rule::parse_column => {
            let mut parts = children(inner);
            let name = super::column_names::column_name(
                parts.next().ok_or_else(|| missing(Rule::parse_column))?,
            )?;
            let ty = parts.next().map(type_name);
            Ok(ParsePart::Column { name, ty })
        }
        _ => Err(unexpected(&inner)),
    }
}

/// The visualization and properties of `render`.
fn render(pair: Pair<'_, Rule>) -> BuildResult<Render> {
    let mut parts = children(pair);
    let visualization = name(parts.next().ok_or_else(|| missing(Rule::render_operator))?)?;
    let properties = parts.map(operator_param).collect::<BuildResult<_>>()?;
    Ok(Render {
        visualization,
        properties,
    })
}

/// `operator_param` or `render_property`: `name=value`.
pub(super) fn operator_param(pair: Pair<'_, Rule>) -> BuildResult<OperatorParam> {
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

/// Checks that the parameter `name`, when given, has one of the `allowed` values:
/// "unknown join kind `outer`".
fn check_param(
    params: &[OperatorParam],
    name: &str,
    allowed: &[&str],
    what: &str,
) -> BuildResult<()> {
    for param in params.iter().filter(|param| param.name.name == name) {
        let value = match &param.value.kind {
            ExprKind::Name(ident) => Some(ident.name.as_str()),
            ExprKind::Literal(Literal::String(string)) => Some(string.value.as_str()),
            _ => None,
        };
        if !value.is_some_and(|value| allowed.contains(&value)) {
            let list: Vec<String> = allowed.iter().map(|value| format!("`{value}`")).collect();
            let message = format!("unknown {what} `{}`", param.value);
            return Err(Diagnostic::syntax(message, param.value.span)
                .with_hint(format!("expected one of {}", list.join(", "))));
        }
    }
    Ok(())
}
