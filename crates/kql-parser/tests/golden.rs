//! The data-driven golden tests: every `.kql` file in `tests/golden/` is parsed, and the
//! result is compared with the file next to it. `name.kql` must parse, and `name.ast` holds
//! its AST (`{:#?}`, spans as `start..end`); `name.error.kql` must fail, and
//! `name.error.txt` holds the rendered diagnostic. `KQL_BLESS=1 cargo test -p kql-parser
//! --test golden` rewrites the expected files. See `tests/golden/README.md`.

use std::fs;
use std::path::{Path, PathBuf};

/// The golden folder.
fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("golden")
}

/// The `.kql` inputs, sorted.
fn inputs() -> Vec<PathBuf> {
    let entries = fs::read_dir(golden_dir()).unwrap_or_else(|error| panic!("golden dir: {error}"));
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "kql"))
        .collect();
    paths.sort();
    paths
}

/// The file name of `path`, as text.
fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// What parsing `input` gives, and the file that should hold it.
fn actual(input: &Path) -> Result<(PathBuf, String), String> {
    let name = file_name(input);
    let text = fs::read_to_string(input).map_err(|error| format!("{name}: {error}"))?;
    let result = kql_parser::parse(&text);
    if let Some(stem) = name.strip_suffix(".error.kql") {
        match result {
            Err(error) => Ok((
                input.with_file_name(format!("{stem}.error.txt")),
                error.render(&text, &name),
            )),
            Ok(query) => Err(format!(
                "{name}: expected an error, but it parsed as:\n{query}"
            )),
        }
    } else {
        let stem = name.strip_suffix(".kql").unwrap_or(&name);
        match result {
            Ok(query) => Ok((
                input.with_file_name(format!("{stem}.ast")),
                format!("{query:#?}\n"),
            )),
            Err(error) => Err(format!(
                "{name}: expected to parse:\n{}",
                error.render(&text, &name)
            )),
        }
    }
}

/// The first line where two texts differ, for the failure message.
fn first_difference(expected: &str, found: &str) -> String {
    let mut expected_lines = expected.lines();
    let mut found_lines = found.lines();
    for number in 1.. {
        match (expected_lines.next(), found_lines.next()) {
            (None, None) => break,
            (e, f) if e == f => continue,
            (e, f) => {
                return format!(
                    "line {number}:\n  expected: {}\n  found:    {}",
                    e.unwrap_or("<end>"),
                    f.unwrap_or("<end>")
                );
            }
        }
    }
    "they differ in line endings".to_string()
}

#[test]
fn golden_files_match() {
    let bless = std::env::var_os("KQL_BLESS").is_some_and(|value| value == "1");
    let mut failures = Vec::new();
    let inputs = inputs();
    assert!(
        inputs.len() >= 30,
        "expected the golden folder to hold the test queries"
    );
    for input in &inputs {
        let (expected_path, found) = match actual(input) {
            Ok(result) => result,
            Err(failure) => {
                failures.push(failure);
                continue;
            }
        };
        if bless {
            fs::write(&expected_path, &found)
                .unwrap_or_else(|error| panic!("{}: {error}", expected_path.display()));
            continue;
        }
        match fs::read_to_string(&expected_path) {
            Ok(expected) if expected == found => {}
            Ok(expected) => failures.push(format!(
                "{} differs from the parse of {}: {}",
                file_name(&expected_path),
                file_name(input),
                first_difference(&expected, &found)
            )),
            Err(_) => failures.push(format!(
                "{} is missing: run `KQL_BLESS=1 cargo test -p kql-parser --test golden`",
                file_name(&expected_path)
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_golden_file_has_its_input() {
    let entries = fs::read_dir(golden_dir()).unwrap_or_else(|error| panic!("golden dir: {error}"));
    for entry in entries.filter_map(Result::ok) {
        let name = file_name(&entry.path());
        let input = if let Some(stem) = name.strip_suffix(".error.txt") {
            format!("{stem}.error.kql")
        } else if let Some(stem) = name.strip_suffix(".ast") {
            format!("{stem}.kql")
        } else {
            continue;
        };
        assert!(
            golden_dir().join(&input).exists(),
            "{name} has no {input}: remove it"
        );
    }
}
