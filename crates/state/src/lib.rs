//! The stateful store of serve --stateful: resources inferred from the spec, CRUD on them.
