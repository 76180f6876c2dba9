//! JSON Schema dialect handling and validation for mockgen: translation of Swagger 2.0 and
//! OpenAPI 3.0 schemas into JSON Schema 2020-12, readOnly/writeOnly views of documents, and
//! one compiled validator per spec. No I/O, nothing about HTTP.

pub mod dialect;
mod pointer;
pub mod validate;
pub mod view;

pub use dialect::{Dialect, Note, to_2020_12};
pub use validate::{BuildError, MAX_COUNTED, SlotId, Validator, ValidatorBuilder, Violation};
pub use view::View;
