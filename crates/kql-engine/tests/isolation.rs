//! Isolation for embedders: a query reads only the tables the caller registered. kql reads
//! no file or URL a query names: `externaldata` is refused unless the embedder supplies a
//! resolver, which then decides what a query may read
//! (<https://learn.microsoft.com/kusto/query/externaldata-operator>).

use std::sync::{Arc, Mutex};

use arrow::array::{ArrayRef, Int64Array, RecordBatch, StringArray};
use arrow::datatypes::Schema;
use kql_engine::external::{ExternalData, ExternalDataRequest};
use kql_engine::types::KustoType;
use kql_engine::{Engine, Error};
use kql_parser::{Diagnostic, DiagnosticKind};

mod common;

fn only_error(error: Error) -> Diagnostic {
    match error {
        Error::Query(mut diagnostics) if diagnostics.len() == 1 => diagnostics.remove(0),
        other => panic!("expected one query diagnostic, got {other:?}"),
    }
}

const QUERY: &str = "let Names = externaldata (Name:string, Count:long)\n\
                     ['https://example.com/names.csv'] with (format='csv');\n\
                     Names | where Count > 1";

#[test]
fn externaldata_is_refused_without_a_resolver() {
    let error = only_error(Engine::new().run(QUERY).unwrap_err());
    assert_eq!(error.kind, DiagnosticKind::Semantic);
    assert!(
        error.message.starts_with("`externaldata` is refused"),
        "{error}"
    );
    let span = error.span.unwrap();
    assert!(QUERY[span.start..span.end].starts_with("externaldata (Name:string"));

    // A file path is refused the same way: nothing is read.
    let local = "externaldata (x:string) [@'/etc/passwd'] with (format='txt')";
    let error = only_error(Engine::new().run(local).unwrap_err());
    assert!(
        error.message.starts_with("`externaldata` is refused"),
        "{error}"
    );
}

/// Serves rows for allowed URIs and records what it was asked.
#[derive(Default)]
struct Recording {
    requests: Mutex<Vec<ExternalDataRequest>>,
}

impl ExternalData for Recording {
    fn fetch(&self, request: &ExternalDataRequest) -> Result<Vec<RecordBatch>, String> {
        self.requests.lock().unwrap().push(request.clone());
        if request
            .uris
            .iter()
            .any(|uri| !uri.starts_with("https://example.com/"))
        {
            return Err("only https://example.com/ may be read".to_string());
        }
        let schema = Arc::new(Schema::new(vec![
            KustoType::String.field("Name"),
            KustoType::Long.field("Count"),
        ]));
        let columns: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from(vec!["a", "b", "c"])),
            Arc::new(Int64Array::from(vec![1, 2, 3])),
        ];
        Ok(vec![RecordBatch::try_new(schema, columns).unwrap()])
    }
}

#[test]
fn a_resolver_supplies_the_rows_and_decides_what_may_be_read() {
    let resolver = Arc::new(Recording::default());
    let engine = Engine::new().with_external_data(resolver.clone());
    let result = engine.run(QUERY).unwrap();
    assert_eq!(
        common::rows(&result.tables[0]),
        vec![vec!["b", "2"], vec!["c", "3"]]
    );
    let requests = resolver.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].uris, ["https://example.com/names.csv"]);
    assert_eq!(
        requests[0].columns,
        [
            ("Name".to_string(), KustoType::String),
            ("Count".to_string(), KustoType::Long)
        ]
    );
    assert_eq!(
        requests[0].properties,
        [("format".to_string(), "csv".to_string())]
    );

    let denied = "externaldata (Name:string, Count:long) ['https://evil.example/x']";
    let error = only_error(engine.run(denied).unwrap_err());
    assert_eq!(error.kind, DiagnosticKind::Runtime);
    assert!(
        error.message.contains("only https://example.com/"),
        "{error}"
    );
}

#[test]
fn rows_of_other_columns_than_declared_are_an_error() {
    let engine = Engine::new().with_external_data(Arc::new(Recording::default()));
    let query = "externaldata (Name:string) ['https://example.com/names.csv']";
    let error = only_error(engine.run(query).unwrap_err());
    assert!(
        error.message.contains("do not have the declared columns"),
        "{error}"
    );
}

#[test]
fn a_query_sees_only_registered_tables() {
    let engine = Engine::new();
    let error = only_error(engine.run("SecurityEvent | count").unwrap_err());
    assert_eq!(error.kind, DiagnosticKind::Semantic);
    assert!(error.message.contains("SecurityEvent"), "{error}");
}
