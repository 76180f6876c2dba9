//! Specs written to hurt: inference must finish quickly whatever the schemas look like.

use mockgen_spec::{LoadOptions, NoFiles, load};
use mockgen_state::infer;
use std::sync::mpsc;
use std::time::Duration;

/// Run `f` on a thread; fail when it takes longer than `limit` (a runaway walk would
/// otherwise hang the test run).
fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(limit)
        .unwrap_or_else(|_| panic!("did not finish within {limit:?}"))
}

/// A schema whose `anyOf` names itself three times (and a chain of such schemas): each level
/// multiplied the walk by three, 3^24 visits before the depth bound stopped it.
#[test]
fn self_referencing_alternatives_do_not_explode() {
    let mut schemas = String::new();
    for i in 0..30 {
        let next = if i == 29 { 0 } else { i + 1 };
        schemas.push_str(&format!(
            "    T{i}:\n      anyOf:\n        - $ref: '#/components/schemas/T{next}'\n        - $ref: '#/components/schemas/T{next}'\n        - $ref: '#/components/schemas/T{i}'\n        - type: object\n          properties:\n            id: {{type: integer}}\n            f{i}: {{type: string}}\n"
        ));
    }
    let text = format!(
        "openapi: 3.1.0
info: {{title: t, version: '1'}}
paths:
  /things:
    post:
      operationId: createThing
      responses:
        '201':
          description: created
          content:
            application/json:
              schema: {{$ref: '#/components/schemas/T0'}}
  /things/{{id}}:
    parameters:
      - {{name: id, in: path, required: true, schema: {{type: integer}}}}
    get:
      operationId: getThing
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {{$ref: '#/components/schemas/T0'}}
components:
  schemas:
{schemas}"
    );
    let resources = within(Duration::from_secs(20), move || {
        let spec = load("hostile.yaml", text, &NoFiles, &LoadOptions::default())
            .spec
            .expect("a model");
        infer(&spec)
    });
    let things = resources
        .iter()
        .find(|r| r.key == "/things")
        .expect("the resource is still found");
    assert_eq!(things.id_field.as_deref(), Some("id"));
    assert!(things.fields.iter().any(|f| f == "f0"));
}
