//! Binding scalar expressions: names to column indexes, operators to typed plan nodes.

use std::sync::Arc;

use arrow::array::ArrayRef;
use kql_parser::Span;
use kql_parser::ast::{
    BinaryOp, Case, Expr, ExprKind as Ast, Ident, Negation, StringOpKind, UnaryOp,
};
use regex::{Regex, RegexBuilder};

use super::literal::{as_str, literal_array, must_be_constant};
use super::names::{close_names, did_you_mean};
use super::{Binder, Binding};
use crate::error::{DiagResult, not_supported, semantic};
use crate::eval::fold_constant;
use crate::eval::pattern::SearchPattern;
use crate::functions::{DynamicFn, dynamic_call};
use crate::limits::REGEX_SIZE_LIMIT;
use crate::plan::{ArithmeticOp, BoundExpr, Columns, CompareOp, ExprKind, StringMatchKind};
use crate::types::KustoType;

impl Binder<'_> {
    /// Binds a scalar expression evaluated over rows of `input`. `operator` names the
    /// operator for messages (`where`, `extend`...).
    pub(crate) fn bind_expr(
        &mut self,
        expr: &Expr,
        input: &Columns,
        operator: &str,
    ) -> DiagResult<BoundExpr> {
        let span = expr.span;
        match &expr.kind {
            Ast::Literal(literal) => {
                let (array, ty) = literal_array(literal, span)?;
                Ok(BoundExpr {
                    kind: ExprKind::Literal(array),
                    ty,
                    span,
                })
            }
            Ast::Name(ident) => self.bind_name(ident, input, operator),
            Ast::Paren(inner) => self.bind_expr(inner, input, operator),
            Ast::Unary { op, operand } => {
                let operand = self.bind_expr(operand, input, operator)?;
                if !(operand.ty.is_numeric() || operand.ty == KustoType::TimeSpan) {
                    return Err(type_error(
                        &format!(
                            "unary `-` needs a number or timespan, found `{}`",
                            operand.ty
                        ),
                        span,
                    ));
                }
                Ok(match op {
                    UnaryOp::Plus => operand,
                    UnaryOp::Neg => {
                        // Like `int` arithmetic, `-int` is a `long`: Kusto answers
                        // 2147483648 for `-i` when `i` is `int(-2147483648)`.
                        let operand = match operand.ty {
                            KustoType::Int => cast_to(operand, KustoType::Long),
                            _ => operand,
                        };
                        let ty = operand.ty;
                        fold(BoundExpr {
                            kind: ExprKind::Negate(Box::new(operand)),
                            ty,
                            span,
                        })
                    }
                })
            }
            Ast::Binary { op, left, right } => {
                let left = self.bind_expr(left, input, operator)?;
                let right = self.bind_expr(right, input, operator)?;
                self.bind_binary(*op, left, right, span).map(fold)
            }
            Ast::Between {
                negated,
                left,
                low,
                high,
            } => {
                let left = self.bind_expr(left, input, operator)?;
                let low = self.bind_expr(low, input, operator)?;
                let high = self.bind_expr(high, input, operator)?;
                let (low_op, high_op, join) = match negated {
                    Negation::Plain => (BinaryOp::Ge, BinaryOp::Le, BinaryOp::And),
                    Negation::Negated => (BinaryOp::Lt, BinaryOp::Gt, BinaryOp::Or),
                };
                let lower = self.bind_binary(low_op, left.clone(), low, span)?;
                let upper = self.bind_binary(high_op, left, high, span)?;
                self.bind_binary(join, lower, upper, span)
            }
            Ast::List { op, left, items } => {
                let left = self.bind_expr(left, input, operator)?;
                let left = if left.ty == KustoType::Dynamic {
                    as_string(left)
                } else {
                    left
                };
                let mut bound = Vec::with_capacity(items.len());
                for item in items {
                    if self.is_tabular(item) {
                        bound.extend(self.bind_tabular_list(item, item.span)?);
                        continue;
                    }
                    let item = self.bind_expr(item, &Columns::new(), operator)?;
                    if !matches!(item.kind, ExprKind::Literal(_)) {
                        return Err(not_supported("a non-constant item in a list operator")
                            .with_span(item.span));
                    }
                    bound.extend(expand_dynamic_item(item)?);
                }
                Ok(BoundExpr {
                    kind: ExprKind::List {
                        op: *op,
                        left: Box::new(left),
                        items: bound,
                    },
                    ty: KustoType::Bool,
                    span,
                })
            }
            Ast::Call { name, args } => self.bind_call(name, args, input, operator, span).map(fold),
            Ast::Member { object, member } => {
                let object = self.bind_expr(object, input, operator)?;
                let key: ArrayRef =
                    Arc::new(arrow::array::StringArray::from(vec![member.name.as_str()]));
                let key = BoundExpr {
                    kind: ExprKind::Literal(key),
                    ty: KustoType::String,
                    span: member.span,
                };
                dynamic_get(object, key, span)
            }
            Ast::Index { object, index } => {
                let object = self.bind_expr(object, input, operator)?;
                let index = self.bind_expr(index, input, operator)?;
                let index = match index.ty {
                    KustoType::Int => cast_to(index, KustoType::Long),
                    KustoType::Long | KustoType::String => index,
                    other => {
                        return Err(semantic(format!(
                            "an index must be a `long` or a `string`, found `{other}`"
                        ))
                        .with_span(index.span));
                    }
                };
                dynamic_get(object, index, span)
            }
            Ast::Star => Err(semantic(
                "`*` is only allowed as a function argument such as `arg_max(x, *)`",
            )
            .with_span(span)),
            Ast::Pipe { .. }
            | Ast::Print(_)
            | Ast::Range { .. }
            | Ast::Datatable { .. }
            | Ast::ExternalData { .. }
            | Ast::Union(_) => Err(semantic("a tabular expression cannot be used as a scalar")
                .with_span(span)
                .with_hint("wrap it in `toscalar(...)` to use its first value")),
        }
    }

    /// Binds an expression that must be a constant and returns its value.
    pub(crate) fn bind_constant(&mut self, expr: &Expr) -> DiagResult<ArrayRef> {
        let bound = self.bind_expr(expr, &Columns::new(), "let")?;
        match bound.kind {
            ExprKind::Literal(array) => Ok(array),
            _ => Err(must_be_constant("the value", expr.span)),
        }
    }

    /// A name in a scalar position: an input column, else a scalar `let`.
    fn bind_name(
        &mut self,
        ident: &Ident,
        input: &Columns,
        operator: &str,
    ) -> DiagResult<BoundExpr> {
        let span = ident.span;
        if let Some((index, column)) = input
            .iter()
            .enumerate()
            .find(|(_, column)| column.name == ident.name)
        {
            let ty = column.ty;
            return Ok(BoundExpr {
                kind: ExprKind::Column(index),
                ty,
                span,
            });
        }
        match self.scope.get(&ident.name) {
            Some(Binding::Scalar(value)) => {
                return Ok(BoundExpr {
                    span,
                    ..value.clone()
                });
            }
            Some(Binding::Function(_)) => {
                return Err(semantic(format!(
                    "`{}` is a function: call it with `{}(...)`",
                    ident.name, ident.name
                ))
                .with_span(span));
            }
            Some(Binding::Tabular { .. } | Binding::Plan(_)) => {
                return Err(
                    semantic(format!("`{}` is a table, not a scalar value", ident.name))
                        .with_span(span)
                        .with_hint("use `toscalar(...)` to take its first value"),
                );
            }
            None => {}
        }
        let candidates = input
            .iter()
            .map(|column| column.name.as_str())
            .chain(self.scope.keys().map(String::as_str));
        let close = close_names(&ident.name, candidates);
        let mut diagnostic = semantic(format!(
            "`{operator}` operator: failed to resolve scalar expression named `{}`",
            ident.name
        ))
        .with_span(span)
        .with_span_label("no column, `let` name or function has this name");
        if let Some(hint) = did_you_mean(&close) {
            diagnostic = diagnostic.with_hint(hint);
        }
        self.unknown_name(diagnostic);
        Ok(BoundExpr {
            kind: ExprKind::Missing(ident.name.clone()),
            ty: KustoType::String,
            span,
        })
    }

    /// Binds `left op right` with Kusto's typing rules.
    pub(crate) fn bind_binary(
        &mut self,
        op: BinaryOp,
        left: BoundExpr,
        right: BoundExpr,
        span: Span,
    ) -> DiagResult<BoundExpr> {
        let (left, right) = fit_missing_pair(left, right);
        match op {
            BinaryOp::And | BinaryOp::Or => {
                let left = expect_type(left, KustoType::Bool, "`and`/`or` operand")?;
                let right = expect_type(right, KustoType::Bool, "`and`/`or` operand")?;
                let (left, right) = (Box::new(left), Box::new(right));
                let kind = if op == BinaryOp::And {
                    ExprKind::And(left, right)
                } else {
                    ExprKind::Or(left, right)
                };
                Ok(BoundExpr {
                    kind,
                    ty: KustoType::Bool,
                    span,
                })
            }
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod => {
                bind_arithmetic(op, left, right, span)
            }
            BinaryOp::Eq
            | BinaryOp::NotEq
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge => bind_compare(op, left, right, span),
            BinaryOp::EqCi | BinaryOp::NotEqCi => {
                let negation = if op == BinaryOp::EqCi {
                    Negation::Plain
                } else {
                    Negation::Negated
                };
                string_match(
                    StringMatchKind::Equals,
                    Case::Insensitive,
                    negation,
                    left,
                    right,
                    span,
                )
            }
            BinaryOp::String(string_op) => match StringMatchKind::of(string_op.kind) {
                Some(kind) => {
                    string_match(kind, string_op.case, string_op.negation, left, right, span)
                }
                None => {
                    debug_assert_eq!(string_op.kind, StringOpKind::MatchesRegex);
                    let haystack = Box::new(as_string(left));
                    let regex = constant_regex(&right)?;
                    let regex = Arc::new(SearchPattern::new(regex, REGEX_SIZE_LIMIT));
                    Ok(BoundExpr {
                        kind: ExprKind::MatchesRegex { haystack, regex },
                        ty: KustoType::Bool,
                        span,
                    })
                }
            },
        }
    }
}

/// A constant dynamic array in a list (`x in (dynamic(['a', 'b']))`) stands for its
/// elements; other items stand for themselves.
fn expand_dynamic_item(item: BoundExpr) -> DiagResult<Vec<BoundExpr>> {
    let ExprKind::Literal(array) = &item.kind else {
        return Ok(vec![item]);
    };
    if item.ty != KustoType::Dynamic {
        return Ok(vec![item]);
    }
    let text = as_str(array).unwrap_or("null");
    let elements = match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Array(elements)) => elements,
        Ok(other) => vec![other],
        Err(_) => return Ok(vec![item]),
    };
    let span = item.span;
    let mut out = Vec::with_capacity(elements.len());
    for element in elements {
        let (array, ty): (ArrayRef, KustoType) = match element {
            serde_json::Value::String(text) => (
                Arc::new(arrow::array::StringArray::from(vec![text])),
                KustoType::String,
            ),
            serde_json::Value::Bool(value) => (
                Arc::new(arrow::array::BooleanArray::from(vec![value])),
                KustoType::Bool,
            ),
            serde_json::Value::Number(number) => match number.as_i64() {
                Some(value) => (
                    Arc::new(arrow::array::Int64Array::from(vec![value])),
                    KustoType::Long,
                ),
                None => {
                    let value = number.as_f64().unwrap_or(f64::NAN);
                    (
                        Arc::new(arrow::array::Float64Array::from(vec![value])),
                        KustoType::Real,
                    )
                }
            },
            serde_json::Value::Null => continue,
            other => {
                let text = other.to_string();
                (
                    Arc::new(arrow::array::StringArray::from(vec![text])),
                    KustoType::Dynamic,
                )
            }
        };
        out.push(BoundExpr {
            kind: ExprKind::Literal(array),
            ty,
            span,
        });
    }
    Ok(out)
}

/// `object.key` or `object[index]` on a dynamic value.
fn dynamic_get(object: BoundExpr, key: BoundExpr, span: Span) -> DiagResult<BoundExpr> {
    let object = match (&object.kind, object.ty) {
        (ExprKind::Missing(_), _) => BoundExpr {
            ty: KustoType::Dynamic,
            ..object
        },
        (_, KustoType::Dynamic) => object,
        (_, other) => {
            return Err(semantic(format!(
                "properties and elements can only be taken from `dynamic` values, found `{other}`"
            ))
            .with_span(object.span)
            .with_hint("convert the value with `parse_json()` first"));
        }
    };
    Ok(fold(dynamic_call(
        DynamicFn::Get,
        vec![object, key],
        KustoType::Dynamic,
        span,
    )))
}

/// Folds an expression without column references into a literal.
fn fold(expr: BoundExpr) -> BoundExpr {
    match fold_constant(&expr) {
        Some(array) => BoundExpr {
            kind: ExprKind::Literal(array),
            ..expr
        },
        None => expr,
    }
}

/// Compiles a constant pattern, with the size limit, pointing errors at the pattern.
pub(crate) fn constant_regex(pattern: &BoundExpr) -> DiagResult<Arc<Regex>> {
    let text = match &pattern.kind {
        ExprKind::Literal(array) => as_str(array),
        _ => None,
    };
    let text = text.ok_or_else(|| {
        not_supported("a regular expression that is not a constant string").with_span(pattern.span)
    })?;
    compile_regex(text, pattern.span)
}

/// Compiles a regex with the size limit.
pub(crate) fn compile_regex(text: &str, span: Span) -> DiagResult<Arc<Regex>> {
    RegexBuilder::new(text)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map(Arc::new)
        .map_err(|error| {
            semantic(format!("invalid regular expression: {error}"))
                .with_span(span)
                .with_span_label("this pattern")
        })
}

/// A type mismatch error.
fn type_error(message: &str, span: Span) -> kql_parser::Diagnostic {
    semantic(message.to_string()).with_span(span)
}

/// Gives a missing column the type of the other operand.
fn fit_missing_pair(mut left: BoundExpr, mut right: BoundExpr) -> (BoundExpr, BoundExpr) {
    if matches!(left.kind, ExprKind::Missing(_)) {
        left.ty = right.ty;
    } else if matches!(right.kind, ExprKind::Missing(_)) {
        right.ty = left.ty;
    }
    (left, right)
}

/// Checks the type of an operand; a missing column takes the expected type.
pub(crate) fn expect_type(mut expr: BoundExpr, ty: KustoType, what: &str) -> DiagResult<BoundExpr> {
    if matches!(expr.kind, ExprKind::Missing(_)) {
        expr.ty = ty;
    }
    if expr.ty != ty {
        return Err(type_error(
            &format!("{what} must be `{ty}`, found `{}`", expr.ty),
            expr.span,
        ));
    }
    Ok(expr)
}

/// Converts to `ty` when needed.
pub(crate) fn cast_to(expr: BoundExpr, ty: KustoType) -> BoundExpr {
    if expr.ty == ty {
        return expr;
    }
    let span = expr.span;
    fold(BoundExpr {
        kind: ExprKind::Cast(Box::new(expr)),
        ty,
        span,
    })
}

/// Strings stay; other types are converted with `tostring` semantics, as Kusto does for
/// the left side of string predicates.
pub(crate) fn as_string(expr: BoundExpr) -> BoundExpr {
    match expr.ty {
        KustoType::String | KustoType::Guid => expr,
        KustoType::Dynamic if matches!(expr.kind, ExprKind::Missing(_)) => BoundExpr {
            ty: KustoType::String,
            ..expr
        },
        KustoType::Dynamic => {
            let span = expr.span;
            fold(dynamic_call(
                DynamicFn::ToText,
                vec![expr],
                KustoType::String,
                span,
            ))
        }
        _ => {
            let span = expr.span;
            BoundExpr {
                kind: ExprKind::Call {
                    function: crate::functions::Function::Text(crate::functions::TextFn::ToString),
                    args: vec![expr],
                },
                ty: KustoType::String,
                span,
            }
        }
    }
}

/// A dynamic value as a real, for comparing it with a number.
fn dynamic_to_real(expr: BoundExpr) -> BoundExpr {
    let span = expr.span;
    fold(dynamic_call(
        DynamicFn::ToReal,
        vec![expr],
        KustoType::Real,
        span,
    ))
}

/// The wider of two numeric types: `int < long < real`.
pub(crate) fn common_numeric(a: KustoType, b: KustoType) -> KustoType {
    use KustoType::*;
    match (a, b) {
        (Real | Decimal, _) | (_, Real | Decimal) => Real,
        (Long, _) | (_, Long) => Long,
        _ => Int,
    }
}

fn bind_arithmetic(
    op: BinaryOp,
    left: BoundExpr,
    right: BoundExpr,
    span: Span,
) -> DiagResult<BoundExpr> {
    use KustoType::*;
    let arithmetic = match op {
        BinaryOp::Add => ArithmeticOp::Add,
        BinaryOp::Sub => ArithmeticOp::Sub,
        BinaryOp::Mul => ArithmeticOp::Mul,
        BinaryOp::Div => ArithmeticOp::Div,
        _ => ArithmeticOp::Mod,
    };
    let (lt, rt) = (left.ty, right.ty);
    let (left, right, ty) = match (arithmetic, lt, rt) {
        (_, a, b) if a.is_numeric() && b.is_numeric() => {
            // `int` arithmetic gives `long`: `int(2147483647) * int(2)` is 4294967294 in
            // Kusto's recorded answers.
            let ty = match common_numeric(a, b) {
                KustoType::Int => KustoType::Long,
                other => other,
            };
            (cast_to(left, ty), cast_to(right, ty), ty)
        }
        (ArithmeticOp::Sub, DateTime, DateTime) => (left, right, TimeSpan),
        (ArithmeticOp::Add | ArithmeticOp::Sub, DateTime, TimeSpan) => (left, right, DateTime),
        (ArithmeticOp::Add, TimeSpan, DateTime) => (right, left, DateTime),
        (ArithmeticOp::Add | ArithmeticOp::Sub | ArithmeticOp::Mod, TimeSpan, TimeSpan) => {
            (left, right, TimeSpan)
        }
        (ArithmeticOp::Div, TimeSpan, TimeSpan) => (left, right, Real),
        (ArithmeticOp::Mul | ArithmeticOp::Div, TimeSpan, b) if b.is_numeric() => {
            (left, right, TimeSpan)
        }
        (ArithmeticOp::Mul, a, TimeSpan) if a.is_numeric() => (right, left, TimeSpan),
        _ => {
            let symbol = match arithmetic {
                ArithmeticOp::Add => "+",
                ArithmeticOp::Sub => "-",
                ArithmeticOp::Mul => "*",
                ArithmeticOp::Div => "/",
                ArithmeticOp::Mod => "%",
            };
            return Err(type_error(
                &format!("cannot apply `{symbol}` to `{lt}` and `{rt}`"),
                span,
            ));
        }
    };
    Ok(BoundExpr {
        kind: ExprKind::Arithmetic {
            op: arithmetic,
            left: Box::new(left),
            right: Box::new(right),
        },
        ty,
        span,
    })
}

fn bind_compare(
    op: BinaryOp,
    left: BoundExpr,
    right: BoundExpr,
    span: Span,
) -> DiagResult<BoundExpr> {
    use KustoType::*;
    let compare = match op {
        BinaryOp::Eq => CompareOp::Eq,
        BinaryOp::NotEq => CompareOp::NotEq,
        BinaryOp::Lt => CompareOp::Lt,
        BinaryOp::Le => CompareOp::Le,
        BinaryOp::Gt => CompareOp::Gt,
        _ => CompareOp::Ge,
    };
    let (lt, rt) = (left.ty, right.ty);
    if lt == Dynamic && rt == Dynamic {
        // Kusto has no equality of two `dynamic` values: comparing two arrays is an error
        // (`agent-aggregation-0041` in the conformance cases).
        return Err(type_error("cannot compare two `dynamic` values", span)
            .with_hint("convert one side, for example with `tostring()`"));
    }
    let is_text = |ty: KustoType| matches!(ty, String | Guid | Dynamic);
    if is_text(lt) && is_text(rt) && matches!(compare, CompareOp::Eq | CompareOp::NotEq) {
        let negation = if compare == CompareOp::Eq {
            Negation::Plain
        } else {
            Negation::Negated
        };
        return string_match(
            StringMatchKind::Equals,
            Case::Sensitive,
            negation,
            left,
            right,
            span,
        );
    }
    let (left, right) = match (lt, rt) {
        (a, b) if a.is_numeric() && b.is_numeric() => {
            let ty = common_numeric(a, b);
            (cast_to(left, ty), cast_to(right, ty))
        }
        (Dynamic, b) if b.is_numeric() => (dynamic_to_real(left), cast_to(right, Real)),
        (a, Dynamic) if a.is_numeric() => (cast_to(left, Real), dynamic_to_real(right)),
        (DateTime, DateTime) | (TimeSpan, TimeSpan) | (Bool, Bool) => (left, right),
        (String, String) => {
            return Err(type_error(
                "strings can only be compared with `==`, `!=`, `=~` and `!~`",
                span,
            )
            .with_hint("compare with `strcmp(a, b)`"));
        }
        _ => {
            return Err(type_error(
                &format!("cannot compare values of types `{lt}` and `{rt}`"),
                span,
            )
            .with_hint("convert one side, for example with `tolong()` or `todatetime()`"));
        }
    };
    Ok(BoundExpr {
        kind: ExprKind::Compare {
            op: compare,
            left: Box::new(left),
            right: Box::new(right),
        },
        ty: Bool,
        span,
    })
}

fn string_match(
    kind: StringMatchKind,
    case: Case,
    negation: Negation,
    haystack: BoundExpr,
    needle: BoundExpr,
    span: Span,
) -> DiagResult<BoundExpr> {
    let haystack = Box::new(as_string(haystack));
    let needle = Box::new(as_string(needle));
    Ok(BoundExpr {
        kind: ExprKind::StringMatch {
            kind,
            case,
            negation,
            haystack,
            needle,
        },
        ty: KustoType::Bool,
        span,
    })
}
