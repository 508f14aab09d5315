//! Which columns of each table a bound query reads, and the query rewritten to read only
//! those, so that files are loaded with only the columns a query needs.
//!
//! [`analyse`] is a top-down walk: a result plan needs all its output columns; each
//! operator turns the columns needed of its output into the columns it needs of its input. A
//! column is needed when its values can reach a result or any expression that is evaluated
//! reads it. Every evaluated expression counts, even one whose output nobody uses (an
//! `extend` later projected away): the executor evaluates it anyway, and on other values it
//! could fail (or not) differently, so reading fewer columns never changes an answer or an
//! error.
//!
//! [`prune`] then rewrites the plans the same way: scans of the chosen tables output only the
//! needed columns, every operator above drops the columns no one needs and has its column
//! indexes renumbered. Names stay the ones the binder gave against whole tables (a join's
//! `Name1` stays `Name1` when the left `Name` is not read). Each renumbered reference is
//! checked to point at a column of the same name and type as before; on any mismatch the
//! rewrite is abandoned and the engine reads whole tables instead, so a mistake here costs
//! memory, not a wrong answer.
//!
//! Subqueries that become constants while binding (`toscalar`, tabular `in`) are not in the
//! plans: the engine gives them whole tables (see `engine.rs`).

use std::collections::{BTreeMap, BTreeSet};

use crate::bind::BoundQuery;
use crate::plan::{BoundExpr, Columns, ExprKind, Plan, PlanKind, map_columns};

/// Column indexes, into a plan's output or a table's columns.
pub(crate) type Needed = BTreeSet<usize>;

/// A query whose scans of some tables read only the columns it needs.
#[derive(Debug)]
pub(crate) struct Pruned {
    /// The rewritten query: the same results, names and types.
    pub query: BoundQuery,
    /// For each rewritten table, the indexes of the table columns its scans now output, in
    /// table order: the batches the data source must give for it.
    pub tables: BTreeMap<String, Vec<usize>>,
}

/// Rewrites `query` so that scans of the tables `prunable` accepts output only the columns
/// the query needs; `None` when the rewrite finds the plans other than it expects.
pub(crate) fn prune(query: &BoundQuery, prunable: &dyn Fn(&str) -> bool) -> Option<Pruned> {
    let walk = analyse(&query.shared, &query.results);
    let scans: BTreeMap<String, Vec<usize>> = walk
        .tables
        .iter()
        .filter(|(table, _)| prunable(table))
        .map(|(table, needed)| (table.clone(), needed.iter().copied().collect()))
        .collect();
    let mut rewriter = Rewriter {
        scans: &scans,
        shared: vec![None; query.shared.len()],
    };
    let mut pruned = query.clone();
    // A `let` refers only to earlier ones, so each is rewritten after those it uses. An
    // unused one is never run: it stays as it is.
    for (id, needed) in walk.shared.iter().enumerate() {
        if let (Some(needed), Some(plan)) = (needed, query.shared.get(id)) {
            let (plan, map) = rewriter.plan(plan, needed).ok()?;
            *rewriter.shared.get_mut(id)? = Some((plan.columns.clone(), map));
            *pruned.shared.get_mut(id)? = plan;
        }
    }
    for (slot, plan) in pruned.results.iter_mut().zip(&query.results) {
        let (rewritten, _) = rewriter
            .plan(plan, &(0..plan.columns.len()).collect())
            .ok()?;
        if rewritten.columns != plan.columns {
            return None;
        }
        *slot = rewritten;
    }
    Some(Pruned {
        query: pruned,
        tables: scans,
    })
}

/// The needs of the scanned tables and of the tabular `let`s. A scanned table whose rows
/// matter but no column (`T | count`) needs an empty set.
fn analyse(shared: &[Plan], results: &[Plan]) -> Walk {
    let mut walk = Walk {
        tables: BTreeMap::new(),
        shared: vec![None; shared.len()],
        pending: BTreeSet::new(),
    };
    for plan in results {
        walk.plan(plan, (0..plan.columns.len()).collect());
    }
    // A tabular `let` is walked once the needs of all its uses are known. Its uses are in
    // later statements, so it has a lower id than the `let`s using it: walking the highest id
    // first sees each one once. Should a use come later anyway, the `let` is walked again
    // with the larger set, which only adds needs.
    while let Some(id) = walk.pending.pop_last() {
        if let (Some(plan), Some(Some(needed))) = (shared.get(id), walk.shared.get(id)) {
            let needed = needed.clone();
            walk.plan(plan, needed);
        }
    }
    walk
}

struct Walk {
    tables: BTreeMap<String, Needed>,
    /// The needs of each tabular `let` gathered from its uses; `None` while unused, so an
    /// unused `let` reads nothing.
    shared: Vec<Option<Needed>>,
    /// `let`s whose needs grew since they were last walked.
    pending: BTreeSet<usize>,
}

impl Walk {
    /// Records what `plan` reads when `needed` of its output columns are used.
    fn plan(&mut self, plan: &Plan, needed: Needed) {
        match &plan.kind {
            PlanKind::Scan { table } => {
                self.tables.entry(table.clone()).or_default().extend(needed);
            }
            PlanKind::Shared { id } => {
                let Some(slot) = self.shared.get_mut(*id) else {
                    return;
                };
                let first_use = slot.is_none();
                let known = slot.get_or_insert_with(Needed::new);
                let before = known.len();
                known.extend(needed);
                if first_use || known.len() > before {
                    self.pending.insert(*id);
                }
            }
            PlanKind::Values { .. } => {}
            PlanKind::Filter { input, predicate } => {
                let mut input_needed = needed;
                expr_columns(predicate, &mut input_needed);
                self.plan(input, input_needed);
            }
            PlanKind::Project { input, exprs } => {
                let mut input_needed = Needed::new();
                for (_, expr) in kept_exprs(exprs, &needed) {
                    expr_columns(expr, &mut input_needed);
                }
                self.plan(input, input_needed);
            }
            PlanKind::Join(join) => {
                let (left, right) = join_needs(join, &needed);
                self.plan(&join.left, left);
                self.plan(&join.right, right);
            }
            PlanKind::Take { input, .. } | PlanKind::Alias { input, .. } => {
                self.plan(input, needed);
            }
            PlanKind::Sort { input, keys } => {
                let mut input_needed = needed;
                for key in keys {
                    expr_columns(&key.expr, &mut input_needed);
                }
                self.plan(input, input_needed);
            }
            PlanKind::Aggregate(aggregate) => {
                let layout_known = aggregate_width(aggregate) == plan.columns.len();
                let mut input_needed = Needed::new();
                for key in &aggregate.keys {
                    expr_columns(key, &mut input_needed);
                }
                for_each_aggregate(aggregate, |function, carried_at| {
                    for arg in &function.args {
                        expr_columns(arg, &mut input_needed);
                    }
                    // A carried column is only taken, so only a used one is needed.
                    for (offset, &carried) in function.carried.iter().enumerate() {
                        if !layout_known || needed.contains(&(carried_at + offset)) {
                            input_needed.insert(carried);
                        }
                    }
                });
                self.plan(&aggregate.input, input_needed);
            }
            PlanKind::MvExpand(expand) => {
                let input_needed = mv_expand_needs(expand, &needed);
                self.plan(&expand.input, input_needed);
            }
            PlanKind::Union { inputs, sources } => {
                let kept = union_kept(plan.columns.len(), &needed, sources.is_some());
                for (input, mapping) in inputs {
                    let input_needed = kept
                        .iter()
                        .filter_map(|&position| mapping.get(position).copied().flatten())
                        .collect();
                    self.plan(input, input_needed);
                }
            }
        }
    }
}

/// The `extend`/`project` expressions kept, with their positions: the used ones, and those
/// that could fail. A bare column or constant cannot fail: unused, it is dropped.
fn kept_exprs<'e>(exprs: &'e [BoundExpr], needed: &Needed) -> Vec<(usize, &'e BoundExpr)> {
    exprs
        .iter()
        .enumerate()
        .filter(|(position, expr)| needed.contains(position) || !is_plain(expr))
        .collect()
}

/// What a join needs of each side: the keys, and the used output columns of that side.
fn join_needs(join: &crate::plan::JoinPlan, needed: &Needed) -> (Needed, Needed) {
    let left_width = join.left.columns.len();
    let (with_left, with_right) = join.kind.output_sides();
    let mut left: Needed = join.left_keys.iter().copied().collect();
    let mut right: Needed = join.right_keys.iter().copied().collect();
    for &position in needed {
        match (with_left, with_right) {
            (true, true) if position < left_width => left.insert(position),
            (true, true) => right.insert(position - left_width),
            (true, false) => left.insert(position),
            (false, _) => right.insert(position),
        };
    }
    (left, right)
}

/// A `summarize` outputs its keys, then per aggregate its value and the columns it carries
/// (`arg_max(x, a, b)`).
fn aggregate_width(aggregate: &crate::plan::AggregatePlan) -> usize {
    let values: usize = aggregate
        .aggregates
        .iter()
        .map(|a| 1 + a.carried.len())
        .sum();
    aggregate.keys.len() + values
}

/// Calls `f` with each aggregate and the output position of its first carried column.
fn for_each_aggregate(
    aggregate: &crate::plan::AggregatePlan,
    mut f: impl FnMut(&crate::plan::Aggregate, usize),
) {
    let mut position = aggregate.keys.len();
    for function in &aggregate.aggregates {
        f(function, position + 1);
        position += 1 + function.carried.len();
    }
}

/// What `mv-expand` needs of its input: the expanded values' columns, the used columns it
/// passes through, and the columns an expansion replaces. The executor takes output column
/// `p` from input column `p` unless it is computed, so a replaced column keeps its slot.
fn mv_expand_needs(expand: &crate::plan::MvExpandPlan, needed: &Needed) -> Needed {
    let width = expand.input.columns.len();
    let mut input_needed = Needed::new();
    for expansion in &expand.expansions {
        expr_columns(&expansion.expr, &mut input_needed);
    }
    let computed = mv_expand_computed(expand);
    input_needed.extend(needed.iter().copied().filter(|&p| p < width));
    input_needed.extend(computed.into_iter().filter(|&p| p < width));
    input_needed
}

/// The output positions `mv-expand` computes: the expanded columns and the item index.
fn mv_expand_computed(expand: &crate::plan::MvExpandPlan) -> Needed {
    let mut computed: Needed = expand.expansions.iter().map(|e| e.column).collect();
    computed.extend(expand.index_column);
    computed
}

/// The union output columns kept: the used ones, and the `withsource` column, which the
/// executor recognises by its position (the first).
fn union_kept(width: usize, needed: &Needed, with_source: bool) -> Vec<usize> {
    (0..width)
        .filter(|position| needed.contains(position) || (with_source && *position == 0))
        .collect()
}

/// Whether evaluating the expression cannot fail: a column, a constant or a missing column.
fn is_plain(expr: &BoundExpr) -> bool {
    matches!(
        expr.kind,
        ExprKind::Column(_) | ExprKind::Literal(_) | ExprKind::Missing(_)
    )
}

/// Adds the input columns `expr` reads. [`map_columns`] visits every column reference of
/// every expression kind, so a new kind cannot be forgotten here.
fn expr_columns(expr: &BoundExpr, into: &mut Needed) {
    map_columns(expr.clone(), &mut |index, node| {
        into.insert(index);
        node
    });
}

/// Where each old output column of a plan is in the rewritten plan's output; `None` for a
/// column dropped.
type Map = Vec<Option<usize>>;

/// The rewritten plans differ from what the rewrite expects: give up and read whole tables.
#[derive(Debug)]
struct Inconsistent;

type Rewrite<T> = Result<T, Inconsistent>;

struct Rewriter<'a> {
    /// The tables whose scans are cut to these column indexes.
    scans: &'a BTreeMap<String, Vec<usize>>,
    /// The rewritten `let`s: their output columns and map.
    shared: Vec<Option<(Columns, Map)>>,
}

impl Rewriter<'_> {
    /// `plan` rewritten to output at least the `needed` columns (the ones its operators
    /// need for themselves too), and where its old columns went.
    fn plan(&self, plan: &Plan, needed: &Needed) -> Rewrite<(Plan, Map)> {
        let width = plan.columns.len();
        let rebuilt = |kind: PlanKind, map: Map, new_width: usize| -> Rewrite<(Plan, Map)> {
            let columns = select(&plan.columns, &map, new_width)?;
            Ok((Plan { kind, columns }, map))
        };
        match &plan.kind {
            PlanKind::Scan { table } => {
                let Some(keep) = self.scans.get(table) else {
                    return Ok((plan.clone(), (0..width).map(Some).collect()));
                };
                let mut map = vec![None; width];
                for (new, &old) in keep.iter().enumerate() {
                    *map.get_mut(old).ok_or(Inconsistent)? = Some(new);
                }
                rebuilt(plan.kind.clone(), map, keep.len())
            }
            PlanKind::Shared { id } => {
                let (columns, map) = self
                    .shared
                    .get(*id)
                    .and_then(Option::as_ref)
                    .ok_or(Inconsistent)?;
                if map.len() != width {
                    return Err(Inconsistent);
                }
                rebuilt(plan.kind.clone(), map.clone(), columns.len())
            }
            PlanKind::Values { .. } => Ok((plan.clone(), (0..width).map(Some).collect())),
            PlanKind::Filter { input, predicate } => {
                let mut input_needed = needed.clone();
                expr_columns(predicate, &mut input_needed);
                let (new_input, map) = self.plan(input, &input_needed)?;
                let predicate = remap(predicate, input, &new_input, &map)?;
                let new_width = new_input.columns.len();
                let kind = PlanKind::Filter {
                    input: Box::new(new_input),
                    predicate,
                };
                rebuilt(kind, map, new_width)
            }
            PlanKind::Project { input, exprs } => {
                let kept = kept_exprs(exprs, needed);
                let mut input_needed = Needed::new();
                for &(_, expr) in &kept {
                    expr_columns(expr, &mut input_needed);
                }
                let (new_input, input_map) = self.plan(input, &input_needed)?;
                let exprs = kept
                    .iter()
                    .map(|&(_, expr)| remap(expr, input, &new_input, &input_map))
                    .collect::<Rewrite<Vec<_>>>()?;
                let mut map = vec![None; width];
                for (new, &(old, _)) in kept.iter().enumerate() {
                    *map.get_mut(old).ok_or(Inconsistent)? = Some(new);
                }
                let kind = PlanKind::Project {
                    input: Box::new(new_input),
                    exprs,
                };
                rebuilt(kind, map, kept.len())
            }
            PlanKind::Join(join) => {
                let (left_needed, right_needed) = join_needs(join, needed);
                let (left, left_map) = self.plan(&join.left, &left_needed)?;
                let (right, right_map) = self.plan(&join.right, &right_needed)?;
                let (with_left, with_right) = join.kind.output_sides();
                let side_widths = (join.left.columns.len(), join.right.columns.len());
                let (old_left, new_left) = (side_widths.0, left.columns.len());
                let expected = match (with_left, with_right) {
                    (true, true) => side_widths.0 + side_widths.1,
                    (true, false) => side_widths.0,
                    (false, _) => side_widths.1,
                };
                if expected != width {
                    return Err(Inconsistent);
                }
                let map: Map = (0..width)
                    .map(|p| {
                        let new = match (with_left, with_right) {
                            (true, true) if p < old_left => left_map.get(p).copied(),
                            (true, true) => right_map
                                .get(p - old_left)
                                .map(|new| new.map(|j| j + new_left)),
                            (true, false) => left_map.get(p).copied(),
                            (false, _) => right_map.get(p).copied(),
                        };
                        new.ok_or(Inconsistent)
                    })
                    .collect::<Rewrite<Map>>()?;
                let new_width = if with_left { new_left } else { 0 }
                    + if with_right { right.columns.len() } else { 0 };
                let mut rewritten = (**join).clone();
                rewritten.left_keys = remap_indexes(&join.left_keys, &join.left, &left, &left_map)?;
                rewritten.right_keys =
                    remap_indexes(&join.right_keys, &join.right, &right, &right_map)?;
                rewritten.left = left;
                rewritten.right = right;
                rebuilt(PlanKind::Join(Box::new(rewritten)), map, new_width)
            }
            PlanKind::Take { input, count } => {
                let (new_input, map) = self.plan(input, needed)?;
                let new_width = new_input.columns.len();
                let kind = PlanKind::Take {
                    input: Box::new(new_input),
                    count: *count,
                };
                rebuilt(kind, map, new_width)
            }
            PlanKind::Alias { input, name } => {
                let (new_input, map) = self.plan(input, needed)?;
                let new_width = new_input.columns.len();
                let kind = PlanKind::Alias {
                    input: Box::new(new_input),
                    name: name.clone(),
                };
                rebuilt(kind, map, new_width)
            }
            PlanKind::Sort { input, keys } => {
                let mut input_needed = needed.clone();
                for key in keys {
                    expr_columns(&key.expr, &mut input_needed);
                }
                let (new_input, map) = self.plan(input, &input_needed)?;
                let keys = keys
                    .iter()
                    .map(|key| {
                        let mut key = key.clone();
                        key.expr = remap(&key.expr, input, &new_input, &map)?;
                        Ok(key)
                    })
                    .collect::<Rewrite<Vec<_>>>()?;
                let new_width = new_input.columns.len();
                let kind = PlanKind::Sort {
                    input: Box::new(new_input),
                    keys,
                };
                rebuilt(kind, map, new_width)
            }
            PlanKind::Aggregate(aggregate) => self.aggregate(plan, aggregate, needed),
            PlanKind::MvExpand(expand) => self.mv_expand(plan, expand, needed),
            PlanKind::Union { inputs, sources } => {
                let kept = union_kept(width, needed, sources.is_some());
                let mut new_inputs = Vec::with_capacity(inputs.len());
                for (input, mapping) in inputs {
                    let sources_of = |&position: &usize| mapping.get(position).copied().flatten();
                    let input_needed = kept.iter().filter_map(sources_of).collect();
                    let (new_input, input_map) = self.plan(input, &input_needed)?;
                    let new_mapping = kept
                        .iter()
                        .map(|position| {
                            sources_of(position)
                                .map(|old| remap_index(old, input, &new_input, &input_map))
                                .transpose()
                        })
                        .collect::<Rewrite<Vec<_>>>()?;
                    new_inputs.push((new_input, new_mapping));
                }
                let mut map = vec![None; width];
                for (new, &old) in kept.iter().enumerate() {
                    *map.get_mut(old).ok_or(Inconsistent)? = Some(new);
                }
                let kind = PlanKind::Union {
                    inputs: new_inputs,
                    sources: sources.clone(),
                };
                rebuilt(kind, map, kept.len())
            }
        }
    }

    /// `summarize`: every key and aggregate stays (all are evaluated); carried columns no one
    /// uses are dropped.
    fn aggregate(
        &self,
        plan: &Plan,
        aggregate: &crate::plan::AggregatePlan,
        needed: &Needed,
    ) -> Rewrite<(Plan, Map)> {
        let width = plan.columns.len();
        if aggregate_width(aggregate) != width {
            return Err(Inconsistent);
        }
        let mut input_needed = Needed::new();
        for key in &aggregate.keys {
            expr_columns(key, &mut input_needed);
        }
        for_each_aggregate(aggregate, |function, carried_at| {
            for arg in &function.args {
                expr_columns(arg, &mut input_needed);
            }
            for (offset, &carried) in function.carried.iter().enumerate() {
                if needed.contains(&(carried_at + offset)) {
                    input_needed.insert(carried);
                }
            }
        });
        let input = &aggregate.input;
        let (new_input, input_map) = self.plan(input, &input_needed)?;

        let mut rewritten = aggregate.clone();
        let mut map = vec![None; width];
        let mut next = 0;
        for ((key, slot), new) in aggregate.keys.iter().zip(&mut rewritten.keys).zip(&mut map) {
            *slot = remap(key, input, &new_input, &input_map)?;
            *new = Some(next);
            next += 1;
        }
        let mut position = aggregate.keys.len();
        for (function, slot) in aggregate.aggregates.iter().zip(&mut rewritten.aggregates) {
            slot.args = function
                .args
                .iter()
                .map(|arg| remap(arg, input, &new_input, &input_map))
                .collect::<Rewrite<Vec<_>>>()?;
            *map.get_mut(position).ok_or(Inconsistent)? = Some(next);
            next += 1;
            position += 1;
            slot.carried.clear();
            for &carried in &function.carried {
                if needed.contains(&position) {
                    slot.carried
                        .push(remap_index(carried, input, &new_input, &input_map)?);
                    *map.get_mut(position).ok_or(Inconsistent)? = Some(next);
                    next += 1;
                }
                position += 1;
            }
        }
        rewritten.input = new_input;
        let columns = select(&plan.columns, &map, next)?;
        let kind = PlanKind::Aggregate(Box::new(rewritten));
        Ok((Plan { kind, columns }, map))
    }

    /// `mv-expand`: output column `p` is input column `p` unless computed, so the output
    /// keeps every column the rewritten input has, at the same position; the columns it adds
    /// after the input's follow.
    fn mv_expand(
        &self,
        plan: &Plan,
        expand: &crate::plan::MvExpandPlan,
        needed: &Needed,
    ) -> Rewrite<(Plan, Map)> {
        let width = plan.columns.len();
        let input = &expand.input;
        let old_input_width = input.columns.len();
        let computed = mv_expand_computed(expand);
        let (new_input, input_map) = self.plan(input, &mv_expand_needs(expand, needed))?;
        let new_input_width = new_input.columns.len();
        if width < old_input_width {
            return Err(Inconsistent);
        }
        let mut map = vec![None; width];
        let mut next = new_input_width;
        for (position, slot) in map.iter_mut().enumerate() {
            if position < old_input_width {
                *slot = *input_map.get(position).ok_or(Inconsistent)?;
            } else if computed.contains(&position) {
                *slot = Some(next);
                next += 1;
            } else {
                return Err(Inconsistent);
            }
        }
        if needed
            .iter()
            .chain(&computed)
            .any(|&p| map.get(p).copied().flatten().is_none())
        {
            return Err(Inconsistent);
        }
        let mut rewritten = expand.clone();
        for (expansion, slot) in expand.expansions.iter().zip(&mut rewritten.expansions) {
            slot.expr = remap(&expansion.expr, input, &new_input, &input_map)?;
            slot.column = map
                .get(expansion.column)
                .copied()
                .flatten()
                .ok_or(Inconsistent)?;
        }
        rewritten.index_column = match expand.index_column {
            Some(position) => Some(map.get(position).copied().flatten().ok_or(Inconsistent)?),
            None => None,
        };
        rewritten.input = new_input;
        let columns = select(&plan.columns, &map, next)?;
        let kind = PlanKind::MvExpand(Box::new(rewritten));
        Ok((Plan { kind, columns }, map))
    }
}

/// The new output columns: each kept old column at its new position, all positions filled.
fn select(columns: &Columns, map: &Map, new_width: usize) -> Rewrite<Columns> {
    if map.len() != columns.len() {
        return Err(Inconsistent);
    }
    let mut out = vec![None; new_width];
    for (column, new) in columns.iter().zip(map) {
        if let Some(new) = *new {
            *out.get_mut(new).ok_or(Inconsistent)? = Some(column.clone());
        }
    }
    out.into_iter()
        .collect::<Option<Columns>>()
        .ok_or(Inconsistent)
}

/// An input column index renumbered, checked to name a column of the same name and type.
fn remap_index(old: usize, input: &Plan, new_input: &Plan, map: &Map) -> Rewrite<usize> {
    let new = map.get(old).copied().flatten().ok_or(Inconsistent)?;
    match (input.columns.get(old), new_input.columns.get(new)) {
        (Some(before), Some(after)) if before == after => Ok(new),
        _ => Err(Inconsistent),
    }
}

fn remap_indexes(old: &[usize], input: &Plan, new_input: &Plan, map: &Map) -> Rewrite<Vec<usize>> {
    old.iter()
        .map(|&index| remap_index(index, input, new_input, map))
        .collect()
}

/// An expression over `input` rewritten over `new_input`.
fn remap(expr: &BoundExpr, input: &Plan, new_input: &Plan, map: &Map) -> Rewrite<BoundExpr> {
    let mut consistent = true;
    let rewritten = map_columns(expr.clone(), &mut |old, node| match remap_index(
        old, input, new_input, map,
    ) {
        Ok(new) => BoundExpr {
            kind: ExprKind::Column(new),
            ..node
        },
        Err(Inconsistent) => {
            consistent = false;
            node
        }
    });
    if consistent {
        Ok(rewritten)
    } else {
        Err(Inconsistent)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::bind::{BindOptions, bind};
    use crate::plan::Column;
    use crate::types::KustoType;

    /// The needed column names of each table, for a query over `T(A, B, C, D)` and
    /// `U(A, E)`.
    fn needs(query: &str) -> BTreeMap<String, Vec<&'static str>> {
        let t: Vec<Column> = ["A", "B", "C", "D"]
            .iter()
            .map(|n| Column::new(*n, KustoType::Long))
            .collect();
        let u = vec![
            Column::new("A", KustoType::Long),
            Column::new("E", KustoType::String),
        ];
        let tables = BTreeMap::from([("T".to_string(), t), ("U".to_string(), u)]);
        let options = BindOptions::new(0);
        let parsed = kql_parser::parse(query).unwrap();
        let bound = bind(&parsed, &tables, &options).unwrap();
        // The rewrite handles every shape analysed, and scans what the analysis found.
        let pruned = prune(&bound, &|_| true).unwrap_or_else(|| panic!("`{query}` not pruned"));
        let scanned: BTreeMap<String, Vec<usize>> = analyse(&bound.shared, &bound.results)
            .tables
            .into_iter()
            .map(|(table, needed)| (table, needed.into_iter().collect()))
            .collect();
        assert_eq!(pruned.tables, scanned, "{query}");
        for (before, after) in bound.results.iter().zip(&pruned.query.results) {
            assert_eq!(before.columns, after.columns, "{query}");
        }
        let names = |table: &str, index: usize| -> &'static str {
            match table {
                "T" => ["A", "B", "C", "D"][index],
                _ => ["A", "E"][index],
            }
        };
        analyse(&bound.shared, &bound.results)
            .tables
            .into_iter()
            .map(|(table, needed)| {
                let columns = needed.iter().map(|&i| names(&table, i)).collect();
                (table, columns)
            })
            .collect()
    }

    fn expect(pairs: &[(&str, &[&'static str])]) -> BTreeMap<String, Vec<&'static str>> {
        pairs
            .iter()
            .map(|(table, columns)| (table.to_string(), columns.to_vec()))
            .collect()
    }

    #[test]
    fn results_need_all_their_columns() {
        assert_eq!(needs("T"), expect(&[("T", &["A", "B", "C", "D"])]));
        assert_eq!(needs("T | take 0"), expect(&[("T", &["A", "B", "C", "D"])]));
    }

    #[test]
    fn counting_needs_rows_only() {
        assert_eq!(needs("T | count"), expect(&[("T", &[])]));
    }

    #[test]
    fn filters_projections_and_sorts_add_what_they_read() {
        let query = "T | where B > 1 | extend X = C * 2 | project A, X | sort by A asc";
        assert_eq!(needs(query), expect(&[("T", &["A", "B", "C"])]));
        assert_eq!(
            needs("T | project-away A, B"),
            expect(&[("T", &["C", "D"])])
        );
        // An extend evaluated but not used still reads its input: it could fail.
        let query = "T | extend X = B / C | project A";
        assert_eq!(needs(query), expect(&[("T", &["A", "B", "C"])]));
    }

    #[test]
    fn aggregates_need_keys_arguments_and_used_carried_columns() {
        let query = "T | summarize count(), sum(B) by C";
        assert_eq!(needs(query), expect(&[("T", &["B", "C"])]));
        let query = "T | summarize arg_max(A, *) by B | project B, A, D";
        assert_eq!(needs(query), expect(&[("T", &["A", "B", "D"])]));
    }

    #[test]
    fn joins_need_keys_and_used_columns_of_each_side() {
        let query = "T | join kind=inner U on A | project B, E";
        assert_eq!(
            needs(query),
            expect(&[("T", &["A", "B"]), ("U", &["A", "E"])])
        );
        let query = "T | join kind=leftsemi U on A | project C";
        assert_eq!(needs(query), expect(&[("T", &["A", "C"]), ("U", &["A"])]));
    }

    #[test]
    fn unions_map_columns_per_input() {
        let query = "union T, U | project E, B";
        assert_eq!(needs(query), expect(&[("T", &["B"]), ("U", &["E"])]));
    }

    #[test]
    fn a_let_used_twice_needs_what_both_uses_need() {
        let query = "let L = T | where A > 0; L | project B | union (L | project C)";
        assert_eq!(needs(query), expect(&[("T", &["A", "B", "C"])]));
        let query = "let L = T; let M = L | project A, B; M | project A | union (L | project D)";
        assert_eq!(needs(query), expect(&[("T", &["A", "D"])]));
        let query = "let L = U; T | project A";
        assert_eq!(needs(query), expect(&[("T", &["A"])]));
    }

    #[test]
    fn mv_expand_needs_the_expanded_value() {
        let query = "T | extend Y = pack_array(B, C) | mv-expand Y | project A, Y";
        assert_eq!(needs(query), expect(&[("T", &["A", "B", "C"])]));
        let query = "T | extend Y = pack_array(B) | mv-expand with_itemindex=I Y | project I";
        assert_eq!(needs(query), expect(&[("T", &["B"])]));
    }

    #[test]
    fn a_scan_of_a_table_not_pruned_keeps_its_columns() {
        let options = BindOptions::new(0);
        let columns = vec![
            Column::new("A", KustoType::Long),
            Column::new("B", KustoType::String),
        ];
        let tables = BTreeMap::from([("T".to_string(), columns.clone())]);
        let parsed = kql_parser::parse("T | project B").unwrap();
        let bound = bind(&parsed, &tables, &options).unwrap();
        let pruned = prune(&bound, &|_| false).unwrap();
        assert!(pruned.tables.is_empty());
        let PlanKind::Project { input, exprs } = &pruned.query.results[0].kind else {
            panic!("expected a projection");
        };
        assert_eq!(input.columns, columns);
        assert!(matches!(exprs[0].kind, ExprKind::Column(1)));

        let pruned = prune(&bound, &|_| true).unwrap();
        let PlanKind::Project { input, exprs } = &pruned.query.results[0].kind else {
            panic!("expected a projection");
        };
        assert_eq!(input.columns, columns[1..]);
        assert!(matches!(exprs[0].kind, ExprKind::Column(0)));
    }
}
