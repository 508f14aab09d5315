//! Binding `summarize`, `count` and `distinct` into an aggregate plan.
//!
//! Output naming follows Kusto (checked against recorded answers): group keys keep their
//! column name (`bin(TimeGenerated, 1h)` is `TimeGenerated`); an unnamed aggregate is
//! `count_`, `countif_`, `sum_x`, `dcountif_x`, `set_x` (`make_set`), `list_x` (`make_list`);
//! `take_any(x)` and `arg_max(x, y)` keep `x` and `y`; clashes get numeric suffixes.

use kql_parser::Span;
use kql_parser::ast::{Argument, Assignment, Expr, ExprKind as Ast, Ident, Summarize};

use super::Binder;
use super::expr::expect_type;
use super::names::unique_names;
use crate::error::{DiagResult, not_supported, semantic};
use crate::plan::{
    Aggregate, AggregateFunction, AggregatePlan, BoundExpr, Column, Columns, ExprKind, Plan,
    PlanKind,
};
use crate::types::KustoType;

/// Kusto's default and maximum size of `make_set`/`make_list` results.
const MAX_SET_SIZE: usize = 1_048_576;

impl Binder<'_> {
    /// `summarize aggregates by keys`.
    pub(crate) fn bind_summarize(
        &mut self,
        input: Plan,
        summarize: &Summarize,
    ) -> DiagResult<Plan> {
        let mut names = Vec::new();
        let mut types = Vec::new();
        let mut keys = Vec::new();
        for (index, key) in summarize.by.iter().enumerate() {
            let bound = self.bind_expr(&key.value, &input.columns, "summarize")?;
            names.push(match &key.name {
                Some(name) => name.name.clone(),
                None => key_name(&key.value, index),
            });
            types.push(bound.ty);
            keys.push(bound);
        }
        let key_columns: Vec<usize> = keys.iter().filter_map(column_index).collect();

        let mut aggregates = Vec::new();
        // Expressions over aggregates (`summarize x = count() * 2`): their aggregates are
        // computed as hidden columns, then the expressions over those in a projection.
        let mut computed: Vec<(usize, Assignment)> = Vec::new();
        let mut hidden = 0usize;
        for assignment in &summarize.aggregates {
            // A call of a known aggregate, or of a name kql does not know (which then gets
            // its "not supported" error from `bind_aggregate`).
            let direct = matches!(&assignment.value.kind, Ast::Call { name, .. }
                if aggregate_function(&name.name).is_some()
                    || (crate::functions::names().all(|known| known != name.name)
                        && !super::functions::SPECIAL_FUNCTIONS.contains(&name.name.as_str())));
            let assignment = if direct {
                assignment.clone()
            } else {
                let mut value = assignment.value.clone();
                let mut found = Vec::new();
                extract_aggregates(&mut value, &mut found, &mut hidden);
                if found.is_empty() {
                    // `toupper(tohex(binary_all_or(x)))`: the aggregate is one kql lacks.
                    let unknown = unknown_calls(&assignment.value);
                    if !unknown.is_empty() {
                        let names: Vec<String> =
                            unknown.iter().map(|name| format!("`{name}`")).collect();
                        return Err(not_supported(format!("calling {}", names.join(" and ")))
                            .with_span(assignment.value.span));
                    }
                    return Err(semantic(
                        "`summarize` expects aggregation functions such as `count()`",
                    )
                    .with_span(assignment.value.span)
                    .with_hint("compute the value with `extend` before `summarize`"));
                }
                for (name, call) in found {
                    let (aggregate, outputs) = self.bind_aggregate(
                        &Assignment {
                            name: Some(name),
                            value: call,
                        },
                        &input.columns,
                        &key_columns,
                    )?;
                    for (name, ty) in outputs {
                        names.push(name);
                        types.push(ty);
                    }
                    aggregates.push(aggregate);
                }
                computed.push((
                    names.len(),
                    Assignment {
                        name: assignment.name.clone(),
                        value,
                    },
                ));
                continue;
            };
            let (aggregate, outputs) =
                self.bind_aggregate(&assignment, &input.columns, &key_columns)?;
            for (name, ty) in outputs {
                names.push(name);
                types.push(ty);
            }
            aggregates.push(aggregate);
        }

        let columns: Columns = unique_names(&names)
            .into_iter()
            .zip(types)
            .map(|(name, ty)| Column::new(name, ty))
            .collect();
        let plan = AggregatePlan {
            input,
            keys,
            aggregates,
        };
        let aggregated = Plan {
            kind: PlanKind::Aggregate(Box::new(plan)),
            columns,
        };
        if computed.is_empty() {
            return Ok(aggregated);
        }
        self.project_computed_aggregates(aggregated, computed)
    }

    /// The projection after a `summarize` with expressions over aggregates: the keys and
    /// plain aggregates stay; each expression replaces its hidden aggregate columns.
    fn project_computed_aggregates(
        &mut self,
        aggregated: Plan,
        computed: Vec<(usize, Assignment)>,
    ) -> DiagResult<Plan> {
        let span = computed
            .first()
            .map_or(Span::default(), |(_, a)| a.value.span);
        let mut exprs = Vec::new();
        let mut columns: Columns = Vec::new();
        let mut unnamed = 0;
        let mut next_computed = computed.into_iter().peekable();
        for (index, column) in aggregated.columns.iter().enumerate() {
            if !column.name.starts_with(HIDDEN_PREFIX) {
                exprs.push(BoundExpr {
                    kind: ExprKind::Column(index),
                    ty: column.ty,
                    span,
                });
                columns.push(column.clone());
            }
            while let Some((_, assignment)) = next_computed.next_if(|(at, _)| *at == index + 1) {
                let value = self.bind_expr(&assignment.value, &aggregated.columns, "summarize")?;
                let name = match &assignment.name {
                    Some(name) => name.name.clone(),
                    None => loop {
                        unnamed += 1;
                        let name = format!("Column{unnamed}");
                        if !aggregated.columns.iter().any(|c| c.name == name) {
                            break name;
                        }
                    },
                };
                columns.push(Column::new(name, value.ty));
                exprs.push(value);
            }
        }
        Ok(Plan {
            kind: PlanKind::Project {
                input: Box::new(aggregated),
                exprs,
            },
            columns,
        })
    }

    /// `count` (`name` is `Count`) or `count as Name`: one row, one `long` column `name`.
    pub(crate) fn bind_count(&mut self, input: Plan, name: &str) -> Plan {
        let aggregate = Aggregate {
            function: AggregateFunction::Count,
            args: Vec::new(),
            carried: Vec::new(),
            max_size: 0,
        };
        let plan = AggregatePlan {
            input,
            keys: Vec::new(),
            aggregates: vec![aggregate],
        };
        let columns = vec![Column::new(name, KustoType::Long)];
        Plan {
            kind: PlanKind::Aggregate(Box::new(plan)),
            columns,
        }
    }

    /// `distinct a, b` or `distinct *`: the distinct combinations.
    pub(crate) fn bind_distinct(&mut self, input: Plan, exprs: &[Expr]) -> DiagResult<Plan> {
        let mut keys = Vec::new();
        let mut columns: Columns = Vec::new();
        for (index, expr) in exprs.iter().enumerate() {
            if matches!(expr.kind, Ast::Star) {
                for (i, column) in input.columns.iter().enumerate() {
                    let span = expr.span;
                    keys.push(BoundExpr {
                        kind: ExprKind::Column(i),
                        ty: column.ty,
                        span,
                    });
                    columns.push(column.clone());
                }
                continue;
            }
            let bound = self.bind_expr(expr, &input.columns, "distinct")?;
            columns.push(Column::new(key_name(expr, index), bound.ty));
            keys.push(bound);
        }
        let plan = AggregatePlan {
            input,
            keys,
            aggregates: Vec::new(),
        };
        Ok(Plan {
            kind: PlanKind::Aggregate(Box::new(plan)),
            columns,
        })
    }

    /// One aggregate and its output columns (name, type).
    fn bind_aggregate(
        &mut self,
        assignment: &Assignment,
        input: &Columns,
        key_columns: &[usize],
    ) -> DiagResult<(Aggregate, Vec<(String, KustoType)>)> {
        let span = assignment.value.span;
        let (name, args) = match &assignment.value.kind {
            Ast::Call { name, args } => (name, args),
            _ => {
                return Err(semantic(
                    "`summarize` expects aggregation functions such as `count()`",
                )
                .with_span(span)
                .with_hint("compute the value with `extend` before `summarize`"));
            }
        };
        let function = aggregate_function(&name.name).ok_or_else(|| {
            not_supported(format!("the aggregation function `{}`", name.name)).with_span(name.span)
        })?;
        let (aggregate, mut outputs) =
            self.bind_aggregate_args(function, args, input, key_columns, span)?;
        // `take_any(x)` keeps the name `x`; its older alias `any(x)` gives `any_x`.
        if name.name == "any"
            && let Some(first) = outputs.first_mut()
        {
            let arg_name = args.first().and_then(|arg| expr_name(&arg.value));
            first.0 = named("any", &arg_name, false);
        }
        if let Some(given) = &assignment.name {
            match outputs.first_mut() {
                Some(first) => first.0 = given.name.clone(),
                None => {
                    return Err(semantic("this aggregate has no column to name").with_span(span));
                }
            }
        }
        Ok((aggregate, outputs))
    }

    fn bind_aggregate_args(
        &mut self,
        function: AggregateFunction,
        args: &[Argument],
        input: &Columns,
        key_columns: &[usize],
        span: Span,
    ) -> DiagResult<(Aggregate, Vec<(String, KustoType)>)> {
        use AggregateFunction::*;
        let arity = |range: std::ops::RangeInclusive<usize>| -> DiagResult<()> {
            if range.contains(&args.len()) {
                Ok(())
            } else {
                Err(semantic(format!(
                    "this aggregation takes {} to {} arguments, found {}",
                    range.start(),
                    range.end(),
                    args.len()
                ))
                .with_span(span))
            }
        };
        let mut aggregate = Aggregate {
            function,
            args: Vec::new(),
            carried: Vec::new(),
            max_size: MAX_SET_SIZE,
        };

        if matches!(function, ArgMax | ArgMin) {
            let Some((first, rest)) = args.split_first() else {
                return Err(
                    semantic("`arg_max`/`arg_min` need the expression to maximise").with_span(span),
                );
            };
            let value = self.bind_expr(&first.value, input, "summarize")?;
            let prefix = if function == ArgMax { "max" } else { "min" };
            let arg_name = expr_name(&first.value);
            let mut outputs = vec![(named(prefix, &arg_name, true), value.ty)];
            let value_column = column_index(&value);
            for arg in rest {
                if matches!(arg.value.kind, Ast::Star) {
                    for (index, column) in input.iter().enumerate() {
                        if Some(index) != value_column && !key_columns.contains(&index) {
                            aggregate.carried.push(index);
                            outputs.push((column.name.clone(), column.ty));
                        }
                    }
                    continue;
                }
                let carried = self.bind_expr(&arg.value, input, "summarize")?;
                let Some(index) = column_index(&carried) else {
                    return Err(
                        not_supported("an expression returned by `arg_max`/`arg_min`")
                            .with_span(arg.value.span)
                            .with_hint("compute it with `extend` first"),
                    );
                };
                let column = input.get(index).ok_or_else(|| {
                    kql_parser::Diagnostic::internal("`arg_max` carries a column not in its input")
                })?;
                aggregate.carried.push(index);
                outputs.push((column.name.clone(), column.ty));
            }
            aggregate.args.push(value);
            return Ok((aggregate, outputs));
        }

        let (value_count, has_predicate) = match function {
            Count => {
                arity(0..=1)?;
                (args.len(), false)
            }
            CountIf => (0, true),
            DCount | Sum | Avg | Min | Max | TakeAny => (1, false),
            MakeSet | MakeList => (1, false),
            DCountIf | SumIf | AvgIf | MinIf | MaxIf | MakeSetIf | MakeListIf => (1, true),
            ArgMax | ArgMin => (1, false),
        };
        let optional_size = matches!(function, MakeSet | MakeList | MakeSetIf | MakeListIf);
        let expected = value_count + usize::from(has_predicate);
        if function == DCount {
            arity(1..=2)?; // the accuracy level changes nothing in an exact count
        } else if optional_size {
            arity(expected..=expected + 1)?;
        } else if function != Count {
            arity(expected..=expected)?;
        }

        let mut bound = Vec::new();
        for arg in args.iter().take(expected) {
            bound.push(self.bind_expr(&arg.value, input, "summarize")?);
        }
        if has_predicate && let Some(predicate) = bound.pop() {
            bound.push(expect_type(predicate, KustoType::Bool, "the predicate")?);
        }
        if optional_size
            && args.len() == expected + 1
            && let Some(size) = args.get(expected)
        {
            let size = self.bind_constant(&size.value)?;
            aggregate.max_size = super::literal::as_usize(&size).ok_or_else(|| {
                semantic("the size limit must be a positive `long`").with_span(span)
            })?;
        }

        // Unnamed outputs are named after the first argument's column (`sum(toint(v))` is
        // `sum_v`).
        let arg_name = args.first().and_then(|arg| expr_name(&arg.value));
        let value = if value_count == 1 {
            bound.first()
        } else {
            None
        };
        let value_ty = value.map_or(KustoType::Long, |v| v.ty);
        let numeric_or_timespan = value_ty.is_numeric() || value_ty == KustoType::TimeSpan;
        if matches!(function, Sum | SumIf | Avg | AvgIf) && !numeric_or_timespan {
            return Err(
                semantic(format!("cannot sum or average values of type `{value_ty}`"))
                    .with_span(span),
            );
        }
        let (name, ty) = match function {
            Count => match value {
                Some(_) => (named("count", &arg_name, false), KustoType::Long),
                None => ("count_".to_string(), KustoType::Long),
            },
            CountIf => (named("countif", &arg_name, false), KustoType::Long),
            DCount | DCountIf => (named(prefix(function), &arg_name, false), KustoType::Long),
            Sum | SumIf => {
                let ty = match value_ty {
                    KustoType::Int | KustoType::Long => KustoType::Long,
                    KustoType::TimeSpan => KustoType::TimeSpan,
                    _ => KustoType::Real,
                };
                (named(prefix(function), &arg_name, false), ty)
            }
            Avg | AvgIf => {
                let ty = if value_ty == KustoType::TimeSpan {
                    KustoType::TimeSpan
                } else {
                    KustoType::Real
                };
                (named(prefix(function), &arg_name, false), ty)
            }
            Min | Max | MinIf | MaxIf => (named(prefix(function), &arg_name, false), value_ty),
            MakeSet | MakeSetIf => (named("set", &arg_name, false), KustoType::Dynamic),
            MakeList | MakeListIf => (named("list", &arg_name, false), KustoType::Dynamic),
            TakeAny => (named("any", &arg_name, true), value_ty),
            ArgMax | ArgMin => unreachable_arg(span)?,
        };
        aggregate.args = bound;
        Ok((aggregate, vec![(name, ty)]))
    }
}

fn unreachable_arg(span: Span) -> DiagResult<(String, KustoType)> {
    Err(kql_parser::Diagnostic::internal("arg_max is bound separately").with_span(span))
}

/// Names of the hidden columns that hold aggregates used inside expressions.
const HIDDEN_PREFIX: &str = "__kql_aggregate_";

/// Replaces every aggregate call inside `expr` with a reference to a hidden column, and
/// collects the calls with their column names.
fn extract_aggregates(expr: &mut Expr, found: &mut Vec<(Ident, Expr)>, hidden: &mut usize) {
    if let Ast::Call { name, .. } = &expr.kind
        && aggregate_function(&name.name).is_some()
    {
        let column = Ident::new(format!("{HIDDEN_PREFIX}{hidden}"), expr.span);
        *hidden += 1;
        let call = std::mem::replace(expr, Expr::new(Ast::Name(column.clone()), expr.span));
        found.push((column, call));
        return;
    }
    match &mut expr.kind {
        Ast::Paren(inner) | Ast::Unary { operand: inner, .. } => {
            extract_aggregates(inner, found, hidden)
        }
        Ast::Binary { left, right, .. } => {
            extract_aggregates(left, found, hidden);
            extract_aggregates(right, found, hidden);
        }
        Ast::Call { args, .. } => {
            for arg in args {
                extract_aggregates(&mut arg.value, found, hidden);
            }
        }
        Ast::Between {
            left, low, high, ..
        } => {
            extract_aggregates(left, found, hidden);
            extract_aggregates(low, found, hidden);
            extract_aggregates(high, found, hidden);
        }
        Ast::List { left, items, .. } => {
            extract_aggregates(left, found, hidden);
            items
                .iter_mut()
                .for_each(|item| extract_aggregates(item, found, hidden));
        }
        Ast::Member { object, .. } => extract_aggregates(object, found, hidden),
        Ast::Index { object, index } => {
            extract_aggregates(object, found, hidden);
            extract_aggregates(index, found, hidden);
        }
        _ => {}
    }
}

/// The functions `expr` calls that kql does not know, innermost first: in a `summarize`
/// expression without a known aggregate, these are Kusto functions kql lacks (one of them
/// likely an aggregate).
fn unknown_calls(expr: &Expr) -> Vec<String> {
    let mut names = Vec::new();
    collect_unknown_calls(expr, &mut names);
    names
}

fn collect_unknown_calls(expr: &Expr, names: &mut Vec<String>) {
    let children: Vec<&Expr> = match &expr.kind {
        Ast::Paren(inner) | Ast::Unary { operand: inner, .. } => vec![inner],
        Ast::Binary { left, right, .. } => vec![left, right],
        Ast::Call { args, .. } => args.iter().map(|arg| &arg.value).collect(),
        Ast::Member { object, .. } => vec![object],
        Ast::Index { object, index } => vec![object, index],
        _ => Vec::new(),
    };
    for child in children {
        collect_unknown_calls(child, names);
    }
    if let Ast::Call { name, .. } = &expr.kind
        && crate::functions::names().all(|known| known != name.name)
        && !super::functions::SPECIAL_FUNCTIONS.contains(&name.name.as_str())
        && !names.contains(&name.name)
    {
        names.push(name.name.clone());
    }
}

/// The name prefix of an aggregate's unnamed output.
fn prefix(function: AggregateFunction) -> &'static str {
    use AggregateFunction::*;
    match function {
        Count => "count",
        CountIf => "countif",
        DCount => "dcount",
        DCountIf => "dcountif",
        Sum => "sum",
        SumIf => "sumif",
        Avg => "avg",
        AvgIf => "avgif",
        Min => "min",
        Max => "max",
        MinIf => "minif",
        MaxIf => "maxif",
        MakeSet | MakeSetIf => "set",
        MakeList | MakeListIf => "list",
        ArgMax => "max",
        ArgMin => "min",
        TakeAny => "any",
    }
}

/// `prefix_column` when the argument names a column (or just `column` when `bare`), else
/// `prefix_`.
fn named(prefix: &str, arg_name: &Option<String>, bare: bool) -> String {
    match arg_name {
        Some(name) if bare => name.clone(),
        Some(name) => format!("{prefix}_{name}"),
        None => format!("{prefix}_"),
    }
}

/// The column an expression is named after: a column's own name, the argument's for a
/// conversion (`toint(v)` is `v`), `a_b` for `a.b`; other expressions have none
/// (`countif(not(b))` is `countif_`, as Kusto's recorded answers show).
pub(crate) fn expr_name(expr: &Expr) -> Option<String> {
    const CONVERSIONS: &[&str] = &[
        "toint",
        "tolong",
        "todouble",
        "toreal",
        "tostring",
        "tobool",
        "toboolean",
        "todatetime",
        "totimespan",
        "todecimal",
        "toguid",
        "todynamic",
        "parse_json",
    ];
    match &expr.kind {
        Ast::Name(ident) => Some(ident.name.clone()),
        Ast::Paren(inner) => expr_name(inner),
        Ast::Call { name, args } if CONVERSIONS.contains(&name.name.as_str()) => {
            args.first().and_then(|arg| expr_name(&arg.value))
        }
        Ast::Member { object, member } => {
            expr_name(object).map(|object| format!("{object}_{}", member.name))
        }
        _ => None,
    }
}

/// The input column an expression reads directly, if it is a plain column reference.
fn column_index(expr: &BoundExpr) -> Option<usize> {
    match &expr.kind {
        ExprKind::Column(index) => Some(*index),
        ExprKind::Cast(inner) => column_index(inner),
        _ => None,
    }
}

/// The name of an unnamed group key: the column's name, also for a function of a column
/// such as `bin(TimeGenerated, 1h)`; else `Column1`, `Column2`...
fn key_name(expr: &Expr, index: usize) -> String {
    match &expr.kind {
        Ast::Name(ident) => ident.name.clone(),
        Ast::Paren(inner) => key_name(inner, index),
        Ast::Call { args, .. } => match args.first().map(|arg| &arg.value.kind) {
            Some(Ast::Name(ident)) => ident.name.clone(),
            _ => format!("Column{}", index + 1),
        },
        _ => format!("Column{}", index + 1),
    }
}

/// The aggregation function a name stands for, with Kusto's aliases.
fn aggregate_function(name: &str) -> Option<AggregateFunction> {
    use AggregateFunction::*;
    Some(match name {
        "count" => Count,
        "countif" => CountIf,
        "dcount" => DCount,
        "dcountif" => DCountIf,
        "sum" => Sum,
        "sumif" => SumIf,
        "avg" => Avg,
        "avgif" => AvgIf,
        "min" => Min,
        "max" => Max,
        "minif" => MinIf,
        "maxif" => MaxIf,
        "make_set" | "makeset" => MakeSet,
        "make_set_if" => MakeSetIf,
        "make_list" | "makelist" => MakeList,
        "make_list_if" => MakeListIf,
        "arg_max" => ArgMax,
        "arg_min" => ArgMin,
        "take_any" | "any" => TakeAny,
        _ => return None,
    })
}
