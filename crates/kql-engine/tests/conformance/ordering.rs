//! Ties in ordered results.
//!
//! Kusto's `sort` leaves the order of rows with equal sort keys unspecified, so a recorded
//! answer shows one of several right orders. When a query ends in a plain `sort by` (or
//! `order by`) of result columns, rows are compared in order of their keys, and as a multiset
//! within each run of equal keys.

use serde_json::Value;

use super::{multiset_difference, values_match};

/// The result columns a query's final `sort by` / `order by` orders by, as indexes into
/// `columns`; `None` unless the last operator of the query is such a sort of plain column
/// names (a key given as an expression, or an operator after the sort, makes the keys
/// unknown).
pub fn sort_columns(query: &str, columns: &[&str]) -> Option<Vec<usize>> {
    let text: String = query
        .lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join(" ");
    let clause = last_sort_clause(&text)?;
    let clause = clause.trim().trim_end_matches(';').trim();
    if clause.is_empty() || clause.contains(['|', '(', ')', '[', ']', '\'', '"', ';']) {
        return None;
    }
    clause
        .split(',')
        .map(|key| {
            let mut words = key.split_whitespace();
            let name = words.next()?;
            let rest: Vec<&str> = words.collect();
            let known_rest = matches!(
                rest.as_slice(),
                [] | ["asc" | "desc"]
                    | ["nulls", "first" | "last"]
                    | ["asc" | "desc", "nulls", "first" | "last"]
            );
            if !known_rest {
                return None;
            }
            columns.iter().position(|column| *column == name)
        })
        .collect()
}

/// The text after the last `sort by` / `order by` keyword pair.
fn last_sort_clause(text: &str) -> Option<&str> {
    let words: Vec<(usize, &str)> = word_starts(text);
    words.windows(2).rev().find_map(|pair| {
        let [(_, first), (second_start, second)] = pair else {
            return None;
        };
        let is_sort = matches!(*first, "sort" | "order") && *second == "by";
        is_sort.then(|| &text[second_start + second.len()..])
    })
}

/// The words of `text` split at whitespace and `|`, with their byte offsets.
fn word_starts(text: &str) -> Vec<(usize, &str)> {
    let mut words = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        let separator = c.is_whitespace() || c == '|';
        match (start, separator) {
            (None, false) => start = Some(i),
            (Some(s), true) => {
                words.push((s, &text[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        words.push((s, &text[s..]));
    }
    words
}

/// True when `got` holds the rows of `expected` in the same order of the `keys` columns,
/// in any order within each run of equal keys.
pub fn same_modulo_ties(
    expected: &[Vec<Value>],
    got: &[Vec<Value>],
    keys: &[usize],
    same: &dyn Fn(&[Value], &[Value]) -> bool,
    tolerance: f64,
) -> bool {
    let same_keys = |a: &[Value], b: &[Value]| {
        keys.iter().all(|&k| match (a.get(k), b.get(k)) {
            (Some(a), Some(b)) => values_match(a, b, tolerance),
            _ => false,
        })
    };
    if expected.len() != got.len() {
        return false;
    }
    let mut start = 0;
    while start < expected.len() {
        let mut end = start + 1;
        while end < expected.len() && same_keys(&expected[end], &expected[start]) {
            end += 1;
        }
        let run_keys_match = got[start..end]
            .iter()
            .all(|row| same_keys(row, &expected[start]));
        if !run_keys_match
            || multiset_difference(&expected[start..end], &got[start..end], same).is_some()
        {
            return false;
        }
        start = end;
    }
    true
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn finds_the_columns_of_a_final_sort() {
        let columns = ["k", "lv", "rv"];
        let keys = |query: &str| sort_columns(query, &columns);
        assert_eq!(
            keys("T | order by lv asc, rv desc nulls last"),
            Some(vec![1, 2])
        );
        assert_eq!(keys("T | sort by k // done\n"), Some(vec![0]));
        assert_eq!(keys("T | sort by k | project k, lv"), None);
        assert_eq!(keys("T | sort by strlen(lv)"), None);
        assert_eq!(keys("T | sort by other"), None);
        assert_eq!(keys("T | top 2 by k"), None);
    }

    #[test]
    fn tied_rows_may_come_in_any_order() {
        let same = |a: &[Value], b: &[Value]| a == b;
        let e = vec![
            vec![json!(1), json!("x2")],
            vec![json!(1), json!("x")],
            vec![json!(2), json!("y")],
        ];
        let g = vec![
            vec![json!(1), json!("x")],
            vec![json!(1), json!("x2")],
            vec![json!(2), json!("y")],
        ];
        assert!(same_modulo_ties(&e, &g, &[0], &same, 0.0));
        assert!(!same_modulo_ties(&e, &g, &[1], &same, 0.0));
        let moved = vec![g[2].clone(), g[0].clone(), g[1].clone()];
        assert!(!same_modulo_ties(&e, &moved, &[0], &same, 0.0));
    }
}
