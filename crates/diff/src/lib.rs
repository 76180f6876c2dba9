//! Breaking-change detection between two versions of a spec, on the resolved model.
