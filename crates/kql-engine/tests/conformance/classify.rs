//! Sorting one case's run into a class: pass, not supported, false rejection, accepted
//! error, wrong answer or crash.

use kql_engine::{Error, QueryResult};
use kql_parser::DiagnosticKind;

use crate::cases::{Case, Expected};
use crate::values::ordering::sort_columns;
use crate::values::{
    APPROXIMATE_TOLERANCE, Order, REAL_TOLERANCE, column_types, compare_rows, table_rows,
    type_matches,
};

/// How kql did on a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    /// The same answer as Kusto, or an error where Kusto gives one.
    Pass,
    /// Rejected with a `not supported` error: a missing feature, said clearly.
    NotSupported,
    /// Rejected with another error although Kusto answers: a bug, or a missing feature
    /// reported badly.
    FalseRejection,
    /// Answered although Kusto rejects the query.
    AcceptedError,
    /// Answered differently from Kusto.
    WrongAnswer,
    /// Panicked.
    Crash,
}

impl Class {
    /// Every class, in report order.
    pub const ALL: [Class; 6] = [
        Class::Pass,
        Class::NotSupported,
        Class::FalseRejection,
        Class::AcceptedError,
        Class::WrongAnswer,
        Class::Crash,
    ];

    /// The name used in reports.
    pub fn label(self) -> &'static str {
        match self {
            Class::Pass => "pass",
            Class::NotSupported => "not supported",
            Class::FalseRejection => "false rejection",
            Class::AcceptedError => "accepted error",
            Class::WrongAnswer => "wrong answer",
            Class::Crash => "crash",
        }
    }
}

/// The class of a case and what explains it: the error message of a rejection, the
/// difference of a wrong answer, the panic message of a crash; empty for a pass.
#[derive(Debug, Clone)]
pub struct Verdict {
    /// The class.
    pub class: Class,
    /// The explanation.
    pub detail: String,
}

impl Verdict {
    fn new(class: Class, detail: impl Into<String>) -> Verdict {
        Verdict {
            class,
            detail: detail.into(),
        }
    }
}

/// Classifies what running `case` gave: the engine's answer, or the message of a panic.
pub fn classify(case: &Case, run: Result<Result<QueryResult, Error>, String>) -> Verdict {
    let answer = match run {
        Err(panic) => return Verdict::new(Class::Crash, panic),
        Ok(answer) => answer,
    };
    match (&case.expected, answer) {
        (Expected::Error { .. }, Err(_)) => Verdict::new(Class::Pass, ""),
        (Expected::Error { error }, Ok(result)) => {
            let rows = result.tables.first().map_or(0, |t| t.num_rows());
            Verdict::new(
                Class::AcceptedError,
                format!("Kusto rejects the query ({error}); kql returned {rows} rows"),
            )
        }
        (Expected::Table { .. }, Err(error)) => rejection(&error),
        (Expected::Table { columns, rows }, Ok(result)) => compare(case, columns, rows, &result),
    }
}

/// A rejection of a query Kusto answers: not supported, or false, by the first diagnostic.
fn rejection(error: &Error) -> Verdict {
    match error.diagnostics().first() {
        Some(first) if first.kind == DiagnosticKind::NotSupported => {
            Verdict::new(Class::NotSupported, first.message.clone())
        }
        Some(first) => Verdict::new(
            Class::FalseRejection,
            format!("{}: {}", first.kind.label(), first.message),
        ),
        None => Verdict::new(Class::FalseRejection, error.to_string()),
    }
}

/// Compares a result with the recorded table. The first result table is Kusto's primary
/// result, the one the case records.
fn compare(
    case: &Case,
    columns: &[(String, String)],
    rows: &[Vec<serde_json::Value>],
    result: &QueryResult,
) -> Verdict {
    let Some(table) = result.tables.first() else {
        return Verdict::new(Class::WrongAnswer, "kql returned no result table");
    };

    let got_types = column_types(table);
    let got_names: Vec<&String> = table.schema.fields().iter().map(|f| f.name()).collect();
    let same_columns = columns.len() == got_names.len()
        && columns
            .iter()
            .zip(got_names.iter().zip(&got_types))
            .all(|((name, ty), (got_name, got_ty))| name == *got_name && type_matches(ty, *got_ty));
    if !same_columns {
        let expected: Vec<String> = columns.iter().map(|(n, t)| format!("{n}:{t}")).collect();
        let got: Vec<String> = got_names
            .iter()
            .zip(&got_types)
            .map(|(n, t)| format!("{n}:{}", t.map_or("?".to_string(), |t| t.to_string())))
            .collect();
        return Verdict::new(
            Class::WrongAnswer,
            format!(
                "columns differ: expected {}; got {}",
                expected.join(", "),
                got.join(", ")
            ),
        );
    }

    if case.has_flag("nondeterministic") {
        return Verdict::new(Class::Pass, "");
    }
    if case.has_flag("arbitrary_rows") {
        let got = table.num_rows();
        return if got == rows.len() {
            Verdict::new(Class::Pass, "")
        } else {
            Verdict::new(
                Class::WrongAnswer,
                format!("{} arbitrary rows expected, {got} returned", rows.len()),
            )
        };
    }

    let tolerance = if case.has_flag("approximate") {
        APPROXIMATE_TOLERANCE
    } else {
        REAL_TOLERANCE
    };
    let types: Vec<&str> = columns.iter().map(|(_, t)| t.as_str()).collect();
    let names: Vec<&str> = columns.iter().map(|(n, _)| n.as_str()).collect();
    let keys = sort_columns(&case.query, &names);
    let order = if case.ordered {
        Order::Sorted(keys.as_deref())
    } else {
        Order::Any
    };
    match compare_rows(rows, &table_rows(table), &types, order, tolerance) {
        Ok(()) => Verdict::new(Class::Pass, ""),
        Err(difference) => Verdict::new(Class::WrongAnswer, difference),
    }
}
