//! Nested Parquet columns as the text the rest of understudy carries: a list becomes a
//! PostgreSQL array literal (`{1,2,"a b"}`), so it is profiled and generated like a PostgreSQL
//! array; a struct or map becomes JSON text (`{"x": 1, "y": "a"}`), profiled as `json`.
//!
//! Arrow's own cast can't do either (it refuses structs, and writes lists as `[1, 2]`), and a
//! failed cast would name no column.

use arrow::array::{Array, ArrayRef, AsArray, StringBuilder};
use arrow::datatypes::DataType;
use arrow::error::ArrowError;
use arrow::util::display::{ArrayFormatter, FormatOptions};
use serde_json::{Map, Number, Value};

use crate::schema::array_literal;

/// Whether `data_type` is nested (a list, struct or map) and so needs [`to_text`].
pub fn is_nested(data_type: &DataType) -> bool {
    matches!(
        data_type,
        DataType::List(_)
            | DataType::LargeList(_)
            | DataType::FixedSizeList(..)
            | DataType::Struct(_)
            | DataType::Map(..)
    )
}

/// One text value per row (NULL stays NULL): a PostgreSQL array literal for a list, JSON for a
/// struct or map.
pub fn to_text(array: &dyn Array) -> Result<ArrayRef, ArrowError> {
    let mut out = StringBuilder::with_capacity(array.len(), array.len() * 16);
    for row in 0..array.len() {
        if array.is_null(row) {
            out.append_null();
        } else if is_list(array.data_type()) {
            out.append_value(pg_array_literal(&list_values(array, row)?)?);
        } else {
            out.append_value(json_value(array, row)?.to_string());
        }
    }
    Ok(std::sync::Arc::new(out.finish()))
}

fn is_list(data_type: &DataType) -> bool {
    matches!(
        data_type,
        DataType::List(_) | DataType::LargeList(_) | DataType::FixedSizeList(..)
    )
}

/// The elements of one list row.
fn list_values(array: &dyn Array, row: usize) -> Result<ArrayRef, ArrowError> {
    match array.data_type() {
        DataType::List(_) => Ok(array.as_list::<i32>().value(row)),
        DataType::LargeList(_) => Ok(array.as_list::<i64>().value(row)),
        DataType::FixedSizeList(..) => Ok(array.as_fixed_size_list().value(row)),
        other => Err(ArrowError::CastError(format!("{other} is not a list"))),
    }
}

/// `{a,b,NULL,"x y"}`: nested lists nest braces.
fn pg_array_literal(values: &ArrayRef) -> Result<String, ArrowError> {
    let mut out = String::from("{");
    for i in 0..values.len() {
        if i > 0 {
            out.push(',');
        }
        if values.is_null(i) {
            out.push_str("NULL");
        } else if is_list(values.data_type()) {
            out.push_str(&pg_array_literal(&list_values(values.as_ref(), i)?)?);
        } else {
            let text = match json_value(values.as_ref(), i)? {
                Value::String(s) => s,
                other => other.to_string(),
            };
            array_literal::write_element(&text, &mut out);
        }
    }
    out.push('}');
    Ok(out)
}

/// One value as JSON: numbers and booleans as themselves, structs and maps as objects, lists
/// as arrays, anything else as its display text.
fn json_value(array: &dyn Array, row: usize) -> Result<Value, ArrowError> {
    if array.is_null(row) {
        return Ok(Value::Null);
    }
    match array.data_type() {
        DataType::Struct(fields) => {
            let s = array.as_struct();
            let mut object = Map::new();
            for (field, column) in fields.iter().zip(s.columns()) {
                object.insert(field.name().clone(), json_value(column.as_ref(), row)?);
            }
            Ok(Value::Object(object))
        }
        DataType::Map(..) => {
            let entries = array.as_map().value(row);
            let mut object = Map::new();
            for i in 0..entries.len() {
                let key = match json_value(entries.column(0).as_ref(), i)? {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                object.insert(key, json_value(entries.column(1).as_ref(), i)?);
            }
            Ok(Value::Object(object))
        }
        t if is_list(t) => {
            let values = list_values(array, row)?;
            (0..values.len())
                .map(|i| json_value(values.as_ref(), i))
                .collect::<Result<_, _>>()
                .map(Value::Array)
        }
        _ => scalar_json(array, row),
    }
}

fn scalar_json(array: &dyn Array, row: usize) -> Result<Value, ArrowError> {
    let text = ArrayFormatter::try_new(array, &FormatOptions::default())?
        .value(row)
        .to_string();
    let data_type = array.data_type();
    // A non-finite float (`inf`) doesn't parse as a JSON number and stays a string.
    Ok(if data_type.is_integer() || data_type.is_floating() {
        text.parse::<Number>()
            .map(Value::Number)
            .unwrap_or(Value::String(text))
    } else if *data_type == DataType::Boolean {
        Value::Bool(text == "true")
    } else {
        Value::String(text)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Int32Array, ListArray, StringArray, StructArray};
    use arrow::datatypes::{Field, Int32Type};
    use std::sync::Arc;

    #[test]
    fn lists_become_postgres_array_literals() {
        let list = ListArray::from_iter_primitive::<Int32Type, _, _>(vec![
            Some(vec![Some(1), None, Some(3)]),
            None,
            Some(vec![]),
        ]);
        let text = to_text(&list).unwrap();
        let text = text.as_string::<i32>();
        assert_eq!(text.value(0), "{1,NULL,3}");
        assert!(text.is_null(1));
        assert_eq!(text.value(2), "{}");
    }

    #[test]
    fn structs_become_json_and_text_elements_are_quoted() {
        let s = StructArray::from(vec![
            (
                Arc::new(Field::new("n", DataType::Int32, true)),
                Arc::new(Int32Array::from(vec![7])) as ArrayRef,
            ),
            (
                Arc::new(Field::new("t", DataType::Utf8, true)),
                Arc::new(StringArray::from(vec!["a \"b\""])) as ArrayRef,
            ),
        ]);
        let text = to_text(&s).unwrap();
        assert_eq!(text.as_string::<i32>().value(0), r#"{"n":7,"t":"a \"b\""}"#);
        let words: ArrayRef = Arc::new(StringArray::from(vec!["x y", "", "plain"]));
        assert_eq!(pg_array_literal(&words).unwrap(), r#"{"x y","",plain}"#);
    }
}
