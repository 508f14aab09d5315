//! The typed syntax tree of a KQL query.
//!
//! Every node that a diagnostic may point at carries a [`Span`]. Nodes are built by
//! [`crate::parse`] and printed back as canonical KQL by their `Display` impls.
//!
//! Tabular and scalar expressions share one [`Expr`] type: whether `SecurityEvent` names a
//! table or a column, and whether `(X)` is a table or a number, is only known once names are
//! bound against a schema, which is the engine's job.

use crate::span::Span;

/// A whole query: statements separated by `;`.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// The statements in text order.
    pub statements: Vec<Statement>,
    /// The whole query text.
    pub span: Span,
}

/// One statement of a query.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// What kind of statement this is.
    pub kind: StatementKind,
    /// Where it is in the text.
    pub span: Span,
}

/// The kinds of statement.
#[derive(Debug, Clone, PartialEq)]
pub enum StatementKind {
    /// `let lookbacktime = 90d` or `let f = (x:long) { x + 1 }`.
    Let(LetStatement),
    /// `set notruncation` or `set query_now = datetime(2024-01-01)`.
    Set(SetStatement),
    /// A tabular expression whose result the query returns: `T | where x > 1`.
    Expr(Expr),
}

/// `let Name = Value`.
#[derive(Debug, Clone, PartialEq)]
pub struct LetStatement {
    /// The bound name.
    pub name: Ident,
    /// What it is bound to.
    pub value: LetValue,
}

/// The right-hand side of a `let`.
#[derive(Debug, Clone, PartialEq)]
pub enum LetValue {
    /// A scalar or tabular expression: `90d`, `SecurityEvent | where ...`.
    Expr(Expr),
    /// A user-defined function: `(x:long, T:(a:string)) { T | where a == x }`.
    Function(FunctionDef),
}

/// A function defined with `let f = (params) { body }`.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionDef {
    /// The declared parameters.
    pub params: Vec<Param>,
    /// `let` and `set` statements inside the body, before its result expression.
    pub statements: Vec<Statement>,
    /// The expression the function returns.
    pub body: Box<Expr>,
    /// From `(` to the closing `}`.
    pub span: Span,
}

/// One function parameter: `x:long`, `x:long = 5`, `T:(a:string)` or `T:(*)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// The parameter name.
    pub name: Ident,
    /// Its declared type.
    pub ty: ParamType,
    /// A default value, for scalar parameters.
    pub default: Option<Expr>,
}

/// The declared type of a function parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamType {
    /// A scalar type: `long`.
    Scalar(TypeName),
    /// A table with at least these columns: `(a:string, b:long)`; empty for `(*)`.
    Tabular(Vec<ColumnDecl>),
}

/// `Name:type`, as in `datatable(Name:string)` and tabular parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnDecl {
    /// The column name.
    pub name: Ident,
    /// Its type.
    pub ty: TypeName,
}

/// A type name as written: `long`, `string`, `datetime`, `dynamic`...
#[derive(Debug, Clone, PartialEq)]
pub struct TypeName {
    /// The name as written (aliases such as `double` or `date` are kept).
    pub name: String,
    /// Where it is in the text.
    pub span: Span,
}

/// `set Name [= Value]`.
#[derive(Debug, Clone, PartialEq)]
pub struct SetStatement {
    /// The option name, such as `notruncation` or `query_now`.
    pub name: Ident,
    /// Its value, if one is given.
    pub value: Option<Expr>,
}

/// A name: an identifier such as `TimeGenerated` or a bracketed `['name with spaces']`.
#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    /// The name itself, without brackets or quotes.
    pub name: String,
    /// Where it is in the text.
    pub span: Span,
}

impl Ident {
    /// A name with a span.
    pub fn new(name: impl Into<String>, span: Span) -> Ident {
        Ident {
            name: name.into(),
            span,
        }
    }
}

/// An expression: scalar or tabular.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What kind of expression this is.
    pub kind: ExprKind,
    /// Where it is in the text.
    pub span: Span,
}

impl Expr {
    /// An expression with a span.
    pub fn new(kind: ExprKind, span: Span) -> Expr {
        Expr { kind, span }
    }
}

/// The kinds of expression.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A literal value: `42`, `'text'`, `90d`, `datetime(2024-01-01)`.
    Literal(Literal),
    /// A name: a column, a `let` name or a table: `TimeGenerated`, `['my col']`.
    Name(Ident),
    /// `*`, as an argument: `arg_max(TimeGenerated, *)`.
    Star,
    /// `(expr)`: kept so the printed query has the same shape as the original.
    Paren(Box<Expr>),
    /// `object.member`: `EventData.CommandLine`, `$left.Key`.
    Member {
        /// The expression before the dot.
        object: Box<Expr>,
        /// The name after the dot.
        member: Ident,
    },
    /// `object[index]`: `Tags[0]`, `Bag['key']`.
    Index {
        /// The indexed expression.
        object: Box<Expr>,
        /// The index.
        index: Box<Expr>,
    },
    /// `name(args)`: `coalesce(a, b)`, `ago(1d)`, `count()`.
    Call {
        /// The function name.
        name: Ident,
        /// The arguments in order.
        args: Vec<Argument>,
    },
    /// `-x`, `+x`.
    Unary {
        /// The operator.
        op: UnaryOp,
        /// The operand.
        operand: Box<Expr>,
    },
    /// `left op right`: `a + b`, `x == 1`, `s has "bits"`, `s matches regex p`.
    Binary {
        /// The operator.
        op: BinaryOp,
        /// The left operand.
        left: Box<Expr>,
        /// The right operand.
        right: Box<Expr>,
    },
    /// `left op (items)`: `x in (1, 2)`, `s has_any ("a", "b")`, `x in (T | project c)`.
    List {
        /// The operator.
        op: ListOp,
        /// The tested expression.
        left: Box<Expr>,
        /// The parenthesised items.
        items: Vec<Expr>,
    },
    /// `x between (low .. high)` and `x !between (low .. high)`.
    Between {
        /// `between` or `!between`.
        negated: Negation,
        /// The tested expression.
        left: Box<Expr>,
        /// The lower bound, included.
        low: Box<Expr>,
        /// The upper bound, included.
        high: Box<Expr>,
    },
    /// `input | operator`.
    Pipe {
        /// The tabular input.
        input: Box<Expr>,
        /// The operator applied to it.
        operator: Box<Operator>,
    },
    /// `print x = 1, 'a'`: one row of computed columns.
    Print(Vec<Assignment>),
    /// `range x from 1 to 10 step 1`.
    Range {
        /// The generated column.
        column: Ident,
        /// The first value.
        from: Box<Expr>,
        /// The last value (included when reached).
        to: Box<Expr>,
        /// The increment.
        step: Box<Expr>,
    },
    /// `datatable(a:long, b:string) [1, 'x', 2, 'y']`.
    Datatable {
        /// The declared columns.
        columns: Vec<ColumnDecl>,
        /// The values, row after row.
        values: Vec<Expr>,
    },
    /// `externaldata (a:string) ['https://x/a.csv'] with (format='csv')`.
    ExternalData {
        /// The declared columns.
        columns: Vec<ColumnDecl>,
        /// Where the rows are: storage URIs or file paths, as string expressions.
        uris: Vec<Expr>,
        /// The `with (...)` properties, such as `format`.
        properties: Vec<OperatorParam>,
    },
    /// `union T1, T2` at the start of a pipeline.
    Union(Union),
}

/// Whether an operator is negated (`!between`) or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Negation {
    /// The plain form.
    Plain,
    /// The `!` form.
    Negated,
}

/// A function argument, optionally named: `x` or `name = x`.
#[derive(Debug, Clone, PartialEq)]
pub struct Argument {
    /// The parameter name, for named arguments.
    pub name: Option<Ident>,
    /// The value.
    pub value: Expr,
}

/// A column definition in `extend`, `project`, `summarize`, `print`: `Name = expr` or `expr`.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    /// The column name, when given.
    pub name: Option<Ident>,
    /// The value.
    pub value: Expr,
}

/// Prefix operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    /// `-x`
    Neg,
    /// `+x`
    Plus,
}

/// Binary operators, named after the Kusto documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    /// `or`
    Or,
    /// `and`
    And,
    /// `==`
    Eq,
    /// `!=` (also written `<>`)
    NotEq,
    /// `=~`: case-insensitive string equality.
    EqCi,
    /// `!~`
    NotEqCi,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
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
    /// A string predicate such as `has`, `!contains_cs` or `matches regex`.
    String(StringOp),
}

/// The string predicates: `has`, `contains`, `startswith`... with their `!` and `_cs` forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StringOp {
    /// What is matched.
    pub kind: StringOpKind,
    /// Whether case matters (`_cs`).
    pub case: Case,
    /// Whether the result is negated (`!`).
    pub negation: Negation,
}

/// The families of string predicate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StringOpKind {
    /// `has`: a whole term.
    Has,
    /// `hasprefix`: a term prefix.
    HasPrefix,
    /// `hassuffix`: a term suffix.
    HasSuffix,
    /// `contains`: a substring.
    Contains,
    /// `startswith`: a prefix.
    StartsWith,
    /// `endswith`: a suffix.
    EndsWith,
    /// `matches regex`: an unanchored regex search (always case-sensitive, never negated).
    MatchesRegex,
}

/// Case sensitivity of a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// Case matters (`_cs`, `==`, `in`).
    Sensitive,
    /// Case is ignored (`has`, `=~`, `in~`).
    Insensitive,
}

impl StringOp {
    /// The operator as written: `!has_cs`, `contains`, `matches regex`.
    pub fn text(self) -> String {
        if self.kind == StringOpKind::MatchesRegex {
            return "matches regex".to_string();
        }
        let bang = if self.negation == Negation::Negated {
            "!"
        } else {
            ""
        };
        let name = match self.kind {
            StringOpKind::Has => "has",
            StringOpKind::HasPrefix => "hasprefix",
            StringOpKind::HasSuffix => "hassuffix",
            StringOpKind::Contains => "contains",
            StringOpKind::StartsWith => "startswith",
            StringOpKind::EndsWith => "endswith",
            StringOpKind::MatchesRegex => "matches regex",
        };
        let cs = if self.case == Case::Sensitive {
            "_cs"
        } else {
            ""
        };
        format!("{bang}{name}{cs}")
    }

    /// Parses the operator text, the inverse of [`StringOp::text`].
    pub fn from_text(text: &str) -> Option<StringOp> {
        if text.starts_with("matches") {
            return Some(StringOp {
                kind: StringOpKind::MatchesRegex,
                case: Case::Sensitive,
                negation: Negation::Plain,
            });
        }
        let (negation, rest) = match text.strip_prefix('!') {
            Some(rest) => (Negation::Negated, rest),
            None => (Negation::Plain, text),
        };
        let (case, name) = match rest.strip_suffix("_cs") {
            Some(name) => (Case::Sensitive, name),
            None => (Case::Insensitive, rest),
        };
        let kind = match name {
            "has" => StringOpKind::Has,
            "hasprefix" => StringOpKind::HasPrefix,
            "hassuffix" => StringOpKind::HasSuffix,
            "contains" => StringOpKind::Contains,
            "startswith" => StringOpKind::StartsWith,
            "endswith" => StringOpKind::EndsWith,
            _ => return None,
        };
        Some(StringOp {
            kind,
            case,
            negation,
        })
    }
}

/// Operators whose right side is a parenthesised list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListOp {
    /// `in`: equal to one of the items (case-sensitive).
    In,
    /// `!in`
    NotIn,
    /// `in~`: case-insensitive `in`.
    InCi,
    /// `!in~`
    NotInCi,
    /// `has_any`: has one of the terms.
    HasAny,
    /// `has_all`: has every term.
    HasAll,
}

impl ListOp {
    /// The operator as written.
    pub fn text(self) -> &'static str {
        match self {
            ListOp::In => "in",
            ListOp::NotIn => "!in",
            ListOp::InCi => "in~",
            ListOp::NotInCi => "!in~",
            ListOp::HasAny => "has_any",
            ListOp::HasAll => "has_all",
        }
    }
}

/// A literal value.
///
/// Two literals are equal when they are written the same way: unlike `f64`, `real(nan)`
/// equals `real(nan)`, so that a query with one still equals itself.
#[derive(Debug, Clone)]
pub enum Literal {
    /// `true`, `false`, `bool(true)`.
    Bool(bool),
    /// `int(2)`: only written with the `int(...)` form.
    Int(i32),
    /// `42`, `0xff`, `long(-1)`.
    Long(i64),
    /// `1.5`, `1e3`, `real(nan)`.
    Real(f64),
    /// `decimal(1.5)`: the text between the parentheses.
    Decimal(String),
    /// A string in any of its written forms, with escapes resolved.
    String(StringLiteral),
    /// `datetime(2024-01-01 10:00)`: the text between the parentheses, checked by the engine.
    DateTime(String),
    /// `90d`, `1.5h`, `time(1.02:03:04)`: a duration in ticks of 100 ns.
    TimeSpan(i64),
    /// `guid(...)`: the text between the parentheses.
    Guid(String),
    /// `dynamic([1, 'a'])`, `dynamic({"k": 1})`.
    Dynamic(DynamicValue),
    /// `long(null)`, `datetime(null)`...: a typed null.
    Null(TypeName),
}

impl PartialEq for Literal {
    fn eq(&self, other: &Literal) -> bool {
        match (self, other) {
            (Literal::Bool(a), Literal::Bool(b)) => a == b,
            (Literal::Int(a), Literal::Int(b)) => a == b,
            (Literal::Long(a), Literal::Long(b)) => a == b,
            (Literal::Real(a), Literal::Real(b)) => a == b || (a.is_nan() && b.is_nan()),
            (Literal::Decimal(a), Literal::Decimal(b)) => a == b,
            (Literal::String(a), Literal::String(b)) => a == b,
            (Literal::DateTime(a), Literal::DateTime(b)) => a == b,
            (Literal::TimeSpan(a), Literal::TimeSpan(b)) => a == b,
            (Literal::Guid(a), Literal::Guid(b)) => a == b,
            (Literal::Dynamic(a), Literal::Dynamic(b)) => a == b,
            (Literal::Null(a), Literal::Null(b)) => a == b,
            _ => false,
        }
    }
}

/// A string literal's value and how it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct StringLiteral {
    /// The value, with escapes resolved and adjacent literals joined.
    pub value: String,
    /// Written with the `h` prefix (obfuscated in Kusto's logs).
    pub obfuscated: bool,
}

/// The value inside `dynamic(...)`.
#[derive(Debug, Clone, PartialEq)]
pub enum DynamicValue {
    /// `null`
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer.
    Long(i64),
    /// A floating-point number.
    Real(f64),
    /// A string.
    String(String),
    /// `datetime(...)` inside a dynamic literal: its text.
    DateTime(String),
    /// A timespan inside a dynamic literal, in ticks.
    TimeSpan(i64),
    /// `[a, b]`.
    Array(Vec<DynamicValue>),
    /// `{"k": v}`, keys in written order.
    Bag(Vec<(String, DynamicValue)>),
}

/// A tabular operator after a `|`.
#[derive(Debug, Clone, PartialEq)]
pub struct Operator {
    /// What kind of operator this is.
    pub kind: OperatorKind,
    /// From its keyword to its end.
    pub span: Span,
}

/// The tabular operators, named after the Kusto documentation.
#[derive(Debug, Clone, PartialEq)]
pub enum OperatorKind {
    /// `where Predicate` (also written `filter`).
    Where(Expr),
    /// `extend A = expr, B = expr`.
    Extend(Vec<Assignment>),
    /// `project A, B = expr`.
    Project(Vec<Assignment>),
    /// `project-away A, B*`.
    ProjectAway(Vec<ColumnPattern>),
    /// `project-keep A, B*`.
    ProjectKeep(Vec<ColumnPattern>),
    /// `project-rename New = Old`.
    ProjectRename(Vec<Rename>),
    /// `project-reorder A, B* asc`.
    ProjectReorder(Vec<ReorderColumn>),
    /// `summarize count() by State`.
    Summarize(Summarize),
    /// `count`.
    Count,
    /// `count as Name`: the count in a column called `Name` (Kusto.Language's
    /// `CountAsIdentifierClause`).
    CountAs(Ident),
    /// `take 10` (also written `limit 10`).
    Take(Expr),
    /// `top 10 by Count desc`.
    Top(Top),
    /// `sort by A asc, B` (also written `order by`).
    Sort(Vec<SortKey>),
    /// `distinct A, B` or `distinct *`.
    Distinct(Vec<Expr>),
    /// `union T2, T3`.
    Union(Union),
    /// `join kind=inner (T) on Key`.
    Join(Join),
    /// `lookup kind=leftouter (T) on Key`.
    Lookup(Lookup),
    /// `mv-expand Tags to typeof(string)`.
    MvExpand(MvExpand),
    /// `parse kind=regex Col with "x=" X:long`.
    Parse(Parse),
    /// `as Name`.
    As(Ident),
    /// `render timechart`: accepted and ignored; kql does not draw charts.
    Render(Render),
    /// `invoke f(1)`.
    Invoke(Expr),
    /// `evaluate bag_unpack(Col)`: plugins.
    Evaluate(Evaluate),
    /// `getschema`.
    GetSchema,
    /// `serialize` or `serialize Row = row_number()`.
    Serialize(Vec<Assignment>),
}

/// A column name that may hold `*` wildcards: `Account*`.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnPattern {
    /// The pattern as written (bracketed names have their brackets removed).
    pub pattern: String,
    /// Where it is in the text.
    pub span: Span,
}

/// `New = Old` in `project-rename`.
#[derive(Debug, Clone, PartialEq)]
pub struct Rename {
    /// The new name.
    pub new: Ident,
    /// The existing column.
    pub old: Ident,
}

/// One column of `project-reorder`, with an optional `asc`/`desc` for wildcards.
#[derive(Debug, Clone, PartialEq)]
pub struct ReorderColumn {
    /// The column or pattern.
    pub pattern: ColumnPattern,
    /// The order of the columns a wildcard matches.
    pub order: Option<SortOrder>,
}

/// `summarize [Aggregates] [by Keys]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Summarize {
    /// The aggregate columns: `count()`, `Total = sum(x)`.
    pub aggregates: Vec<Assignment>,
    /// The group keys after `by`.
    pub by: Vec<Assignment>,
}

/// `top N by Expr [asc|desc] [nulls first|last]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Top {
    /// How many rows.
    pub count: Expr,
    /// The ordering.
    pub by: SortKey,
}

/// An ordering term: `Expr [asc|desc] [nulls first|last]`.
#[derive(Debug, Clone, PartialEq)]
pub struct SortKey {
    /// The sorted expression.
    pub expr: Expr,
    /// `asc` or `desc` when written (Kusto's default is `desc`).
    pub order: Option<SortOrder>,
    /// `nulls first` or `nulls last` when written.
    pub nulls: Option<NullsPosition>,
}

/// `asc` or `desc`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortOrder {
    /// `asc`
    Ascending,
    /// `desc`
    Descending,
}

/// `nulls first` or `nulls last`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NullsPosition {
    /// `nulls first`
    First,
    /// `nulls last`
    Last,
}

/// `union [kind=..] [withsource=Col] [isfuzzy=true] T1, T2, (expr)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Union {
    /// Parameters such as `kind=inner`, `withsource=Source`, `isfuzzy=true`, in written order.
    pub params: Vec<OperatorParam>,
    /// The tables: names (possibly with wildcards) or parenthesised expressions.
    pub tables: Vec<Expr>,
}

/// A `name=value` parameter of an operator: `kind=inner`, `hint.strategy=broadcast`.
#[derive(Debug, Clone, PartialEq)]
pub struct OperatorParam {
    /// The parameter name, such as `kind` or `hint.strategy`.
    pub name: Ident,
    /// The value: a name (`inner`) or a literal (`true`, `100`).
    pub value: Expr,
}

/// `join [kind=..] [hints] Right on Conditions`.
#[derive(Debug, Clone, PartialEq)]
pub struct Join {
    /// Parameters such as `kind=fullouter` and `hint.strategy=shuffle`, in written order.
    pub params: Vec<OperatorParam>,
    /// The right side: `(DPEvent)` or `T`.
    pub right: Expr,
    /// The `on` conditions.
    pub on: Vec<JoinCondition>,
}

/// One join condition.
#[derive(Debug, Clone, PartialEq)]
pub enum JoinCondition {
    /// `Key`: the same column on both sides.
    Column(Ident),
    /// `$left.A == $right.B`.
    Equality {
        /// The left expression (`$left.A`).
        left: Expr,
        /// The right expression (`$right.B`).
        right: Expr,
    },
}

/// `lookup [kind=..] Right on Conditions`.
#[derive(Debug, Clone, PartialEq)]
pub struct Lookup {
    /// Parameters such as `kind=inner`.
    pub params: Vec<OperatorParam>,
    /// The dimension table.
    pub right: Expr,
    /// The `on` conditions.
    pub on: Vec<JoinCondition>,
}

/// `mv-expand [params] Col [to typeof(T)], ... [limit N]`.
#[derive(Debug, Clone, PartialEq)]
pub struct MvExpand {
    /// Parameters such as `bagexpansion=array` and `with_itemindex=i`.
    pub params: Vec<OperatorParam>,
    /// The expanded columns.
    pub columns: Vec<MvExpandColumn>,
    /// `limit N`.
    pub limit: Option<Expr>,
}

/// One expanded column of `mv-expand`: `[Name =] expr [to typeof(type)]`.
#[derive(Debug, Clone, PartialEq)]
pub struct MvExpandColumn {
    /// The column and its optional new name.
    pub column: Assignment,
    /// The `to typeof(...)` target type.
    pub to_type: Option<TypeName>,
}

/// `parse [kind=..] [flags=..] Source with Pattern`.
#[derive(Debug, Clone, PartialEq)]
pub struct Parse {
    /// Parameters such as `kind=regex` and `flags=Ui`.
    pub params: Vec<OperatorParam>,
    /// The parsed string expression.
    pub source: Expr,
    /// The pattern, in order.
    pub pattern: Vec<ParsePart>,
}

/// One part of a `parse` pattern.
#[derive(Debug, Clone, PartialEq)]
pub enum ParsePart {
    /// A literal string to match.
    Literal(StringLiteral),
    /// `*`: skip any text.
    Wildcard,
    /// `Name` or `Name:type`: a column to extract.
    Column {
        /// The new column.
        name: Ident,
        /// Its type (`string` when omitted).
        ty: Option<TypeName>,
    },
}

/// `render Visualization [with (props)]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Render {
    /// The chart kind, such as `timechart`.
    pub visualization: Ident,
    /// The `with (...)` properties.
    pub properties: Vec<OperatorParam>,
}

/// `evaluate [params] plugin(args)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluate {
    /// Parameters such as `hint.distribution=per_node`.
    pub params: Vec<OperatorParam>,
    /// The plugin call.
    pub plugin: Expr,
}
