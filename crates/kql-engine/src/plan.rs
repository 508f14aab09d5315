//! The bound plan: what the binder produces and the executor runs.
//!
//! Every expression has its Kusto type and refers to input columns by index; every operator
//! knows its output schema. Names, types and constant arguments were all checked while
//! binding, so execution only fails on data (a division by zero, a bad regex in a column).

use std::sync::Arc;

use arrow::array::ArrayRef;
use arrow::datatypes::{Schema, SchemaRef};
use kql_parser::Span;
use kql_parser::ast::{Case, ListOp, Negation, StringOpKind};
use regex::Regex;

use crate::eval::pattern::{ReplacePattern, SearchPattern};
use crate::types::KustoType;

/// A column of an operator's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The column name.
    pub name: String,
    /// Its Kusto type.
    pub ty: KustoType,
}

impl Column {
    /// A column.
    pub fn new(name: impl Into<String>, ty: KustoType) -> Column {
        Column {
            name: name.into(),
            ty,
        }
    }
}

/// The columns of a tabular result, in order.
pub type Columns = Vec<Column>;

/// The Arrow schema of a column list, with Kusto type tags.
pub fn arrow_schema(columns: &[Column]) -> SchemaRef {
    Arc::new(Schema::new(
        columns
            .iter()
            .map(|c| c.ty.field(&c.name))
            .collect::<Vec<_>>(),
    ))
}

/// A tabular plan node.
#[derive(Debug, Clone)]
pub struct Plan {
    /// What the node does.
    pub kind: PlanKind,
    /// Its output columns.
    pub columns: Columns,
}

/// The tabular operations.
#[derive(Debug, Clone)]
pub enum PlanKind {
    /// Read a registered table.
    Scan {
        /// The table name.
        table: String,
    },
    /// The result of a tabular `let`, computed once per query however often it is used.
    Shared {
        /// Index into the query's shared plans.
        id: usize,
    },
    /// Inline rows: `datatable`, `print`.
    Values {
        /// One array per column, all of the same length.
        arrays: Vec<ArrayRef>,
    },
    /// `where`: keep rows whose predicate is true.
    Filter {
        /// The input.
        input: Box<Plan>,
        /// A `bool` expression; null counts as false.
        predicate: BoundExpr,
    },
    /// `extend`, `project`: compute the output columns from the input row.
    Project {
        /// The input.
        input: Box<Plan>,
        /// One expression per output column.
        exprs: Vec<BoundExpr>,
    },
    /// `join`.
    Join(Box<JoinPlan>),
    /// `take`/`limit`: the first `count` rows (Kusto promises no particular rows).
    Take {
        /// The input.
        input: Box<Plan>,
        /// How many rows at most.
        count: usize,
    },
    /// `sort`/`order`: rows ordered by the keys, first key first.
    Sort {
        /// The input.
        input: Box<Plan>,
        /// The ordering terms.
        keys: Vec<SortKey>,
    },
    /// `summarize`, `count`, `distinct`: one row per distinct key, with aggregates.
    Aggregate(Box<AggregatePlan>),
    /// `as Name`: the input unchanged, named (for `union withsource=`).
    Alias {
        /// The input.
        input: Box<Plan>,
        /// The name given with `as`.
        name: String,
    },
    /// `mv-expand`: one row per element of dynamic arrays (or properties of bags).
    MvExpand(Box<MvExpandPlan>),
    /// `union`: the rows of every input, their columns mapped onto the output's.
    Union {
        /// The inputs, each with the input column that fills each output column, or `None`
        /// for an empty cell.
        inputs: Vec<(Plan, Vec<Option<usize>>)>,
        /// With `withsource=`: the name written in the first column for each input.
        sources: Option<Vec<String>>,
    },
}

/// A bound `mv-expand`.
#[derive(Debug, Clone)]
pub struct MvExpandPlan {
    /// The input.
    pub input: Plan,
    /// The expanded values, each with the output column it fills and the type it is cast to.
    pub expansions: Vec<Expansion>,
    /// Expand property bags as `[key, value]` arrays (`kind=array`) instead of
    /// `{key: value}` bags.
    pub bags_as_arrays: bool,
    /// With `with_itemindex=`: the output column of the element's index.
    pub index_column: Option<usize>,
    /// The most rows one input row expands to.
    pub limit: usize,
}

/// One expanded value of `mv-expand`.
#[derive(Debug, Clone)]
pub struct Expansion {
    /// The dynamic value to expand.
    pub expr: BoundExpr,
    /// The output column its elements fill.
    pub column: usize,
    /// The type the elements are cast to (`to typeof(...)`); `dynamic` without it.
    pub ty: KustoType,
}

/// A bound ordering term.
#[derive(Debug, Clone)]
pub struct SortKey {
    /// What is sorted on.
    pub expr: BoundExpr,
    /// Descending (Kusto's default) or ascending.
    pub descending: bool,
    /// Nulls before other values.
    pub nulls_first: bool,
}

/// A bound `summarize`: keys first in the output, then one column per aggregate.
#[derive(Debug, Clone)]
pub struct AggregatePlan {
    /// The input.
    pub input: Plan,
    /// The group keys.
    pub keys: Vec<BoundExpr>,
    /// The aggregates, in output order (an `arg_max(x, *)` gives several columns).
    pub aggregates: Vec<Aggregate>,
}

/// One aggregate function call.
#[derive(Debug, Clone)]
pub struct Aggregate {
    /// The function.
    pub function: AggregateFunction,
    /// Its arguments: the value (if any), then the predicate for `*if` forms.
    pub args: Vec<BoundExpr>,
    /// For `arg_max`/`arg_min`: the input columns returned with the extreme value.
    pub carried: Vec<usize>,
    /// For `make_set`/`make_list`: the most elements kept.
    pub max_size: usize,
}

/// The aggregation functions of `summarize`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggregateFunction {
    /// `count()`: rows in the group.
    Count,
    /// `countif(p)`.
    CountIf,
    /// `dcount(x)`: distinct non-null values (exact in kql; Kusto estimates).
    DCount,
    /// `dcountif(x, p)`.
    DCountIf,
    /// `sum(x)`.
    Sum,
    /// `sumif(x, p)`.
    SumIf,
    /// `avg(x)`.
    Avg,
    /// `avgif(x, p)`.
    AvgIf,
    /// `min(x)`.
    Min,
    /// `max(x)`.
    Max,
    /// `minif(x, p)`.
    MinIf,
    /// `maxif(x, p)`.
    MaxIf,
    /// `make_set(x)`: distinct values as a dynamic array.
    MakeSet,
    /// `make_set_if(x, p)`.
    MakeSetIf,
    /// `make_list(x)`: all values as a dynamic array.
    MakeList,
    /// `make_list_if(x, p)`.
    MakeListIf,
    /// `arg_max(x, cols)`: the row where `x` is largest.
    ArgMax,
    /// `arg_min(x, cols)`: the row where `x` is smallest.
    ArgMin,
    /// `take_any(x)`: any value of the group.
    TakeAny,
}

/// A bound `join`.
#[derive(Debug, Clone)]
pub struct JoinPlan {
    /// The left input.
    pub left: Plan,
    /// The right input.
    pub right: Plan,
    /// The join flavour.
    pub kind: JoinKind,
    /// Key column indexes on the left, pairwise equal to `right_keys`.
    pub left_keys: Vec<usize>,
    /// Key column indexes on the right.
    pub right_keys: Vec<usize>,
    /// The common type each key pair is compared in.
    pub key_types: Vec<KustoType>,
    /// The `join` or `lookup` operator in the query text, for errors such as a row budget
    /// exceeded.
    pub span: Span,
}

/// The join kinds of `K:join-operator`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinKind {
    /// The default: the left side de-duplicated on the key, then an inner join.
    InnerUnique,
    /// Every matching pair.
    Inner,
    /// Matches plus unmatched left rows.
    LeftOuter,
    /// Matches plus unmatched right rows.
    RightOuter,
    /// Matches plus unmatched rows of both sides.
    FullOuter,
    /// Left rows with a match, once each.
    LeftSemi,
    /// Left rows without a match.
    LeftAnti,
    /// Right rows with a match, once each.
    RightSemi,
    /// Right rows without a match.
    RightAnti,
}

impl JoinKind {
    /// The kind named in `kind=...`, with the documented aliases.
    pub fn from_name(name: &str) -> Option<JoinKind> {
        Some(match name {
            "innerunique" => JoinKind::InnerUnique,
            "inner" => JoinKind::Inner,
            "leftouter" => JoinKind::LeftOuter,
            "rightouter" => JoinKind::RightOuter,
            "fullouter" => JoinKind::FullOuter,
            "leftsemi" => JoinKind::LeftSemi,
            "leftanti" | "anti" | "leftantisemi" => JoinKind::LeftAnti,
            "rightsemi" => JoinKind::RightSemi,
            "rightanti" | "rightantisemi" => JoinKind::RightAnti,
            _ => return None,
        })
    }

    /// Whether the output has the left columns, the right columns, or both.
    pub fn output_sides(self) -> (bool, bool) {
        match self {
            JoinKind::LeftSemi | JoinKind::LeftAnti => (true, false),
            JoinKind::RightSemi | JoinKind::RightAnti => (false, true),
            _ => (true, true),
        }
    }
}

/// A bound scalar expression.
#[derive(Debug, Clone)]
pub struct BoundExpr {
    /// What it computes.
    pub kind: ExprKind,
    /// Its Kusto type.
    pub ty: KustoType,
    /// Where it came from in the query, for runtime errors.
    pub span: Span,
}

/// The bound scalar expressions.
#[derive(Debug, Clone)]
pub enum ExprKind {
    /// An input column by index.
    Column(usize),
    /// A constant: a one-element array of the expression's type.
    Literal(ArrayRef),
    /// A column the query names but no input has, bound in the permissive mode
    /// (`allow_missing_columns`): every row is empty (`""` for strings, else null).
    Missing(String),
    /// The operand converted to this expression's type (numeric widening, for example).
    Cast(Box<BoundExpr>),
    /// Arithmetic: `+ - * / %`, operands already of compatible types.
    Arithmetic {
        /// The operator.
        op: ArithmeticOp,
        /// Left operand.
        left: Box<BoundExpr>,
        /// Right operand.
        right: Box<BoundExpr>,
    },
    /// `== != < <= > >=` on numbers, datetimes, timespans, bools and strings.
    Compare {
        /// The operator.
        op: CompareOp,
        /// Left operand.
        left: Box<BoundExpr>,
        /// Right operand.
        right: Box<BoundExpr>,
    },
    /// `and`, with Kusto's three-valued logic.
    And(Box<BoundExpr>, Box<BoundExpr>),
    /// `or`, with Kusto's three-valued logic.
    Or(Box<BoundExpr>, Box<BoundExpr>),
    /// `not(x)`.
    Not(Box<BoundExpr>),
    /// `-x`.
    Negate(Box<BoundExpr>),
    /// `==`/`!=`/`=~`/`!~` and the string predicates (`has`, `contains`...).
    StringMatch {
        /// What is matched.
        kind: StringMatchKind,
        /// Case sensitivity.
        case: Case,
        /// Whether the result is negated.
        negation: Negation,
        /// The haystack.
        haystack: Box<BoundExpr>,
        /// The needle.
        needle: Box<BoundExpr>,
    },
    /// `matches regex` with a pattern known when binding.
    MatchesRegex {
        /// The searched string.
        haystack: Box<BoundExpr>,
        /// The compiled pattern, prepared for searching.
        regex: Arc<SearchPattern>,
    },
    /// `in`, `!in`, `in~`, `!in~`, `has_any`, `has_all` against constant items.
    List {
        /// The operator.
        op: ListOp,
        /// The tested expression.
        left: Box<BoundExpr>,
        /// The items, as one constant array per item (dynamic arrays are flattened).
        items: Vec<BoundExpr>,
    },
    /// A scalar function call.
    Call {
        /// The function.
        function: Function,
        /// The arguments, already checked.
        args: Vec<BoundExpr>,
    },
    /// One column of `parse`: capture group `group` of the first match of `regex` in
    /// `source`, converted to the expression's type; null (`""` for strings) without a
    /// match or when the text does not convert.
    ParseCapture {
        /// The parsed text.
        source: Box<BoundExpr>,
        /// The pattern built from the `parse` operator's pattern.
        regex: Arc<Regex>,
        /// The capture group of this column.
        group: usize,
        /// Every extracted column's group and type: in strict modes (`simple`, `regex`) a
        /// row whose value for any of them does not convert gets no value in any.
        all: Arc<[(usize, KustoType)]>,
        /// `simple` and `regex` are strict; `relaxed` is not.
        strict: bool,
    },
    /// `replace_regex(source, regex, rewrite)` with constant regex and rewrite.
    ReplaceRegex {
        /// The text to rewrite.
        source: Box<BoundExpr>,
        /// The compiled pattern and the rewrite in the regex crate's syntax (`${1}`, `$$`).
        pattern: Arc<ReplacePattern>,
    },
}

/// Calls `f` on every node of an expression, parents before children.
pub fn visit(expr: &BoundExpr, f: &mut dyn FnMut(&BoundExpr)) {
    f(expr);
    match &expr.kind {
        ExprKind::Column(_) | ExprKind::Literal(_) | ExprKind::Missing(_) => {}
        ExprKind::Cast(inner) | ExprKind::Negate(inner) | ExprKind::Not(inner) => visit(inner, f),
        ExprKind::And(left, right)
        | ExprKind::Or(left, right)
        | ExprKind::Arithmetic { left, right, .. }
        | ExprKind::Compare { left, right, .. } => {
            visit(left, f);
            visit(right, f);
        }
        ExprKind::StringMatch {
            haystack, needle, ..
        } => {
            visit(haystack, f);
            visit(needle, f);
        }
        ExprKind::MatchesRegex { haystack, .. } => visit(haystack, f),
        ExprKind::List { left, items, .. } => {
            visit(left, f);
            items.iter().for_each(|item| visit(item, f));
        }
        ExprKind::Call { args, .. } => args.iter().for_each(|arg| visit(arg, f)),
        ExprKind::ParseCapture { source, .. } | ExprKind::ReplaceRegex { source, .. } => {
            visit(source, f)
        }
    }
}

/// Rebuilds an expression with every `Column(i)` node replaced by `f(i, node)`.
pub fn map_columns(expr: BoundExpr, f: &mut dyn FnMut(usize, BoundExpr) -> BoundExpr) -> BoundExpr {
    let boxed = |inner: Box<BoundExpr>, f: &mut dyn FnMut(usize, BoundExpr) -> BoundExpr| {
        Box::new(map_columns(*inner, f))
    };
    let BoundExpr { kind, ty, span } = expr;
    let kind = match kind {
        ExprKind::Column(index) => {
            return f(
                index,
                BoundExpr {
                    kind: ExprKind::Column(index),
                    ty,
                    span,
                },
            );
        }
        ExprKind::Literal(_) | ExprKind::Missing(_) => kind,
        ExprKind::Cast(inner) => ExprKind::Cast(boxed(inner, f)),
        ExprKind::Negate(inner) => ExprKind::Negate(boxed(inner, f)),
        ExprKind::Not(inner) => ExprKind::Not(boxed(inner, f)),
        ExprKind::And(left, right) => ExprKind::And(boxed(left, f), boxed(right, f)),
        ExprKind::Or(left, right) => ExprKind::Or(boxed(left, f), boxed(right, f)),
        ExprKind::Arithmetic { op, left, right } => ExprKind::Arithmetic {
            op,
            left: boxed(left, f),
            right: boxed(right, f),
        },
        ExprKind::Compare { op, left, right } => ExprKind::Compare {
            op,
            left: boxed(left, f),
            right: boxed(right, f),
        },
        ExprKind::StringMatch {
            kind,
            case,
            negation,
            haystack,
            needle,
        } => ExprKind::StringMatch {
            kind,
            case,
            negation,
            haystack: boxed(haystack, f),
            needle: boxed(needle, f),
        },
        ExprKind::MatchesRegex { haystack, regex } => ExprKind::MatchesRegex {
            haystack: boxed(haystack, f),
            regex,
        },
        ExprKind::List { op, left, items } => ExprKind::List {
            op,
            left: boxed(left, f),
            items: items.into_iter().map(|item| map_columns(item, f)).collect(),
        },
        ExprKind::Call { function, args } => ExprKind::Call {
            function,
            args: args.into_iter().map(|arg| map_columns(arg, f)).collect(),
        },
        ExprKind::ParseCapture {
            source,
            regex,
            group,
            all,
            strict,
        } => ExprKind::ParseCapture {
            source: boxed(source, f),
            regex,
            group,
            all,
            strict,
        },
        ExprKind::ReplaceRegex { source, pattern } => ExprKind::ReplaceRegex {
            source: boxed(source, f),
            pattern,
        },
    };
    BoundExpr { kind, ty, span }
}

/// String comparisons and predicates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StringMatchKind {
    /// Whole-string equality (`==`, `=~`).
    Equals,
    /// `has`: a whole term.
    Has,
    /// `hasprefix`.
    HasPrefix,
    /// `hassuffix`.
    HasSuffix,
    /// `contains`.
    Contains,
    /// `startswith`.
    StartsWith,
    /// `endswith`.
    EndsWith,
}

impl StringMatchKind {
    /// The matching kind of a parsed string operator; `None` for `matches regex`.
    pub fn of(kind: StringOpKind) -> Option<StringMatchKind> {
        Some(match kind {
            StringOpKind::Has => StringMatchKind::Has,
            StringOpKind::HasPrefix => StringMatchKind::HasPrefix,
            StringOpKind::HasSuffix => StringMatchKind::HasSuffix,
            StringOpKind::Contains => StringMatchKind::Contains,
            StringOpKind::StartsWith => StringMatchKind::StartsWith,
            StringOpKind::EndsWith => StringMatchKind::EndsWith,
            StringOpKind::MatchesRegex => return None,
        })
    }
}

/// Arithmetic operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithmeticOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Mod,
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// `==`
    Eq,
    /// `!=`
    NotEq,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

pub use crate::functions::Function;
