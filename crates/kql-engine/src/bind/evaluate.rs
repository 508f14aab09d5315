//! `evaluate` plugins. Only `bag_unpack` runs today; the others are refused by name.
//!
//! `bag_unpack`'s output columns depend on the keys in the data, so kql runs its input while
//! binding (as it does for `toscalar`) and binds the rest of the query against the columns
//! found. Without data (`kql check`) the plugin cannot know them and says so.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, BooleanArray, Float64Array, Int64Array, StringArray, new_null_array,
};
use kql_parser::Span;
use kql_parser::ast::{Evaluate, ExprKind as Ast};
use serde_json::Value as Json;

use super::Binder;
use crate::error::{DiagResult, arrow_error, not_supported, semantic};
use crate::plan::{Column, Columns, Plan, PlanKind, arrow_schema};
use crate::types::KustoType;

/// What `bag_unpack` does when a key is also an input column's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Conflict {
    Error,
    KeepSource,
    ReplaceSource,
}

impl Binder<'_> {
    /// `T | evaluate plugin(args)`.
    pub(crate) fn bind_evaluate(
        &mut self,
        input: Plan,
        evaluate: &Evaluate,
        span: Span,
    ) -> DiagResult<Plan> {
        let Ast::Call { name, args } = &evaluate.plugin.kind else {
            return Err(
                semantic("`evaluate` expects a plugin call").with_span(evaluate.plugin.span)
            );
        };
        if name.name != "bag_unpack" {
            return Err(not_supported(format!("the `{}` plugin", name.name)).with_span(name.span));
        }
        let Some(bag) = args.first().filter(|arg| arg.name.is_none()) else {
            return Err(semantic("`bag_unpack` needs the column to unpack").with_span(span));
        };
        let bag_index = match &bag.value.kind {
            Ast::Name(ident) => input.columns.iter().position(|c| c.name == ident.name),
            _ => None,
        }
        .ok_or_else(|| {
            not_supported("`bag_unpack` of anything but a column").with_span(bag.value.span)
        })?;
        let mut prefix = String::new();
        let mut conflict = Conflict::Error;
        let mut ignored: Vec<String> = Vec::new();
        for arg in args.iter().skip(1) {
            let value = self.bind_constant(&arg.value)?;
            let text = super::literal::as_str(&value).map(str::to_string);
            match (arg.name.as_ref().map(|n| n.name.as_str()), text) {
                (None | Some("OutputColumnPrefix"), Some(text)) => prefix = text,
                (Some("columnsConflict"), Some(text)) => {
                    conflict = match text.as_str() {
                        "error" => Conflict::Error,
                        "keep_source" => Conflict::KeepSource,
                        "replace_source" => Conflict::ReplaceSource,
                        other => {
                            return Err(semantic(format!("unknown `columnsConflict` `{other}`"))
                                .with_span(arg.value.span));
                        }
                    }
                }
                (Some("ignoredProperties"), Some(text)) => {
                    let list: Json = serde_json::from_str(&text).unwrap_or(Json::Null);
                    ignored = list
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect();
                }
                _ => {
                    return Err(
                        not_supported("this `bag_unpack` argument").with_span(arg.value.span)
                    );
                }
            }
        }

        let Some(data) = self.data else {
            return Err(not_supported(
                "`bag_unpack` without data (its columns come from the data)",
            )
            .with_span(span));
        };
        let batches = crate::exec::run_plan(&input, &self.shared, data, &self.limits)?;
        let batch = arrow::compute::concat_batches(&arrow_schema(&input.columns), &batches)
            .map_err(arrow_error)?;
        let bags = batch
            .column(bag_index)
            .as_any()
            .downcast_ref::<StringArray>()
            .ok_or_else(|| {
                semantic("`bag_unpack` unpacks a `dynamic` column").with_span(bag.value.span)
            })?;

        // Every row's properties, and each key's values in row order.
        let rows = batch.num_rows();
        let mut by_key: BTreeMap<String, Vec<Option<Json>>> = BTreeMap::new();
        for row in 0..rows {
            if bags.is_null(row) {
                continue;
            }
            let Ok(Json::Object(properties)) = serde_json::from_str::<Json>(bags.value(row)) else {
                continue;
            };
            for (key, value) in properties {
                if ignored.contains(&key) {
                    continue;
                }
                let values = by_key.entry(key).or_insert_with(|| vec![None; rows]);
                *values.get_mut(row).ok_or_else(|| {
                    kql_parser::Diagnostic::internal(format!(
                        "`bag_unpack` lost row {row} of {rows}"
                    ))
                })? = Some(value);
            }
        }

        let mut columns: Columns = Vec::new();
        let mut arrays: Vec<ArrayRef> = Vec::new();
        for (index, column) in input.columns.iter().enumerate() {
            if index != bag_index {
                columns.push(column.clone());
                arrays.push(Arc::clone(batch.column(index)));
            }
        }
        let bag_name = &input
            .columns
            .get(bag_index)
            .ok_or_else(|| kql_parser::Diagnostic::internal("`bag_unpack` lost its column"))?
            .name;
        for (key, values) in by_key {
            let name = format!("{prefix}{key}");
            if name == *bag_name {
                // A property named like the unpacked column takes that column's place
                // (Kusto's recorded answers).
                let (ty, array) = typed_values(&values);
                columns.insert(bag_index, Column::new(name, ty));
                arrays.insert(bag_index, array);
                continue;
            }
            if let Some((existing_column, existing_array)) = columns
                .iter_mut()
                .zip(&mut arrays)
                .find(|(c, _)| c.name == name)
            {
                match conflict {
                    Conflict::KeepSource => continue,
                    // The new column takes the old one's place (Kusto's recorded answers).
                    Conflict::ReplaceSource => {
                        let (ty, array) = typed_values(&values);
                        *existing_column = Column::new(name, ty);
                        *existing_array = array;
                        continue;
                    }
                    Conflict::Error => {
                        return Err(semantic(format!(
                            "`bag_unpack`: the property `{key}` clashes with the column `{name}`"
                        ))
                        .with_span(span)
                        .with_hint("use `columnsConflict='keep_source'` or `'replace_source'`"));
                    }
                }
            }
            let (ty, array) = typed_values(&values);
            columns.push(Column::new(name, ty));
            arrays.push(array);
        }
        Ok(Plan {
            kind: PlanKind::Values { arrays },
            columns,
        })
    }
}

/// A column from one key's values, typed by what they hold: `long` when every value is an
/// integer, `real` for numbers, `bool`, `string`, else `dynamic` (as Kusto's recorded answers
/// show for `bag_unpack`).
fn typed_values(values: &[Option<Json>]) -> (KustoType, ArrayRef) {
    let present: Vec<&Json> = values.iter().flatten().filter(|v| !v.is_null()).collect();
    let all = |f: fn(&Json) -> bool| !present.is_empty() && present.iter().all(|v| f(v));
    if all(|v| v.is_i64()) {
        let array: Int64Array = values
            .iter()
            .map(|v| v.as_ref().and_then(Json::as_i64))
            .collect();
        return (KustoType::Long, Arc::new(array));
    }
    if all(Json::is_number) {
        let array: Float64Array = values
            .iter()
            .map(|v| v.as_ref().and_then(Json::as_f64))
            .collect();
        return (KustoType::Real, Arc::new(array));
    }
    if all(Json::is_boolean) {
        let array: BooleanArray = values
            .iter()
            .map(|v| v.as_ref().and_then(Json::as_bool))
            .collect();
        return (KustoType::Bool, Arc::new(array));
    }
    if all(Json::is_string) {
        let array: StringArray = values
            .iter()
            .map(|v| Some(v.as_ref().and_then(Json::as_str).unwrap_or("").to_string()))
            .collect();
        return (KustoType::String, Arc::new(array));
    }
    if present.is_empty() {
        return (
            KustoType::Dynamic,
            new_null_array(&KustoType::Dynamic.to_arrow(), values.len()),
        );
    }
    let array: StringArray = values
        .iter()
        .map(|v| v.as_ref().filter(|v| !v.is_null()).map(Json::to_string))
        .collect();
    (KustoType::Dynamic, Arc::new(array))
}
