//! Operators that only choose, rename or reorder columns: `project-away`, `project-keep`,
//! `project-rename`, `project-reorder`; and `union`, which lines up columns by name.

use std::collections::{HashMap, HashSet};

use kql_parser::ast::{ColumnPattern, ExprKind as Ast, Rename, ReorderColumn, SortOrder, Union};
use kql_parser::{Diagnostic, Span};

use super::Binder;
use super::names::{close_names, did_you_mean};
use crate::error::{DiagResult, not_supported, semantic};
use crate::plan::{BoundExpr, Column, Columns, ExprKind, Plan, PlanKind};
use crate::types::KustoType;

/// True when `name` matches `pattern`, where `*` stands for any run of characters.
pub(crate) fn matches_pattern(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let [first, middle @ .., last] = parts.as_slice() else {
        return pattern == name;
    };
    if !name.starts_with(first) || name.len() < first.len() + last.len() || !name.ends_with(last) {
        return false;
    }
    let Some(mut rest) = name.get(first.len()..name.len() - last.len()) else {
        return false;
    };
    for part in middle {
        match rest.split_once(part) {
            Some((_, after)) => rest = after,
            None => return false,
        }
    }
    true
}

/// A projection of input columns by index, keeping their names and types unless renamed.
fn select(input: Plan, picks: Vec<(usize, String)>, span: Span) -> DiagResult<Plan> {
    let types = picks
        .iter()
        .map(|(index, _)| Ok(column_at(&input.columns, *index)?.ty))
        .collect::<DiagResult<Vec<_>>>()?;
    let exprs = picks
        .iter()
        .zip(&types)
        .map(|((index, _), ty)| BoundExpr {
            kind: ExprKind::Column(*index),
            ty: *ty,
            span,
        })
        .collect();
    let columns = picks
        .iter()
        .zip(&types)
        .map(|((_, name), ty)| Column::new(name.clone(), *ty))
        .collect();
    Ok(Plan {
        kind: PlanKind::Project {
            input: Box::new(input),
            exprs,
        },
        columns,
    })
}

/// The input column at `index`, an index the caller found among those columns.
fn column_at(columns: &Columns, index: usize) -> DiagResult<&Column> {
    columns
        .get(index)
        .ok_or_else(|| Diagnostic::internal(format!("column {index} is not in the input")))
}

impl Binder<'_> {
    /// The input columns a pattern matches; a plain name must exist.
    fn matching(
        &mut self,
        pattern: &ColumnPattern,
        input: &Columns,
        operator: &str,
    ) -> DiagResult<Vec<usize>> {
        let found: Vec<usize> = input
            .iter()
            .enumerate()
            .filter(|(_, column)| matches_pattern(&pattern.pattern, &column.name))
            .map(|(index, _)| index)
            .collect();
        if found.is_empty() && !pattern.pattern.contains('*') {
            let close = close_names(&pattern.pattern, input.iter().map(|c| c.name.as_str()));
            let mut diagnostic = semantic(format!(
                "`{operator}` operator: failed to resolve column named `{}`",
                pattern.pattern
            ))
            .with_span(pattern.span);
            if let Some(hint) = did_you_mean(&close) {
                diagnostic = diagnostic.with_hint(hint);
            }
            return Err(diagnostic);
        }
        Ok(found)
    }

    /// `project-away` (`keep == false`) or `project-keep` (`keep == true`).
    pub(crate) fn bind_project_away_keep(
        &mut self,
        input: Plan,
        patterns: &[ColumnPattern],
        keep: bool,
        span: Span,
    ) -> DiagResult<Plan> {
        let operator = if keep { "project-keep" } else { "project-away" };
        let mut matched = HashSet::new();
        for pattern in patterns {
            matched.extend(self.matching(pattern, &input.columns, operator)?);
        }
        let picks = input
            .columns
            .iter()
            .enumerate()
            .filter(|(index, _)| matched.contains(index) == keep)
            .map(|(index, column)| (index, column.name.clone()))
            .collect();
        select(input, picks, span)
    }

    /// `project-rename New = Old, ...`.
    pub(crate) fn bind_project_rename(
        &mut self,
        input: Plan,
        renames: &[Rename],
        span: Span,
    ) -> DiagResult<Plan> {
        let mut names: Vec<String> = input.columns.iter().map(|c| c.name.clone()).collect();
        for rename in renames {
            let pattern = ColumnPattern {
                pattern: rename.old.name.clone(),
                span: rename.old.span,
            };
            let found = self.matching(&pattern, &input.columns, "project-rename")?;
            // A missing plain name is an error already, but a quoted name with a `*`
            // (`['z*']`) is matched as a pattern and can match no column.
            let Some(slot) = found.first().and_then(|&index| names.get_mut(index)) else {
                return Err(semantic(format!(
                    "`project-rename` operator: failed to resolve column named `{}`",
                    rename.old.name
                ))
                .with_span(rename.old.span));
            };
            *slot = rename.new.name.clone();
        }
        for (index, name) in names.iter().enumerate() {
            if names.iter().take(index).any(|earlier| earlier == name) {
                return Err(
                    semantic(format!("`project-rename` makes two columns named `{name}`"))
                        .with_span(span),
                );
            }
        }
        let picks = names.into_iter().enumerate().collect();
        select(input, picks, span)
    }

    /// `project-reorder A, B* asc`: the listed columns first, then the others.
    pub(crate) fn bind_project_reorder(
        &mut self,
        input: Plan,
        columns: &[ReorderColumn],
        span: Span,
    ) -> DiagResult<Plan> {
        let mut order: Vec<usize> = Vec::new();
        for column in columns {
            let mut found = self.matching(&column.pattern, &input.columns, "project-reorder")?;
            let name_of = |index: usize| input.columns.get(index).map(|c| &c.name);
            match column.order {
                Some(SortOrder::Ascending) => found.sort_by(|a, b| name_of(*a).cmp(&name_of(*b))),
                Some(SortOrder::Descending) => found.sort_by(|a, b| name_of(*b).cmp(&name_of(*a))),
                None => {}
            }
            order.extend(
                found
                    .into_iter()
                    .filter(|index| !order.contains(index))
                    .collect::<Vec<_>>(),
            );
        }
        order.extend(
            (0..input.columns.len())
                .filter(|index| !order.contains(index))
                .collect::<Vec<_>>(),
        );
        let picks = order
            .into_iter()
            .map(|index| Ok((index, column_at(&input.columns, index)?.name.clone())))
            .collect::<DiagResult<_>>()?;
        select(input, picks, span)
    }

    /// `union [params] T1, T2` (after `first`, the piped input, when there is one).
    pub(crate) fn bind_union(
        &mut self,
        first: Option<Plan>,
        union: &Union,
        span: Span,
    ) -> DiagResult<Plan> {
        let mut kind_inner = false;
        let mut source_column = None;
        let mut fuzzy = false;
        for param in &union.params {
            let value = match &param.value.kind {
                Ast::Name(ident) => ident.name.clone(),
                Ast::Literal(kql_parser::ast::Literal::Bool(value)) => value.to_string(),
                _ => String::new(),
            };
            match (param.name.name.as_str(), value.as_str()) {
                ("kind", "inner") => kind_inner = true,
                ("kind", "outer") => kind_inner = false,
                ("withsource" | "with_source", name) if !name.is_empty() => {
                    source_column = Some(name.to_string())
                }
                ("isfuzzy", "true") => fuzzy = true,
                ("isfuzzy", "false") => fuzzy = false,
                (name, _) if name.starts_with("hint.") => {}
                (name, _) => {
                    return Err(semantic(format!("unknown `union` parameter `{name}`"))
                        .with_span(param.name.span));
                }
            }
        }

        // `withsource` names: a table's own name, the name given with `as`, else
        // `union_argN` by position (also for `let` names, as Kusto's recorded answers show).
        let mut inputs: Vec<(String, Plan)> = Vec::new();
        if let Some(first) = first {
            let name = alias_of(&first).unwrap_or_else(|| "union_arg0".to_string());
            inputs.push((name, first));
        }
        for table in &union.tables {
            match &table.kind {
                Ast::Name(ident) if ident.name.contains('*') => {
                    let names: Vec<String> = self
                        .tables
                        .keys()
                        .filter(|name| matches_pattern(&ident.name, name))
                        .cloned()
                        .collect();
                    for name in names {
                        let expr = kql_parser::ast::Expr::new(
                            Ast::Name(kql_parser::ast::Ident::new(name.clone(), ident.span)),
                            ident.span,
                        );
                        inputs.push((name, self.bind_tabular(&expr)?));
                    }
                }
                Ast::Name(ident) => match self.bind_tabular(table) {
                    Ok(plan) => {
                        let name = match plan.kind {
                            PlanKind::Scan { .. } => ident.name.clone(),
                            _ => format!("union_arg{}", inputs.len()),
                        };
                        inputs.push((name, plan));
                    }
                    Err(_) if fuzzy => {}
                    Err(error) => return Err(error),
                },
                _ => {
                    let plan = self.bind_tabular(table)?;
                    let name =
                        alias_of(&plan).unwrap_or_else(|| format!("union_arg{}", inputs.len()));
                    inputs.push((name, plan));
                }
            }
        }
        if inputs.is_empty() {
            return Err(semantic("`union` has no tables to combine").with_span(span));
        }

        // Output columns by name; a name with several types gets one `name_type` column each.
        let mut types_by_name: HashMap<&str, Vec<KustoType>> = HashMap::new();
        let mut order: Vec<&str> = Vec::new();
        for (_, plan) in &inputs {
            for column in &plan.columns {
                let types = types_by_name
                    .entry(column.name.as_str())
                    .or_insert_with(|| {
                        order.push(column.name.as_str());
                        Vec::new()
                    });
                if !types.contains(&column.ty) {
                    types.push(column.ty);
                }
            }
        }
        // (input name, type, output name): generated `name_type` names give way to real
        // column names, taking a numeric suffix (`K:union-operator`: `x_long` -> `x_long1`).
        let mut outputs: Vec<(&str, KustoType, String)> = Vec::new();
        for name in &order {
            let types = types_by_name
                .get(name)
                .ok_or_else(|| Diagnostic::internal(format!("`union` lost the column `{name}`")))?;
            let in_all = inputs
                .iter()
                .all(|(_, plan)| plan.columns.iter().any(|c| c.name == *name));
            if kind_inner && !in_all {
                continue;
            }
            if let [ty] = types.as_slice() {
                outputs.push((name, *ty, name.to_string()));
            } else {
                for ty in types {
                    let mut generated = format!("{name}_{ty}");
                    let mut suffix = 0;
                    while order.contains(&generated.as_str())
                        || outputs.iter().any(|(_, _, taken)| *taken == generated)
                    {
                        suffix += 1;
                        generated = format!("{name}_{ty}{suffix}");
                    }
                    outputs.push((name, *ty, generated));
                }
            }
        }
        let mut columns: Columns = outputs
            .iter()
            .map(|(_, ty, name)| Column::new(name.clone(), *ty))
            .collect();
        let mut mapped = Vec::new();
        for (_, plan) in &inputs {
            let mut mapping = vec![None; outputs.len()];
            for (index, column) in plan.columns.iter().enumerate() {
                let out = outputs
                    .iter()
                    .position(|(name, ty, _)| *name == column.name && *ty == column.ty);
                if let Some(slot) = out.and_then(|out| mapping.get_mut(out)) {
                    *slot = Some(index);
                }
            }
            mapped.push(mapping);
        }
        let sources = source_column
            .as_ref()
            .map(|_| inputs.iter().map(|(name, _)| name.clone()).collect());
        if let Some(name) = source_column {
            if columns.iter().any(|c| c.name == name) {
                return Err(not_supported(
                    "a `withsource` column that clashes with a table column",
                )
                .with_span(span));
            }
            columns.insert(0, Column::new(name, KustoType::String));
            for mapping in &mut mapped {
                mapping.insert(0, None);
            }
        }
        let inputs = inputs
            .into_iter()
            .map(|(_, plan)| plan)
            .zip(mapped)
            .collect();
        Ok(Plan {
            kind: PlanKind::Union { inputs, sources },
            columns,
        })
    }
}

/// The name a plan was given with `as`, if any.
fn alias_of(plan: &Plan) -> Option<String> {
    match &plan.kind {
        PlanKind::Alias { name, .. } => Some(name.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::matches_pattern;

    #[test]
    fn wildcards_match_runs_of_characters() {
        assert!(matches_pattern("Account*", "AccountName"));
        assert!(matches_pattern("*Name", "AccountName"));
        assert!(matches_pattern("A*N*e", "AccountName"));
        assert!(!matches_pattern("Account*", "TargetAccount"));
        assert!(matches_pattern("Exact", "Exact"));
        assert!(!matches_pattern("a*a", "a"));
    }

    #[test]
    fn a_rename_from_a_pattern_that_matches_nothing_fails() {
        // `['z*']` is matched as a pattern; it once indexed an empty list and panicked.
        let query = "print x = 1 | project-rename y = ['z*']";
        let error = crate::Engine::new().run(query).unwrap_err();
        assert_eq!(
            error.diagnostics()[0].message,
            "`project-rename` operator: failed to resolve column named `z*`"
        );
    }
}
