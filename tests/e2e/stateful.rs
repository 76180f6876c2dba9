//! `mockgen serve --stateful`: resources inferred from the spec remember what clients create.
//! Every server runs with `--errors`, so an answer that breaks the spec would be a 500.

use crate::http::{Reply, Server};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

const CRUD: &str = "specs/stateful/crud.yaml";
const BANK: &str = "specs/demo/bank.yaml";
const JSON: (&str, &str) = ("Content-Type", "application/json");

fn start(spec: &str, extra: &[&str]) -> Server {
    let mut args = vec![spec, "--stateful", "--errors", "--no-watch"];
    args.extend_from_slice(extra);
    Server::start_with(&args)
}

fn send(s: &Server, method: &str, path: &str, body: &Value) -> Reply {
    s.request(method, path, &[JSON], body.to_string().as_bytes())
}

fn ok(r: &Reply, status: u16) -> Value {
    assert_eq!(r.status, status, "{}", r.text());
    if r.body.is_empty() {
        Value::Null
    } else {
        r.json()
    }
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mockgen-e2e-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

fn names(list: &Value) -> Vec<&str> {
    list.as_array()
        .expect("an array")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect()
}

#[test]
fn create_read_update_patch_delete() {
    let s = start(CRUD, &[]);
    let created = send(&s, "POST", "/pets", &json!({"name": "Bo", "tag": "new"}));
    let pet = ok(&created, 201);
    // Next after the seeded examples 1 and 2; readOnly id first; the request default filled.
    assert_eq!(
        pet,
        json!({"id": 3, "name": "Bo", "species": "dog", "tag": "new"})
    );
    assert_eq!(created.header("location"), Some("/pets/3"));
    assert_eq!(ok(&s.get("/pets/3", &[]), 200), pet);
    assert_eq!(names(&ok(&s.get("/pets", &[]), 200)), ["Rex", "Tom", "Bo"]);

    let replaced = ok(&send(&s, "PUT", "/pets/3", &json!({"name": "Bob"})), 200);
    assert_eq!(replaced, json!({"id": 3, "name": "Bob", "species": "dog"}));
    let patch = [("Content-Type", "application/merge-patch+json")];
    let patched = s.request(
        "PATCH",
        "/pets/3",
        &patch,
        br#"{"tag": "x", "species": "cat"}"#,
    );
    assert_eq!(
        ok(&patched, 200),
        json!({"id": 3, "name": "Bob", "species": "cat", "tag": "x"})
    );
    let removed = s.request("PATCH", "/pets/3", &patch, br#"{"tag": null}"#);
    assert_eq!(
        ok(&removed, 200),
        json!({"id": 3, "name": "Bob", "species": "cat"})
    );
    // `003` is the same integer id.
    assert_eq!(ok(&s.get("/pets/003", &[]), 200)["name"], "Bob");

    assert_eq!(
        ok(&s.request("DELETE", "/pets/3", &[], b""), 204),
        Value::Null
    );
    let gone = s.get("/pets/3", &[]);
    assert_eq!(gone.status, 404);
    assert!(gone.json()["message"].as_str().is_some(), "{}", gone.text());
    assert_eq!(s.request("DELETE", "/pets/3", &[], b"").status, 404);
    assert_eq!(
        send(&s, "PUT", "/pets/3", &json!({"name": "X"})).status,
        404
    );
    assert_eq!(names(&ok(&s.get("/pets", &[]), 200)), ["Rex", "Tom"]);
    // Invalid requests are still rejected before the store sees them.
    assert_eq!(
        send(&s, "POST", "/pets", &json!({"tag": "no name"})).status,
        422
    );
    assert_eq!(names(&ok(&s.get("/pets", &[]), 200)), ["Rex", "Tom"]);
}

/// An id the client chooses (`username`): kept, 409 when taken, `writeOnly` never echoed.
#[test]
fn client_chosen_ids() {
    let s = start(CRUD, &[]);
    let body = json!({"username": "ann lee", "password": "secret"});
    let created = send(&s, "POST", "/users", &body);
    assert_eq!(ok(&created, 201), json!({"username": "ann lee"}));
    assert_eq!(created.header("location"), Some("/users/ann%20lee"));
    assert_eq!(
        ok(&s.get("/users/ann%20lee", &[]), 200),
        json!({"username": "ann lee"})
    );
    assert_eq!(send(&s, "POST", "/users", &body).status, 409);
    assert_eq!(s.get("/users/bob", &[]).status, 404);
}

/// Without a declared 404, an id never seen gets the spec's stateless answer; a deleted one
/// is still gone.
#[test]
fn undeclared_not_found_only_for_deleted_objects() {
    let s = start(CRUD, &[]);
    let unknown = ok(&s.get("/notes/99", &[]), 200);
    assert!(unknown["text"].is_string());
    let note = ok(&send(&s, "POST", "/notes", &json!({"text": "hi"})), 201);
    assert_eq!(note, json!({"id": 1, "text": "hi"}));
    assert_eq!(ok(&s.get("/notes/1", &[]), 200), note);
    ok(&s.request("DELETE", "/notes/1", &[], b""), 204);
    assert_eq!(s.get("/notes/1", &[]).status, 404);
    s.request("POST", "/__mockgen/reset", &[], b"");
    assert_eq!(s.get("/notes/1", &[]).status, 200);
}

#[test]
fn nested_collections_are_scoped_to_their_parent() {
    let s = start(CRUD, &[]);
    let ann = ok(&send(&s, "POST", "/owners", &json!({"name": "Ann"})), 201);
    let bob = ok(&send(&s, "POST", "/owners", &json!({"name": "Bob"})), 201);
    let (a, b) = (
        ann["id"].as_str().expect("uuid"),
        bob["id"].as_str().expect("uuid"),
    );
    assert_eq!(a.len(), 36);
    assert_ne!(a, b);
    let created = send(
        &s,
        "POST",
        &format!("/owners/{a}/pets"),
        &json!({"name": "Fido"}),
    );
    let fido = ok(&created, 201);
    assert_eq!(fido["ownerId"], a);
    let location = created.header("location").expect("Location").to_owned();
    assert_eq!(location, format!("/owners/{a}/pets/{}", fido["id"]));
    assert_eq!(ok(&s.get(&location, &[]), 200), fido);
    assert_eq!(
        names(&ok(&s.get(&format!("/owners/{a}/pets"), &[]), 200)),
        ["Fido"]
    );
    assert!(names(&ok(&s.get(&format!("/owners/{b}/pets"), &[]), 200)).is_empty());
    // Another owner's pet is not found under this owner.
    let other = format!("/owners/{b}/pets/{}", fido["id"]);
    assert_eq!(s.get(&other, &[]).status, 404);
    // An owner that does not exist has no pets to list or add to.
    let nobody = "/owners/00000000-0000-4000-8000-000000000000/pets";
    assert_eq!(s.get(nobody, &[]).status, 404);
    assert_eq!(
        send(&s, "POST", nobody, &json!({"name": "Stray"})).status,
        404
    );
}

#[test]
fn lists_paginate_and_filter_with_the_specs_parameters() {
    let s = start(CRUD, &[]);
    for (name, species) in [("A", "cat"), ("B", "dog"), ("C", "cat")] {
        ok(
            &send(
                &s,
                "POST",
                "/pets",
                &json!({"name": name, "species": species}),
            ),
            201,
        );
    }
    let all = ["Rex", "Tom", "A", "B", "C"];
    assert_eq!(names(&ok(&s.get("/pets", &[]), 200)), all);
    assert_eq!(
        names(&ok(&s.get("/pets?limit=2", &[]), 200)),
        ["Rex", "Tom"]
    );
    assert_eq!(
        names(&ok(&s.get("/pets?limit=2&offset=3", &[]), 200)),
        ["B", "C"]
    );
    assert!(names(&ok(&s.get("/pets?offset=9", &[]), 200)).is_empty());
    assert_eq!(
        names(&ok(&s.get("/pets?species=cat", &[]), 200)),
        ["Tom", "A", "C"]
    );
    assert_eq!(
        names(&ok(&s.get("/pets?species=cat&limit=1&offset=1", &[]), 200)),
        ["A"]
    );
    // `tags` (an array parameter) filters on the `tag` field: any listed value matches.
    assert_eq!(
        names(&ok(&s.get("/pets?tags=good&tags=x", &[]), 200)),
        ["Rex"]
    );
    // An envelope: the array property holds the page, `total` counts every match.
    for name in ["O1", "O2", "O3"] {
        ok(&send(&s, "POST", "/owners", &json!({"name": name})), 201);
    }
    let page = ok(&s.get("/owners?page=2&per_page=2", &[]), 200);
    assert_eq!(page["total"], 3);
    assert_eq!(names(&page["data"]), ["O3"]);
    let first = ok(&s.get("/owners?per_page=2", &[]), 200);
    assert_eq!(names(&first["data"]), ["O1", "O2"]);
}

#[test]
fn seeding_reset_and_state_dump() {
    let s = start(CRUD, &[]);
    let state = ok(&s.get("/__mockgen/state", &[]), 200);
    assert_eq!(
        state["/pets"],
        json!([
            {"id": 1, "name": "Rex", "species": "dog", "tag": "good"},
            {"id": 2, "name": "Tom", "species": "cat"}
        ])
    );
    assert_eq!(state["/owners"], json!([]));
    assert_eq!(state["/owners/{ownerId}/pets"], json!({}));
    ok(&send(&s, "POST", "/pets", &json!({"name": "New"})), 201);
    ok(&s.request("DELETE", "/pets/1", &[], b""), 204);
    assert_eq!(names(&ok(&s.get("/pets", &[]), 200)), ["Tom", "New"]);
    assert_eq!(s.request("POST", "/__mockgen/reset", &[], b"").status, 204);
    assert_eq!(ok(&s.get("/__mockgen/state", &[]), 200), state);
    // After a reset the sequence restarts too: same requests, same answers.
    assert_eq!(
        ok(&send(&s, "POST", "/pets", &json!({"name": "New"})), 201)["id"],
        3
    );
    // A state can be put back whole.
    let put = send(
        &s,
        "PUT",
        "/__mockgen/state",
        &json!({"/pets": [{"id": 40, "name": "Loaded", "species": "emu"}]}),
    );
    assert_eq!(put.status, 200, "{}", put.text());
    assert_eq!(names(&ok(&s.get("/pets", &[]), 200)), ["Loaded"]);
    assert_eq!(
        ok(&send(&s, "POST", "/pets", &json!({"name": "Next"})), 201)["id"],
        41
    );
    let bad = send(
        &s,
        "PUT",
        "/__mockgen/state",
        &json!({"/pets": {"not": "a list"}}),
    );
    assert_eq!(bad.status, 400);
    assert_eq!(s.get("/__mockgen/nothing", &[]).status, 404);
}

#[test]
fn seed_items_generates_valid_objects() {
    let s = start(CRUD, &["--seed-items", "4"]);
    let list = ok(&s.get("/pets", &[]), 200);
    let ids: Vec<i64> = list
        .as_array()
        .expect("array")
        .iter()
        .map(|p| p["id"].as_i64().expect("integer id"))
        .collect();
    assert_eq!(ids.len(), 4);
    let mut unique = ids.clone();
    unique.dedup();
    assert_eq!(unique, ids);
    for id in ids {
        ok(&s.get(&format!("/pets/{id}"), &[]), 200);
    }
    let owners = ok(&s.get("/owners", &[]), 200);
    assert_eq!(owners["total"], 4);
}

/// SIGTERM the server and wait (10 s at most) for its exit status.
fn terminate(s: &mut Server) -> std::process::ExitStatus {
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &s.child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = s.child.try_wait().expect("wait") {
            return status;
        }
        assert!(Instant::now() < deadline, "serve did not stop");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn state_file_is_loaded_at_start_and_saved_on_shutdown() {
    let dir = temp_dir("state-file");
    let file = dir.join("state.json");
    let path = file.to_string_lossy().into_owned();
    let mut s = start(CRUD, &["--state-file", &path]);
    ok(&send(&s, "POST", "/pets", &json!({"name": "Kept"})), 201);
    // SIGTERM: a graceful shutdown saves the state.
    assert_eq!(terminate(&mut s).code(), Some(0));
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("state saved")).expect("JSON");
    assert_eq!(names(&saved["/pets"]), ["Rex", "Tom", "Kept"]);
    drop(s);
    let s = start(CRUD, &["--state-file", &path]);
    assert_eq!(
        names(&ok(&s.get("/pets", &[]), 200)),
        ["Rex", "Tom", "Kept"]
    );
    assert_eq!(
        ok(&send(&s, "POST", "/pets", &json!({"name": "After"})), 201)["id"],
        4
    );
    // The loaded state is what a reset returns to.
    s.request("POST", "/__mockgen/reset", &[], b"");
    assert_eq!(
        names(&ok(&s.get("/pets", &[]), 200)),
        ["Rex", "Tom", "Kept"]
    );
    drop(s);
    std::fs::write(&file, "{not json").expect("write");
    let bad = crate::support::mockgen(&[
        "serve",
        CRUD,
        "--stateful",
        "--state-file",
        &path,
        "--port",
        "0",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not JSON"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn operations_outside_resources_keep_stateless_answers() {
    let stateful = start(CRUD, &[]);
    let stateless = Server::start_with(&[CRUD, "--errors", "--no-watch"]);
    assert_eq!(
        stateful.get("/ping", &[]).body,
        stateless.get("/ping", &[]).body
    );
    // Without --stateful the admin paths are not served and nothing is remembered.
    assert_eq!(stateless.get("/__mockgen/state", &[]).status, 404);
    ok(
        &send(&stateless, "POST", "/pets", &json!({"name": "Lost"})),
        201,
    );
    assert_ne!(ok(&stateless.get("/pets/3", &[]), 200)["name"], "Lost");
    // An explicit Prefer code still wins over the store.
    let preferred = stateful.get("/pets/1", &[("Prefer", "code=404")]);
    assert_eq!(preferred.status, 404);
}

#[test]
fn same_requests_give_the_same_bytes() {
    let run = || {
        let s = start(CRUD, &[]);
        let mut out = Vec::new();
        out.push(send(&s, "POST", "/owners", &json!({"name": "A"})).body);
        out.push(send(&s, "POST", "/pets", &json!({"name": "B"})).body);
        out.push(s.get("/owners", &[]).body);
        out.push(s.get("/pets/99", &[]).body);
        out
    };
    assert_eq!(run(), run());
}

#[test]
fn store_survives_a_reload() {
    let dir = temp_dir("state-reload");
    let spec = dir.join("crud.yaml");
    let text = std::fs::read_to_string(crate::support::root().join(CRUD)).expect("read");
    std::fs::write(&spec, &text).expect("write");
    let path = spec.to_string_lossy().into_owned();
    let s = Server::start_with(&[&path, "--stateful", "--errors"]);
    ok(
        &send(&s, "POST", "/pets", &json!({"name": "Survivor"})),
        201,
    );
    std::fs::write(
        &spec,
        text.replace("example: { pong: true }", "example: { pong: false }"),
    )
    .expect("write");
    s.wait_stderr(|e| e.contains("reloaded"));
    assert_eq!(ok(&s.get("/ping", &[]), 200), json!({"pong": false}));
    assert_eq!(ok(&s.get("/pets/3", &[]), 200)["name"], "Survivor");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Many clients creating and deleting at once: nothing lost, nothing invented.
#[test]
fn concurrent_creates_and_deletes_keep_counts() {
    const THREADS: usize = 8;
    const PER_THREAD: usize = 30;
    let s = Arc::new(start(CRUD, &["--log-format", "off"]));
    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let s = Arc::clone(&s);
            std::thread::spawn(move || {
                let mut kept = Vec::new();
                let mut deleted = Vec::new();
                for i in 0..PER_THREAD {
                    let name = format!("t{t}-{i}");
                    let pet = ok(&send(&s, "POST", "/pets", &json!({"name": name})), 201);
                    let id = pet["id"].as_i64().expect("id");
                    if i % 3 == 0 {
                        ok(&s.request("DELETE", &format!("/pets/{id}"), &[], b""), 204);
                        deleted.push(id);
                    } else {
                        kept.push((id, name));
                    }
                }
                (kept, deleted)
            })
        })
        .collect();
    let mut kept = Vec::new();
    let mut deleted = Vec::new();
    for w in workers {
        let (k, d) = w.join().expect("worker");
        kept.extend(k);
        deleted.extend(d);
    }
    assert_eq!(kept.len() + deleted.len(), THREADS * PER_THREAD);
    let list = ok(&s.get("/pets", &[]), 200);
    let listed: Vec<(i64, String)> = list
        .as_array()
        .expect("array")
        .iter()
        .filter(|p| p["name"].as_str().is_some_and(|n| n.starts_with('t')))
        .map(|p| {
            (
                p["id"].as_i64().expect("id"),
                p["name"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    // Every kept object is listed exactly once with its own name; no deleted one is.
    assert_eq!(listed.len(), kept.len());
    let mut sorted_listed = listed.clone();
    sorted_listed.sort();
    let mut sorted_kept = kept.clone();
    sorted_kept.sort();
    assert_eq!(sorted_listed, sorted_kept);
    let mut ids: Vec<i64> = kept
        .iter()
        .map(|(id, _)| *id)
        .chain(deleted.iter().copied())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), THREADS * PER_THREAD, "ids are never reused");
    for id in deleted.iter().take(10) {
        assert_eq!(s.get(&format!("/pets/{id}"), &[]).status, 404);
    }
    // The seeded two plus the kept ones.
    assert_eq!(list.as_array().map(Vec::len), Some(2 + kept.len()));
}

/// The banking flow: accounts are a resource; deposits and withdrawals are stored as the
/// account's transactions because they answer the transactions' item schema.
#[test]
fn bank_flow_works_without_configuration() {
    let s = start(BANK, &[]);
    let created = send(&s, "POST", "/accounts", &json!({"owner": "Grace Hopper"}));
    let account = ok(&created, 201);
    assert_eq!(account["id"], 3, "after the two seeded examples");
    assert_eq!(account["currency"], "EUR");
    assert_eq!(account["balance"], 0);
    assert_eq!(created.header("location"), Some("/accounts/3"));
    let deposit = send(&s, "POST", "/accounts/3/deposits", &json!({"amount": 5000}));
    let d = ok(&deposit, 201);
    assert_eq!(
        (
            d["kind"].as_str(),
            d["accountId"].as_i64(),
            d["amount"].as_i64()
        ),
        (Some("deposit"), Some(3), Some(5000))
    );
    assert_eq!(
        deposit.header("location").map(str::to_owned),
        Some(format!("/accounts/3/transactions/{}", d["id"]))
    );
    let w = ok(
        &send(
            &s,
            "POST",
            "/accounts/3/withdrawals",
            &json!({"amount": 1200}),
        ),
        201,
    );
    assert_eq!(w["kind"], "withdrawal");
    let list = ok(&s.get("/accounts/3/transactions", &[]), 200);
    let kinds: Vec<&str> = list
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|t| t["kind"].as_str())
        .collect();
    assert_eq!(kinds, ["deposit", "withdrawal"]);
    let only = ok(&s.get("/accounts/3/transactions?kind=withdrawal", &[]), 200);
    assert_eq!(only.as_array().map(Vec::len), Some(1));
    assert_eq!(ok(&s.get("/accounts/1/transactions", &[]), 200), json!([]));
    let missing = send(&s, "POST", "/accounts/99/deposits", &json!({"amount": 1}));
    assert_eq!(missing.status, 404);
    assert_eq!(missing.json()["title"], "Not found");
    let page = ok(&s.get("/accounts?owner=Grace%20Hopper", &[]), 200);
    assert_eq!(page["total"], 1);
    ok(&s.request("DELETE", "/accounts/3", &[], b""), 204);
    assert_eq!(s.get("/accounts/3", &[]).status, 404);
    assert_eq!(s.get("/health", &[]).status, 200);
}

/// Several specs: each has its own store, and the dump names resources with their base path.
#[test]
fn several_specs_keep_separate_stores() {
    let s = Server::start_with(&[
        CRUD,
        BANK,
        "--base-path",
        "/a",
        "--base-path",
        "/b",
        "--stateful",
        "--errors",
        "--no-watch",
    ]);
    let created = send(&s, "POST", "/a/pets", &json!({"name": "Zed"}));
    assert_eq!(created.header("location"), Some("/a/pets/3"));
    let state = ok(&s.get("/__mockgen/state", &[]), 200);
    assert_eq!(names(&state["/a/pets"]), ["Rex", "Tom", "Zed"]);
    assert_eq!(state["/b/accounts"].as_array().map(Vec::len), Some(2));
    let put = send(
        &s,
        "PUT",
        "/__mockgen/state",
        &json!({"/b/accounts": [], "/zzz": []}),
    );
    assert_eq!(
        ok(&put, 200)["warnings"],
        json!(["/zzz: under no served spec; ignored"])
    );
    assert_eq!(ok(&s.get("/b/accounts", &[]), 200)["total"], 0);
    assert_eq!(
        names(&ok(&s.get("/a/pets", &[]), 200)),
        ["Rex", "Tom", "Zed"]
    );
}

/// A refused `PUT /__mockgen/state` changes nothing: every resource is checked before any is
/// replaced (a bad second resource used to leave the first one replaced behind a 400).
#[test]
fn a_refused_state_changes_nothing() {
    let s = start(CRUD, &[]);
    ok(&send(&s, "POST", "/pets", &json!({"name": "Mine"})), 201);
    let before = ok(&s.get("/__mockgen/state", &[]), 200);
    let refused = |state: Value, pointer: &str| {
        let r = send(&s, "PUT", "/__mockgen/state", &state);
        assert_eq!(r.status, 400, "{}", r.text());
        let detail = r.json()["detail"].as_str().unwrap_or_default().to_owned();
        assert!(detail.contains(pointer), "{detail}");
        assert_eq!(ok(&s.get("/__mockgen/state", &[]), 200), before);
        detail
    };
    refused(
        json!({
            "/pets": [{"id": 50, "name": "Replaced", "species": "dog"}],
            "/owners/{ownerId}/pets": [1]
        }),
        "/owners/{ownerId}/pets",
    );
    refused(
        json!({"/pets": [{"id": 50, "name": "A"}, {"id": 51, "name": "B"}, 7]}),
        "/~1pets/2",
    );
    // Two items with one id: the second would silently replace the first.
    let detail = refused(
        json!({"/pets": [{"id": 5, "name": "A"}, {"id": 5, "name": "B"}]}),
        "/~1pets/1",
    );
    assert!(detail.contains("id `5`"), "{detail}");
    // The largest id leaves no number for an item without one: refused, not a crash.
    let detail = refused(
        json!({"/pets": [{"id": 18_446_744_073_709_551_615_u64, "name": "Max"}, {"name": "No id"}]}),
        "/~1pets/1",
    );
    assert!(detail.contains("no integer id is left"), "{detail}");
    // The server is still there and the store still works.
    ok(&send(&s, "POST", "/pets", &json!({"name": "After"})), 201);
}

/// `--seed-items` is bounded: a huge N is a usage error at once, not a start that hangs
/// generating a billion objects.
#[test]
fn seed_items_is_bounded() {
    let started = Instant::now();
    let out = crate::support::mockgen(&[
        "serve",
        CRUD,
        "--stateful",
        "--seed-items",
        "1000000000",
        "--port",
        "0",
        "--no-watch",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("at most 10000"), "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

/// A state file the store refuses is reported with its line and column; one that cannot
/// be saved where it is named is refused at start, not after a whole session at shutdown.
#[test]
fn a_state_that_cannot_be_saved_fails_the_exit_code() {
    let dir = temp_dir("state-unsaved");
    let file = dir.join("state.json");
    let mut s = start(CRUD, &["--state-file", &file.to_string_lossy()]);
    ok(&send(&s, "POST", "/pets", &json!({"name": "Lost"})), 201);
    // The directory goes away while serving: the save at shutdown cannot succeed.
    std::fs::remove_dir_all(&dir).expect("remove the state directory");
    let status = terminate(&mut s);
    assert_eq!(status.code(), Some(2), "a lost state is not a clean exit");
    let log = s.wait_stderr(|l| l.contains("cannot save the state"));
    assert!(log.contains("cannot save the state"), "{log}");
}

#[test]
fn state_file_problems_are_reported_at_start_with_their_place() {
    let dir = temp_dir("state-file-errors");
    let file = dir.join("state.json");
    let path = file.to_string_lossy().into_owned();
    std::fs::write(
        &file,
        "{\n  \"/pets\": [\n    {\"id\": 1, \"name\": \"A\"},\n    \"not an object\"\n  ]\n}\n",
    )
    .expect("write");
    let serve = |path: &str| {
        crate::support::mockgen(&[
            "serve",
            CRUD,
            "--stateful",
            "--no-watch",
            "--state-file",
            path,
            "--port",
            "0",
        ])
    };
    let out = serve(&path);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("{path}:4:5: /pets: an item is not an object")),
        "{stderr}"
    );
    let missing = dir.join("no-such-dir").join("state.json");
    let out = serve(&missing.to_string_lossy());
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("could not be saved there"), "{stderr}");
    assert!(!missing.exists());
    let _ = std::fs::remove_dir_all(&dir);
}

/// Concurrent creates with one client-chosen id: exactly one wins, the others get the spec's
/// 409 (the id used to be checked under the lock but stored after it was released).
#[test]
fn concurrent_creates_of_one_client_id_conflict() {
    const THREADS: usize = 8;
    let s = Arc::new(start(CRUD, &["--log-format", "off"]));
    for round in 0..20 {
        let barrier = Arc::new(std::sync::Barrier::new(THREADS));
        let workers: Vec<_> = (0..THREADS)
            .map(|t| {
                let s = Arc::clone(&s);
                let barrier = Arc::clone(&barrier);
                std::thread::spawn(move || {
                    let body =
                        json!({"username": format!("user{round}"), "password": format!("p{t}")});
                    barrier.wait();
                    send(&s, "POST", "/users", &body).status
                })
            })
            .collect();
        let statuses: Vec<u16> = workers
            .into_iter()
            .map(|w| w.join().expect("worker"))
            .collect();
        let created = statuses.iter().filter(|s| **s == 201).count();
        let taken = statuses.iter().filter(|s| **s == 409).count();
        assert_eq!(
            (created, taken),
            (1, THREADS - 1),
            "round {round}: {statuses:?}"
        );
    }
}

/// A nested resource whose operations declare no 404: an unknown parent gets the stateless
/// answer, like an unknown id, never an undeclared 404 (the store's invariant).
#[test]
fn unknown_parents_get_no_undeclared_404() {
    let dir = temp_dir("nested-no-404");
    let spec = dir.join("nested.yaml");
    std::fs::write(&spec, NESTED_WITHOUT_404).expect("write spec");
    let s = start(&spec.to_string_lossy(), &[]);
    let list = s.get("/owners/77/pets", &[]);
    assert_eq!(list.status, 200, "{}", list.text());
    let created = send(&s, "POST", "/owners/77/pets", &json!({"name": "Stray"}));
    assert_eq!(created.status, 201, "{}", created.text());
    // With the parent in the store, the nested resource is stateful as before.
    let owner = ok(&send(&s, "POST", "/owners", &json!({"name": "Ann"})), 201);
    let id = owner["id"].as_i64().expect("owner id");
    let pet = ok(
        &send(
            &s,
            "POST",
            &format!("/owners/{id}/pets"),
            &json!({"name": "Rex"}),
        ),
        201,
    );
    assert_eq!(
        ok(&s.get(&format!("/owners/{id}/pets"), &[]), 200),
        json!([pet])
    );
    drop(s);
    let _ = std::fs::remove_dir_all(&dir);
}

const NESTED_WITHOUT_404: &str = r#"openapi: 3.0.3
info: {title: nested, version: '1'}
paths:
  /owners:
    post:
      operationId: createOwner
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Owner'}
      responses:
        '201':
          description: created
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Owner'}
  /owners/{ownerId}:
    parameters:
      - {name: ownerId, in: path, required: true, schema: {type: integer}}
    get:
      operationId: getOwner
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Owner'}
  /owners/{ownerId}/pets:
    parameters:
      - {name: ownerId, in: path, required: true, schema: {type: integer}}
    get:
      operationId: listPets
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: array, items: {$ref: '#/components/schemas/Pet'}}
    post:
      operationId: createPet
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Pet'}
      responses:
        '201':
          description: created
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Pet'}
  /owners/{ownerId}/pets/{petId}:
    parameters:
      - {name: ownerId, in: path, required: true, schema: {type: integer}}
      - {name: petId, in: path, required: true, schema: {type: integer}}
    get:
      operationId: getPet
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Pet'}
components:
  schemas:
    Owner:
      type: object
      properties:
        id: {type: integer, readOnly: true}
        name: {type: string}
    Pet:
      type: object
      properties:
        id: {type: integer, readOnly: true}
        name: {type: string}
"#;
