//! Scalar functions, one file per family. Each family lists its names, binds a call (checks
//! the argument count and types, picks the result type) and evaluates it over arrays.
//!
//! Adding a function: add a variant to the family's enum, its name to the family's
//! `NAMES`, a binding arm and an evaluation arm. The binder and executor need no change.

mod conditional;
mod convert;
mod datetime;
mod dynamic;
mod math;
mod text;
mod window;

use arrow::array::ArrayRef;
use kql_parser::{Diagnostic, Span};

pub use conditional::ConditionalFn;
pub use convert::ConvertFn;
pub use datetime::{CalendarUnit, DatePart, DatePeriod, DateTimeFn, UnixUnit};
pub use dynamic::DynamicFn;
pub(crate) use dynamic::{dynamic_call, json_value};
pub use math::MathFn;
pub use text::TextFn;
pub(crate) use text::to_kusto_strings;
pub use window::WindowFn;

use crate::bind::{cast_to, common_numeric};
use crate::error::{DiagResult, semantic};
use crate::eval::Value;
use crate::plan::{BoundExpr, ExprKind};
use crate::types::KustoType;

/// A scalar function the engine runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    /// `coalesce`, `iff`, `case`, `isempty`, `isnull`...
    Conditional(ConditionalFn),
    /// String functions: `strlen`, `tolower`, `strcat`, `tostring`...
    Text(TextFn),
    /// Functions of `dynamic` values: `parse_json`, `array_length`, `bag_pack`...
    Dynamic(DynamicFn),
    /// Conversions: `toint`, `tolong`, `todouble`, `tobool`, `todatetime`, `totimespan`.
    Convert(ConvertFn),
    /// Date and time functions: `bin`, `startofday`, `datetime_diff`, `format_datetime`...
    DateTime(DateTimeFn),
    /// Math functions: `abs`, `round`, `pow`, `log`, `max_of`...
    Math(MathFn),
    /// Window functions of serialized rows: `row_number`, `prev`, `next`, `row_cumsum`.
    Window(WindowFn),
}

/// Every scalar function name the families know, for "did you mean" hints.
pub fn names() -> impl Iterator<Item = &'static str> {
    conditional::NAMES
        .iter()
        .chain(text::NAMES)
        .chain(dynamic::NAMES)
        .chain(convert::NAMES)
        .chain(datetime::NAMES)
        .chain(math::NAMES)
        .chain(window::NAMES)
        .copied()
}

/// Binds `name(args)`; `None` when no family knows the name.
pub(crate) fn bind(name: &str, args: Vec<BoundExpr>, span: Span) -> Option<DiagResult<BoundExpr>> {
    if conditional::NAMES.contains(&name) {
        Some(conditional::bind(name, args, span))
    } else if text::NAMES.contains(&name) {
        Some(text::bind(name, args, span))
    } else if dynamic::NAMES.contains(&name) {
        Some(dynamic::bind(name, args, span))
    } else if convert::NAMES.contains(&name) {
        Some(convert::bind(name, args, span))
    } else if datetime::NAMES.contains(&name) {
        Some(datetime::bind(name, args, span))
    } else if math::NAMES.contains(&name) {
        Some(math::bind(name, args, span))
    } else if window::NAMES.contains(&name) {
        Some(window::bind(name, args, span))
    } else {
        None
    }
}

/// Evaluates a call. Arguments are columns of `rows` rows, or all one-element scalars (then
/// the result is a scalar too).
pub(crate) fn evaluate(
    function: Function,
    args: Vec<Value>,
    bound: &[BoundExpr],
    ty: KustoType,
    rows: usize,
) -> DiagResult<Value> {
    // Window functions give one value per row even when their arguments are constants.
    let windowed = matches!(function, Function::Window(_));
    let all_scalar = !windowed && args.iter().all(Value::is_scalar);
    let len = if all_scalar { 1 } else { rows };
    let arrays = args
        .into_iter()
        .map(|value| value.into_array(len))
        .collect::<DiagResult<Vec<ArrayRef>>>()?;
    let types: Vec<KustoType> = bound.iter().map(|arg| arg.ty).collect();
    let call = Call {
        arrays: &arrays,
        types: &types,
        ty,
        len,
    };
    let result = match function {
        Function::Conditional(function) => conditional::evaluate(function, &call)?,
        Function::Text(function) => text::evaluate(function, &call)?,
        Function::Dynamic(function) => dynamic::evaluate(function, &call)?,
        Function::Convert(function) => convert::evaluate(function, &call)?,
        Function::DateTime(function) => datetime::evaluate(function, &call)?,
        Function::Math(function) => math::evaluate(function, &call)?,
        Function::Window(function) => window::evaluate(function, &call)?,
    };
    Ok(Value::like(all_scalar, result))
}

/// The evaluated arguments of one call.
pub(crate) struct Call<'a> {
    /// One array per argument, each of `len` rows.
    pub arrays: &'a [ArrayRef],
    /// The arguments' Kusto types.
    pub types: &'a [KustoType],
    /// The result type.
    pub ty: KustoType,
    /// Rows in each argument.
    pub len: usize,
}

impl Call<'_> {
    /// The argument at `index`.
    pub fn arg(&self, index: usize) -> DiagResult<&ArrayRef> {
        self.arrays
            .get(index)
            .ok_or_else(|| Diagnostic::internal("a function argument is missing"))
    }

    /// The argument at `index` as strings.
    pub fn strings(&self, index: usize) -> DiagResult<&arrow::array::StringArray> {
        downcast(self.arg(index)?)
    }
}

/// A downcast that reports an internal error instead of panicking.
pub(crate) fn downcast<T: 'static>(array: &ArrayRef) -> DiagResult<&T> {
    array
        .as_any()
        .downcast_ref::<T>()
        .ok_or_else(|| Diagnostic::internal("a function got an argument of an unexpected type"))
}

/// Whether an expression calls a window function, which needs all rows in one batch.
pub(crate) fn uses_window(expr: &BoundExpr) -> bool {
    window_call(expr).is_some()
}

/// Where the first window function call in `expr` is, if it has one.
pub(crate) fn window_call(expr: &BoundExpr) -> Option<Span> {
    let mut found = None;
    crate::plan::visit(expr, &mut |node| {
        if let ExprKind::Call {
            function: Function::Window(_),
            ..
        } = node.kind
        {
            found = found.or(Some(node.span));
        }
    });
    found
}

/// A bound call.
pub(crate) fn call(
    function: Function,
    args: Vec<BoundExpr>,
    ty: KustoType,
    span: Span,
) -> BoundExpr {
    BoundExpr {
        kind: ExprKind::Call { function, args },
        ty,
        span,
    }
}

/// Checks the argument count.
pub(crate) fn check_arity(
    name: &str,
    args: &[BoundExpr],
    range: std::ops::RangeInclusive<usize>,
    span: Span,
) -> DiagResult<()> {
    if range.contains(&args.len()) {
        return Ok(());
    }
    let expected = if range.start() == range.end() {
        range.start().to_string()
    } else {
        format!("{} to {}", range.start(), range.end())
    };
    Err(semantic(format!(
        "`{name}` takes {expected} arguments, found {}",
        args.len()
    ))
    .with_span(span))
}

/// The argument as a string: strings stay, other types are converted as `tostring` does.
pub(crate) fn string_arg(arg: BoundExpr) -> BoundExpr {
    match (&arg.kind, arg.ty) {
        (_, KustoType::String) => arg,
        (ExprKind::Missing(_), _) => BoundExpr {
            ty: KustoType::String,
            ..arg
        },
        _ => {
            let span = arg.span;
            call(
                Function::Text(TextFn::ToString),
                vec![arg],
                KustoType::String,
                span,
            )
        }
    }
}

/// Gives a missing column the type `ty`, or converts a numeric argument to it.
pub(crate) fn fit(arg: BoundExpr, ty: KustoType) -> BoundExpr {
    if matches!(arg.kind, ExprKind::Missing(_)) {
        return BoundExpr { ty, ..arg };
    }
    cast_to(arg, ty)
}

/// The common type of arguments that must agree: numeric types widen, others must be equal.
/// Missing columns (permissive mode) take the type of the others.
pub(crate) fn common_type(args: &[BoundExpr], span: Span) -> DiagResult<KustoType> {
    let mut common: Option<KustoType> = None;
    for arg in args
        .iter()
        .filter(|arg| !matches!(arg.kind, ExprKind::Missing(_)))
    {
        common = Some(match common {
            None => arg.ty,
            Some(ty) if ty == arg.ty => ty,
            Some(ty) if ty.is_numeric() && arg.ty.is_numeric() => common_numeric(ty, arg.ty),
            Some(ty) => {
                return Err(semantic(format!(
                    "the arguments must have one type, found `{ty}` and `{}`",
                    arg.ty
                ))
                .with_span(arg.span)
                .with_label(span, "in this call"));
            }
        });
    }
    Ok(common.unwrap_or(KustoType::String))
}
