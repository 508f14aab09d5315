//! `externaldata`: rows from files or URLs a query names. A query may read only what its
//! embedder allows, so kql reads none itself: an engine without an [`ExternalData`] resolver
//! refuses every `externaldata`, and one with a resolver asks it for the rows.

use std::fmt;
use std::sync::Arc;

use arrow::array::RecordBatch;

use crate::types::KustoType;

/// What an `externaldata` operator asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct ExternalDataRequest {
    /// The declared columns, in order: the batches returned must have exactly these.
    pub columns: Vec<(String, KustoType)>,
    /// The storage URIs or paths, as the query wrote them.
    pub uris: Vec<String>,
    /// The `with (...)` properties, such as `("format", "csv")`: a string's value, or the
    /// KQL text of another value (`true`).
    pub properties: Vec<(String, String)>,
}

/// Supplies the rows of `externaldata` operators, for an embedder that allows them.
///
/// ```
/// use std::sync::Arc;
/// use arrow::array::{RecordBatch, StringArray};
/// use arrow::datatypes::Schema;
/// use kql_engine::external::{ExternalData, ExternalDataRequest};
/// use kql_engine::{Engine, types::KustoType};
///
/// /// Serves one allowed URI, from memory.
/// struct Allowed;
///
/// impl ExternalData for Allowed {
///     fn fetch(&self, request: &ExternalDataRequest) -> Result<Vec<RecordBatch>, String> {
///         if request.uris != ["https://example.com/names.csv"] {
///             return Err(format!("not allowed: {:?}", request.uris));
///         }
///         let schema = Arc::new(Schema::new(vec![KustoType::String.field("Name")]));
///         let names = Arc::new(StringArray::from(vec!["a", "b"]));
///         Ok(vec![RecordBatch::try_new(schema, vec![names]).map_err(|e| e.to_string())?])
///     }
/// }
///
/// let engine = Engine::new().with_external_data(Arc::new(Allowed));
/// let query = "externaldata (Name:string) ['https://example.com/names.csv'] | count";
/// let result = engine.run(query).unwrap();
/// assert_eq!(result.tables[0].num_rows(), 1);
/// ```
pub trait ExternalData: Send + Sync {
    /// The rows of `request`, in batches with its declared columns; an error message
    /// otherwise (it is reported at the operator).
    fn fetch(&self, request: &ExternalDataRequest) -> Result<Vec<RecordBatch>, String>;
}

/// A shared resolver, as the engine and the binder hold it.
#[derive(Clone)]
pub(crate) struct Resolver(pub Arc<dyn ExternalData>);

impl fmt::Debug for Resolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Resolver(..)")
    }
}

impl std::ops::Deref for Resolver {
    type Target = dyn ExternalData;

    fn deref(&self) -> &Self::Target {
        self.0.as_ref()
    }
}
