//! Naming rules: unique output names for joins, and "did you mean" suggestions.

use std::collections::HashSet;

/// Makes column names unique the way Kusto does for `join` output (`K:join-operator`,
/// kql-semantics §8.3): every name is reserved at its first occurrence, then each later
/// duplicate `X` becomes `X` followed by the smallest number `k >= 1` such that `Xk` is
/// neither reserved nor already produced. Digits are appended blindly: `SHA1` -> `SHA11`.
///
/// ```
/// use kql_engine::bind::unique_names;
/// let names = ["c", "c", "c1"].map(String::from);
/// assert_eq!(unique_names(&names), ["c", "c2", "c1"]);
/// ```
pub fn unique_names(names: &[String]) -> Vec<String> {
    let taken: HashSet<&str> = names.iter().map(String::as_str).collect();
    let mut produced: HashSet<String> = HashSet::new();
    let mut seen: HashSet<&str> = HashSet::new();
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        if seen.insert(name.as_str()) {
            out.push(name.clone());
            continue;
        }
        let mut suffix = 1usize;
        let unique = loop {
            let candidate = format!("{name}{suffix}");
            if !taken.contains(candidate.as_str()) && !produced.contains(&candidate) {
                break candidate;
            }
            suffix += 1;
        };
        produced.insert(unique.clone());
        out.push(unique);
    }
    out
}

/// Names from `candidates` close enough to `name` to suggest, closest first (at most three).
pub fn close_names<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let limit = (name.chars().count() / 3).clamp(1, 3);
    let lower = name.to_lowercase();
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .filter(|candidate| *candidate != name)
        .map(|candidate| (edit_distance(&lower, &candidate.to_lowercase()), candidate))
        .filter(|(distance, _)| *distance <= limit)
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored
        .into_iter()
        .take(3)
        .map(|(_, candidate)| candidate.to_string())
        .collect()
}

/// Edit distance over characters where swapping two neighbours counts as one edit
/// (optimal string alignment), so `Cuont` is one edit from `Count`.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    // The table is filled a row per character of `a`. A swap looks two rows back, so the
    // row before the previous one is kept too.
    let mut before: Vec<usize> = Vec::new();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut previous_char = None;
    for (i, ca) in a.chars().enumerate() {
        let mut left = i + 1;
        let mut row = Vec::with_capacity(b.len() + 1);
        row.push(left);
        for ((j, &cb), &[diagonal, up]) in b.iter().enumerate().zip(previous.array_windows()) {
            let cost = usize::from(ca != cb);
            let mut best = (up + 1).min(left + 1).min(diagonal + cost);
            if previous_char == Some(cb)
                && j > 0
                && b.get(j - 1) == Some(&ca)
                && let Some(two_back) = before.get(j - 1)
            {
                best = best.min(two_back + 1);
            }
            row.push(best);
            left = best;
        }
        before = std::mem::replace(&mut previous, row);
        previous_char = Some(ca);
    }
    previous.last().copied().unwrap_or_default()
}

/// A hint sentence suggesting names: "did you mean `A` or `B`?".
pub fn did_you_mean(names: &[String]) -> Option<String> {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.as_slice() {
        [] => None,
        [one] => Some(format!("did you mean {one}?")),
        [init @ .., last] => Some(format!("did you mean {} or {last}?", init.join(", "))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn duplicates_get_the_smallest_free_suffix() {
        assert_eq!(
            unique_names(&names(&["Key", "Key"])),
            names(&["Key", "Key1"])
        );
        assert_eq!(
            unique_names(&names(&["X", "X1", "X"])),
            names(&["X", "X1", "X2"]),
            "an existing X1 is reserved first"
        );
        assert_eq!(
            unique_names(&names(&["SHA1", "SHA1"])),
            names(&["SHA1", "SHA11"])
        );
        assert_eq!(
            unique_names(&names(&["T", "T1", "T", "T"])),
            names(&["T", "T1", "T2", "T3"])
        );
    }

    #[test]
    fn close_names_prefer_the_nearest() {
        let candidates = ["ProcessCommandLine", "ProcessCommandLine1", "AccountName"];
        let found = close_names("ProcessCommandLine2", candidates);
        assert_eq!(found, names(&["ProcessCommandLine", "ProcessCommandLine1"]));
        assert!(close_names("Zzz", candidates).is_empty());
        assert_eq!(close_names("Cuont", ["Count"]), names(&["Count"]));
    }
}
