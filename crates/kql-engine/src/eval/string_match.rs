//! String equality and the string predicates (`has`, `contains`, `startswith`...), and the
//! list operators (`in`, `in~`, `has_any`, `has_all`).

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, BooleanArray, StringArray};
use kql_parser::ast::{Case, ListOp, Negation};

use super::compare::compare;
use super::logical::{and, not, or};
use super::{Value, arith::cast};
use crate::bind::common_numeric;
use crate::error::DiagResult;
use crate::plan::{BoundExpr, CompareOp, ExprKind, StringMatchKind};
use crate::types::KustoType;

/// The string column or scalar of a value.
pub(crate) fn strings(value: &Value) -> DiagResult<&StringArray> {
    value
        .array()
        .as_any()
        .downcast_ref::<StringArray>()
        .ok_or_else(|| kql_parser::Diagnostic::internal("a string operand is not a string array"))
}

/// The string in row `row` (a scalar's only value for every row); null reads as "" because
/// Kusto strings are never null.
pub(crate) fn string_at(array: &StringArray, scalar: bool, row: usize) -> &str {
    let row = if scalar { 0 } else { row };
    if array.is_valid(row) {
        array.value(row)
    } else {
        ""
    }
}

/// `haystack op needle` for one of the string predicates.
pub(crate) fn string_match(
    kind: StringMatchKind,
    case: Case,
    negation: Negation,
    haystack: &Value,
    needle: &Value,
) -> DiagResult<Value> {
    let haystacks = strings(haystack)?;
    let needles = strings(needle)?;
    let len = super::row_count(&[haystack, needle]);
    let negate = negation == Negation::Negated;
    let result: BooleanArray = if needle.is_scalar() {
        let needle = Needle::new(string_at(needles, true, 0), case);
        (0..len)
            .map(|row| {
                Some(
                    needle.found_in(kind, string_at(haystacks, haystack.is_scalar(), row))
                        != negate,
                )
            })
            .collect()
    } else {
        (0..len)
            .map(|row| {
                let needle = Needle::new(string_at(needles, false, row), case);
                let hay = string_at(haystacks, haystack.is_scalar(), row);
                Some(needle.found_in(kind, hay) != negate)
            })
            .collect()
    };
    Ok(Value::like(
        haystack.is_scalar() && needle.is_scalar(),
        Arc::new(result),
    ))
}

/// A needle prepared for matching: lower-cased once when case does not matter.
struct Needle {
    text: String,
    case: Case,
}

impl Needle {
    fn new(text: &str, case: Case) -> Needle {
        let text = match case {
            Case::Sensitive => text.to_string(),
            Case::Insensitive => text.to_lowercase(),
        };
        Needle { text, case }
    }

    fn found_in(&self, kind: StringMatchKind, haystack: &str) -> bool {
        let lowered;
        let haystack = match self.case {
            Case::Sensitive => haystack,
            Case::Insensitive => {
                lowered = haystack.to_lowercase();
                lowered.as_str()
            }
        };
        let needle = self.text.as_str();
        match kind {
            StringMatchKind::Equals => haystack == needle,
            StringMatchKind::Contains => haystack.contains(needle),
            StringMatchKind::StartsWith => haystack.starts_with(needle),
            StringMatchKind::EndsWith => haystack.ends_with(needle),
            StringMatchKind::Has => has_term(haystack, needle, true, true),
            StringMatchKind::HasPrefix => has_term(haystack, needle, true, false),
            StringMatchKind::HasSuffix => has_term(haystack, needle, false, true),
        }
    }
}

/// True for characters that make up Kusto terms: `has` matches whole runs of alphanumeric
/// characters (`K:has-operator`), so `"KustoExplorerQueryRun" has "Explorer"` is false.
fn is_term_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Whether `needle` occurs in `haystack` starting (`at_start`) and/or ending (`at_end`) on
/// a term boundary.
///
/// A boundary is only needed where the needle itself starts or ends with a term character:
/// `"a b" has " "` and `"x.exe" has ".exe"` match like substrings there.
fn has_term(haystack: &str, needle: &str, at_start: bool, at_end: bool) -> bool {
    if needle.is_empty() {
        return true;
    }
    let at_start = at_start && needle.chars().next().is_some_and(is_term_char);
    let at_end = at_end && needle.chars().next_back().is_some_and(is_term_char);
    haystack.match_indices(needle).any(|(start, found)| {
        let end = start + found.len();
        let starts_term = haystack[..start]
            .chars()
            .next_back()
            .is_none_or(|c| !is_term_char(c));
        let ends_term = haystack[end..]
            .chars()
            .next()
            .is_none_or(|c| !is_term_char(c));
        (!at_start || starts_term) && (!at_end || ends_term)
    })
}

/// `left op (items)`.
pub(crate) fn list(
    op: ListOp,
    left: &Value,
    left_ty: KustoType,
    items: &[BoundExpr],
) -> DiagResult<Value> {
    let mut result: Option<Value> = None;
    let all = op == ListOp::HasAll;
    for item in items {
        let ExprKind::Literal(item_array) = &item.kind else {
            return Err(
                kql_parser::Diagnostic::internal("a list item is not a constant")
                    .with_span(item.span),
            );
        };
        let item_value = Value::Scalar(Arc::clone(item_array));
        let matched = match op {
            ListOp::In | ListOp::NotIn => {
                equals(left, left_ty, item_value, item.ty, Case::Sensitive)?
            }
            ListOp::InCi | ListOp::NotInCi => {
                equals(left, left_ty, item_value, item.ty, Case::Insensitive)?
            }
            ListOp::HasAny | ListOp::HasAll => {
                let needle = to_string_value(item_value, item.ty)?;
                let haystack = to_string_value(left.clone(), left_ty)?;
                string_match(
                    StringMatchKind::Has,
                    Case::Insensitive,
                    Negation::Plain,
                    &haystack,
                    &needle,
                )?
            }
        };
        result = Some(match result {
            None => matched,
            Some(so_far) if all => and(&so_far, &matched)?,
            Some(so_far) => or(&so_far, &matched)?,
        });
    }
    let result = match result {
        Some(result) => result,
        None => Value::Scalar(Arc::new(BooleanArray::from(vec![all]))),
    };
    match op {
        ListOp::NotIn | ListOp::NotInCi => not(&result),
        _ => Ok(result),
    }
}

/// Equality of a value with one list item, by the item's and value's types.
fn equals(
    left: &Value,
    left_ty: KustoType,
    item: Value,
    item_ty: KustoType,
    case: Case,
) -> DiagResult<Value> {
    let text =
        |ty: KustoType| matches!(ty, KustoType::String | KustoType::Guid | KustoType::Dynamic);
    if text(left_ty) || text(item_ty) {
        let left = to_string_value(left.clone(), left_ty)?;
        let item = to_string_value(item, item_ty)?;
        return string_match(StringMatchKind::Equals, case, Negation::Plain, &left, &item);
    }
    let (left, item) = if left_ty.is_numeric() && item_ty.is_numeric() && left_ty != item_ty {
        let common = common_numeric(left_ty, item_ty);
        (cast(left.clone(), common)?, cast(item, common)?)
    } else {
        (left.clone(), item)
    };
    compare(CompareOp::Eq, &left, &item)
}

/// A value as strings, converting non-strings as `tostring` does.
fn to_string_value(value: Value, ty: KustoType) -> DiagResult<Value> {
    if matches!(ty, KustoType::String | KustoType::Guid | KustoType::Dynamic) {
        return Ok(value);
    }
    let scalar = value.is_scalar();
    let array: ArrayRef = crate::functions::to_kusto_strings(value.array(), ty)?;
    Ok(Value::like(scalar, array))
}

#[cfg(test)]
mod tests {
    use super::has_term;

    #[test]
    fn has_matches_whole_terms_only() {
        assert!(!has_term("kustoexplorer query run", "explorer", true, true));
        assert!(has_term("kusto explorer query", "explorer", true, true));
        assert!(!has_term("kustoexplorerqueryrun", "explorer", true, true));
        assert!(has_term(
            "c:\\windows\\bitsadmin.exe /transfer",
            "bitsadmin.exe",
            true,
            true
        ));
        assert!(has_term("bitsadmin.exe", "bits", true, false));
        assert!(!has_term("bitsadmin.exe", "bits", true, true));
    }
}
