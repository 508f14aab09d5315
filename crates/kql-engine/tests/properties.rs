//! Property tests: join output naming (kql-semantics §8.3) and Kusto's null logic
//! (`K:scalar-data-types/null-values`), over generated inputs.

mod common;

use kql_engine::Engine;
use kql_engine::bind::unique_names;
use proptest::prelude::*;

/// Names drawn from a small alphabet so that collisions (`a`, `a1`, `a11`) are common.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("a".to_string()),
        Just("a1".to_string()),
        Just("a2".to_string()),
        Just("a11".to_string()),
        Just("b".to_string()),
        Just("SHA1".to_string()),
    ]
}

proptest! {
    #[test]
    fn unique_names_are_unique_and_keep_first_occurrences(names in prop::collection::vec(name(), 0..12)) {
        let out = unique_names(&names);
        prop_assert_eq!(out.len(), names.len());
        let mut seen = std::collections::HashSet::new();
        for (index, (original, renamed)) in names.iter().zip(&out).enumerate() {
            prop_assert!(seen.insert(renamed.clone()), "duplicate output {renamed}");
            let first = names.iter().position(|n| n == original) == Some(index);
            if first {
                prop_assert_eq!(renamed, original, "a first occurrence keeps its name");
            } else {
                let suffix = renamed.strip_prefix(original.as_str());
                prop_assert!(suffix.is_some_and(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())));
                prop_assert!(!names.contains(renamed), "an existing name is never taken");
            }
        }
    }

    #[test]
    fn unique_names_leave_unique_lists_alone(names in prop::collection::hash_set(name(), 0..6)) {
        let names: Vec<String> = names.into_iter().collect();
        prop_assert_eq!(unique_names(&names), names);
    }

    #[test]
    fn and_or_not_follow_three_valued_logic(a in any::<Option<bool>>(), b in any::<Option<bool>>()) {
        let literal = |v: Option<bool>| v.map_or("bool(null)".to_string(), |v| v.to_string());
        let query = format!(
            "print x = {a} and {b}, y = {a} or {b}, z = not({a})",
            a = literal(a),
            b = literal(b)
        );
        let result = Engine::new().run(&query).unwrap();
        let rows = common::rows(&result.tables[0]);
        let and = match (a, b) {
            (Some(false), _) | (_, Some(false)) => Some(false),
            (Some(true), Some(true)) => Some(true),
            _ => None,
        };
        let or = match (a, b) {
            (Some(true), _) | (_, Some(true)) => Some(true),
            (Some(false), Some(false)) => Some(false),
            _ => None,
        };
        let text = |v: Option<bool>| v.map_or("null".to_string(), |v| v.to_string());
        prop_assert_eq!(&rows[0], &vec![text(and), text(or), text(a.map(|v| !v))]);
    }

    #[test]
    fn equality_with_null_follows_the_null_values_page(x in prop::option::of(-3i64..3), y in prop::option::of(-3i64..3)) {
        let literal = |v: Option<i64>| v.map_or("long(null)".to_string(), |v| format!("long({v})"));
        let query = format!("print e = {} == {}, n = {} != {}, l = {} < {}",
            literal(x), literal(y), literal(x), literal(y), literal(x), literal(y));
        let result = Engine::new().run(&query).unwrap();
        let rows = common::rows(&result.tables[0]);
        // `==`: null vs a value is false, null vs null is null; `!=` the opposite; `<` with
        // a null is null.
        let (eq, ne, lt) = match (x, y) {
            (Some(x), Some(y)) => (Some(x == y), Some(x != y), Some(x < y)),
            (None, None) => (None, None, None),
            _ => (Some(false), Some(true), None),
        };
        let text = |v: Option<bool>| v.map_or("null".to_string(), |v| v.to_string());
        prop_assert_eq!(&rows[0], &vec![text(eq), text(ne), text(lt)]);
    }

    #[test]
    fn where_keeps_only_true_rows(values in prop::collection::vec(prop::option::of(-5i64..5), 0..20)) {
        let cells: Vec<String> = values.iter().map(|v| v.map_or("long(null)".to_string(), |v| v.to_string())).collect();
        let query = format!("datatable(x:long)[{}] | where x > 0 | count", cells.join(", "));
        let result = Engine::new().run(&query).unwrap();
        let expected = values.iter().filter(|v| v.is_some_and(|v| v > 0)).count();
        prop_assert_eq!(&common::rows(&result.tables[0])[0][0], &expected.to_string());
    }
}
