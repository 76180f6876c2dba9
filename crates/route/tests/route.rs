//! Routing behaviour: specificity, fallbacks, decoding, base paths, methods, 405/404, conflicts,
//! and every operation of the real-world specs in /work/shared/specs.

use mockgen_route::{BasePaths, Lookup, Match, RouteOptions, RouteTable};
use mockgen_spec::Spec;
use serde_json::{Map, Value, json};
use std::borrow::Cow;

/// A 3.2 document with the given `(method, path)` operations (ids `op0`, `op1`, … in order)
/// and servers. `query` and unknown methods go through `additionalOperations`.
fn spec(ops: &[(&str, &str)], servers: &[&str]) -> Spec {
    let mut paths = Map::new();
    for (i, (method, path)) in ops.iter().enumerate() {
        let item = paths
            .entry(path.to_string())
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .expect("object");
        let op =
            json!({"operationId": format!("op{i}"), "responses": {"200": {"description": "ok"}}});
        let lower = method.to_ascii_lowercase();
        let standard = [
            "get", "put", "post", "delete", "options", "head", "patch", "trace", "query",
        ];
        if standard.contains(&lower.as_str()) {
            item.insert(lower, op);
        } else {
            item.entry("additionalOperations")
                .or_insert_with(|| json!({}))
                .as_object_mut()
                .expect("object")
                .insert(method.to_string(), op);
        }
    }
    let servers: Vec<Value> = servers.iter().map(|u| json!({"url": u})).collect();
    let doc = json!({
        "openapi": "3.2.0",
        "info": {"title": "t", "version": "1"},
        "servers": servers,
        "paths": paths,
    });
    let loaded = mockgen_spec::load(
        "test.json",
        doc.to_string(),
        &mockgen_spec::NoFiles,
        &mockgen_spec::LoadOptions::default(),
    );
    loaded.spec.expect("spec builds")
}

fn table(ops: &[(&str, &str)]) -> RouteTable {
    RouteTable::new(&spec(ops, &[]), &RouteOptions::default()).0
}

fn found<'a>(l: Lookup<'a>) -> Match<'a> {
    match l {
        Lookup::Found(m) => m,
        other => panic!("expected Found, got {other:?}"),
    }
}

fn found_id(spec: &Spec, t: &RouteTable, method: &str, path: &str) -> String {
    let m = found(t.lookup(method, path));
    spec.operations[m.operation].id.clone()
}

#[test]
fn static_beats_template_and_params_are_named() {
    let s = spec(&[("GET", "/users/{id}"), ("GET", "/users/me")], &[]);
    let (t, conflicts) = RouteTable::new(&s, &RouteOptions::default());
    assert!(conflicts.is_empty());
    assert_eq!(found_id(&s, &t, "GET", "/users/me"), "op1");
    let m = found(t.lookup("GET", "/users/42"));
    assert_eq!(s.operations[m.operation].id, "op0");
    assert_eq!(m.template, "/users/{id}");
    assert_eq!(m.params, vec![("id", Cow::Borrowed("42"))]);
    // matchit backtracks out of a static segment that leads nowhere.
    let s2 = spec(&[("GET", "/u/me/x"), ("GET", "/u/{id}/y")], &[]);
    let (t2, _) = RouteTable::new(&s2, &RouteOptions::default());
    assert_eq!(found(t2.lookup("GET", "/u/me/y")).template, "/u/{id}/y");
    // Parameters are never empty.
    assert_eq!(t.lookup("GET", "/users/"), Lookup::NotFound);
}

#[test]
fn mixed_fragments_and_fallback() {
    let s = spec(
        &[
            ("GET", "/files/{name}.json"),
            ("GET", "/files/{name}"),
            ("GET", "/a/{x}-{y}"),
            ("GET", "/a/{z}"),
            ("GET", "/v{version}/x"),
            ("GET", "/r/{a}-{b}.{c}"),
        ],
        &[],
    );
    let (t, _) = RouteTable::new(&s, &RouteOptions::default());
    let m = found(t.lookup("GET", "/files/report.json"));
    assert_eq!(m.template, "/files/{name}.json");
    assert_eq!(m.params, vec![("name", Cow::Borrowed("report"))]);
    assert_eq!(
        found(t.lookup("GET", "/files/report")).template,
        "/files/{name}"
    );

    // Two parameters in one segment: the fallback matcher, which beats `/a/{z}` on literals.
    let m = found(t.lookup("GET", "/a/1-2"));
    assert_eq!(m.template, "/a/{x}-{y}");
    assert_eq!(m.params, vec![("x", "1".into()), ("y", "2".into())]);
    // Shortest first for the earlier parameter.
    let m = found(t.lookup("GET", "/a/1-2-3"));
    assert_eq!(m.params, vec![("x", "1".into()), ("y", "2-3".into())]);
    // No dash: only `/a/{z}` matches.
    assert_eq!(found(t.lookup("GET", "/a/12")).template, "/a/{z}");
    // Parameters never cross `/`.
    assert_eq!(t.lookup("GET", "/a/1-2/3"), Lookup::NotFound);

    let m = found(t.lookup("GET", "/v2/x"));
    assert_eq!(m.params, vec![("version", "2".into())]);
    let m = found(t.lookup("GET", "/r/a-b.c"));
    assert_eq!(
        m.params,
        vec![("a", "a".into()), ("b", "b".into()), ("c", "c".into())]
    );
}

#[test]
fn more_literal_characters_win_between_matchit_and_fallback() {
    // `/{a}-{b}/items` is fallback-only with 7 literal characters; `/{c}/{d}` has 2.
    let s = spec(&[("GET", "/{c}/{d}"), ("GET", "/{a}-{b}/items")], &[]);
    let (t, _) = RouteTable::new(&s, &RouteOptions::default());
    assert_eq!(
        found(t.lookup("GET", "/x-y/items")).template,
        "/{a}-{b}/items"
    );
    assert_eq!(found(t.lookup("GET", "/x-y/other")).template, "/{c}/{d}");
    // Equal specificity between two fallbacks: the earlier operation wins.
    let s = spec(&[("GET", "/t/{a}-{b}"), ("GET", "/t/{c}.{d}")], &[]);
    let (t, _) = RouteTable::new(&s, &RouteOptions::default());
    assert_eq!(found(t.lookup("GET", "/t/1-2.3")).template, "/t/{a}-{b}");
}

#[test]
fn percent_decoding_after_matching() {
    let t = table(&[("GET", "/files/{path}"), ("GET", "/files/{path}/meta")]);
    let m = found(t.lookup("GET", "/files/a%2Fb"));
    assert_eq!(m.template, "/files/{path}");
    assert_eq!(m.params, vec![("path", Cow::<str>::Owned("a/b".into()))]);
    let m = found(t.lookup("GET", "/files/caf%C3%A9%20x/meta"));
    assert_eq!(m.params, vec![("path", Cow::<str>::Owned("café x".into()))]);
    // Invalid UTF-8 after decoding: the raw value, for the caller to validate.
    let m = found(t.lookup("GET", "/files/%FF"));
    assert_eq!(m.params, vec![("path", Cow::Borrowed("%FF"))]);
    // Malformed escapes are kept literally by percent-encoding.
    let m = found(t.lookup("GET", "/files/%zz"));
    assert_eq!(m.params[0].1, "%zz");
    // Fallback templates decode too.
    let t = table(&[("GET", "/a/{x}-{y}")]);
    let m = found(t.lookup("GET", "/a/%41-b%2Fc"));
    assert_eq!(m.params, vec![("x", "A".into()), ("y", "b/c".into())]);
}

#[test]
fn trailing_slash_is_tolerated() {
    let t = table(&[("GET", "/pets"), ("GET", "/pets/{id}"), ("GET", "/slash/")]);
    assert_eq!(found(t.lookup("GET", "/pets/")).template, "/pets");
    assert_eq!(found(t.lookup("GET", "/pets/7/")).template, "/pets/{id}");
    // A template written with a trailing slash matches it exactly (not the bare form).
    assert_eq!(found(t.lookup("GET", "/slash/")).template, "/slash/");
    assert_eq!(t.lookup("GET", "/slash"), Lookup::NotFound);
    assert_eq!(t.lookup("GET", "/pets//"), Lookup::NotFound);
}

#[test]
fn base_paths_from_servers() {
    let s = spec(
        &[("GET", "/pets"), ("GET", "/"), ("GET", "/pets/{id}")],
        &["https://api.example.com/v1", "/api/v2/"],
    );
    let (t, _) = RouteTable::new(&s, &RouteOptions::default());
    assert_eq!(t.base_paths(), ["/api/v2", "/v1", ""]);
    for path in ["/pets", "/v1/pets", "/api/v2/pets", "/v1/pets/"] {
        assert_eq!(found(t.lookup("GET", path)).template, "/pets", "{path}");
    }
    let m = found(t.lookup("GET", "/v1/pets/3"));
    assert_eq!(m.params, vec![("id", "3".into())]);
    // The base path itself reaches the operation on `/`.
    for path in ["/v1", "/v1/", "/", "", "/api/v2"] {
        assert_eq!(found(t.lookup("GET", path)).template, "/", "{path:?}");
    }
    // Prefixes only strip on a segment boundary.
    assert_eq!(t.lookup("GET", "/v10/pets"), Lookup::NotFound);
}

#[test]
fn per_operation_servers_add_prefixes() {
    let doc = json!({
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {"/up": {"post": {
            "servers": [{"url": "https://upload.example.com/upload/v3"}],
            "responses": {"200": {"description": "ok"}}
        }}}
    });
    let s = mockgen_spec::load(
        "t.json",
        doc.to_string(),
        &mockgen_spec::NoFiles,
        &mockgen_spec::LoadOptions::default(),
    )
    .spec
    .expect("spec");
    let (t, _) = RouteTable::new(&s, &RouteOptions::default());
    assert_eq!(found(t.lookup("POST", "/upload/v3/up")).template, "/up");
    assert_eq!(found(t.lookup("POST", "/up")).template, "/up");
}

#[test]
fn forced_base_path() {
    let s = spec(&[("GET", "/pets"), ("GET", "/")], &["https://x.example/v1"]);
    let forced = |p: &str| RouteOptions {
        base_paths: BasePaths::Forced(p.to_owned()),
    };
    let (t, _) = RouteTable::new(&s, &forced("/mock/"));
    assert_eq!(found(t.lookup("GET", "/mock/pets")).template, "/pets");
    assert_eq!(found(t.lookup("GET", "/mock")).template, "/");
    assert_eq!(t.lookup("GET", "/pets"), Lookup::NotFound);
    assert_eq!(t.lookup("GET", "/v1/pets"), Lookup::NotFound);
    let (t, _) = RouteTable::new(&s, &forced(""));
    assert_eq!(found(t.lookup("GET", "/pets")).template, "/pets");
    assert_eq!(t.lookup("GET", "/v1/pets"), Lookup::NotFound);
}

#[test]
fn methods_head_options_and_extras() {
    let s = spec(
        &[
            ("GET", "/pets"),
            ("POST", "/pets"),
            ("QUERY", "/pets"),
            ("PURGE", "/pets"),
            ("TRACE", "/pets"),
            ("PATCH", "/pets"),
            ("HEAD", "/only-head"),
            ("GET", "/only-head"),
            ("OPTIONS", "/opt"),
        ],
        &[],
    );
    let (t, conflicts) = RouteTable::new(&s, &RouteOptions::default());
    assert!(conflicts.is_empty());
    for method in ["GET", "POST", "QUERY", "PURGE", "TRACE", "PATCH"] {
        let m = found(t.lookup(method, "/pets"));
        assert_eq!(s.operations[m.operation].method, method);
    }
    // HEAD falls back to GET unless declared.
    assert_eq!(
        s.operations[found(t.lookup("HEAD", "/pets")).operation].method,
        "GET"
    );
    assert_eq!(
        s.operations[found(t.lookup("HEAD", "/only-head")).operation].method,
        "HEAD"
    );
    // OPTIONS is matched only when declared; otherwise the Allow list answers it.
    assert_eq!(found(t.lookup("OPTIONS", "/opt")).template, "/opt");
    match t.lookup("OPTIONS", "/pets") {
        Lookup::MethodNotAllowed { allow } => assert_eq!(
            allow,
            [
                "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PURGE", "QUERY", "TRACE"
            ]
        ),
        other => panic!("{other:?}"),
    }
    // Methods are case-sensitive, as in HTTP.
    assert!(matches!(
        t.lookup("get", "/pets"),
        Lookup::MethodNotAllowed { .. }
    ));
}

#[test]
fn method_not_allowed_vs_not_found() {
    let s = spec(
        &[
            ("POST", "/users/me"),
            ("GET", "/users/{id}"),
            ("DELETE", "/items/{id}"),
        ],
        &[],
    );
    let (t, _) = RouteTable::new(&s, &RouteOptions::default());
    // The static template lacks GET, so the templated one answers.
    assert_eq!(found(t.lookup("GET", "/users/me")).template, "/users/{id}");
    assert_eq!(found(t.lookup("POST", "/users/me")).template, "/users/me");
    // Allow names the methods of the most specific path item (`/users/me`), as contract
    // checkers expect, not every method some template would route.
    match t.lookup("PUT", "/users/me") {
        Lookup::MethodNotAllowed { allow } => {
            assert_eq!(allow, ["OPTIONS", "POST"]);
        }
        other => panic!("{other:?}"),
    }
    match t.lookup("GET", "/items/1/") {
        Lookup::MethodNotAllowed { allow } => assert_eq!(allow, ["DELETE", "OPTIONS"]),
        other => panic!("{other:?}"),
    }
    assert_eq!(t.lookup("GET", "/nothing"), Lookup::NotFound);
}

/// Found by Schemathesis on amazonaws.com--fsx: AWS documents one operation per
/// `/#X-Amz-Target=Service.Action` (and `/?Action=Name`), all on the same path; the header
/// or query value picks the operation instead of the first one taking the route.
#[test]
fn header_and_query_discriminators_in_paths() {
    use mockgen_route::RequestParts;
    let s = spec(
        &[
            ("POST", "/#X-Amz-Target=Svc.CreateBackup"),
            ("POST", "/#X-Amz-Target=Svc.CopyBackup"),
            ("GET", "/?Action=List&Version=1"),
            ("GET", "/?Action=Describe&Version=1"),
        ],
        &[],
    );
    let (t, conflicts) = RouteTable::new(&s, &RouteOptions::default());
    assert!(conflicts.is_empty(), "{conflicts:?}");
    let id = |method: &str, parts: RequestParts<'_>| match t.lookup_with(method, "/", &parts) {
        Lookup::Found(m) => s.operations[m.operation].id.clone(),
        other => panic!("{other:?}"),
    };
    let copy = [("x-amz-target", "Svc.CopyBackup")];
    let create = [("X-Amz-Target", "Svc.CreateBackup")];
    let none = RequestParts::default();
    assert_eq!(
        id(
            "POST",
            RequestParts {
                headers: &copy,
                query: None
            }
        ),
        "op1"
    );
    assert_eq!(
        id(
            "POST",
            RequestParts {
                headers: &create,
                query: None
            }
        ),
        "op0"
    );
    // Nothing matches: the first operation, whose header validation reports the problem.
    assert_eq!(id("POST", none), "op0");
    let describe = RequestParts {
        headers: &[],
        query: Some("Version=1&Action=Describe"),
    };
    assert_eq!(id("GET", describe), "op3");
    assert_eq!(
        id(
            "GET",
            RequestParts {
                headers: &[],
                query: Some("Action=List&Version=1")
            }
        ),
        "op2"
    );
    // Plain lookup still finds the route.
    assert_eq!(found_id(&s, &t, "POST", "/"), "op0");
}

#[test]
fn conflicts_are_reported_and_first_wins() {
    let s = spec(
        &[
            ("GET", "/pets/{id}"),
            ("GET", "/pets/{petId}"),
            ("PUT", "/pets/{petId}"),
        ],
        &[],
    );
    let (t, conflicts) = RouteTable::new(&s, &RouteOptions::default());
    assert_eq!(conflicts.len(), 1);
    let c = &conflicts[0];
    assert_eq!(s.operations[c.first].id, "op0");
    assert_eq!(s.operations[c.second].id, "op1");
    assert!(c.message.contains("/pets/{petId}"), "{}", c.message);
    assert_eq!(found_id(&s, &t, "GET", "/pets/1"), "op0");
    let m = found(t.lookup("PUT", "/pets/1"));
    assert_eq!(m.params, vec![("petId", "1".into())]);
    assert_eq!(s.operations[m.operation].id, "op2");
}

#[test]
fn odd_templates_never_panic() {
    let odd = [
        "/a/{",
        "/b/}",
        "/c/{}",
        "/d/{*rest}",
        "/e/{{x}}",
        "no-slash/{x}",
        "/f/{x}{y}",
        "/g/{a b}",
        "/h/*",
        "/i/{x}/{x}",
        "/j/:x",
        "",
    ];
    let ops: Vec<(&str, &str)> = odd.iter().map(|p| ("GET", *p)).collect();
    let s = spec(&ops, &[]);
    let (t, _) = RouteTable::new(&s, &RouteOptions::default());
    for (_, example) in t.example_paths() {
        let _ = t.lookup("GET", &example);
    }
    assert_eq!(found(t.lookup("GET", "/a/{")).template, "/a/{");
    assert_eq!(found(t.lookup("GET", "/c/{}")).template, "/c/{}");
    assert_eq!(found(t.lookup("GET", "/d/x")).template, "/d/{*rest}");
    assert_eq!(t.lookup("GET", "/d/x/y"), Lookup::NotFound);
    let m = found(t.lookup("GET", "/f/12"));
    assert_eq!(m.params, vec![("x", "1".into()), ("y", "2".into())]);
    for path in ["", "*", "%", "//", "/\u{e9}/%C3", "http://x/y", "/a/%"] {
        for method in ["GET", "HEAD", "", "QUERY"] {
            let _ = t.lookup(method, path);
        }
    }
}

#[test]
fn example_paths_fill_parameters() {
    let t = table(&[("GET", "/pets/{petId}/toys/{toy}.json"), ("GET", "/")]);
    assert_eq!(
        t.example_paths(),
        vec![(0, "/pets/1/toys/1.json".to_owned()), (1, "/".to_owned())]
    );
}

#[test]
fn route_table_is_send_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<RouteTable>();
}

/// Literal characters of a template: the specificity measure.
fn literal_len(template: &str) -> (bool, usize) {
    let mut n = 0;
    let mut depth = 0;
    for c in template.chars() {
        match c {
            '{' => depth += 1,
            '}' if depth > 0 => depth -= 1,
            _ if depth == 0 => n += c.len_utf8(),
            _ => {}
        }
    }
    (!template.contains('{'), n)
}

#[test]
fn every_operation_of_every_real_spec_is_reachable() {
    let dir = std::path::Path::new("/work/shared/specs");
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .expect("specs dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json" || e == "yaml"))
        .collect();
    names.sort();
    assert_eq!(names.len(), 25);
    let mut total_ops = 0;
    let mut total_conflicts = 0;
    for path in names {
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let text = std::fs::read_to_string(&path).expect("read");
        let loaded = mockgen_spec::load(
            &name,
            text,
            &mockgen_spec::NoFiles,
            &mockgen_spec::LoadOptions::default(),
        );
        let Some(s) = loaded.spec else {
            panic!("{name}: no spec")
        };
        let (t, conflicts) = RouteTable::new(&s, &RouteOptions::default());
        total_conflicts += conflicts.len();
        let base = s
            .servers
            .first()
            .map(|sv| sv.base_path())
            .unwrap_or_default();
        for (i, example) in t.example_paths() {
            total_ops += 1;
            let op = &s.operations[i];
            let mut paths = vec![example.clone()];
            if !base.is_empty() {
                paths.push(format!("{base}{example}"));
            }
            // `/#X-Amz-Target=A.B`, `/?Action=X`: the request carries the value (here in the
            // query, which a discriminator also accepts).
            let parts = mockgen_route::RequestParts {
                headers: &[],
                query: op.path.split_once(['#', '?']).map(|(_, q)| q),
            };
            for p in paths {
                let m = match t.lookup_with(&op.method, &p, &parts) {
                    Lookup::Found(m) => m,
                    other => panic!("{name}: {} {p} ({}) → {other:?}", op.method, op.path),
                };
                let got = &s.operations[m.operation];
                assert_eq!(got.method, op.method, "{name}: {p}");
                assert!(
                    m.operation == i || literal_len(m.template) >= literal_len(&op.path),
                    "{name}: {} {p}: expected {} got {}",
                    op.method,
                    op.path,
                    m.template
                );
            }
        }
        assert_eq!(
            t.lookup("GET", "/definitely/not/a/path"),
            Lookup::NotFound,
            "{name}"
        );
    }
    assert!(total_ops > 1000, "{total_ops}");
    // Counted, not asserted: real specs may legitimately contain duplicates.
    let _ = total_conflicts;
}
