//! Loading specs for tests.

use mockgen_spec::{LoadOptions, NoFiles, Spec, load};
use std::path::PathBuf;

pub fn shared_specs() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/specs")
}

/// The 25 real-world documents, sorted by name.
pub fn shared_spec_files() -> Vec<PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(shared_specs())
        .expect("../shared/specs exists next to the repository")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json" || x == "yaml"))
        .collect();
    files.sort();
    files
}

pub fn load_text(name: &str, text: &str) -> Spec {
    let loaded = load(name, text.to_owned(), &NoFiles, &LoadOptions::default());
    loaded
        .spec
        .unwrap_or_else(|| panic!("{name} did not load: {:?}", loaded.diagnostics))
}

pub fn load_file(path: &std::path::Path) -> Spec {
    let text = std::fs::read_to_string(path).unwrap();
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    load_text(&name, &text)
}

/// A 3.1 spec whose one operation `op` responds (200, JSON) with `schema`, with `components`
/// as `components.schemas`.
pub fn spec_with(schema: &serde_json::Value, components: &serde_json::Value) -> Spec {
    let doc = serde_json::json!({
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {"/x": {"post": {
            "operationId": "op",
            "requestBody": {"content": {"application/json": {"schema": schema}}},
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}}
        }}},
        "components": {"schemas": components}
    });
    load_text("t.json", &doc.to_string())
}

/// The response schema location of [`spec_with`].
pub fn response_loc() -> mockgen_spec::Loc {
    mockgen_spec::Loc::new(
        0,
        "/paths/~1x/post/responses/200/content/application~1json/schema",
    )
}

pub fn request_loc() -> mockgen_spec::Loc {
    mockgen_spec::Loc::new(
        0,
        "/paths/~1x/post/requestBody/content/application~1json/schema",
    )
}
