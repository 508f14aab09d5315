//! The date and time functions, checked against the examples of their Kusto docs pages
//! (`https://learn.microsoft.com/kusto/query/<page>`) and, where the docs are silent, against
//! answers the Kusto emulator recorded (`tests/conformance`, cited by case id).

mod common;

use common::{expect, query_error, query_rows, query_types};
use kql_parser::DiagnosticKind;

/// `bin-function`: a number, a timespan and a datetime. (The docs print the timespan as
/// `14:00:00:00`; Kusto's text for 14 days is `14.00:00:00`, as recorded in `bin-function-01`.)
#[test]
fn bin_docs_examples() {
    assert_eq!(query_rows("print bin(4.5, 1)"), expect(&[&["4"]]));
    assert_eq!(query_types("print bin(4.5, 1)"), ["real"]);
    assert_eq!(
        query_rows("print bin(time(16d), 7d)"),
        expect(&[&["14.00:00:00"]])
    );
    assert_eq!(
        query_rows("print bin(datetime(1970-05-11 13:45:07), 1d)"),
        expect(&[&["1970-05-11T00:00:00Z"]])
    );
}

/// `bin-function`: "The `bin()` and `floor()` functions are equivalent".
#[test]
fn floor_is_bin() {
    let query = "print floor(4.5, 1), floor(time(16d), 7d), floor(-1, 3)";
    assert_eq!(query_rows(query), expect(&[&["4", "14.00:00:00", "-3"]]));
}

/// Emulator cases `r2-datetime-timespan/agent-datetime-timespan-0004` and
/// `r2-aggregation/agent-aggregation-0016`: datetime bins count from 0001-01-01 (a Monday),
/// not from 1970 (a Thursday).
#[test]
fn datetime_bins_count_from_year_one() {
    let query = "print a = bin(datetime(1955-11-05 06:15:00), 7d), \
                 b = bin(datetime(2007-03-09), 30d)";
    assert_eq!(
        query_rows(query),
        expect(&[&["1955-10-31T00:00:00Z", "2007-02-14T00:00:00Z"]])
    );
}

/// `bin-function`: "Null values, a null bin size, or a negative bin size will result in
/// null".
#[test]
fn bin_with_a_negative_size_is_null() {
    let query = "print a = bin(5, -1), b = bin(1.5, real(null)), c = bin(long(null), 2)";
    assert_eq!(query_rows(query), expect(&[&["null", "null", "null"]]));
}

/// `startofday-function`, `startofweek-function`, `startofmonth-function`,
/// `startofyear-function`: the examples with offsets -1, 0 and 1.
#[test]
fn startof_docs_examples() {
    let run = |function: &str| {
        query_rows(&format!(
            "range offset from -1 to 1 step 1\n\
             | project start = {function}(datetime(2017-01-01 10:10:17), offset)"
        ))
    };
    assert_eq!(
        run("startofday"),
        expect(&[
            &["2016-12-31T00:00:00Z"],
            &["2017-01-01T00:00:00Z"],
            &["2017-01-02T00:00:00Z"],
        ])
    );
    assert_eq!(
        run("startofweek"),
        expect(&[
            &["2016-12-25T00:00:00Z"],
            &["2017-01-01T00:00:00Z"],
            &["2017-01-08T00:00:00Z"],
        ])
    );
    assert_eq!(
        run("startofmonth"),
        expect(&[
            &["2016-12-01T00:00:00Z"],
            &["2017-01-01T00:00:00Z"],
            &["2017-02-01T00:00:00Z"],
        ])
    );
    assert_eq!(
        run("startofyear"),
        expect(&[
            &["2016-01-01T00:00:00Z"],
            &["2017-01-01T00:00:00Z"],
            &["2018-01-01T00:00:00Z"],
        ])
    );
}

/// `endofday-function`, `endofweek-function`, `endofmonth-function`, `endofyear-function`:
/// the examples with offsets -1, 0 and 1.
#[test]
fn endof_docs_examples() {
    let run = |function: &str| {
        query_rows(&format!(
            "range offset from -1 to 1 step 1\n\
             | project end = {function}(datetime(2017-01-01 10:10:17), offset)"
        ))
    };
    assert_eq!(
        run("endofday"),
        expect(&[
            &["2016-12-31T23:59:59.9999999Z"],
            &["2017-01-01T23:59:59.9999999Z"],
            &["2017-01-02T23:59:59.9999999Z"],
        ])
    );
    assert_eq!(
        run("endofweek"),
        expect(&[
            &["2016-12-31T23:59:59.9999999Z"],
            &["2017-01-07T23:59:59.9999999Z"],
            &["2017-01-14T23:59:59.9999999Z"],
        ])
    );
    assert_eq!(
        run("endofmonth"),
        expect(&[
            &["2016-12-31T23:59:59.9999999Z"],
            &["2017-01-31T23:59:59.9999999Z"],
            &["2017-02-28T23:59:59.9999999Z"],
        ])
    );
    assert_eq!(
        run("endofyear"),
        expect(&[
            &["2016-12-31T23:59:59.9999999Z"],
            &["2017-12-31T23:59:59.9999999Z"],
            &["2018-12-31T23:59:59.9999999Z"],
        ])
    );
}

/// `datetime-add-function`: both examples.
#[test]
fn datetime_add_docs_examples() {
    let query = "let d = make_datetime(2017,1,1);\n\
                 print year = datetime_add('year',1,d), quarter = datetime_add('quarter',1,d), \
                 month = datetime_add('month',1,d), week = datetime_add('week',1,d), \
                 day = datetime_add('day',1,d), hour = datetime_add('hour',1,d), \
                 minute = datetime_add('minute',1,d), second = datetime_add('second',1,d)";
    assert_eq!(
        query_rows(query),
        expect(&[&[
            "2018-01-01T00:00:00Z",
            "2017-04-01T00:00:00Z",
            "2017-02-01T00:00:00Z",
            "2017-01-08T00:00:00Z",
            "2017-01-02T00:00:00Z",
            "2017-01-01T01:00:00Z",
            "2017-01-01T00:01:00Z",
            "2017-01-01T00:00:01Z",
        ]])
    );
    let query = "let d = make_datetime(2017,1,1);\n\
                 print year = datetime_add('year',-5,d), quarter = datetime_add('quarter',12,d), \
                 month = datetime_add('month',-15,d), week = datetime_add('week',100,d)";
    assert_eq!(
        query_rows(query),
        expect(&[&[
            "2012-01-01T00:00:00Z",
            "2020-01-01T00:00:00Z",
            "2015-10-01T00:00:00Z",
            "2018-12-02T00:00:00Z",
        ]])
    );
}

/// Emulator cases `r1-datetime-timespan/agent-datetime-timespan-0021` and
/// `r2-datetime-timespan/agent-datetime-timespan-0009`: months clamp the day.
#[test]
fn datetime_add_clamps_to_the_month() {
    let query = "print a = datetime_add('month', -1, datetime(2020-03-31)), \
                 b = datetime_add('year', 1, datetime(2020-02-29)), \
                 c = datetime_add('quarter', 1, datetime(2020-11-30))";
    assert_eq!(
        query_rows(query),
        expect(&[&[
            "2020-02-29T00:00:00Z",
            "2021-02-28T00:00:00Z",
            "2021-02-28T00:00:00Z",
        ]])
    );
}

/// `datetime-diff-function`: the eleven periods of the example. The recorded answer types
/// the week difference as `real` (`datetime-diff-function-00`); the docs say integer.
#[test]
fn datetime_diff_docs_example() {
    let lines = [
        "year = datetime_diff('year',datetime(2017-01-01),datetime(2000-12-31))",
        "quarter = datetime_diff('quarter',datetime(2017-07-01),datetime(2017-03-30))",
        "month = datetime_diff('month',datetime(2017-01-01),datetime(2015-12-30))",
        "week = datetime_diff('week',datetime(2017-10-29 00:00),datetime(2017-09-30 23:59))",
        "day = datetime_diff('day',datetime(2017-10-29 00:00),datetime(2017-09-30 23:59))",
        "hour = datetime_diff('hour',datetime(2017-10-31 01:00),datetime(2017-10-30 23:59))",
        "minute = datetime_diff('minute',datetime(2017-10-30 23:05:01),\
         datetime(2017-10-30 23:00:59))",
        "second = datetime_diff('second',datetime(2017-10-30 23:00:10.100),\
         datetime(2017-10-30 23:00:00.900))",
        "millisecond = datetime_diff('millisecond',datetime(2017-10-30 23:00:00.200100),\
         datetime(2017-10-30 23:00:00.100900))",
        "microsecond = datetime_diff('microsecond',datetime(2017-10-30 23:00:00.1009001),\
         datetime(2017-10-30 23:00:00.1008009))",
        "nanosecond = datetime_diff('nanosecond',datetime(2017-10-30 23:00:00.0000000),\
         datetime(2017-10-30 23:00:00.0000007))",
    ];
    let query = format!("print\n{}", lines.join(",\n"));
    let query = query.as_str();
    assert_eq!(
        query_rows(query),
        expect(&[&[
            "17", "2", "13", "5", "29", "2", "5", "10", "100", "100", "-700",
        ]])
    );
    let types = query_types(query);
    assert_eq!(types[3], "real");
    assert_eq!(types[0], "long");
}

/// `datetime-part-function`: the twelve parts of the example.
#[test]
fn datetime_part_docs_example() {
    let parts = [
        "year",
        "quarter",
        "month",
        "week_of_year",
        "day",
        "dayOfYear",
        "hour",
        "minute",
        "second",
        "millisecond",
        "microsecond",
        "nanosecond",
    ];
    let columns: Vec<String> = parts
        .iter()
        .map(|part| format!("datetime_part(\"{part}\", dt)"))
        .collect();
    let query = format!(
        "let dt = datetime(2017-10-30 01:02:03.7654321);\nprint {}",
        columns.join(", ")
    );
    let query = query.as_str();
    assert_eq!(
        query_rows(query),
        expect(&[&[
            "2017",
            "4",
            "10",
            "44",
            "30",
            "303",
            "1",
            "2",
            "3",
            "765",
            "765432",
            "765432100",
        ]])
    );
}

/// `day-of-week-function`: a Sunday, a Monday, and the conversion to an integer.
#[test]
fn dayofweek_docs_examples() {
    let query = "print a = dayofweek(datetime(1947-11-30 10:00:05)), \
                 b = dayofweek(datetime(1970-05-11))";
    assert_eq!(query_rows(query), expect(&[&["00:00:00", "1.00:00:00"]]));
    let query = "let dow=dayofweek(datetime(1970-5-12));\n\
                 print Timespan = dow, Integer = toint(dow/1d)";
    assert_eq!(query_rows(query), expect(&[&["2.00:00:00", "2"]]));
}

/// `day-of-month-function`, `day-of-year-function`, `hour-of-day-function`,
/// `getyear-function`, `monthofyear-function` (`getmonth` is equivalent), and
/// `week-of-year-function`.
#[test]
fn part_getters_docs_examples() {
    let query = "print a = dayofmonth(datetime(2015-12-14)), b = dayofyear(datetime(2015-12-14)), \
                 c = hourofday(datetime(2015-12-14 18:54)), d = getyear(datetime(2015-10-12)), \
                 e = monthofyear(datetime(2015-12-14)), f = getmonth(datetime(2015-12-14))";
    assert_eq!(
        query_rows(query),
        expect(&[&["14", "348", "18", "2015", "12", "12"]])
    );
    let query = "print week_of_year(datetime(2020-12-31)), week_of_year(datetime(2020-06-15)), \
                 week_of_year(datetime(1970-01-01)), week_of_year(datetime(2000-01-01))";
    assert_eq!(query_rows(query), expect(&[&["53", "25", "1", "52"]]));
    // Kusto.Language types these getters `int`; the recorded answers type `getyear` and
    // `hourofday` as `long` (`getyear-function-00`, `hour-of-day-function-00`).
    let query = "let d = datetime(2015-12-14); print dayofmonth(d), dayofyear(d), \
                 monthofyear(d), week_of_year(d), getyear(d), hourofday(d)";
    assert_eq!(
        query_types(query),
        ["int", "int", "int", "int", "long", "long"]
    );
}

/// `format-datetime-function`: the three examples.
#[test]
fn format_datetime_docs_examples() {
    let query = "let dt = datetime(2017-01-29 09:00:05);\n\
                 print v1=format_datetime(dt,'yy-MM-dd [HH:mm:ss]'), \
                 v2=format_datetime(dt, 'yyyy-M-dd [H:mm:ss]'), \
                 v3=format_datetime(dt, 'yy-MM-dd [hh:mm:ss tt]')";
    assert_eq!(
        query_rows(query),
        expect(&[&[
            "17-01-29 [09:00:05]",
            "2017-1-29 [9:00:05]",
            "17-01-29 [09:00:05 AM]",
        ]])
    );
}

/// Emulator cases `r2-datetime-timespan/agent-datetime-timespan-0015` and
/// `r3-datetime-timespan/agent-datetime-timespan-0005`: runs longer than an element repeat
/// it (`dddd` is `dd` twice), and `F` drops trailing zeros.
#[test]
fn format_datetime_element_runs() {
    let query = "print a = format_datetime(datetime(2007-03-09 05:04:03), 'dddd, MMMM d, yyyy'), \
                 b = format_datetime(datetime(2020-06-15 13:45:09.0000007), 'FFFFFFF'), \
                 c = format_datetime(datetime(2020-06-15 13:45:09), 'FFFFFFF')";
    assert_eq!(
        query_rows(query),
        expect(&[&["0909, 0303 9, 2007", "0000007", ""]])
    );
}

/// `format-datetime-function` lists the supported elements and delimiters; others are an
/// error (the recorded answer of `r3-datetime-timespan/agent-datetime-timespan-0030`).
#[test]
fn format_datetime_rejects_unknown_elements() {
    let error = query_error("print format_datetime(now(), 'yyyy-MM-ddTHH:mm')");
    assert_eq!(error.kind, DiagnosticKind::Semantic);
    assert!(error.message.contains("`T`"), "{}", error.message);
}

/// `format-timespan-function`: the example.
#[test]
fn format_timespan_docs_example() {
    let query = "let t = time(29.09:00:05.12345);\n\
                 print v1=format_timespan(t, 'dd.hh:mm:ss:FF'), \
                 v2=format_timespan(t, 'ddd.h:mm:ss [fffffff]')";
    assert_eq!(
        query_rows(query),
        expect(&[&["29.09:00:05:12", "029.9:00:05 [1234500]"]])
    );
}

/// Emulator case `r2-datetime-timespan/agent-datetime-timespan-0020`: a negative timespan
/// starts with `-`.
#[test]
fn format_timespan_of_a_negative_timespan() {
    let query = "print a = format_timespan(-1d - 2h - 30m, 'd.hh:mm:ss'), \
                 b = format_timespan(-90s, 'mm:ss')";
    assert_eq!(query_rows(query), expect(&[&["-1.02:30:00", "-01:30"]]));
}

/// `unixtime-seconds-todatetime-function` and `unixtime-milliseconds-todatetime-function`.
#[test]
fn unixtime_docs_examples() {
    let query = "print a = unixtime_seconds_todatetime(1546300800), \
                 b = unixtime_milliseconds_todatetime(1546300800000), \
                 c = unixtime_seconds_todatetime(1546300800.5)";
    assert_eq!(
        query_rows(query),
        expect(&[&[
            "2019-01-01T00:00:00Z",
            "2019-01-01T00:00:00Z",
            "2019-01-01T00:00:00.5Z",
        ]])
    );
}

/// Periods and parts are constants (Kusto.Language's `ArgumentKind.Literal`) from the lists
/// of `datetime-diff-function` and `datetime-part-function`; bin sizes fit the value.
#[test]
fn bad_arguments_are_errors_when_binding() {
    let error = query_error("print datetime_diff('fortnight', now(), now())");
    assert_eq!(error.kind, DiagnosticKind::Semantic);
    assert!(error.message.contains("fortnight"), "{}", error.message);
    let error = query_error("datatable(p:string)['day'] | extend datetime_add(p, 1, now())");
    assert!(error.message.contains("constant"), "{}", error.message);
    let error = query_error("print bin(now(), 5)");
    assert!(
        error.message.contains("bin") && error.message.contains("datetime"),
        "{}",
        error.message
    );
    let error = query_error("print startofday(\"2020-01-01\")");
    assert!(
        error.message.contains("startofday") && error.message.contains("string"),
        "{}",
        error.message
    );
}

/// `bin-at-function`: a real, a timespan, and datetimes aligned to noon and to a Sunday.
#[test]
fn bin_at_docs_examples() {
    assert_eq!(query_rows("print bin_at(6.5, 2.5, 7)"), expect(&[&["4.5"]]));
    assert_eq!(
        query_rows("print bin_at(time(1h), 1d, 12h)"),
        expect(&[&["-12:00:00"]])
    );
    let query = "print bin_at(datetime(2017-05-15 10:20:00.0), 1d, \
                 datetime(1970-01-01 12:00:00.0))";
    assert_eq!(query_rows(query), expect(&[&["2017-05-14T12:00:00Z"]]));
    let query = "print bin_at(datetime(2017-05-17 10:20:00.0), 7d, \
                 datetime(2017-06-04 00:00:00.0))";
    assert_eq!(query_rows(query), expect(&[&["2017-05-14T00:00:00Z"]]));
}

/// `bin-at-function`: daily bins aligned to a fixed point, as `summarize` keys.
#[test]
fn bin_at_as_a_summarize_key() {
    let query = "datatable(Date:datetime, NumOfEvents:int)[\n\
                 datetime(2018-02-24T15:14),3, datetime(2018-02-24T15:24),4,\n\
                 datetime(2018-02-23T16:14),4, datetime(2018-02-23T17:29),4,\n\
                 datetime(2018-02-26T15:14),5]\n\
                 | summarize TotalEvents=sum(NumOfEvents) \
                 by bin_at(Date, 1d, datetime(2018-02-24 15:14:00.0000000))";
    assert_eq!(
        query_rows(query),
        expect(&[
            &["2018-02-23T15:14:00Z", "8"],
            &["2018-02-24T15:14:00Z", "7"],
            &["2018-02-26T15:14:00Z", "5"],
        ])
    );
}

/// `make-datetime-function`: the three examples.
#[test]
fn make_datetime_docs_examples() {
    let query = "print a = make_datetime(2017,10,01), b = make_datetime(2017,10,01,12,10), \
                 c = make_datetime(2017,10,01,12,11,0.1234567), d = make_datetime(2017,2,30)";
    assert_eq!(
        query_rows(query),
        expect(&[&[
            "2017-10-01T00:00:00Z",
            "2017-10-01T12:10:00Z",
            "2017-10-01T12:11:00.1234567Z",
            "null",
        ]])
    );
}

/// Kusto's timespans reach `10675199.02:48:05.4775807`
/// (`r3-datetime-timespan/agent-datetime-timespan-0010`); kql's nanosecond timespans reach
/// about 106751 days, and says so rather than failing with another error.
#[test]
fn timespans_beyond_nanosecond_range_are_not_supported_yet() {
    let error = query_error("print time(10675199.02:48:05.4775807)");
    assert_eq!(error.kind, DiagnosticKind::NotSupported);
    assert!(error.message.contains("106751 days"), "{}", error.message);
    assert_eq!(
        query_rows("print time(100000.00:00:00)"),
        expect(&[&["100000.00:00:00"]])
    );
}

/// `datetime(2025, 6, 14)`: a year, month and day separated by commas, which Kusto reads as
/// that date (`endofweek-function-01`, `startofweek-function-01`). Other lists are errors.
/// `datetime(2017 - 08 - 01)` is 2017-08-01.
#[test]
fn datetime_literal_of_year_month_day() {
    assert_eq!(
        query_rows("print datetime(2025, 6, 14), datetime(2017,08,01)"),
        expect(&[&["2025-06-14T00:00:00Z", "2017-08-01T00:00:00Z"]])
    );
    // Blanks around a date's dashes (`sliding-window-counts-plugin-00`).
    assert_eq!(
        query_rows("print datetime(2017 - 08 - 01)"),
        expect(&[&["2017-08-01T00:00:00Z"]])
    );
    for query in [
        "print datetime(2025, 13, 1)",
        "print datetime(2025, 6)",
        "print datetime(2017 - 08)",
    ] {
        assert_eq!(query_error(query).kind, DiagnosticKind::Semantic, "{query}");
    }
}
