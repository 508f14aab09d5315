//! Builders for the query and its statements.

use pest::iterators::Pair;

use super::expr::{column_decl, expr, name, pipe_expr};
use super::literal::type_name;
use super::{BuildResult, Rule, children, first_child, missing, span_of, unexpected};
use crate::ast::{
    FunctionDef, LetStatement, LetValue, Param, ParamType, Query, SetStatement, Statement,
    StatementKind,
};

/// `query`: statements separated by `;`.
pub(crate) fn query(pair: Pair<'_, Rule>) -> BuildResult<Query> {
    let span = span_of(&pair);
    let statements = children(pair)
        .filter(|child| child.as_rule() != Rule::EOI)
        .map(statement)
        .collect::<BuildResult<_>>()?;
    Ok(Query { statements, span })
}

/// `statement`: `let`, `set` or a tabular expression.
fn statement(pair: Pair<'_, Rule>) -> BuildResult<Statement> {
    let inner = match pair.as_rule() {
        Rule::statement => first_child(pair)?,
        _ => pair,
    };
    let span = span_of(&inner);
    let kind = match inner.as_rule() {
        Rule::let_statement => StatementKind::Let(let_statement(inner)?),
        Rule::set_statement => StatementKind::Set(set_statement(inner)?),
        Rule::pipe_expr => StatementKind::Expr(pipe_expr(inner)?),
        _ => return Err(unexpected(&inner)),
    };
    Ok(Statement { kind, span })
}

/// `let Name = Value`.
fn let_statement(pair: Pair<'_, Rule>) -> BuildResult<LetStatement> {
    let mut parts = children(pair);
    let name = name(parts.next().ok_or_else(|| missing(Rule::let_statement))?)?;
    let value_pair = parts.next().ok_or_else(|| missing(Rule::let_statement))?;
    let value = match value_pair.as_rule() {
        Rule::function_def => LetValue::Function(function_def(value_pair)?),
        _ => LetValue::Expr(pipe_expr(value_pair)?),
    };
    Ok(LetStatement { name, value })
}

/// `(params) { body }`.
fn function_def(pair: Pair<'_, Rule>) -> BuildResult<FunctionDef> {
    let span = span_of(&pair);
    let mut params = Vec::new();
    let mut statements = Vec::new();
    let mut body = None;
    for part in children(pair) {
        match part.as_rule() {
            Rule::param => params.push(param(part)?),
            Rule::function_body => {
                for item in children(part) {
                    match item.as_rule() {
                        Rule::pipe_expr => body = Some(pipe_expr(item)?),
                        _ => statements.push(statement(item)?),
                    }
                }
            }
            _ => return Err(unexpected(&part)),
        }
    }
    let body = Box::new(body.ok_or_else(|| missing(Rule::function_def))?);
    Ok(FunctionDef {
        params,
        statements,
        body,
        span,
    })
}

/// `name:type [= default]`.
fn param(pair: Pair<'_, Rule>) -> BuildResult<Param> {
    let mut parts = children(pair);
    let name = name(parts.next().ok_or_else(|| missing(Rule::param))?)?;
    let ty_pair = parts.next().ok_or_else(|| missing(Rule::param))?;
    let ty = match ty_pair.as_rule() {
        Rule::tabular_param_type => ParamType::Tabular(
            children(ty_pair)
                .map(column_decl)
                .collect::<BuildResult<_>>()?,
        ),
        _ => ParamType::Scalar(type_name(ty_pair)),
    };
    let default = parts.next().map(expr).transpose()?;
    Ok(Param { name, ty, default })
}

/// `set Name [= Value]`.
fn set_statement(pair: Pair<'_, Rule>) -> BuildResult<SetStatement> {
    let mut parts = children(pair);
    let name = name(parts.next().ok_or_else(|| missing(Rule::set_statement))?)?;
    let value = parts.next().map(expr).transpose()?;
    Ok(SetStatement { name, value })
}
