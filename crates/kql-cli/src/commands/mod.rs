//! The subcommands.

pub mod check;
pub mod run;
pub mod test;

use std::io::Read;

use crate::cli::QueryArgs;
use crate::failure::Failure;

/// A query's text and where it came from.
pub struct QueryText {
    /// The text.
    pub text: String,
    /// A file name, `<stdin>` or `query`, for diagnostics.
    pub origin: String,
}

/// Reads the query from `--query`, a file, or standard input (`-`).
pub fn read_query(args: &QueryArgs) -> Result<QueryText, Failure> {
    if let Some(text) = &args.query {
        return Ok(QueryText {
            text: text.clone(),
            origin: "query".to_string(),
        });
    }
    let Some(path) = &args.file else {
        return Err(Failure::Usage(
            "give a query file, `-` for standard input, or --query".into(),
        ));
    };
    if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|error| {
                Failure::Input(format!(
                    "cannot read the query from standard input: {error}"
                ))
            })?;
        return Ok(QueryText {
            text,
            origin: "<stdin>".to_string(),
        });
    }
    let text = std::fs::read_to_string(path)
        .map_err(|error| Failure::Input(format!("cannot read `{}`: {error}", path.display())))?;
    Ok(QueryText {
        text,
        origin: path.display().to_string(),
    })
}

/// Turns an engine error into a failure: query errors keep their diagnostics.
pub fn engine_failure(error: kql_engine::Error, query: &QueryText) -> Failure {
    match error {
        kql_engine::Error::Query(diagnostics) => Failure::Query {
            text: query.text.clone(),
            origin: query.origin.clone(),
            diagnostics,
        },
        kql_engine::Error::Load(error) => Failure::Input(error.to_string()),
    }
}
