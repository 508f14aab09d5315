//! Binding tabular expressions: table names, `let` references and piped operators.

use kql_parser::Span;
use kql_parser::ast::{
    Assignment, Expr, ExprKind as Ast, Join, JoinCondition, Operator, OperatorKind,
};

use super::expr::common_numeric;
use super::names::{close_names, did_you_mean, unique_names};
use super::{Binder, Binding};
use crate::error::{DiagResult, not_supported, semantic};
use crate::plan::{BoundExpr, Column, Columns, ExprKind, JoinKind, JoinPlan, Plan, PlanKind};
use crate::types::KustoType;

impl Binder<'_> {
    /// Binds the value of `let name = value`: a tabular plan when the value is tabular,
    /// else a constant scalar.
    pub(crate) fn bind_let_value(&mut self, expr: &Expr) -> DiagResult<Binding> {
        if self.is_tabular(expr) {
            let plan = self.bind_tabular(expr)?;
            let columns = plan.columns.clone();
            self.shared.push(plan);
            return Ok(Binding::Tabular {
                id: self.shared.len() - 1,
                columns,
            });
        }
        let value = self.bind_expr(expr, &Columns::new(), "let")?;
        if !matches!(value.kind, ExprKind::Literal(_)) {
            return Err(
                not_supported("a `let` of a scalar that is not a constant").with_span(expr.span)
            );
        }
        Ok(Binding::Scalar(value))
    }

    /// Whether an expression denotes a table rather than a scalar.
    pub(crate) fn is_tabular(&self, expr: &Expr) -> bool {
        match &expr.kind {
            Ast::Paren(inner) => self.is_tabular(inner),
            Ast::Name(ident) => match self.scope.get(&ident.name) {
                Some(Binding::Tabular { .. } | Binding::Plan(_)) => true,
                Some(Binding::Scalar(_) | Binding::Function(_)) => false,
                None => self.tables.contains_key(&ident.name),
            },
            Ast::Call { name, .. } => {
                name.name == "materialize"
                    || self
                        .user_function(&name.name)
                        .is_some_and(|def| self.function_is_tabular(&def))
            }
            _ => self.is_tabular_shape(expr),
        }
    }

    /// Whether an expression is tabular by its form alone: a pipeline or a source operator.
    pub(crate) fn is_tabular_shape(&self, expr: &Expr) -> bool {
        match &expr.kind {
            Ast::Pipe { .. }
            | Ast::Print(_)
            | Ast::Range { .. }
            | Ast::Datatable { .. }
            | Ast::ExternalData { .. }
            | Ast::Union(_) => true,
            Ast::Paren(inner) => self.is_tabular_shape(inner),
            _ => false,
        }
    }

    /// Binds a tabular expression.
    pub(crate) fn bind_tabular(&mut self, expr: &Expr) -> DiagResult<Plan> {
        let span = expr.span;
        match &expr.kind {
            Ast::Name(ident) => {
                if let Some(binding) = self.scope.get(&ident.name) {
                    return match binding {
                        Binding::Plan(plan) => Ok(plan.clone()),
                        Binding::Function(_) => Err(semantic(format!(
                            "`{}` is a function: call it with `{}()`",
                            ident.name, ident.name
                        ))
                        .with_span(span)),
                        Binding::Tabular { id, columns } => Ok(Plan {
                            kind: PlanKind::Shared { id: *id },
                            columns: columns.clone(),
                        }),
                        Binding::Scalar(_) => Err(semantic(format!(
                            "`{}` is a scalar value, not a table",
                            ident.name
                        ))
                        .with_span(span)),
                    };
                }
                if let Some(columns) = self.tables.get(&ident.name) {
                    let kind = PlanKind::Scan {
                        table: ident.name.clone(),
                    };
                    return Ok(Plan {
                        kind,
                        columns: columns.clone(),
                    });
                }
                let candidates = self
                    .tables
                    .keys()
                    .chain(self.scope.keys())
                    .map(String::as_str);
                let close = close_names(&ident.name, candidates);
                let mut diagnostic = semantic(format!(
                    "failed to resolve table or `let` name `{}`",
                    ident.name
                ))
                .with_span(span)
                .with_span_label("no table or tabular `let` has this name");
                diagnostic = match did_you_mean(&close) {
                    Some(hint) => diagnostic.with_hint(hint),
                    None => diagnostic.with_hint(
                        "give its data with `kql run --table NAME=PATH`, \
                         or its schema with `kql check --schema DIR`",
                    ),
                };
                Err(diagnostic)
            }
            Ast::Paren(inner) => self.bind_tabular(inner),
            Ast::Call { name, args } if self.user_function(&name.name).is_some() => {
                let def = self
                    .user_function(&name.name)
                    .ok_or_else(|| Diagnostic::internal("a function vanished"))?;
                match self.call_user_function(
                    &name.name,
                    &def,
                    args,
                    &Columns::new(),
                    None,
                    span,
                )? {
                    super::user_functions::Inlined::Tabular(plan) => Ok(plan),
                    super::user_functions::Inlined::Scalar(_) => Err(semantic(format!(
                        "`{}` returns a scalar, not a table",
                        name.name
                    ))
                    .with_span(span)),
                }
            }
            Ast::Call { name, args } if name.name == "materialize" => match args.as_slice() {
                [arg] if arg.name.is_none() => self.bind_tabular(&arg.value),
                _ => Err(semantic("`materialize` takes one tabular argument").with_span(span)),
            },
            Ast::Pipe { input, operator } => {
                let input_ast = input;
                let input = match (&input.kind, &operator.kind) {
                    // `range` makes its rows up front, so a `take` right after it makes only
                    // those it keeps: `range x from 1 to 9999999999999999 step 2 | take 5`
                    // has five rows, in Kusto as here, not a range too large to make.
                    (
                        Ast::Range {
                            column,
                            from,
                            to,
                            step,
                        },
                        OperatorKind::Take(count),
                    ) => {
                        let cap = self.bind_count_argument(count, "take")?;
                        self.bind_range(column, from, to, step, Some(cap), input.span)?
                    }
                    _ => self.bind_tabular(input)?,
                };
                let serialized = self.serialization(input_ast);
                let plan = self.bind_operator(input, operator)?;
                super::serialized::check_window_input(&plan, operator, serialized)?;
                Ok(plan)
            }
            Ast::Print(columns) => self.bind_print(columns),
            Ast::Datatable { columns, values } => self.bind_datatable(columns, values, span),
            Ast::ExternalData {
                columns,
                uris,
                properties,
            } => self.bind_external_data(columns, uris, properties, span),
            Ast::Range {
                column,
                from,
                to,
                step,
            } => self.bind_range(column, from, to, step, None, span),
            Ast::Union(union) => self.bind_union(None, union, span),
            _ => {
                Err(semantic("expected a tabular expression, such as a table name").with_span(span))
            }
        }
    }

    /// `print a = expr, ...`: one row computed from no input.
    fn bind_print(&mut self, columns: &[Assignment]) -> DiagResult<Plan> {
        let empty = Plan {
            kind: PlanKind::Values { arrays: Vec::new() },
            columns: Vec::new(),
        };
        let mut exprs = Vec::new();
        let mut out: Columns = Vec::new();
        for (index, assignment) in columns.iter().enumerate() {
            let value = self.bind_expr(&assignment.value, &Columns::new(), "print")?;
            let name = match &assignment.name {
                Some(name) => name.name.clone(),
                None => format!("print_{index}"),
            };
            out.push(Column::new(name, value.ty));
            exprs.push(value);
        }
        Ok(Plan {
            kind: PlanKind::Project {
                input: Box::new(empty),
                exprs,
            },
            columns: out,
        })
    }

    /// Binds one piped operator over `input`.
    fn bind_operator(&mut self, input: Plan, operator: &Operator) -> DiagResult<Plan> {
        let span = operator.span;
        match &operator.kind {
            OperatorKind::Where(predicate) => {
                let predicate = self.bind_expr(predicate, &input.columns, "where")?;
                let predicate =
                    super::expr::expect_type(predicate, KustoType::Bool, "the `where` predicate")?;
                let columns = input.columns.clone();
                Ok(Plan {
                    kind: PlanKind::Filter {
                        input: Box::new(input),
                        predicate,
                    },
                    columns,
                })
            }
            OperatorKind::Extend(assignments) => self.bind_extend(input, assignments),
            OperatorKind::Project(assignments) => self.bind_project(input, assignments),
            OperatorKind::ProjectAway(patterns) => {
                self.bind_project_away_keep(input, patterns, false, span)
            }
            OperatorKind::ProjectKeep(patterns) => {
                self.bind_project_away_keep(input, patterns, true, span)
            }
            OperatorKind::ProjectRename(renames) => self.bind_project_rename(input, renames, span),
            OperatorKind::ProjectReorder(columns) => {
                self.bind_project_reorder(input, columns, span)
            }
            OperatorKind::Summarize(summarize) => self.bind_summarize(input, summarize),
            OperatorKind::Count => Ok(self.bind_count(input, "Count")),
            OperatorKind::CountAs(name) => Ok(self.bind_count(input, &name.name)),
            OperatorKind::Distinct(exprs) => self.bind_distinct(input, exprs),
            OperatorKind::Take(count) => {
                let count = self.bind_count_argument(count, "take")?;
                let columns = input.columns.clone();
                Ok(Plan {
                    kind: PlanKind::Take {
                        input: Box::new(input),
                        count,
                    },
                    columns,
                })
            }
            OperatorKind::Sort(keys) => self.bind_sort(input, keys),
            OperatorKind::Top(top) => {
                let count = self.bind_count_argument(&top.count, "top")?;
                let sorted = self.bind_sort(input, std::slice::from_ref(&top.by))?;
                let columns = sorted.columns.clone();
                Ok(Plan {
                    kind: PlanKind::Take {
                        input: Box::new(sorted),
                        count,
                    },
                    columns,
                })
            }
            OperatorKind::Union(union) => self.bind_union(Some(input), union, span),
            OperatorKind::Join(join) => self.bind_join(input, join, span),
            OperatorKind::Lookup(lookup) => self.bind_lookup(input, lookup, span),
            OperatorKind::Parse(parse) => self.bind_parse(input, parse, span),
            OperatorKind::As(name) => {
                let columns = input.columns.clone();
                let kind = PlanKind::Alias {
                    input: Box::new(input),
                    name: name.name.clone(),
                };
                Ok(Plan { kind, columns })
            }
            OperatorKind::Invoke(call) => self.bind_invoke(input, call),
            OperatorKind::Evaluate(evaluate) => self.bind_evaluate(input, evaluate, span),
            OperatorKind::MvExpand(mv_expand) => self.bind_mv_expand(input, mv_expand),
            OperatorKind::Render(_) => {
                self.warnings.push(
                    Diagnostic::new(
                        kql_parser::DiagnosticKind::NotSupported,
                        "`render` is ignored: kql does not draw charts",
                    )
                    .warning()
                    .with_span(span),
                );
                Ok(input)
            }
            // Rows keep their order in kql, so `serialize` only adds its columns.
            OperatorKind::Serialize(columns) => self.bind_extend(input, columns),
            OperatorKind::GetSchema => Ok(getschema(&input.columns)),
            // Operators the parser knows but the engine does not run yet land here. Every
            // parsed operator runs today, so the arm is unreachable until the grammar grows.
            #[allow(unreachable_patterns)]
            other => Err(
                not_supported(format!("the `{}` operator", operator_name(other))).with_span(span),
            ),
        }
    }

    /// `extend A = expr, ...` as one projection. A name that exists is replaced in place
    /// (as Kusto's language service does, kql-semantics §3), a new one is appended. Later
    /// assignments see the columns added before them, but the input's values of replaced
    /// columns: `extend a = c, c = a` swaps (Kusto's recorded answers).
    fn bind_extend(&mut self, input: Plan, assignments: &[Assignment]) -> DiagResult<Plan> {
        let span = assignments
            .first()
            .map_or(Span::default(), |a| a.value.span);
        let mut exprs: Vec<BoundExpr> = column_refs(&input.columns, span);
        let mut columns = input.columns.clone();
        // Every expression sees the input's columns only, not those of the same `extend`:
        // Kusto rejects `extend m = f(x), j = g(m)` and reads `extend a = c, c = a` with the
        // input's `a` (conformance cases `r2-dynamic-json/agent-dynamic-json-0023`,
        // `r3-nested-pipelines-let-cte/agent-nested-pipelines-let-cte-0021`).
        let mut unnamed = 0;
        for assignment in assignments {
            let value = self.bind_expr(&assignment.value, &input.columns, "extend")?;
            let name = match &assignment.name {
                Some(name) => name.name.clone(),
                None => unnamed_column(&assignment.value, &columns, &mut unnamed),
            };
            let column = Column::new(name.clone(), value.ty);
            match columns
                .iter_mut()
                .zip(&mut exprs)
                .find(|(c, _)| c.name == name)
            {
                Some((existing_column, existing_expr)) => {
                    *existing_column = column;
                    *existing_expr = value;
                }
                None => {
                    columns.push(column);
                    exprs.push(value);
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

    /// The row count of `take` and `top`: a non-negative constant.
    fn bind_count_argument(&mut self, expr: &Expr, operator: &str) -> DiagResult<usize> {
        let value = self.bind_constant(expr)?;
        let value = arrow::compute::cast(&value, &arrow::datatypes::DataType::Int64)
            .ok()
            .and_then(|array| super::literal::as_usize(&array));
        value.ok_or_else(|| {
            semantic(format!(
                "`{operator}` needs a non-negative whole number of rows"
            ))
            .with_span(expr.span)
        })
    }

    /// `sort by Key [asc|desc] [nulls first|last], ...`: descending by default, nulls last
    /// when descending and first when ascending (`K:sort-operator`).
    fn bind_sort(&mut self, input: Plan, keys: &[kql_parser::ast::SortKey]) -> DiagResult<Plan> {
        use kql_parser::ast::{NullsPosition, SortOrder};
        let mut bound = Vec::new();
        for key in keys {
            let expr = self.bind_expr(&key.expr, &input.columns, "sort")?;
            if expr.ty == KustoType::Dynamic {
                return Err(semantic("cannot sort by a `dynamic` value").with_span(key.expr.span));
            }
            let descending = key.order != Some(SortOrder::Ascending);
            let nulls_first = match key.nulls {
                Some(NullsPosition::First) => true,
                Some(NullsPosition::Last) => false,
                None => !descending,
            };
            bound.push(crate::plan::SortKey {
                expr,
                descending,
                nulls_first,
            });
        }
        let columns = input.columns.clone();
        Ok(Plan {
            kind: PlanKind::Sort {
                input: Box::new(input),
                keys: bound,
            },
            columns,
        })
    }

    /// `project A, B = expr`.
    fn bind_project(&mut self, input: Plan, assignments: &[Assignment]) -> DiagResult<Plan> {
        let mut exprs = Vec::new();
        let mut columns: Columns = Vec::new();
        let mut unnamed = 0;
        for assignment in assignments {
            let value = self.bind_expr(&assignment.value, &input.columns, "project")?;
            let name = match &assignment.name {
                Some(name) => name.name.clone(),
                None => unnamed_column(&assignment.value, &columns, &mut unnamed),
            };
            if columns.iter().any(|c| c.name == name) {
                return Err(
                    semantic(format!("`project` names the column `{name}` twice"))
                        .with_span(assignment.value.span),
                );
            }
            columns.push(Column::new(name, value.ty));
            exprs.push(value);
        }
        Ok(Plan {
            kind: PlanKind::Project {
                input: Box::new(input),
                exprs,
            },
            columns,
        })
    }

    /// `join [kind=..] (right) on ...`.
    fn bind_join(&mut self, left: Plan, join: &Join, span: Span) -> DiagResult<Plan> {
        self.bind_join_of_kind(left, join, JoinKind::InnerUnique, span)
    }

    /// `lookup [kind=leftouter|inner] (right) on ...`: a join whose output drops the right
    /// side's key columns (`K:lookup-operator`); `leftouter` by default.
    fn bind_lookup(
        &mut self,
        left: Plan,
        lookup: &kql_parser::ast::Lookup,
        span: Span,
    ) -> DiagResult<Plan> {
        for param in &lookup.params {
            let value = match &param.value.kind {
                Ast::Name(ident) => ident.name.as_str(),
                _ => "",
            };
            if param.name.name == "kind" && !matches!(value, "leftouter" | "inner") {
                return Err(semantic(format!(
                    "`lookup` supports `kind=leftouter` and `kind=inner`, found `{value}`"
                ))
                .with_span(param.value.span));
            }
        }
        let join = Join {
            params: lookup.params.clone(),
            right: lookup.right.clone(),
            on: lookup.on.clone(),
        };
        let left_count = left.columns.len();
        let joined = self.bind_join_of_kind(left, &join, JoinKind::LeftOuter, span)?;
        let PlanKind::Join(plan) = &joined.kind else {
            return Err(Diagnostic::internal("a lookup did not bind to a join"));
        };
        let right_keys: Vec<usize> = plan.right_keys.iter().map(|key| left_count + key).collect();
        let keep: Vec<(usize, &Column)> = joined
            .columns
            .iter()
            .enumerate()
            .filter(|(index, _)| !right_keys.contains(index))
            .collect();
        let columns: Columns = keep.iter().map(|(_, column)| (*column).clone()).collect();
        let exprs = keep
            .iter()
            .map(|(index, column)| BoundExpr {
                kind: ExprKind::Column(*index),
                ty: column.ty,
                span,
            })
            .collect();
        Ok(Plan {
            kind: PlanKind::Project {
                input: Box::new(joined),
                exprs,
            },
            columns,
        })
    }

    /// A join whose kind is `default_kind` unless a `kind=` parameter says otherwise.
    fn bind_join_of_kind(
        &mut self,
        left: Plan,
        join: &Join,
        default_kind: JoinKind,
        span: Span,
    ) -> DiagResult<Plan> {
        let mut kind = default_kind;
        for param in &join.params {
            match param.name.name.as_str() {
                "kind" => {
                    let value = match &param.value.kind {
                        Ast::Name(ident) => ident.name.as_str(),
                        _ => "",
                    };
                    kind = JoinKind::from_name(value).ok_or_else(|| {
                        semantic(format!("unknown join kind `{value}`"))
                            .with_span(param.value.span)
                            .with_hint("use one of `innerunique`, `inner`, `leftouter`, `rightouter`, `fullouter`, `leftsemi`, `leftanti`, `rightsemi`, `rightanti`")
                    })?;
                }
                // Hints tell Kusto how to distribute the work; they never change results.
                name if name.starts_with("hint.") => {}
                other => {
                    return Err(semantic(format!("unknown `join` parameter `{other}`"))
                        .with_span(param.name.span));
                }
            }
        }
        let right = self.bind_tabular(&join.right)?;

        let mut left_keys = Vec::new();
        let mut right_keys = Vec::new();
        let mut key_types = Vec::new();
        for condition in &join.on {
            let (left_key, right_key) = self.join_keys(condition, &left.columns, &right.columns)?;
            let (Some(left_column), Some(right_column)) =
                (left.columns.get(left_key), right.columns.get(right_key))
            else {
                return Err(Diagnostic::internal(
                    "a join key is not a column of its side",
                ));
            };
            let (lt, rt) = (left_column.ty, right_column.ty);
            let ty = match (lt, rt) {
                (a, b) if a == b => a,
                (a, b) if a.is_numeric() && b.is_numeric() => common_numeric(a, b),
                _ => {
                    return Err(semantic(format!(
                        "join keys `{}` and `{}` have different types `{lt}` and `{rt}`",
                        left_column.name, right_column.name
                    ))
                    .with_span(condition_span(condition)));
                }
            };
            if ty == KustoType::Dynamic {
                return Err(
                    semantic("join keys cannot be `dynamic`").with_span(condition_span(condition))
                );
            }
            left_keys.push(left_key);
            right_keys.push(right_key);
            key_types.push(ty);
        }
        if join.on.is_empty() {
            return Err(semantic("`join` needs at least one `on` condition").with_span(span));
        }

        let columns = join_columns(kind, &left.columns, &right.columns);
        let plan = JoinPlan {
            left,
            right,
            kind,
            left_keys,
            right_keys,
            key_types,
            span,
        };
        Ok(Plan {
            kind: PlanKind::Join(Box::new(plan)),
            columns,
        })
    }

    /// The left and right column indexes of one join condition.
    fn join_keys(
        &mut self,
        condition: &JoinCondition,
        left: &Columns,
        right: &Columns,
    ) -> DiagResult<(usize, usize)> {
        match condition {
            JoinCondition::Column(ident) => {
                let find = |columns: &Columns, side: &str| {
                    columns.iter().position(|c| c.name == ident.name).ok_or_else(|| {
                        let close = close_names(&ident.name, columns.iter().map(|c| c.name.as_str()));
                        let diagnostic = semantic(format!(
                            "`join` operator: the column `{}` must exist on both sides of the join; the {side} side has none",
                            ident.name
                        ))
                        .with_span(ident.span);
                        match did_you_mean(&close) {
                            Some(hint) => diagnostic.with_hint(hint),
                            None => diagnostic,
                        }
                    })
                };
                Ok((find(left, "left")?, find(right, "right")?))
            }
            JoinCondition::Equality {
                left: left_expr,
                right: right_expr,
            } => {
                let a = side_column(left_expr)?;
                let b = side_column(right_expr)?;
                let (left_name, right_name) = match (a, b) {
                    (("$left", l), ("$right", r)) | (("$right", r), ("$left", l)) => (l, r),
                    _ => {
                        return Err(semantic(
                            "a join condition compares `$left.Column` with `$right.Column`",
                        )
                        .with_span(left_expr.span.to(right_expr.span)));
                    }
                };
                let find = |columns: &Columns, name: &kql_parser::ast::Ident, side: &str| {
                    columns
                        .iter()
                        .position(|c| c.name == name.name)
                        .ok_or_else(|| {
                            semantic(format!(
                                "`join` operator: the {side} side has no column `{}`",
                                name.name
                            ))
                            .with_span(name.span)
                        })
                };
                Ok((
                    find(left, left_name, "left")?,
                    find(right, right_name, "right")?,
                ))
            }
        }
    }
}

use kql_parser::Diagnostic;

/// `getschema`: one row per input column.
fn getschema(columns: &Columns) -> Plan {
    use arrow::array::{Int32Array, StringArray};
    use std::sync::Arc;
    let dotnet = |ty: KustoType| match ty {
        KustoType::Bool => "System.SByte",
        KustoType::Int => "System.Int32",
        KustoType::Long => "System.Int64",
        KustoType::Real => "System.Double",
        KustoType::Decimal => "System.Data.SqlTypes.SqlDecimal",
        KustoType::String => "System.String",
        KustoType::DateTime => "System.DateTime",
        KustoType::TimeSpan => "System.TimeSpan",
        KustoType::Guid => "System.Guid",
        KustoType::Dynamic => "System.Object",
    };
    let arrays: Vec<arrow::array::ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(
            columns.iter().map(|c| c.name.as_str()),
        )),
        Arc::new(Int32Array::from_iter_values(0..columns.len() as i32)),
        Arc::new(StringArray::from_iter_values(
            columns.iter().map(|c| dotnet(c.ty)),
        )),
        Arc::new(StringArray::from_iter_values(
            columns.iter().map(|c| c.ty.to_string()),
        )),
    ];
    let out = vec![
        Column::new("ColumnName", KustoType::String),
        Column::new("ColumnOrdinal", KustoType::Int),
        Column::new("DataType", KustoType::String),
        Column::new("ColumnType", KustoType::String),
    ];
    Plan {
        kind: PlanKind::Values { arrays },
        columns: out,
    }
}

/// `$left.Name` or `$right.Name` as (`$left`, Name).
fn side_column(expr: &Expr) -> DiagResult<(&str, &kql_parser::ast::Ident)> {
    if let Ast::Member { object, member } = &expr.kind
        && let Ast::Name(side) = &object.kind
        && (side.name == "$left" || side.name == "$right")
    {
        return Ok((side.name.as_str(), member));
    }
    Err(semantic("expected `$left.Column` or `$right.Column`").with_span(expr.span))
}

fn condition_span(condition: &JoinCondition) -> Span {
    match condition {
        JoinCondition::Column(ident) => ident.span,
        JoinCondition::Equality { left, right } => left.span.to(right.span),
    }
}

/// The output columns of a join: left then right (per kind), names made unique.
fn join_columns(kind: JoinKind, left: &Columns, right: &Columns) -> Columns {
    let (with_left, with_right) = kind.output_sides();
    let mut all: Columns = Vec::new();
    if with_left {
        all.extend(left.iter().cloned());
    }
    if with_right {
        all.extend(right.iter().cloned());
    }
    let names: Vec<String> = all.iter().map(|c| c.name.clone()).collect();
    unique_names(&names)
        .into_iter()
        .zip(all)
        .map(|(name, column)| Column::new(name, column.ty))
        .collect()
}

/// The name Kusto gives an unnamed column: a plain column reference keeps its name; a
/// computed value is `Column1`, `Column2`... counting the unnamed values, skipping names
/// already taken.
fn unnamed_column(expr: &Expr, taken: &Columns, unnamed: &mut usize) -> String {
    if let Ast::Name(ident) = &expr.kind {
        return ident.name.clone();
    }
    loop {
        *unnamed += 1;
        let name = format!("Column{unnamed}");
        if !taken.iter().any(|c| c.name == name) {
            return name;
        }
    }
}

/// One column reference per input column.
fn column_refs(columns: &Columns, span: Span) -> Vec<BoundExpr> {
    columns
        .iter()
        .enumerate()
        .map(|(index, column)| BoundExpr {
            kind: ExprKind::Column(index),
            ty: column.ty,
            span,
        })
        .collect()
}

/// The keyword of an operator, for messages.
fn operator_name(kind: &OperatorKind) -> &'static str {
    match kind {
        OperatorKind::Where(_) => "where",
        OperatorKind::Extend(_) => "extend",
        OperatorKind::Project(_) => "project",
        OperatorKind::ProjectAway(_) => "project-away",
        OperatorKind::ProjectKeep(_) => "project-keep",
        OperatorKind::ProjectRename(_) => "project-rename",
        OperatorKind::ProjectReorder(_) => "project-reorder",
        OperatorKind::Summarize(_) => "summarize",
        OperatorKind::Count | OperatorKind::CountAs(_) => "count",
        OperatorKind::Take(_) => "take",
        OperatorKind::Top(_) => "top",
        OperatorKind::Sort(_) => "sort",
        OperatorKind::Distinct(_) => "distinct",
        OperatorKind::Union(_) => "union",
        OperatorKind::Join(_) => "join",
        OperatorKind::Lookup(_) => "lookup",
        OperatorKind::MvExpand(_) => "mv-expand",
        OperatorKind::Parse(_) => "parse",
        OperatorKind::As(_) => "as",
        OperatorKind::Render(_) => "render",
        OperatorKind::Invoke(_) => "invoke",
        OperatorKind::Evaluate(_) => "evaluate",
        OperatorKind::GetSchema => "getschema",
        OperatorKind::Serialize(_) => "serialize",
    }
}
