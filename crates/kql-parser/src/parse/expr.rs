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
    Argument, Assignment, BinaryOp, ColumnDecl, Expr, ExprKind, Ident, ListOp, Negation,
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
            ExprKind::Pipe { input: Box::new(expr), operator: Box::new(operator) },
            span,
        );
    }
    Ok(expr)
}

/// `pipe_source`: `print`, `range`, `union` or an expression.
fn pipe_source(pair: Pair<'_, Rule>) -> BuildResult<Expr> {
    let inner = first_child(pair)?;
    let span = span_of(&inner);
    match inner.as_rule() {
        Rule::expr => expr(inner),
        Rule::print_source => {
            let columns = children(inner).map(assignment).collect::<BuildResult<_>>()?;
            Ok(Expr::new(ExprKind::Print(columns), span))
        }
        Rule::range_source => {
            let mut parts = children(inner);
            let mut next = || parts.next().ok_or_else(|| missing(Rule::range_source));
            let column = name(next()?)?;
            let from = Box::new(expr(next()?)?);
            let to = Box::new(expr(next()?)?);
            let step = Box::new(expr(next()?)?);
            Ok(Expr::new(ExprKind::Range { column, from, to, step }, span))
        }
        Rule::union_source => {
            let union = super::operator::union_body(first_child(inner)?)?;
            Ok(Expr::new(ExprKind::Union(union), span))
        }
        _ => Err(unexpected(&inner)),
    }
}

/// `expr`: operands and operators folded by precedence.
pub(crate) fn expr(pair: Pair<'_, Rule>) -> BuildResult<Expr> {
    PRATT
        .map_primary(term)
        .map_prefix(|op, operand| {
            let operand = operand?;
            let span = span_of(&op).to(operand.span);
            let op = if op.as_rule() == Rule::neg { UnaryOp::Neg } else { UnaryOp::Plus };
            Ok(Expr::new(ExprKind::Unary { op, operand: Box::new(operand) }, span))
        })
        .map_postfix(|left, op| postfix(left?, op))
        .map_infix(|left, op, right| {
            let (left, right) = (left?, right?);
            let span = left.span.to(right.span);
            let op = binary_op(&op)?;
            Ok(Expr::new(ExprKind::Binary { op, left: Box::new(left), right: Box::new(right) }, span))
        })
        .parse(pair.into_inner())
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
            let negated =
                if op_pair.as_str().starts_with('!') { Negation::Negated } else { Negation::Plain };
            let low = Box::new(expr(parts.next().ok_or_else(|| missing(rule))?)?);
            let high = Box::new(expr(parts.next().ok_or_else(|| missing(rule))?)?);
            Ok(Expr::new(ExprKind::Between { negated, left, low, high }, span))
        }
        _ => Err(unexpected(&op_pair)),
    }
}

/// `term`: a primary expression with `.member` and `[index]` accessors.
fn term(pair: Pair<'_, Rule>) -> BuildResult<Expr> {
    let mut parts = children(pair);
    let mut expr = primary(parts.next().ok_or_else(|| missing(Rule::term))?)?;
    for accessor in parts {
        let span = expr.span.to(span_of(&accessor));
        let kind = match accessor.as_rule() {
            Rule::member_access => {
                let member_pair = first_child(first_child(accessor)?)?;
                let member = match member_pair.as_rule() {
                    Rule::bracketed_name => bracketed_name(member_pair)?,
                    _ => Ident::new(member_pair.as_str(), span_of(&member_pair)),
                };
                ExprKind::Member { object: Box::new(expr), member }
            }
            Rule::index_access => {
                let index = self::expr(first_child(accessor)?)?;
                ExprKind::Index { object: Box::new(expr), index: Box::new(index) }
            }
            _ => return Err(unexpected(&accessor)),
        };
        expr = Expr::new(kind, span);
    }
    Ok(expr)
}

/// `primary`: literals, `datatable`, `(expr)`, calls and names.
fn primary(pair: Pair<'_, Rule>) -> BuildResult<Expr> {
    let inner = first_child(pair)?;
    let span = span_of(&inner);
    let kind = match inner.as_rule() {
        Rule::literal => ExprKind::Literal(literal(inner)?),
        Rule::paren_expr => ExprKind::Paren(Box::new(pipe_expr(first_child(inner)?)?)),
        Rule::call => call(inner)?,
        Rule::name => ExprKind::Name(name(inner)?),
        Rule::datatable => datatable(inner)?,
        _ => return Err(unexpected(&inner)),
    };
    Ok(Expr::new(kind, span))
}

/// `call`: `name(args)`.
fn call(pair: Pair<'_, Rule>) -> BuildResult<ExprKind> {
    let mut parts = children(pair);
    let name_pair = parts.next().ok_or_else(|| missing(Rule::call))?;
    let name = Ident::new(name_pair.as_str(), span_of(&name_pair));
    let args = parts.map(argument).collect::<BuildResult<_>>()?;
    Ok(ExprKind::Call { name, args })
}

/// `argument`: `*`, `name = value` or a value.
fn argument(pair: Pair<'_, Rule>) -> BuildResult<Argument> {
    let inner = first_child(pair)?;
    let span = span_of(&inner);
    match inner.as_rule() {
        Rule::star_argument => Ok(Argument { name: None, value: Expr::new(ExprKind::Star, span) }),
        Rule::named_argument => {
            let mut parts = children(inner);
            let name = name(parts.next().ok_or_else(|| missing(Rule::named_argument))?)?;
            let value = pipe_expr(parts.next().ok_or_else(|| missing(Rule::named_argument))?)?;
            Ok(Argument { name: Some(name), value })
        }
        Rule::pipe_expr => Ok(Argument { name: None, value: pipe_expr(inner)? }),
        _ => Err(unexpected(&inner)),
    }
}

/// `datatable(columns) [values]`.
fn datatable(pair: Pair<'_, Rule>) -> BuildResult<ExprKind> {
    let mut columns = Vec::new();
    let mut values = Vec::new();
    for part in children(pair) {
        match part.as_rule() {
            Rule::column_decl => columns.push(column_decl(part)?),
            Rule::expr => values.push(expr(part)?),
            _ => return Err(unexpected(&part)),
        }
    }
    Ok(ExprKind::Datatable { columns, values })
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
    let name = parts.pop().map(name).transpose()?;
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
