//! Every tabular operator kql parses, with their parameters.

mod common;

use common::{operator, operators, parse, parse_err, position};
use kql_parser::ast::{
    ExprKind, JoinCondition, NullsPosition, OperatorKind, ParsePart, SortOrder, StatementKind,
};

fn names(patterns: &[kql_parser::ast::ColumnPattern]) -> Vec<&str> {
    patterns
        .iter()
        .map(|pattern| pattern.pattern.as_str())
        .collect()
}

#[test]
fn where_and_filter() {
    let OperatorKind::Where(predicate) = operator("where a > 1 and (b or not(c))").kind else {
        panic!()
    };
    assert_eq!(predicate.to_string(), "a > 1 and (b or not(c))");
    let OperatorKind::Where(predicate) = operator("filter x").kind else {
        panic!()
    };
    assert_eq!(predicate.to_string(), "x");
    // `filter` prints as `where`.
    assert_eq!(parse("T | filter x").to_string(), "T\n| where x");
}

#[test]
fn extend_with_several_assignments() {
    let OperatorKind::Extend(columns) = operator("extend a = 1, b = a * 2, strlen(c)").kind else {
        panic!()
    };
    assert_eq!(columns.len(), 3);
    assert_eq!(columns[0].name.as_ref().map(|n| n.name.as_str()), Some("a"));
    assert!(columns[2].name.is_none());
    // `Name=expr` without spaces, as in the seed query.
    let OperatorKind::Extend(columns) = operator("extend X=f(a)").kind else {
        panic!()
    };
    assert_eq!(columns[0].to_string(), "X = f(a)");
}

#[test]
fn project_and_its_variants() {
    let OperatorKind::Project(columns) = operator("project a, b = c + 1").kind else {
        panic!()
    };
    assert_eq!(columns.len(), 2);
    let OperatorKind::ProjectAway(patterns) = operator("project-away a, b*, *c, ['d e']").kind
    else {
        panic!()
    };
    assert_eq!(names(&patterns), ["a", "b*", "*c", "d e"]);
    let OperatorKind::ProjectKeep(patterns) = operator("project-keep Account*, Time").kind else {
        panic!()
    };
    assert_eq!(names(&patterns), ["Account*", "Time"]);
    let OperatorKind::ProjectRename(renames) =
        operator("project-rename New = Old, ['n 2'] = o2").kind
    else {
        panic!()
    };
    assert_eq!(
        (renames[0].new.name.as_str(), renames[0].old.name.as_str()),
        ("New", "Old")
    );
    assert_eq!(renames[1].new.name, "n 2");
    let OperatorKind::ProjectReorder(columns) = operator("project-reorder b, a* asc, c* desc").kind
    else {
        panic!()
    };
    let orders: Vec<_> = columns.iter().map(|column| column.order).collect();
    assert_eq!(
        orders,
        [
            None,
            Some(SortOrder::Ascending),
            Some(SortOrder::Descending)
        ]
    );
}

#[test]
fn summarize_with_and_without_keys() {
    let OperatorKind::Summarize(summarize) =
        operator("summarize count(), Total = sum(x) by Computer, bin(TimeGenerated, 1h)").kind
    else {
        panic!()
    };
    assert_eq!(summarize.aggregates.len(), 2);
    assert_eq!(summarize.by.len(), 2);
    let OperatorKind::Summarize(summarize) = operator("summarize by a, b").kind else {
        panic!()
    };
    assert!(summarize.aggregates.is_empty());
    assert_eq!(summarize.by.len(), 2);
    let OperatorKind::Summarize(summarize) = operator("summarize dcount(u)").kind else {
        panic!()
    };
    assert!(summarize.by.is_empty());
    let OperatorKind::Summarize(summarize) =
        operator("summarize arg_max(TimeGenerated, *) by DeviceId").kind
    else {
        panic!()
    };
    assert_eq!(
        summarize.aggregates[0].to_string(),
        "arg_max(TimeGenerated, *)"
    );
    // Hints are accepted.
    operator("summarize hint.shufflekey=DeviceId count() by DeviceId");
}

#[test]
fn count_take_and_limit() {
    assert_eq!(operator("count").kind, OperatorKind::Count);
    // `count as Name` (Kusto.Language's `CountAsIdentifierClause`): the column's name.
    let OperatorKind::CountAs(name) = operator("count as Total").kind else {
        panic!("not `count as`")
    };
    assert_eq!(name.name, "Total");
    let OperatorKind::Take(count) = operator("take 10").kind else {
        panic!()
    };
    assert_eq!(count.to_string(), "10");
    let OperatorKind::Take(count) = operator("limit 5").kind else {
        panic!()
    };
    assert_eq!(count.to_string(), "5");
    assert_eq!(parse("T | limit 5").to_string(), "T\n| take 5");
}

#[test]
fn top_with_order_and_nulls() {
    let OperatorKind::Top(top) = operator("top 5 by Count desc nulls last").kind else {
        panic!()
    };
    assert_eq!(top.count.to_string(), "5");
    assert_eq!(top.by.order, Some(SortOrder::Descending));
    assert_eq!(top.by.nulls, Some(NullsPosition::Last));
    let OperatorKind::Top(top) = operator("top 1 by x").kind else {
        panic!()
    };
    assert_eq!((top.by.order, top.by.nulls), (None, None));
}

#[test]
fn sort_and_order_by_with_directions() {
    let OperatorKind::Sort(keys) =
        operator("sort by a asc, b desc nulls first, c nulls last, d").kind
    else {
        panic!()
    };
    let shape: Vec<_> = keys.iter().map(|key| (key.order, key.nulls)).collect();
    assert_eq!(
        shape,
        [
            (Some(SortOrder::Ascending), None),
            (Some(SortOrder::Descending), Some(NullsPosition::First)),
            (None, Some(NullsPosition::Last)),
            (None, None),
        ]
    );
    let OperatorKind::Sort(keys) = operator("order by x").kind else {
        panic!()
    };
    assert_eq!(keys.len(), 1);
}

#[test]
fn distinct_columns_or_star() {
    let OperatorKind::Distinct(columns) = operator("distinct a, b").kind else {
        panic!()
    };
    assert_eq!(columns.len(), 2);
    let OperatorKind::Distinct(columns) = operator("distinct *").kind else {
        panic!()
    };
    assert_eq!(columns[0].kind, ExprKind::Star);
}

#[test]
fn union_with_parameters_wildcards_and_subqueries() {
    let OperatorKind::Union(union) =
        operator("union kind=outer withsource=Source isfuzzy=true U, (V | where x), Dev*").kind
    else {
        panic!()
    };
    let params: Vec<String> = union.params.iter().map(ToString::to_string).collect();
    assert_eq!(params, ["kind=outer", "withsource=Source", "isfuzzy=true"]);
    let tables: Vec<String> = union.tables.iter().map(ToString::to_string).collect();
    // A wildcard table is a name holding `*`; alone it prints in brackets.
    assert_eq!(tables, ["U", "(V | where x)", "[\"Dev*\"]"]);
    assert_eq!(
        union.to_string(),
        "union kind=outer withsource=Source isfuzzy=true U, (V | where x), Dev*"
    );
    // At the start of a query.
    let query = parse("union SecurityEvent, DeviceEvents | count");
    let StatementKind::Expr(expr) = &query.statements[0].kind else {
        panic!()
    };
    let ExprKind::Pipe { input, .. } = &expr.kind else {
        panic!()
    };
    assert!(matches!(input.kind, ExprKind::Union(_)));
    parse("union kind=inner T1, T2");
    parse("union with_source=S T1, T2");
}

#[test]
fn join_with_every_kind() {
    for kind in [
        "innerunique",
        "inner",
        "leftouter",
        "rightouter",
        "fullouter",
        "leftanti",
        "anti",
        "leftantisemi",
        "rightanti",
        "rightantisemi",
        "leftsemi",
        "rightsemi",
    ] {
        let OperatorKind::Join(join) = operator(&format!("join kind={kind} (U) on Key")).kind
        else {
            panic!("{kind}")
        };
        assert_eq!(join.params[0].value.to_string(), kind);
    }
    let OperatorKind::Join(join) = operator("join U on Key").kind else {
        panic!()
    };
    assert!(join.params.is_empty());
    assert_eq!(join.right.to_string(), "U");
}

#[test]
fn join_conditions_and_hints() {
    let OperatorKind::Join(join) = operator(
        "join kind=inner hint.strategy=shuffle hint.remote=auto (U | where x) \
         on $left.A == $right.B, Key, $left.C == $right.D and E",
    )
    .kind
    else {
        panic!()
    };
    let params: Vec<String> = join.params.iter().map(ToString::to_string).collect();
    assert_eq!(
        params,
        ["kind=inner", "hint.strategy=shuffle", "hint.remote=auto"]
    );
    assert_eq!(join.on.len(), 4);
    let JoinCondition::Equality { left, right } = &join.on[0] else {
        panic!()
    };
    assert_eq!(
        (left.to_string(), right.to_string()),
        ("$left.A".into(), "$right.B".into())
    );
    assert!(matches!(&join.on[1], JoinCondition::Column(key) if key.name == "Key"));
    assert!(matches!(&join.on[3], JoinCondition::Column(key) if key.name == "E"));
}

#[test]
fn a_join_condition_must_test_equality() {
    let text = "T\n| join (U) on $left.a > $right.b";
    let error = parse_err(text);
    assert_eq!(
        error.message,
        "expected a column name or `$left.Column == $right.Column`"
    );
    assert_eq!(position(text, &error), (2, 15));
}

#[test]
fn lookup_with_and_without_kind() {
    let OperatorKind::Lookup(lookup) = operator("lookup kind=leftouter (U) on a").kind else {
        panic!()
    };
    assert_eq!(lookup.params[0].to_string(), "kind=leftouter");
    let OperatorKind::Lookup(lookup) = operator("lookup U on $left.a == $right.b").kind else {
        panic!()
    };
    assert!(lookup.params.is_empty());
    operator("lookup kind=inner U on a");
}

#[test]
fn mv_expand_with_names_types_parameters_and_limit() {
    let OperatorKind::MvExpand(mv_expand) = operator(
        "mv-expand bagexpansion=array with_itemindex=i Tags, Item = Items to typeof(string) \
         limit 100",
    )
    .kind
    else {
        panic!()
    };
    assert_eq!(mv_expand.params.len(), 2);
    assert_eq!(mv_expand.columns.len(), 2);
    assert_eq!(
        mv_expand.columns[1]
            .to_type
            .as_ref()
            .map(|ty| ty.name.as_str()),
        Some("string")
    );
    assert_eq!(
        mv_expand.limit.as_ref().map(ToString::to_string),
        Some("100".to_string())
    );
    // A column named like a parameter is still a column.
    let OperatorKind::MvExpand(mv_expand) = operator("mv-expand x = parse_json(y)").kind else {
        panic!()
    };
    assert!(mv_expand.params.is_empty());
}

#[test]
fn parse_in_every_kind() {
    let OperatorKind::Parse(parse_op) =
        operator("parse Message with \"user=\" User:string \", id=\" Id:long * \"end\"").kind
    else {
        panic!()
    };
    assert_eq!(parse_op.source.to_string(), "Message");
    assert_eq!(parse_op.pattern.len(), 6);
    assert!(
        matches!(&parse_op.pattern[1], ParsePart::Column { name, ty: Some(ty) }
        if name.name == "User" && ty.name == "string")
    );
    assert!(matches!(parse_op.pattern[4], ParsePart::Wildcard));
    for kind in ["simple", "regex", "relaxed"] {
        let OperatorKind::Parse(parse_op) =
            operator(&format!("parse kind={kind} Msg with * \"a=\" A")).kind
        else {
            panic!("{kind}")
        };
        assert_eq!(parse_op.params[0].to_string(), format!("kind={kind}"));
    }
    operator("parse kind=regex flags=Ui Msg with @\"x(\\d)\" X:int");
}

#[test]
fn as_render_invoke_evaluate_getschema_serialize() {
    let OperatorKind::As(name) = operator("as hint.materialized=true Saved").kind else {
        panic!()
    };
    assert_eq!(name.name, "Saved");
    let OperatorKind::Render(render) = operator("render timechart with (title='x', ymin=0)").kind
    else {
        panic!()
    };
    assert_eq!(render.visualization.name, "timechart");
    assert_eq!(render.properties.len(), 2);
    assert!(matches!(
        operator("invoke f(1)").kind,
        OperatorKind::Invoke(_)
    ));
    let OperatorKind::Evaluate(evaluate) = operator("evaluate bag_unpack(Data)").kind else {
        panic!()
    };
    assert_eq!(evaluate.plugin.to_string(), "bag_unpack(Data)");
    assert_eq!(operator("getschema").kind, OperatorKind::GetSchema);
    let OperatorKind::Serialize(columns) = operator("serialize rn = row_number()").kind else {
        panic!()
    };
    assert_eq!(columns.len(), 1);
    assert_eq!(operator("serialize").kind, OperatorKind::Serialize(vec![]));
}

#[test]
fn datatable_print_and_range_sources() {
    let query = parse("datatable(a:long, b:string) [1, 'x', 2, 'y',]");
    let StatementKind::Expr(expr) = &query.statements[0].kind else {
        panic!()
    };
    let ExprKind::Datatable { columns, values } = &expr.kind else {
        panic!()
    };
    assert_eq!(columns.len(), 2);
    assert_eq!(values.len(), 4);
    parse(
        "datatable(x:dynamic, t:datetime, s:timespan, g:guid, r:real, i:int, d:decimal, b:bool) []",
    );

    let query = parse("print x = 1, 'two', y = now()");
    let StatementKind::Expr(expr) = &query.statements[0].kind else {
        panic!()
    };
    let ExprKind::Print(columns) = &expr.kind else {
        panic!()
    };
    assert_eq!(columns.len(), 3);
    parse("print");

    let query = parse("range x from 1 to 10 step 2 | where x > 3");
    assert_eq!(
        query.to_string(),
        "range x from 1 to 10 step 2\n| where x > 3"
    );
    parse("range t from ago(1d) to now() step 1h");
}

#[test]
fn materialize_and_toscalar_take_tabular_arguments() {
    let query = parse(
        "let m = materialize(SecurityEvent | where EventID == 4688);\n\
         let n = toscalar(m | count);\n\
         m | where Count > n",
    );
    assert_eq!(query.statements.len(), 3);
}

#[test]
fn operators_print_in_canonical_form() {
    let text = "T | where a | extend b=1 | project-away c | limit 3 | order by d asc | filter e";
    let printed =
        "T\n| where a\n| extend b = 1\n| project-away c\n| take 3\n| sort by d asc\n| where e";
    assert_eq!(parse(text).to_string(), printed);
    assert_eq!(operators(text).len(), 6);
}

#[test]
fn operator_spans_cover_the_operator_without_trailing_blanks() {
    let text = "T\n| where x == 1   // note\n| take 5";
    let operators = operators(text);
    let span = operators[0].span;
    assert_eq!(&text[span.start..span.end], "where x == 1");
    let span = operators[1].span;
    assert_eq!(&text[span.start..span.end], "take 5");
}

/// `externaldata`: declared columns, URIs and `with` properties
/// (<https://learn.microsoft.com/kusto/query/externaldata-operator>).
#[test]
fn externaldata_source() {
    let text = "externaldata (Name:string, Count:long) \
                [h@'https://storage/a.csv', 'https://storage/b.csv'] \
                with (format='csv', ignoreFirstRecord=true)\n| where Count > 1";
    let query = parse(text);
    let StatementKind::Expr(expr) = &query.statements[0].kind else {
        panic!()
    };
    let ExprKind::Pipe { input, .. } = &expr.kind else {
        panic!()
    };
    let ExprKind::ExternalData {
        columns,
        uris,
        properties,
    } = &input.kind
    else {
        panic!("{:?}", input.kind)
    };
    assert_eq!(columns.len(), 2);
    assert_eq!(uris.len(), 2);
    assert_eq!(properties.len(), 2);
    assert_eq!(properties[0].name.name, "format");
    // The other spelling, and no properties.
    parse("external_data (x:string) ['a']");
}
