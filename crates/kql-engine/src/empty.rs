//! Columns that hold no data: all null, or (strings, which are never null) all `""`.
//!
//! A known table's file often lacks most of the schema's columns (an export of 10 of
//! `SecurityEvent`'s 224), and each one a query keeps is an empty column in every batch.
//! Their buffers are slices of one zeroed buffer per thread, so making them costs neither
//! memory nor time, and [`filter_empty`] gives a filtered empty column the same way instead
//! of copying zeros.

use std::cell::RefCell;
use std::sync::Arc;

use arrow::array::{Array, ArrayData, ArrayRef, StringArray, make_array, new_null_array};
use arrow::buffer::{Buffer, OffsetBuffer, ScalarBuffer};
use arrow::datatypes::DataType;

thread_local! {
    /// Zeroed bytes shared by the empty columns this thread makes; grown on demand.
    static ZEROS: RefCell<Buffer> = RefCell::new(Buffer::from_vec(vec![0u64; 8192]));
    /// The longest empty column of each type made so far by this thread: shorter ones are
    /// slices of it, which skips checking their buffers again.
    static MADE: RefCell<Vec<ArrayRef>> = const { RefCell::new(Vec::new()) };
}

/// An empty column of `data_type` and `len` rows, sliced from the thread's longest one.
fn cached(data_type: &DataType, len: usize, make: impl FnOnce(usize) -> ArrayRef) -> ArrayRef {
    MADE.with(|made| {
        let mut made = made.borrow_mut();
        let index = made.iter().position(|array| array.data_type() == data_type);
        if let Some(array) = index.and_then(|index| made.get(index))
            && array.len() >= len
        {
            return array.slice(0, len);
        }
        let array = make(len.max(8192));
        match index.and_then(|index| made.get_mut(index)) {
            Some(slot) => *slot = Arc::clone(&array),
            None => made.push(Arc::clone(&array)),
        }
        array.slice(0, len)
    })
}

/// `bytes` zero bytes, from the thread's shared buffer.
fn zeroed(bytes: usize) -> Buffer {
    ZEROS.with(|zeros| {
        let mut zeros = zeros.borrow_mut();
        if zeros.len() < bytes {
            *zeros = Buffer::from_vec(vec![0u64; bytes.div_ceil(8).next_power_of_two()]);
        }
        zeros.slice_with_length(0, bytes)
    })
}

/// `len` empty strings, without nulls.
pub(crate) fn empty_strings(len: usize) -> ArrayRef {
    cached(&DataType::Utf8, len, |len| {
        let offsets = ScalarBuffer::<i32>::new(zeroed((len + 1) * 4), 0, len + 1);
        let values = Buffer::from_vec(Vec::<u8>::new());
        Arc::new(StringArray::new(OffsetBuffer::new(offsets), values, None))
    })
}

/// `len` nulls of `data_type`.
pub(crate) fn nulls(data_type: &DataType, len: usize) -> ArrayRef {
    // String nulls are not cached: the cached `Utf8` column is the one of `""`s.
    if data_type == &DataType::Utf8 {
        return make_nulls(data_type, len);
    }
    cached(data_type, len, |len| make_nulls(data_type, len))
}

fn make_nulls(data_type: &DataType, len: usize) -> ArrayRef {
    let bits = zeroed(len.div_ceil(8));
    let values = match data_type {
        DataType::Boolean => Some(bits.clone()),
        other => other.primitive_width().map(|width| zeroed(width * len)),
    };
    let Some(values) = values else {
        return new_null_array(data_type, len);
    };
    ArrayData::builder(data_type.clone())
        .len(len)
        .add_buffer(values)
        .null_bit_buffer(Some(bits))
        .build()
        .map_or_else(|_| new_null_array(data_type, len), make_array)
}

/// The column filtered down to `len` rows, when it is empty (all null, or all `""`): an empty
/// column of that length, as filtering it would give. `None` for a column with data.
pub(crate) fn filter_empty(column: &ArrayRef, len: usize) -> Option<ArrayRef> {
    if column.is_empty() {
        return None;
    }
    if column.null_count() == column.len() {
        return Some(nulls(column.data_type(), len));
    }
    let strings = column.as_any().downcast_ref::<StringArray>()?;
    // No value bytes at all: every offset is 0, so every value is "".
    (strings.values().is_empty() && strings.null_count() == 0).then(|| empty_strings(len))
}

#[cfg(test)]
mod tests {
    use arrow::array::{Int64Array, StringArray, TimestampNanosecondArray};

    use super::*;

    #[test]
    fn empty_columns_equal_the_ones_arrow_builds() {
        assert_eq!(
            empty_strings(3).as_ref(),
            &StringArray::from(vec![""; 3]) as &dyn Array
        );
        for data_type in [
            DataType::Int64,
            DataType::Boolean,
            DataType::Float64,
            DataType::Timestamp(arrow::datatypes::TimeUnit::Nanosecond, Some("UTC".into())),
            DataType::Utf8,
        ] {
            let built = nulls(&data_type, 100_000);
            assert_eq!(built.as_ref(), new_null_array(&data_type, 100_000).as_ref());
            assert_eq!(built.data_type(), &data_type);
        }
    }

    #[test]
    fn only_empty_columns_are_filtered_without_copying() {
        let longs: ArrayRef = Arc::new(Int64Array::from(vec![None, None]));
        assert_eq!(filter_empty(&longs, 1).unwrap().len(), 1);
        let times: ArrayRef = Arc::new(TimestampNanosecondArray::from(vec![Some(1), None]));
        assert!(filter_empty(&times, 1).is_none());
        let strings: ArrayRef = Arc::new(StringArray::from(vec!["", ""]));
        assert_eq!(
            filter_empty(&strings, 1).unwrap().as_ref(),
            empty_strings(1).as_ref()
        );
        let text: ArrayRef = Arc::new(StringArray::from(vec!["", "x"]));
        assert!(filter_empty(&text, 1).is_none());
    }
}
