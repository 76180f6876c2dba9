//! The stateful store of `serve --stateful`: resources inferred from the spec (a collection
//! path with `POST`, a member path `/{id}` below it), kept in memory and answered through the
//! engine's [`mockgen_engine::Hook`] seam, so every answer is rendered and checked like any
//! other. Pure library: the binary does the file dump/load.

mod hook;
mod infer;
mod schema;
mod store;

pub use hook::{Seeding, StateHook, merge_patch};
pub use infer::{IdKind, Plan, Resource, Role, Shape, infer};
pub use store::{LoadError, Prepared, Store};
