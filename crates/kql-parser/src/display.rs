//! Printing the AST back as canonical KQL.
//!
//! The printed text parses back to the same AST (spans aside): literals that a plain form
//! cannot express, such as negative numbers, are printed in their typed form (`long(-1)`),
//! and names that are not plain identifiers are bracketed (`['my column']`).

use std::fmt::{self, Display, Formatter, Write};

use crate::ast::*;
use crate::parse::column_names::BRACKETED_KEYWORDS;
use crate::parse::literal::TICKS_PER_DAY;

/// Writes items separated by `, `.
fn comma_list<T: Display>(f: &mut Formatter<'_>, items: &[T]) -> fmt::Result {
    for (index, item) in items.iter().enumerate() {
        if index > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}

impl Display for Query {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for (index, statement) in self.statements.iter().enumerate() {
            if index > 0 {
                f.write_str(";\n")?;
            }
            write!(f, "{statement}")?;
        }
        Ok(())
    }
}

impl Display for Statement {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            StatementKind::Let(statement) => write!(f, "{statement}"),
            StatementKind::Set(statement) => write!(f, "{statement}"),
            StatementKind::Expr(expr) => write!(f, "{}", Lines(expr)),
        }
    }
}

impl Display for LetStatement {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "let {} = ", self.name)?;
        match &self.value {
            LetValue::Expr(expr) => write!(f, "{}", Lines(expr)),
            LetValue::Function(function) => write!(f, "{function}"),
        }
    }
}

impl Display for FunctionDef {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("(")?;
        comma_list(f, &self.params)?;
        f.write_str(") { ")?;
        for statement in &self.statements {
            write!(f, "{statement}; ")?;
        }
        write!(f, "{} }}", Lines(&self.body))
    }
}

impl Display for Param {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}:", self.name)?;
        match &self.ty {
            ParamType::Scalar(ty) => write!(f, "{ty}")?,
            ParamType::Tabular(columns) if columns.is_empty() => f.write_str("(*)")?,
            ParamType::Tabular(columns) => {
                f.write_str("(")?;
                comma_list(f, columns)?;
                f.write_str(")")?;
            }
        }
        if let Some(default) = &self.default {
            write!(f, " = {default}")?;
        }
        Ok(())
    }
}

impl Display for ColumnDecl {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.name, self.ty)
    }
}

impl Display for TypeName {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl Display for SetStatement {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "set {}", self.name.name)?;
        if let Some(value) = &self.value {
            write!(f, " = {value}")?;
        }
        Ok(())
    }
}

/// Words that must be bracketed when used as names, because the grammar would read them
/// as keywords or literals.
const KEYWORDS: &[&str] = &[
    "and",
    "or",
    "true",
    "True",
    "TRUE",
    "false",
    "False",
    "FALSE",
    "let",
    "set",
    "print",
    "range",
    "union",
    "by",
    "on",
    "with",
    "to",
    "from",
    "step",
    "null",
    "asc",
    "desc",
    "datatable",
    "externaldata",
    "external_data",
    "in",
    "has",
    "contains",
    "between",
    "matches",
    "where",
    "extend",
    "project",
];

/// True when `name` can be written without brackets: not a keyword, and not one of the
/// keywords that cannot name a column unbracketed.
fn is_plain_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    let starts_well = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$');
    starts_well
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !KEYWORDS.contains(&name)
        && !BRACKETED_KEYWORDS.contains(&name)
}

impl Display for Ident {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if is_plain_identifier(&self.name) {
            f.write_str(&self.name)
        } else {
            write!(f, "[{}]", quote(&self.name))
        }
    }
}

/// A string as a double-quoted KQL literal with escapes.
fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An expression prints on one line: `(T | where x)`, `toscalar(T | count)`. A statement's
/// own pipeline prints one operator per line (see `Lines`).
impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_expr(f, self, " | ")
    }
}

/// An expression whose outermost pipeline prints one operator per line.
struct Lines<'a>(&'a Expr);

impl Display for Lines<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_expr(f, self.0, "\n| ")
    }
}

/// Writes `expr`, with `pipe` between a pipeline's input and each operator.
fn write_expr(f: &mut Formatter<'_>, expr: &Expr, pipe: &str) -> fmt::Result {
    // Pipelines, operator chains and accessor chains nest to the left, and can be a
    // thousand levels deep: walk down their left spine with a loop, print the innermost
    // operand, then each level's tail on the way back up.
    let mut spine = Vec::new();
    let mut base = expr;
    while let Some(left) = left_operand(base) {
        spine.push(base);
        base = left;
    }
    write_operand(f, base)?;
    spine
        .iter()
        .rev()
        .try_for_each(|expr| write_tail(f, expr, pipe))
}

/// The left operand of an expression written `left ...`: a pipe's input, a binary
/// operator's left side, an accessor's object.
fn left_operand(expr: &Expr) -> Option<&Expr> {
    match &expr.kind {
        ExprKind::Pipe { input: left, .. }
        | ExprKind::Binary { left, .. }
        | ExprKind::List { left, .. }
        | ExprKind::Between { left, .. }
        | ExprKind::Member { object: left, .. }
        | ExprKind::Index { object: left, .. } => Some(left),
        _ => None,
    }
}

/// What follows the left operand of an expression that has one: ` | where x`, ` + 1`.
fn write_tail(f: &mut Formatter<'_>, expr: &Expr, pipe: &str) -> fmt::Result {
    match &expr.kind {
        ExprKind::Pipe { operator, .. } => write!(f, "{pipe}{operator}"),
        ExprKind::Binary { op, right, .. } => write!(f, " {op} {right}"),
        ExprKind::List { op, items, .. } => {
            write!(f, " {} (", op.text())?;
            comma_list(f, items)?;
            f.write_str(")")
        }
        ExprKind::Between {
            negated, low, high, ..
        } => {
            let bang = if *negated == Negation::Negated {
                "!"
            } else {
                ""
            };
            write!(f, " {bang}between ({low} .. {high})")
        }
        ExprKind::Member { member, .. } => write!(f, ".{member}"),
        ExprKind::Index { index, .. } => write!(f, "[{index}]"),
        _ => Ok(()),
    }
}

/// An expression that has no left operand.
fn write_operand(f: &mut Formatter<'_>, expr: &Expr) -> fmt::Result {
    match &expr.kind {
        ExprKind::Literal(literal) => write!(f, "{literal}"),
        ExprKind::Name(name) => write!(f, "{name}"),
        ExprKind::Star => f.write_str("*"),
        ExprKind::Paren(inner) => write!(f, "({inner})"),
        ExprKind::Call { name, args } => {
            write!(f, "{}(", name.name)?;
            comma_list(f, args)?;
            f.write_str(")")
        }
        ExprKind::Unary {
            op: UnaryOp::Neg,
            operand,
        } => write!(f, "-{operand}"),
        ExprKind::Unary {
            op: UnaryOp::Plus,
            operand,
        } => write!(f, "+{operand}"),
        ExprKind::Print(columns) => {
            f.write_str("print")?;
            if !columns.is_empty() {
                f.write_str(" ")?;
            }
            comma_list(f, columns)
        }
        ExprKind::Range {
            column,
            from,
            to,
            step,
        } => {
            write!(f, "range {column} from {from} to {to} step {step}")
        }
        ExprKind::Datatable { columns, values } => {
            f.write_str("datatable(")?;
            comma_list(f, columns)?;
            f.write_str(") [")?;
            comma_list(f, values)?;
            f.write_str("]")
        }
        ExprKind::ExternalData {
            columns,
            uris,
            properties,
        } => {
            f.write_str("externaldata(")?;
            comma_list(f, columns)?;
            f.write_str(") [")?;
            comma_list(f, uris)?;
            f.write_str("]")?;
            if !properties.is_empty() {
                f.write_str(" with (")?;
                comma_list(f, properties)?;
                f.write_str(")")?;
            }
            Ok(())
        }
        ExprKind::Union(union) => write!(f, "{union}"),
        ExprKind::Member { .. }
        | ExprKind::Index { .. }
        | ExprKind::Binary { .. }
        | ExprKind::List { .. }
        | ExprKind::Between { .. }
        | ExprKind::Pipe { .. } => write!(f, "{expr}"),
    }
}

impl Display for BinaryOp {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let text = match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "==",
            BinaryOp::NotEq => "!=",
            BinaryOp::EqCi => "=~",
            BinaryOp::NotEqCi => "!~",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Mod => "%",
            BinaryOp::String(op) => return f.write_str(&op.text()),
        };
        f.write_str(text)
    }
}

impl Display for Argument {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if let Some(name) = &self.name {
            write!(f, "{name} = ")?;
        }
        write!(f, "{}", self.value)
    }
}

impl Display for Assignment {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if let Some(name) = &self.name {
            write!(f, "{name} = ")?;
        }
        write!(f, "{}", self.value)
    }
}

impl Display for Literal {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Bool(value) => write!(f, "{value}"),
            Literal::Int(value) => write!(f, "int({value})"),
            Literal::Long(value) if *value < 0 => write!(f, "long({value})"),
            Literal::Long(value) => write!(f, "{value}"),
            Literal::Real(value) => write_real(f, *value),
            Literal::Decimal(text) => write!(f, "decimal({text})"),
            Literal::String(string) => write!(f, "{string}"),
            Literal::DateTime(text) => write!(f, "datetime({text})"),
            Literal::TimeSpan(ticks) => write_timespan(f, *ticks),
            Literal::Guid(text) => write!(f, "guid({text})"),
            Literal::Dynamic(value) => write!(f, "dynamic({value})"),
            Literal::Null(ty) => write!(f, "{ty}(null)"),
        }
    }
}

/// A real literal: plain when positive and finite, else in `real(...)` form.
fn write_real(f: &mut Formatter<'_>, value: f64) -> fmt::Result {
    if value.is_nan() {
        f.write_str("real(nan)")
    } else if value.is_infinite() {
        f.write_str(if value > 0.0 {
            "real(+inf)"
        } else {
            "real(-inf)"
        })
    } else if value.is_sign_negative() {
        write!(f, "real({value:?})")
    } else {
        write!(f, "{value:?}")
    }
}

/// A timespan in the largest unit that divides it; negative ones as `timespan(-...)`.
fn write_timespan(f: &mut Formatter<'_>, ticks: i64) -> fmt::Result {
    let magnitude = ticks.unsigned_abs();
    let units: [(u64, &str); 7] = [
        (TICKS_PER_DAY.unsigned_abs(), "d"),
        (36_000_000_000, "h"),
        (600_000_000, "m"),
        (10_000_000, "s"),
        (10_000, "ms"),
        (10, "microsecond"),
        (1, "tick"),
    ];
    let (size, unit) = units
        .iter()
        .find(|(size, _)| magnitude.is_multiple_of(*size) && magnitude != 0)
        .copied()
        .unwrap_or((TICKS_PER_DAY.unsigned_abs(), "d"));
    let count = magnitude / size;
    if ticks < 0 {
        write!(f, "timespan(-{count}{unit})")
    } else {
        write!(f, "{count}{unit}")
    }
}

impl Display for StringLiteral {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.obfuscated {
            f.write_str("h")?;
        }
        f.write_str(&quote(&self.value))
    }
}

impl Display for DynamicValue {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            DynamicValue::Null => f.write_str("null"),
            DynamicValue::Bool(value) => write!(f, "{value}"),
            DynamicValue::Long(value) => write!(f, "{value}"),
            DynamicValue::Real(value) if value.is_finite() => write!(f, "{value:?}"),
            DynamicValue::Real(_) => f.write_str("null"),
            DynamicValue::String(value) => f.write_str(&quote(value)),
            DynamicValue::DateTime(text) => write!(f, "datetime({text})"),
            DynamicValue::TimeSpan(ticks) => write_timespan(f, *ticks),
            DynamicValue::Array(items) => {
                f.write_str("[")?;
                comma_list(f, items)?;
                f.write_str("]")
            }
            DynamicValue::Bag(entries) => {
                f.write_str("{")?;
                for (index, (key, value)) in entries.iter().enumerate() {
                    if index > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}: {value}", quote(key))?;
                }
                f.write_str("}")
            }
        }
    }
}

impl Display for Operator {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            OperatorKind::Where(predicate) => write!(f, "where {predicate}"),
            OperatorKind::Extend(columns) => {
                f.write_str("extend ")?;
                comma_list(f, columns)
            }
            OperatorKind::Project(columns) => {
                f.write_str("project ")?;
                comma_list(f, columns)
            }
            OperatorKind::ProjectAway(patterns) => {
                f.write_str("project-away ")?;
                comma_list(f, patterns)
            }
            OperatorKind::ProjectKeep(patterns) => {
                f.write_str("project-keep ")?;
                comma_list(f, patterns)
            }
            OperatorKind::ProjectRename(renames) => {
                f.write_str("project-rename ")?;
                comma_list(f, renames)
            }
            OperatorKind::ProjectReorder(columns) => {
                f.write_str("project-reorder ")?;
                comma_list(f, columns)
            }
            OperatorKind::Summarize(summarize) => write!(f, "{summarize}"),
            OperatorKind::Count => f.write_str("count"),
            OperatorKind::CountAs(name) => write!(f, "count as {name}"),
            OperatorKind::Take(count) => write!(f, "take {count}"),
            OperatorKind::Top(top) => write!(f, "top {} by {}", top.count, top.by),
            OperatorKind::Sort(keys) => {
                f.write_str("sort by ")?;
                comma_list(f, keys)
            }
            OperatorKind::Distinct(columns) => {
                f.write_str("distinct ")?;
                comma_list(f, columns)
            }
            OperatorKind::Union(union) => write!(f, "{union}"),
            OperatorKind::Join(join) => {
                f.write_str("join ")?;
                write_join(f, &join.params, &join.right, &join.on)
            }
            OperatorKind::Lookup(lookup) => {
                f.write_str("lookup ")?;
                write_join(f, &lookup.params, &lookup.right, &lookup.on)
            }
            OperatorKind::MvExpand(mv_expand) => write!(f, "{mv_expand}"),
            OperatorKind::Parse(parse) => write!(f, "{parse}"),
            OperatorKind::As(name) => write!(f, "as {name}"),
            OperatorKind::Render(render) => {
                write!(f, "render {}", render.visualization)?;
                if !render.properties.is_empty() {
                    f.write_str(" with (")?;
                    comma_list(f, &render.properties)?;
                    f.write_str(")")?;
                }
                Ok(())
            }
            OperatorKind::Invoke(call) => write!(f, "invoke {call}"),
            OperatorKind::Evaluate(evaluate) => {
                f.write_str("evaluate ")?;
                for param in &evaluate.params {
                    write!(f, "{param} ")?;
                }
                write!(f, "{}", evaluate.plugin)
            }
            OperatorKind::GetSchema => f.write_str("getschema"),
            OperatorKind::Serialize(columns) => {
                f.write_str("serialize")?;
                if !columns.is_empty() {
                    f.write_str(" ")?;
                }
                comma_list(f, columns)
            }
        }
    }
}

/// The shared tail of `join` and `lookup`: `params right on conditions`.
fn write_join(
    f: &mut Formatter<'_>,
    params: &[OperatorParam],
    right: &Expr,
    on: &[JoinCondition],
) -> fmt::Result {
    for param in params {
        write!(f, "{param} ")?;
    }
    write!(f, "{right} on ")?;
    comma_list(f, on)
}

impl Display for ColumnPattern {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let plain = self.pattern.replace('*', "");
        if plain.is_empty()
            || is_plain_identifier(&plain)
            || plain.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            f.write_str(&self.pattern)
        } else {
            write!(f, "[{}]", quote(&self.pattern))
        }
    }
}

impl Display for Rename {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{} = {}", self.new, self.old)
    }
}

impl Display for ReorderColumn {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.pattern)?;
        match self.order {
            Some(SortOrder::Ascending) => f.write_str(" asc"),
            Some(SortOrder::Descending) => f.write_str(" desc"),
            None => Ok(()),
        }
    }
}

impl Display for Summarize {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("summarize")?;
        if !self.aggregates.is_empty() {
            f.write_str(" ")?;
            comma_list(f, &self.aggregates)?;
        }
        if !self.by.is_empty() {
            f.write_str(" by ")?;
            comma_list(f, &self.by)?;
        }
        Ok(())
    }
}

impl Display for SortKey {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.expr)?;
        match self.order {
            Some(SortOrder::Ascending) => f.write_str(" asc")?,
            Some(SortOrder::Descending) => f.write_str(" desc")?,
            None => {}
        }
        match self.nulls {
            Some(NullsPosition::First) => f.write_str(" nulls first"),
            Some(NullsPosition::Last) => f.write_str(" nulls last"),
            None => Ok(()),
        }
    }
}

impl Display for Union {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("union ")?;
        for param in &self.params {
            write!(f, "{param} ")?;
        }
        for (index, table) in self.tables.iter().enumerate() {
            if index > 0 {
                f.write_str(", ")?;
            }
            match &table.kind {
                ExprKind::Name(name) => write!(
                    f,
                    "{}",
                    ColumnPattern {
                        pattern: name.name.clone(),
                        span: name.span,
                    }
                )?,
                _ => write!(f, "{table}")?,
            }
        }
        Ok(())
    }
}

impl Display for OperatorParam {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.name.name, self.value)
    }
}

impl Display for JoinCondition {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            JoinCondition::Column(column) => write!(f, "{column}"),
            JoinCondition::Equality { left, right } => write!(f, "{left} == {right}"),
        }
    }
}

impl Display for MvExpand {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("mv-expand ")?;
        for param in &self.params {
            write!(f, "{param} ")?;
        }
        for (index, column) in self.columns.iter().enumerate() {
            if index > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{}", column.column)?;
            if let Some(ty) = &column.to_type {
                write!(f, " to typeof({ty})")?;
            }
        }
        if let Some(limit) = &self.limit {
            write!(f, " limit {limit}")?;
        }
        Ok(())
    }
}

impl Display for Parse {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("parse ")?;
        for param in &self.params {
            write!(f, "{param} ")?;
        }
        write!(f, "{} with", self.source)?;
        for part in &self.pattern {
            match part {
                ParsePart::Literal(literal) => write!(f, " {literal}")?,
                ParsePart::Wildcard => f.write_str(" *")?,
                ParsePart::Column { name, ty: Some(ty) } => write!(f, " {name}:{ty}")?,
                ParsePart::Column { name, ty: None } => write!(f, " {name}")?,
            }
        }
        Ok(())
    }
}
