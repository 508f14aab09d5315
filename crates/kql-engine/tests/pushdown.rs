//! Files are read with only the columns a query needs (engine issue: "Only the columns a query
//! needs are read from a source").
//!
//! Two kinds of checks. A column the loader cannot read (a Parquet list, a CSV value of the
//! wrong type) shows whether it was read: a query that does not use it succeeds, one that
//! does fails with the loader's error. And every query gives the same answer over files
//! registered lazily (`register_file`) as over the same files loaded whole beforehand, and
//! the same again when `T` has such an unreadable column besides: proof that the query was
//! rewritten to read only what it needs, rather than given whole tables.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::{
    ArrayRef, Float64Array, Int32Array, Int64Array, ListArray, RecordBatch, StringArray,
    TimestampMicrosecondArray,
};
use arrow::datatypes::Int32Type;
use parquet::arrow::ArrowWriter;

use common::{TempDir, names, rows, sorted};
use kql_engine::catalog::Catalog;
use kql_engine::source::{LoadOptions, load_file};
use kql_engine::types::KustoType;
use kql_engine::{Engine, Error, Options, ResultTable};

/// Rows of `T`: more than one loader batch (8192 rows), so the last batch is shorter.
const T_ROWS: usize = 10_000;

fn write_parquet(path: &Path, batch: &RecordBatch) {
    let file = std::fs::File::create(path).unwrap();
    let mut writer = ArrowWriter::try_new(file, batch.schema(), None).unwrap();
    writer.write(batch).unwrap();
    writer.close().unwrap();
}

/// `T(A: long, B: string, C: real, Ts: datetime)`, plus `L`, a list kql cannot read yet,
/// when `with_list`.
fn t_batch(with_list: bool) -> RecordBatch {
    let n = T_ROWS as i64;
    let mut columns: Vec<(&str, ArrayRef)> = vec![
        ("A", Arc::new(Int64Array::from_iter_values(0..n))),
        (
            "B",
            Arc::new(StringArray::from_iter_values(
                (0..n).map(|i| format!("b{}", i % 7)),
            )),
        ),
        (
            "C",
            Arc::new(Float64Array::from_iter_values(
                (0..n).map(|i| i as f64 / 2.0),
            )),
        ),
        (
            "Ts",
            Arc::new(
                TimestampMicrosecondArray::from_iter_values(
                    (0..n).map(|i| 1_700_000_000_000_000 + i * 1_000_000),
                )
                .with_timezone("UTC"),
            ),
        ),
    ];
    if with_list {
        let lists = (0..n).map(|i| Some(vec![Some(i as i32), None]));
        let list = ListArray::from_iter_primitive::<Int32Type, _, _>(lists);
        columns.push(("L", Arc::new(list)));
    }
    RecordBatch::try_from_iter(columns).unwrap()
}

/// `U(A: long, E: string, B: int)`: `B` is also a column of `T`, so a join of the two
/// renames `U`'s to `B1`.
fn u_batch() -> RecordBatch {
    RecordBatch::try_from_iter([
        (
            "A",
            Arc::new(Int64Array::from_iter_values((0..5_000).map(|i| i * 3))) as ArrayRef,
        ),
        (
            "E",
            Arc::new(StringArray::from_iter_values(
                (0..5_000).map(|i| format!("e{i}")),
            )),
        ),
        (
            "B",
            Arc::new(Int32Array::from_iter_values((0..5_000).map(|i| i % 3))),
        ),
    ])
    .unwrap()
}

/// A `SecurityEvent` export in the portal's form; `event_id` is the third row's `EventID`.
fn security_event_csv(event_id: &str) -> String {
    let mut text = String::from("TimeGenerated [UTC],Computer,EventID,CommandLine\n");
    let rows = [
        ("2024-05-01T10:00:00Z", "ws1", "4688", "cmd.exe /c whoami"),
        ("2024-05-01T10:01:00Z", "ws2", "4624", ""),
        (
            "2024-05-01T10:02:00Z",
            "ws1",
            event_id,
            "bitsadmin /transfer x",
        ),
        (
            "2024-05-01T10:03:00Z",
            "ws3",
            "4688",
            "\"notepad.exe, a.txt\"",
        ),
    ];
    for (time, computer, id, command) in rows {
        text.push_str(&format!("{time},{computer},{id},{command}\n"));
    }
    text
}

/// The files of a test: `T` and `U` in Parquet, `SecurityEvent` in CSV; `T` again with the
/// unreadable list column `L`.
struct Files {
    _dir: TempDir,
    tables: Vec<(&'static str, PathBuf)>,
    t_with_list: PathBuf,
}

fn files(test: &str) -> Files {
    let dir = TempDir::new(test);
    let t = dir.path("T.parquet");
    write_parquet(&t, &t_batch(false));
    let t_with_list = dir.path("TL.parquet");
    write_parquet(&t_with_list, &t_batch(true));
    let u = dir.path("U.parquet");
    write_parquet(&u, &u_batch());
    let security = dir.write("SecurityEvent.csv", security_event_csv("4688"));
    Files {
        _dir: dir,
        tables: vec![("T", t), ("U", u), ("SecurityEvent", security)],
        t_with_list,
    }
}

/// The files registered lazily, as `kql run` does.
fn lazy_engine(files: &Files) -> Engine {
    let mut engine = Engine::new();
    for (name, path) in &files.tables {
        engine.register_file(name, path).unwrap();
    }
    engine
}

/// As [`lazy_engine`], with `T` holding the unreadable `L` too.
fn lazy_engine_with_list(files: &Files) -> Engine {
    let mut engine = lazy_engine(files);
    engine.register_file("T", &files.t_with_list).unwrap();
    engine
}

/// The same files loaded whole, then registered as batches: what `register_file` did before
/// it read lazily.
fn eager_engine(files: &Files) -> Engine {
    let catalog = Catalog::builtin();
    let mut engine = Engine::new();
    for (name, path) in &files.tables {
        let options = LoadOptions {
            schema: catalog.get(name),
            ..LoadOptions::default()
        };
        let loaded = load_file(path, &options).unwrap();
        engine
            .register_schema_batches(name, &loaded.schema, loaded.batches)
            .unwrap();
    }
    engine
}

/// A result as names, Kusto types and rows (sorted unless the query orders them).
fn summary(table: &ResultTable, ordered: bool) -> (Vec<String>, Vec<String>, Vec<Vec<String>>) {
    let types = table
        .schema
        .fields()
        .iter()
        .map(|f| KustoType::of_field(f).map_or("?".into(), |t| t.to_string()))
        .collect();
    let rows = if ordered {
        rows(table)
    } else {
        sorted(rows(table))
    };
    (names(table), types, rows)
}

fn run(engine: &Engine, query: &str) -> ResultTable {
    let result = engine
        .run(query)
        .unwrap_or_else(|e| panic!("`{query}` failed: {e}"));
    assert_eq!(result.tables.len(), 1, "{query}");
    result.tables.into_iter().next().unwrap()
}

/// Runs `query` over both engines and checks the answers are the same; returns the lazy one.
fn same_answer(lazy: &Engine, eager: &Engine, query: &str) -> ResultTable {
    let ordered = query.contains("sort") || query.contains("top");
    let got = run(lazy, query);
    let want = run(eager, query);
    assert_eq!(summary(&got, ordered), summary(&want, ordered), "{query}");
    got
}

/// Checks that each query gives the same answer over lazy and eager tables, and, unless it
/// is one of the `whole_t` queries that read every column of `T`, over lazy tables where
/// `T` has the unreadable `L` too.
fn same_answers(files: &Files, queries: &[&str], whole_t: &[&str]) {
    let lazy = lazy_engine(files);
    let eager = eager_engine(files);
    let with_list = lazy_engine_with_list(files);
    for query in queries {
        same_answer(&lazy, &eager, query);
        if !whole_t.contains(query) {
            same_answer(&with_list, &eager, query);
        }
    }
    for query in whole_t {
        assert!(queries.contains(query), "{query}");
        assert!(
            matches!(with_list.run(query), Err(Error::Load(_))),
            "{query}"
        );
    }
}

fn load_error(result: Result<kql_engine::QueryResult, Error>) -> kql_engine::source::LoadError {
    match result {
        Err(Error::Load(error)) => error,
        Err(other) => panic!("expected a load error, got {other}"),
        Ok(_) => panic!("expected a load error, the query succeeded"),
    }
}

#[test]
fn an_unreadable_parquet_column_is_only_read_when_used() {
    let dir = TempDir::new("parquet_list");
    let path = dir.path("T.parquet");
    write_parquet(&path, &t_batch(true));
    let mut engine = Engine::new();
    engine.register_file("T", &path).unwrap();

    let result = run(&engine, "T | where A < 3 | project A, B");
    assert_eq!(rows(&result), [["0", "b0"], ["1", "b1"], ["2", "b2"]]);
    let count = run(&engine, "T | count");
    assert_eq!(rows(&count), [[T_ROWS.to_string()]]);
    // `project-away` names `L` without reading it; `arg_max(A, *)` carries it, unused.
    let away = run(&engine, "T | project-away L | take 1");
    assert_eq!(names(&away), ["A", "B", "C", "Ts"]);
    let max = run(&engine, "T | summarize arg_max(A, *) by B | project B, A");
    assert_eq!(max.num_rows(), 7);

    // The column binds (as `dynamic`); reading it fails as loading the whole file would.
    assert!(engine.check("T | project L").is_ok());
    for query in ["T | project L", "T", "T | where isnotempty(L) | count"] {
        let error = load_error(engine.run(query));
        assert_eq!(error.path, path);
        assert!(
            error
                .message
                .starts_with("not supported yet: parquet column `L` of type List("),
            "{query}: {error}"
        );
    }
}

#[test]
fn a_bad_csv_value_is_only_an_error_in_a_column_used() {
    let dir = TempDir::new("csv_bad_value");
    let path = dir.write("SecurityEvent.csv", security_event_csv("oops"));
    let mut engine = Engine::new();
    engine.register_file("SecurityEvent", &path).unwrap();

    let result = run(&engine, "SecurityEvent | summarize count() by Computer");
    assert_eq!(
        sorted(rows(&result)),
        [["ws1", "2"], ["ws2", "1"], ["ws3", "1"]]
    );
    assert_eq!(rows(&run(&engine, "SecurityEvent | count")), [["4"]]);

    for query in [
        "SecurityEvent | where EventID == 4688 | project Computer",
        "SecurityEvent",
        // A subquery reads its tables while the query is bound: still the load error.
        "print toscalar(SecurityEvent | summarize max(EventID))",
    ] {
        let error = load_error(engine.run(query));
        assert_eq!(error.path, path, "{query}");
        assert_eq!(error.line, Some(4), "{query}");
        assert_eq!(error.column.as_deref(), Some("EventID"), "{query}");
        assert!(error.message.contains("`oops`"), "{query}: {error}");
    }
}

#[test]
fn a_csv_with_columns_outside_the_schema_is_still_loaded_at_once() {
    // `Extra` is typed from its values, so the file must be read to know the table.
    let dir = TempDir::new("csv_extra");
    let text = security_event_csv("oops").replace("CommandLine\n", "CommandLine,Extra\n");
    let text = text.replace('\n', ",1\n").replacen(",1\n", "\n", 1);
    let path = dir.write("SecurityEvent.csv", &text);
    let mut engine = Engine::new();
    let Err(Error::Load(error)) = engine.register_file("SecurityEvent", &path) else {
        panic!("the bad value should fail the registration");
    };
    assert_eq!(
        (error.line, error.column.as_deref()),
        (Some(4), Some("EventID"))
    );

    // And a table the catalog does not know is typed from its values too.
    let path = dir.write("Custom.csv", "X,Y\n1,a\n2,b\n");
    engine.register_file("Custom", &path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(rows(&run(&engine, "Custom | count")), [["2"]]);
}

#[test]
fn lazy_and_eager_tables_give_the_same_answers() {
    let files = files("same_answers");
    let queries = [
        "T | count",
        "T | take 0",
        "T | project B | take 5",
        "T | project C, A | sort by A desc | take 5",
        "T | summarize count() by B",
        "T | summarize n = dcount(A), total = sum(C) by B | where n > 2",
        "T | where B == 'b3' and A > 19000 | project A, Ts",
        "T | extend D = A * 2 | where D % 1000 == 0 | project D",
        "T | top 3 by C asc | project A",
        "T | project-away C, Ts | take 3",
        "T | project-rename Name = B | project Name | take 2",
        "T | summarize arg_max(A, *) by B | project B, A, Ts",
        "T | summarize arg_min(C, Ts) by B",
        "T | extend P = pack_array(A, B) | mv-expand P | project P | take 4",
        "T | distinct B",
        "SecurityEvent | count",
        "SecurityEvent | project Computer, CommandLine",
        "SecurityEvent | where CommandLine has 'bitsadmin' | project TimeGenerated",
        "SecurityEvent | summarize count() by EventID",
        "SecurityEvent | take 0",
        "SecurityEvent",
    ];
    let whole_t = ["T | take 0", "T | project-away C, Ts | take 3"];
    same_answers(&files, &queries, &whole_t);
    let (lazy, eager) = (lazy_engine(&files), eager_engine(&files));
    let zero = same_answer(&lazy, &eager, "T | take 0");
    assert_eq!(names(&zero), ["A", "B", "C", "Ts"]);
    let count = same_answer(&lazy, &eager, "T | count");
    assert_eq!(rows(&count), [[T_ROWS.to_string()]]);
}

#[test]
fn joins_unions_and_lets_over_lazy_tables() {
    let files = files("joins");
    let queries = [
        // `U`'s `B` is renamed `B1` because `T` has a `B`, although `T`'s `B` is never read:
        // plans are bound against whole tables, so names do not depend on what is read.
        "T | join kind=inner U on A | project A, B1, E",
        "T | join kind=leftouter (U | where B == 1) on A | summarize count() by E1 = isempty(E)",
        "T | join kind=leftsemi U on A | count",
        "T | join kind=rightanti (U | extend A = A + 1) on A | project E",
        "T | join kind=inner U on $left.A == $right.A | summarize sum(C) by B1",
        "SecurityEvent | extend A = toint(EventID) % 3 | join kind=inner U on A | count",
        "union T, U | count",
        "union T, U | summarize count() by E | count",
        "union withsource=Source T, U | summarize count() by Source",
        "union T, U | project E, C | where isnotempty(E) | take 3",
        "let X = T | where A % 1000 == 0; X | project A | union (X | project B)",
        "let X = T | where A > 100; X | summarize count() | union (X | project C | take 1)",
        "let X = T; let Y = X | project A, B; \
         Y | project A | join kind=inner (X | project A, C) on A | count",
        "let Unused = U | project E; T | summarize max(A)",
        "T | join kind=inner U on A",
        "U | join kind=rightouter T on A | summarize count() by isempty(E)",
        "T | as Tab | union withsource=S U | summarize count() by S",
    ];
    let whole_t = ["T | join kind=inner U on A"];
    same_answers(&files, &queries, &whole_t);
}

#[test]
fn subqueries_read_lazy_tables() {
    let files = files("subqueries");
    let queries = [
        "print toscalar(T | summarize max(A))",
        "let m = toscalar(T | summarize max(C)); T | where C == m | project A",
        "T | where A in ((U | where E endswith '7' | project A)) | count",
        "let X = T | where A < 10; print toscalar(X | count) | union (X | project A | take 1 \
         | project print_0 = A)",
        "print n = toscalar(SecurityEvent | where EventID == 4688 | count)",
        "U | where A in ((SecurityEvent | project toint(EventID) % 10)) | count",
    ];
    // A subquery's plan is not kept after binding: the tables it reads are read whole.
    let whole_t = [
        "print toscalar(T | summarize max(A))",
        "let m = toscalar(T | summarize max(C)); T | where C == m | project A",
        "let X = T | where A < 10; print toscalar(X | count) | union (X | project A | take 1 \
         | project print_0 = A)",
    ];
    same_answers(&files, &queries, &whole_t);
    let lazy = lazy_engine(&files);
    let max = run(&lazy, "print toscalar(T | summarize max(A))");
    assert_eq!(rows(&max), [[(T_ROWS - 1).to_string()]]);
}

#[test]
fn checking_and_warnings_are_unchanged() {
    let files = files("warnings");
    let options = Options {
        allow_missing_columns: true,
        ..Options::default()
    };
    let lazy = lazy_engine(&files).with_options(options.clone());
    let eager = eager_engine(&files).with_options(options);
    let query = "T | project A, Nope | take 1";
    let got = lazy.run(query).unwrap();
    let want = eager.run(query).unwrap();
    assert_eq!(got.warnings.len(), 1, "{:?}", got.warnings);
    assert_eq!(got.warnings, want.warnings);
    assert_eq!(lazy.check(query).unwrap(), eager.check(query).unwrap());
    let schemas = lazy.result_schemas("T | join kind=inner U on A").unwrap();
    assert_eq!(
        schemas,
        eager.result_schemas("T | join kind=inner U on A").unwrap()
    );

    let strict = lazy_engine(&files);
    let error = strict.run("T | project Nope").unwrap_err();
    assert!(matches!(error, Error::Query(_)), "{error}");
}

#[test]
fn a_file_changed_since_registration_is_an_error() {
    let dir = TempDir::new("changed");
    let path = dir.path("T.parquet");
    write_parquet(&path, &t_batch(false));
    let mut engine = Engine::new();
    engine.register_file("T", &path).unwrap();
    write_parquet(&path, &u_batch());
    let error = load_error(engine.run("T"));
    assert!(error.message.contains("changed"), "{error}");
}
