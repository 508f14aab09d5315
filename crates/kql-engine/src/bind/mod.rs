//! Binding: resolving names and types of a parsed query against table schemas, before any
//! data is read.
//!
//! The binder walks the statements in order. A `let` binds a name to a constant or to a
//! tabular plan; a tabular statement becomes a result [`Plan`]. Unknown names are collected
//! so that one run reports all of them; any other error stops binding at once.

mod evaluate;
mod expand;
mod expr;
mod functions;
mod literal;
mod names;
mod parse_op;
mod serialized;
mod shape;
mod subquery;
mod summarize;
mod tabular;
mod type_args;
mod user_functions;
mod values;

use std::collections::{BTreeMap, HashMap};

use kql_parser::ast::{LetValue, Query, SetStatement, StatementKind};
use kql_parser::{Diagnostic, Span};

use crate::error::{DiagResult, Error};
use crate::external::Resolver;
use crate::limits::{ResultLimits, RunLimits};
use crate::plan::{BoundExpr, Columns, Plan};

pub(crate) use expr::{cast_to, common_numeric, expect_type};
pub(crate) use literal::null_of;
pub use literal::parse_datetime_literal;
pub use names::{close_names, did_you_mean, unique_names};

/// What the binder needs to know about the session.
#[derive(Debug, Clone)]
pub struct BindOptions {
    /// The instant `now()` returns, in nanoseconds since 1970 (UTC).
    pub now: i64,
    /// Treat unknown column names as empty columns (with a warning) instead of failing.
    pub allow_missing_columns: bool,
    /// The limits of the run the binder is part of: subqueries it runs (`toscalar`) spend
    /// the same time budget.
    pub limits: RunLimits,
    /// The cut of the results before the query's `set` statements change it.
    pub result_limits: ResultLimits,
    /// Where `externaldata` rows come from; `None` refuses `externaldata`.
    pub(crate) external_data: Option<Resolver>,
}

impl BindOptions {
    /// Options of a binding at `now`, strict, with default limits and no external data.
    pub fn new(now: i64) -> BindOptions {
        BindOptions {
            now,
            allow_missing_columns: false,
            limits: RunLimits::default(),
            result_limits: ResultLimits::of(&crate::Limits::default()),
            external_data: None,
        }
    }
}

/// A bound query, ready to run.
#[derive(Debug, Clone)]
pub struct BoundQuery {
    /// Plans of tabular `let`s, computed once each, referred to by [`crate::plan::PlanKind::Shared`].
    pub shared: Vec<Plan>,
    /// One plan per tabular statement, in order.
    pub results: Vec<Plan>,
    /// Warnings found while binding (missing columns in permissive mode, ignored options).
    pub warnings: Vec<Diagnostic>,
    /// The instant `now()` returns, after any `set query_now`.
    pub now: i64,
    /// The cut of the results: the engine's, changed by the query's `set notruncation`,
    /// `set truncationmaxrecords` and `set truncationmaxsize`.
    pub result_limits: ResultLimits,
}

/// What a `let` name stands for.
#[derive(Debug, Clone)]
pub(crate) enum Binding {
    /// A constant scalar.
    Scalar(BoundExpr),
    /// A tabular result, shared by every use.
    Tabular { id: usize, columns: Columns },
    /// A tabular parameter of a function being inlined: its argument's plan.
    Plan(Plan),
    /// A user-defined function, inlined at each call.
    Function(std::sync::Arc<kql_parser::ast::FunctionDef>),
}

/// Binds a parsed query against the schemas of the available tables.
pub fn bind(
    query: &Query,
    tables: &BTreeMap<String, Columns>,
    options: &BindOptions,
) -> Result<BoundQuery, Error> {
    bind_with_data(query, tables, options, None)
}

/// Binds a query, running the subqueries that must become constants (`toscalar(...)`,
/// tabular `in` lists) over `data`. Without data (`kql check`) they are only type-checked.
pub fn bind_with_data(
    query: &Query,
    tables: &BTreeMap<String, Columns>,
    options: &BindOptions,
    data: Option<&dyn crate::exec::TableData>,
) -> Result<BoundQuery, Error> {
    let mut binder = Binder::new(tables, options);
    binder.data = data;
    let mut results = Vec::new();
    for statement in &query.statements {
        match &statement.kind {
            StatementKind::Let(statement) => {
                let binding = match &statement.value {
                    LetValue::Expr(expr) => binder.bind_let_value(expr),
                    LetValue::Function(function) => {
                        Ok(Binding::Function(std::sync::Arc::new(function.clone())))
                    }
                };
                let binding = binder.finish_step(binding)?;
                if let Some(binding) = binding {
                    binder.scope.insert(statement.name.name.clone(), binding);
                }
            }
            StatementKind::Set(set) => binder.set(set)?,
            StatementKind::Expr(expr) => {
                let plan = binder.bind_tabular(expr);
                if let Some(plan) = binder.finish_step(plan)? {
                    results.push(plan);
                }
            }
        }
    }
    if !binder.errors.is_empty() {
        return Err(Error::Query(binder.errors));
    }
    if results.is_empty() {
        let span = query.span;
        return Err(
            crate::error::semantic("the query has no tabular statement to run")
                .with_span(Span::new(span.end, span.end))
                .with_hint("end the query with a table expression, such as the name of a `let`")
                .into(),
        );
    }
    Ok(BoundQuery {
        shared: binder.shared,
        results,
        warnings: binder.warnings,
        now: binder.now,
        result_limits: binder.result_limits,
    })
}

/// The binder's state while walking one query.
pub(crate) struct Binder<'a> {
    tables: &'a BTreeMap<String, Columns>,
    allow_missing_columns: bool,
    now: i64,
    limits: RunLimits,
    result_limits: ResultLimits,
    external_data: Option<Resolver>,
    scope: HashMap<String, Binding>,
    shared: Vec<Plan>,
    /// How many user-function calls are being inlined, to stop runaway recursion.
    call_depth: usize,
    /// The tables' data, for subqueries that become constants; `None` when only checking.
    data: Option<&'a dyn crate::exec::TableData>,
    /// Unknown-name errors collected so far: binding goes on to find the others.
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
}

impl<'a> Binder<'a> {
    fn new(tables: &'a BTreeMap<String, Columns>, options: &BindOptions) -> Binder<'a> {
        Binder {
            tables,
            allow_missing_columns: options.allow_missing_columns,
            now: options.now,
            limits: options.limits,
            result_limits: options.result_limits,
            external_data: options.external_data.clone(),
            scope: HashMap::new(),
            shared: Vec::new(),
            call_depth: 0,
            data: None,
            errors: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// Ends a statement: a hard error stops binding (with the unknown names found so far);
    /// a statement that only had unknown names yields `None` and binding goes on.
    fn finish_step<T>(&mut self, result: DiagResult<T>) -> Result<Option<T>, Error> {
        match result {
            Ok(value) => Ok(Some(value)),
            Err(error) => {
                let mut errors = std::mem::take(&mut self.errors);
                errors.push(error);
                Err(Error::Query(errors))
            }
        }
    }

    /// `set option [= value]`: `query_now`, `notruncation`, `truncationmaxrecords` and
    /// `truncationmaxsize` are honoured; other options are ignored with a warning.
    fn set(&mut self, set: &SetStatement) -> Result<(), Error> {
        let name = set.name.name.as_str();
        let value = set
            .value
            .as_ref()
            .map(|value| self.bind_constant(value))
            .transpose();
        let value = self.finish_step(value)?.flatten();
        match (name, value) {
            ("notruncation", _) => {
                self.result_limits.max_records = None;
                self.result_limits.max_bytes = None;
            }
            ("truncationmaxrecords", Some(value)) => {
                self.result_limits.max_records = Some(count_option(name, &value, set)?);
            }
            ("truncationmaxsize", Some(value)) => {
                self.result_limits.max_bytes = Some(count_option(name, &value, set)?);
            }
            ("query_now", Some(value)) => match literal::as_datetime(&value) {
                Some(now) => self.now = now,
                None => {
                    return Err(crate::error::semantic("`query_now` must be a datetime")
                        .with_span(set.name.span)
                        .into());
                }
            },
            _ => self.warnings.push(
                Diagnostic::new(
                    kql_parser::DiagnosticKind::NotSupported,
                    format!("the option `{name}` is ignored"),
                )
                .warning()
                .with_span(set.name.span),
            ),
        }
        Ok(())
    }

    /// Reports an unknown name: an error, or in permissive mode a warning.
    fn unknown_name(&mut self, diagnostic: Diagnostic) {
        if self.allow_missing_columns {
            self.warnings.push(diagnostic.warning());
        } else {
            self.errors.push(diagnostic);
        }
    }
}

/// The value of a `set` option that counts something: a non-negative whole number.
fn count_option(
    name: &str,
    value: &arrow::array::ArrayRef,
    set: &SetStatement,
) -> Result<usize, Error> {
    literal::as_usize(value).ok_or_else(|| {
        let span = set.value.as_ref().map_or(set.name.span, |value| value.span);
        crate::error::semantic(format!("`{name}` must be a non-negative whole number"))
            .with_span(span)
            .into()
    })
}
