//! Builders for expressions. Precedence is applied here by pest's Pratt parser, from lowest
//! to highest: `or`, `and`, comparisons and string predicates (with `in` and `between`),
//! `+ -`, `* / %`, then unary `- +`.

use std::sync::LazyLock;

use pest::iterators::Pair;
use pest::pratt_parser::{Assoc, Op, PrattParser};

use super::literal::{literal, string_literal, type_name};
use super::operator::tabular_operator;
use super::{BuildResult, Rule, children, first_child, missing, span_of, unexpected};
use crate::ast::{
    Argument, Assignment, BinaryOp, ColumnDecl, Expr, ExprKind, Ident, ListOp, Literal, Negation,
    StringOp, UnaryOp,
};
use crate::diagnostic::Diagnostic;

static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::op_or, Assoc::Left))
        .op(Op::infix(Rule::op_and, Assoc::Left))
        .op(Op::infix(Rule::compare_op, Assoc::Left)
            | Op::infix(Rule::string_op, Assoc::Left)
            | Op::postfix(Rule::list_postfix)
            | Op::postfix(Rule::between_postfix))
        .op(Op::infix(Rule::op_add, Assoc::Left) | Op::infix(Rule::op_sub, Assoc::Left))
        .op(Op::infix(Rule::op_mul, Assoc::Left)
            | Op::infix(Rule::op_div, Assoc::Left)
            | Op::infix(Rule::op_mod, Assoc::Left))
        .op(Op::prefix(Rule::neg) | Op::prefix(Rule::plus))
});

/// `pipe_expr`: a source and its piped operators, folded left to right.
pub(crate) fn pipe_expr(pair: Pair<'_, Rule>) -> BuildResult<Expr> {
    let mut parts = children(pair);
    let source = parts.next().ok_or_else(|| missing(Rule::pipe_expr))?;
    let mut expr = pipe_source(source)?;
    for operator_pair in parts {
        let operator = tabular_operator(operator_pair)?;
        let span = expr.span.to(operator.span);
        expr = Expr::new(
            ExprKind::Pipe {
                input: Box::new(expr),
                operator: Box::new(operator),
            },
            span,
        );
    }
    Ok(expr)
}

/// `pipe_source`: `print`, `range`, `union` or an expression.
///
/// This and the other builders that recurse through brackets (`term`, `primary`,
/// `argument`) only dispatch, and leave the work to one function per rule: in debug builds
/// every temporary of a function takes its own stack slot, and a bracket level costs the
/// frames of all of them.
fn pipe_source(pair: Pair<'_, Rule>) -> BuildResult<Expr> {
    let inner = first_child(pair)?;
    match inner.as_rule() {
        Rule::expr => expr(inner),
        Rule::print_source => print_source(inner),
        Rule::range_source => range_source(inner),
        Rule::union_source => union_source(inner),
        _ => Err(unexpected(&inner)),
    }
}

/// `print_source`: `print a = 1, 'b'`.
fn print_source(pair: Pair<'_, Rule>) -> BuildResult<Expr> {
    let span = span_of(&pair);
    let columns = children(pair).map(assignment).collect::<BuildResult<_>>()?;
    Ok(Expr::new(ExprKind::Print(columns), span))
}

/// `range_source`: `range x from 1 to 10 step 1`.
fn range_source(pair: Pair<'_, Rule>) -> BuildResult<Expr> {
    let span = span_of(&pair);
    let mut parts = children(pair);
    let mut next = || parts.next().ok_or_else(|| missing(Rule::range_source));
    let column = name(next()?)?;
    let from = Box::new(expr(next()?)?);
    let to = Box::new(expr(next()?)?);
    let step = Box::new(expr(next()?)?);
    Ok(Expr::new(
        ExprKind::Range {
            column,
            from,
            to,
            step,
        },
        span,
    ))
}

/// `union_source`: `union T1, T2` at the start of a pipeline.
fn union_source(pair: Pair<'_, Rule>) -> BuildResult<Expr> {
    let span = span_of(&pair);
    let union = super::operator::union_body(first_child(pair)?)?;
    Ok(Expr::new(ExprKind::Union(union), span))
}

/// `expr`: operands and operators folded by precedence.
pub(crate) fn expr(pair: Pair<'_, Rule>) -> BuildResult<Expr> {
    expr_in(pair, false)
}

/// `expr`, where `datatable_value` says whether `-9223372036854775808` is the smallest long.
/// Kusto reads it so only in a `datatable` value: elsewhere the minus is an operator on a
/// number too large for a long, an error (recorded conformance cases; `K:scalar-data-types/
/// long`: "`-2` is not a literal").
fn expr_in(pair: Pair<'_, Rule>, datatable_value: bool) -> BuildResult<Expr> {
    let min_longs = if datatable_value {
        negated_min_longs(&pair)
    } else {
        Vec::new()
    };
    PRATT
        .map_primary(|term_pair| {
            if min_longs.contains(&term_pair.as_span().start()) {
                let literal = ExprKind::Literal(Literal::Long(i64::MIN));
                return Ok(Expr::new(literal, span_of(&term_pair)));
            }
            term(term_pair)
        })
        .map_prefix(|op, operand| {
            let operand = operand?;
            let span = span_of(&op).to(operand.span);
            if op.as_rule() == Rule::neg && min_longs.contains(&operand.span.start) {
                // `-9223372036854775808`: the one long whose magnitude is not a long.
                return Ok(Expr::new(operand.kind, span));
            }
            let op = if op.as_rule() == Rule::neg {
                UnaryOp::Neg
            } else {
                UnaryOp::Plus
            };
            Ok(Expr::new(
                ExprKind::Unary {
                    op,
                    operand: Box::new(operand),
                },
                span,
            ))
        })
        .map_postfix(|left, op| postfix(left?, op))
        .map_infix(|left, op, right| {
            let (left, right) = (left?, right?);
            let span = left.span.to(right.span);
            let op = binary_op(&op)?;
            Ok(Expr::new(
                ExprKind::Binary {
                    op,
                    left: Box::new(left),
                    right: Box::new(right),
                },
                span,
            ))
        })
        .parse(pair.into_inner())
}

/// Where `9223372036854775808` is written right after a unary `-`: that is the smallest
/// long, although the number alone does not fit in one.
fn negated_min_longs(pair: &Pair<'_, Rule>) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut after_neg = false;
    for child in pair.clone().into_inner() {
        let text = span_of(&child).text(child.get_input());
        if after_neg && child.as_rule() == Rule::term && text == "9223372036854775808" {
            starts.push(child.as_span().start());
        }
        after_neg = child.as_rule() == Rule::neg;
    }
    starts
}

/// The operator of an infix pair.
fn binary_op(pair: &Pair<'_, Rule>) -> BuildResult<BinaryOp> {
    let text = pair.as_str();
    Ok(match pair.as_rule() {
        Rule::op_or => BinaryOp::Or,
        Rule::op_and => BinaryOp::And,
        Rule::op_add => BinaryOp::Add,
        Rule::op_sub => BinaryOp::Sub,
        Rule::op_mul => BinaryOp::Mul,
        Rule::op_div => BinaryOp::Div,
        Rule::op_mod => BinaryOp::Mod,
        Rule::compare_op => match text {
            "==" => BinaryOp::Eq,
            "!=" | "<>" => BinaryOp::NotEq,
            "=~" => BinaryOp::EqCi,
            "!~" => BinaryOp::NotEqCi,
            "<" => BinaryOp::Lt,
            "<=" => BinaryOp::Le,
            ">" => BinaryOp::Gt,
            ">=" => BinaryOp::Ge,
            _ => return Err(unexpected(pair)),
        },
        Rule::string_op => {
            BinaryOp::String(StringOp::from_text(text).ok_or_else(|| unexpected(pair))?)
        }
        _ => return Err(unexpected(pair)),
    })
}

/// `list_postfix` or `between_postfix` applied to `left`.
fn postfix(left: Expr, pair: Pair<'_, Rule>) -> BuildResult<Expr> {
    let span = left.span.to(span_of(&pair));
    let rule = pair.as_rule();
    let mut parts = children(pair);
    let op_pair = parts.next().ok_or_else(|| missing(rule))?;
    let left = Box::new(left);
    match rule {
        Rule::list_postfix => {
            let op = match op_pair.as_str() {
                "in" => ListOp::In,
                "!in" => ListOp::NotIn,
                "in~" => ListOp::InCi,
                "!in~" => ListOp::NotInCi,
                "has_any" => ListOp::HasAny,
                "has_all" => ListOp::HasAll,
                _ => return Err(unexpected(&op_pair)),
            };
            let items = parts.map(pipe_expr).collect::<BuildResult<_>>()?;
            Ok(Expr::new(ExprKind::List { op, left, items }, span))
        }
        Rule::between_postfix => {
            let negated = if op_pair.as_str().starts_with('!') {
                Negation::Negated
            } else {
                Negation::Plain
            };
            let low = Box::new(expr(parts.next().ok_or_else(|| missing(rule))?)?);
            let high = Box::new(expr(parts.next().ok_or_else(|| missing(rule))?)?);
            Ok(Expr::new(
                ExprKind::Between {
                    negated,
                    left,
                    low,
                    high,
                },
                span,
            ))
        }
        _ => Err(unexpected(&op_pair)),
    }
}

/// `term`: a primary expression with `.member` and `[index]` accessors.
fn term(pair: Pair<'_, Rule>) -> BuildResult<Expr> {
    let mut parts = children(pair);
    let mut expr = primary(parts.next().ok_or_else(|| missing(Rule::term))?)?;
    for accessor in parts {
        expr = match accessor.as_rule() {
            Rule::member_access => member_access(expr, accessor)?,
            Rule::index_access | Rule::dot_index_access => index_access(expr, accessor)?,
            _ => return Err(unexpected(&accessor)),
        };
    }
    Ok(expr)
}

/// `member_access`: `.Name` applied to `object`.
fn member_access(object: Expr, pair: Pair<'_, Rule>) -> BuildResult<Expr> {
    let span = object.span.to(span_of(&pair));
    let member_pair = first_child(first_child(pair)?)?;
    let member = match member_pair.as_rule() {
        Rule::bracketed_name => bracketed_name(member_pair)?,
        _ => Ident::new(member_pair.as_str(), span_of(&member_pair)),
    };
    Ok(Expr::new(
        ExprKind::Member {
            object: Box::new(object),
            member,
        },
        span,
    ))
}

/// `index_access` and `dot_index_access`: `[index]` applied to `object`.
fn index_access(object: Expr, pair: Pair<'_, Rule>) -> BuildResult<Expr> {
    let span = object.span.to(span_of(&pair));
    let index = Box::new(expr(first_child(pair)?)?);
    Ok(Expr::new(
        ExprKind::Index {
            object: Box::new(object),
            index,
        },
        span,
    ))
}

/// `primary`: literals, `datatable`, `(expr)`, calls and names.
fn primary(pair: Pair<'_, Rule>) -> BuildResult<Expr> {
    let inner = first_child(pair)?;
    match inner.as_rule() {
        Rule::literal => {
            let span = span_of(&inner);
            Ok(Expr::new(ExprKind::Literal(literal(inner)?), span))
        }
        Rule::paren_expr => paren_expr(inner),
        Rule::name_or_call => name_or_call(inner),
        Rule::bracketed_name => {
            let ident = bracketed_name(inner)?;
            let span = ident.span;
            Ok(Expr::new(ExprKind::Name(ident), span))
        }
        Rule::datatable => datatable(inner),
        Rule::externaldata => externaldata(inner),
        _ => Err(unexpected(&inner)),
    }
}

/// `paren_expr`: `(expr)`, possibly tabular.
fn paren_expr(pair: Pair<'_, Rule>) -> BuildResult<Expr> {
    let span = span_of(&pair);
    let inner = Box::new(pipe_expr(first_child(pair)?)?);
    Ok(Expr::new(ExprKind::Paren(inner), span))
}

/// `name_or_call`: a name, or `name(args)`.
fn name_or_call(pair: Pair<'_, Rule>) -> BuildResult<Expr> {
    let span = span_of(&pair);
    let mut parts = children(pair);
    let name_pair = parts.next().ok_or_else(|| missing(Rule::name_or_call))?;
    let name = Ident::new(name_pair.as_str(), span_of(&name_pair));
    let Some(arguments) = parts.next() else {
        return Ok(Expr::new(ExprKind::Name(name), span));
    };
    let mut args = Vec::new();
    for part in children(arguments) {
        args.push(argument(part)?);
    }
    Ok(Expr::new(ExprKind::Call { name, args }, span))
}

/// `argument`: `*`, `name = value` or a value.
fn argument(pair: Pair<'_, Rule>) -> BuildResult<Argument> {
    let inner = first_child(pair)?;
    match inner.as_rule() {
        Rule::star_argument => {
            let value = Expr::new(ExprKind::Star, span_of(&inner));
            Ok(Argument { name: None, value })
        }
        Rule::named_argument => named_argument(inner),
        Rule::pipe_expr => Ok(Argument {
            name: None,
            value: pipe_expr(inner)?,
        }),
        _ => Err(unexpected(&inner)),
    }
}

/// `named_argument`: `name = value`.
fn named_argument(pair: Pair<'_, Rule>) -> BuildResult<Argument> {
    let mut parts = children(pair);
    let name = name(parts.next().ok_or_else(|| missing(Rule::named_argument))?)?;
    let value = pipe_expr(parts.next().ok_or_else(|| missing(Rule::named_argument))?)?;
    Ok(Argument {
        name: Some(name),
        value,
    })
}

/// `datatable(columns) [values]`.
fn datatable(pair: Pair<'_, Rule>) -> BuildResult<Expr> {
    let span = span_of(&pair);
    let mut columns = Vec::new();
    let mut values = Vec::new();
    for part in children(pair) {
        match part.as_rule() {
            Rule::column_decl => columns.push(column_decl(part)?),
            Rule::expr => values.push(expr_in(part, true)?),
            _ => return Err(unexpected(&part)),
        }
    }
    Ok(Expr::new(ExprKind::Datatable { columns, values }, span))
}

/// `externaldata(columns) [uris] with (properties)`.
fn externaldata(pair: Pair<'_, Rule>) -> BuildResult<Expr> {
    let span = span_of(&pair);
    let mut columns = Vec::new();
    let mut uris = Vec::new();
    let mut properties = Vec::new();
    for part in children(pair) {
        match part.as_rule() {
            Rule::column_decl => columns.push(column_decl(part)?),
            Rule::expr => uris.push(expr(part)?),
            Rule::render_property => properties.push(super::operator::operator_param(part)?),
            _ => return Err(unexpected(&part)),
        }
    }
    Ok(Expr::new(
        ExprKind::ExternalData {
            columns,
            uris,
            properties,
        },
        span,
    ))
}

/// `column_decl`: `Name:type`.
pub(crate) fn column_decl(pair: Pair<'_, Rule>) -> BuildResult<ColumnDecl> {
    let mut parts = children(pair);
    let name = name(parts.next().ok_or_else(|| missing(Rule::column_decl))?)?;
    let ty = type_name(parts.next().ok_or_else(|| missing(Rule::column_decl))?);
    Ok(ColumnDecl { name, ty })
}

/// `assignment`: `Name = expr` or `expr`.
pub(crate) fn assignment(pair: Pair<'_, Rule>) -> BuildResult<Assignment> {
    let mut parts: Vec<_> = children(pair).collect();
    let value_pair = parts.pop().ok_or_else(|| missing(Rule::assignment))?;
    let value = expr(value_pair)?;
    let name = parts
        .pop()
        .map(super::column_names::column_name)
        .transpose()?;
    Ok(Assignment { name, value })
}

/// `name`: an identifier or a bracketed name.
pub(crate) fn name(pair: Pair<'_, Rule>) -> BuildResult<Ident> {
    let inner = match pair.as_rule() {
        Rule::name => first_child(pair)?,
        _ => pair,
    };
    match inner.as_rule() {
        Rule::ident | Rule::set_name | Rule::param_name => {
            Ok(Ident::new(inner.as_str(), span_of(&inner)))
        }
        Rule::bracketed_name => bracketed_name(inner),
        _ => Err(unexpected(&inner)),
    }
}

/// `['name']`.
pub(crate) fn bracketed_name(pair: Pair<'_, Rule>) -> BuildResult<Ident> {
    let span = span_of(&pair);
    let value = string_literal(first_child(pair)?)?.value;
    if value.is_empty() {
        return Err(Diagnostic::syntax("a name cannot be empty", span));
    }
    Ok(Ident::new(value, span))
}
