//! The seed query, the kql BITS hunt, parses as it is, byte for byte, into the AST its text
//! describes.

mod common;

use common::parse;
use kql_parser::ast::{
    Expr, ExprKind, JoinCondition, LetValue, Literal, OperatorKind, StatementKind, StringOpKind,
};

/// The seed, as copied into the golden folder.
const SEED: &str = include_str!("golden/bits_jobs.kql");

/// The let-bound value named `name`.
fn let_value<'a>(statements: &'a [kql_parser::ast::Statement], name: &str) -> &'a Expr {
    statements
        .iter()
        .find_map(|statement| match &statement.kind {
            StatementKind::Let(let_statement) if let_statement.name.name == name => {
                match &let_statement.value {
                    LetValue::Expr(expr) => Some(expr),
                    LetValue::Function(_) => None,
                }
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("no `let {name}`"))
}

/// The operators of a pipeline, first to last.
fn pipeline(expr: &Expr) -> (&Expr, Vec<&OperatorKind>) {
    let mut operators = Vec::new();
    let mut current = expr;
    while let ExprKind::Pipe { input, operator } = &current.kind {
        operators.push(&operator.kind);
        current = input;
    }
    operators.reverse();
    (current, operators)
}

fn string_value(expr: &Expr) -> &str {
    match &expr.kind {
        ExprKind::Literal(Literal::String(string)) => &string.value,
        other => panic!("not a string: {other:?}"),
    }
}

/// The 64-bit FNV-1a hash of `bytes`.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[test]
fn the_seed_is_the_byte_for_byte_copy() {
    // The features the seed must keep: `;` alone on a line, a trailing space after `;`,
    // the final newline; and its exact bytes (sha256 ee3edc45...6c9e2b7e).
    assert!(SEED.contains("\n;\n"));
    assert!(SEED.contains("\n; \n"));
    assert!(SEED.ends_with(")\n"));
    assert_eq!(SEED.len(), 2324);
    assert_eq!(fnv1a(SEED.as_bytes()), 0xc4f439051e6d4909);
}

#[test]
fn the_seed_parses_unchanged() {
    let query = parse(SEED);
    assert_eq!(query.statements.len(), 8);
    let lets: Vec<&str> = query
        .statements
        .iter()
        .filter_map(|statement| match &statement.kind {
            StatementKind::Let(let_statement) => Some(let_statement.name.name.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        lets,
        [
            "lookbacktime",
            "BITScmd",
            "BITSpwsh",
            "ClearObf",
            "SEvent",
            "DEvent",
            "DPEvent"
        ]
    );
    assert!(matches!(query.statements[7].kind, StatementKind::Expr(_)));
    assert_eq!((query.span.start, query.span.end), (0, SEED.len()));
}

#[test]
fn the_seed_literals() {
    let query = parse(SEED);
    let ticks_per_day = 864_000_000_000;
    let lookback = let_value(&query.statements, "lookbacktime");
    assert_eq!(
        lookback.kind,
        ExprKind::Literal(Literal::TimeSpan(90 * ticks_per_day))
    );
    assert_eq!(
        string_value(let_value(&query.statements, "BITScmd")),
        "(.*)bitsadmin(.exe)?(.+)(download |upload )(.*)"
    );
    assert_eq!(
        string_value(let_value(&query.statements, "BITSpwsh")),
        "(.*)Start-BitsTransfer(.+)(((destination |source ).+){2}|Asynchronous |TransferType )(.*)"
    );
    // The verbatim string holds `"`, `\`, `^` and `$` as written.
    assert_eq!(
        string_value(let_value(&query.statements, "ClearObf")),
        r#"(\^|(")+|\$|%|\+|("\+"))"#
    );
}

#[test]
fn the_seed_pipelines() {
    let query = parse(SEED);
    let (source, operators) = pipeline(let_value(&query.statements, "DEvent"));
    assert_eq!(source.to_string(), "DeviceEvents");
    assert_eq!(operators.len(), 4);
    let OperatorKind::Where(filter) = operators[0] else {
        panic!()
    };
    assert_eq!(filter.to_string(), "TimeGenerated >= ago(lookbacktime)");
    let OperatorKind::Extend(columns) = operators[1] else {
        panic!()
    };
    assert_eq!(
        columns[0].to_string(),
        "InitiatingDeobf_CommandLine = replace_regex(InitiatingProcessCommandLine, ClearObf, \"\")"
    );
    // Four `matches regex` joined by `or`, folded to the left.
    let OperatorKind::Where(filter) = operators[3] else {
        panic!()
    };
    let mut regex_tests = 0;
    let mut current = filter;
    while let ExprKind::Binary { op, left, right } = &current.kind {
        if let kql_parser::ast::BinaryOp::String(string_op) = op {
            assert_eq!(string_op.kind, StringOpKind::MatchesRegex);
            regex_tests += 1;
            break;
        }
        let ExprKind::Binary {
            op: kql_parser::ast::BinaryOp::String(string_op),
            ..
        } = &right.kind
        else {
            panic!("{right:?}")
        };
        assert_eq!(string_op.kind, StringOpKind::MatchesRegex);
        regex_tests += 1;
        current = left;
    }
    assert_eq!(regex_tests, 4);
}

#[test]
fn the_seed_joins_and_coalesces() {
    let query = parse(SEED);
    let StatementKind::Expr(main) = &query.statements[7].kind else {
        panic!()
    };
    let (source, operators) = pipeline(main);
    assert_eq!(source.to_string(), "SEvent");
    assert_eq!(operators.len(), 11);
    for (operator, right) in operators[..2].iter().zip(["(DPEvent)", "(DEvent)"]) {
        let OperatorKind::Join(join) = operator else {
            panic!()
        };
        assert_eq!(join.params[0].to_string(), "kind=fullouter");
        assert_eq!(join.right.to_string(), right);
        let [JoinCondition::Column(column)] = &join.on[..] else {
            panic!("{:?}", join.on)
        };
        assert_eq!(column.name, "TimeGenerated");
    }
    let argument_counts: Vec<usize> = operators[2..]
        .iter()
        .map(|operator| {
            let OperatorKind::Extend(columns) = operator else {
                panic!()
            };
            let ExprKind::Call { name, args } = &columns[0].value.kind else {
                panic!()
            };
            assert_eq!(name.name, "coalesce");
            args.len()
        })
        .collect();
    assert_eq!(argument_counts, [3, 2, 2, 3, 3, 3, 3, 2, 2]);
    // Names that end in digits stay names.
    let OperatorKind::Extend(columns) = operators[2] else {
        panic!()
    };
    assert_eq!(
        columns[0].to_string(),
        "ProcessCommandLine = \
         coalesce(ProcessCommandLine, ProcessCommandLine1, ProcessCommandLine2)"
    );
}

#[test]
fn the_seed_prints_as_canonical_kql() {
    let printed = parse(SEED).to_string();
    assert!(printed.starts_with(
        "let lookbacktime = 90d;\n\
         let BITScmd = \"(.*)bitsadmin(.exe)?(.+)(download |upload )(.*)\";\n"
    ));
    assert!(printed.contains("\n| join kind=fullouter (DPEvent) on TimeGenerated\n"));
    assert!(printed.contains("let ClearObf = \"(\\\\^|(\\\")+|\\\\$|%|\\\\+|(\\\"\\\\+\\\"))\";"));
}
