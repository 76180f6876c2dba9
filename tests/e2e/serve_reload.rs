//! Hot reload of `mockgen serve`: the spec and the files it references are watched; good saves
//! are served at once, broken ones are reported and the last good version keeps serving.

use crate::http::Server;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A fresh, empty directory for one test.
fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mockgen-e2e-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

/// The root spec; the media-type example is only present when `example` is given, otherwise
/// the body comes from the schema example in `schemas.yaml`.
fn main_spec(example: Option<&str>) -> String {
    let mut text = String::from(
        r#"openapi: 3.0.3
info:
  title: reload
  version: "1"
paths:
  /hello:
    get:
      operationId: hello
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                $ref: "./schemas.yaml#/Greeting"
"#,
    );
    if let Some(example) = example {
        text.push_str(&format!("              example: {{msg: {example}}}\n"));
    }
    text
}

fn schemas(msg: &str) -> String {
    format!(
        "Greeting:\n  type: object\n  required: [msg]\n  properties:\n    msg: {{type: string}}\n  example: {{msg: {msg}}}\n"
    )
}

/// Save like vim and VS Code do: write a new file next to it, then rename it over the old one.
fn save_by_rename(path: &Path, text: &str) {
    let tmp = path.with_extension("yaml.swp");
    std::fs::write(&tmp, text).expect("write temp file");
    std::fs::rename(&tmp, path).expect("rename over the spec");
}

/// GET /hello until its `msg` is `want` (10 s at most); returns the last `msg` seen.
fn poll_msg(server: &Server, want: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let r = server.get("/hello", &[]);
        let msg = if r.status == 200 {
            r.json()["msg"].as_str().unwrap_or_default().to_owned()
        } else {
            format!("status {}", r.status)
        };
        if msg == want || Instant::now() > deadline {
            return msg;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

#[test]
fn reloads_good_saves_and_keeps_serving_through_broken_ones() {
    let dir = temp_dir("reload");
    let main = dir.join("main.yaml");
    std::fs::write(&main, main_spec(None)).expect("write spec");
    std::fs::write(dir.join("schemas.yaml"), schemas("one")).expect("write schemas");
    let main_arg = main.to_string_lossy().into_owned();
    let server = Server::start_with(&[&main_arg]);
    assert_eq!(poll_msg(&server, "one"), "one");

    // A file reached through `$ref`, written in place.
    std::fs::write(dir.join("schemas.yaml"), schemas("two")).expect("rewrite schemas");
    assert_eq!(poll_msg(&server, "two"), "two", "{}", server.stderr());
    let err = server.wait_stderr(|e| e.contains("reloaded"));
    assert!(err.contains(&format!("reloaded {main_arg} in ")), "{err}");

    // The root file, saved by rename, with one more operation.
    let three = main_spec(Some("three"))
        + "  /bye:\n    delete:\n      operationId: bye\n      responses: {'204': {description: gone}}\n";
    save_by_rename(&main, &three);
    assert_eq!(poll_msg(&server, "three"), "three", "{}", server.stderr());
    let err = server.wait_stderr(|e| e.contains("added DELETE /bye"));
    assert!(err.contains(": 2 operations (added DELETE /bye)"), "{err}");
    assert_eq!(server.request("DELETE", "/bye", &[], b"").status, 204);

    // A broken save: duplicate key at line 9, column 7.
    let broken = "openapi: 3.0.3\ninfo:\n  title: reload\n  version: \"1\"\npaths:\n  /hello:\n    get:\n      operationId: hello\n      operationId: again\n      responses:\n        \"200\":\n          description: ok\n";
    save_by_rename(&main, broken);
    let err = server.wait_stderr(|e| e.contains("was not reloaded"));
    assert!(
        err.contains(&format!("{main_arg}:9:7: error[syntax]: duplicate key")),
        "{err}"
    );
    assert_eq!(
        poll_msg(&server, "three"),
        "three",
        "the last good version keeps serving"
    );

    // A save that still loads but adds an error (an unresolvable `$ref`) is refused too.
    let unresolved =
        main_spec(Some("bad")).replace("./schemas.yaml#/Greeting", "./schemas.yaml#/Nope");
    std::fs::write(&main, unresolved).expect("write spec");
    let err = server.wait_stderr(|e| e.matches("was not reloaded").count() >= 2);
    assert!(
        err.contains("error[ref-unresolved]") || err.contains("#/Nope"),
        "{err}"
    );
    assert_eq!(poll_msg(&server, "three"), "three");

    // Fixing it is picked up again.
    std::fs::write(&main, main_spec(Some("four"))).expect("write spec");
    assert_eq!(poll_msg(&server, "four"), "four", "{}", server.stderr());
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn no_watch_keeps_the_loaded_version() {
    let dir = temp_dir("nowatch");
    let main = dir.join("main.yaml");
    std::fs::write(&main, main_spec(Some("one"))).expect("write spec");
    std::fs::write(dir.join("schemas.yaml"), schemas("x")).expect("write schemas");
    let main_arg = main.to_string_lossy().into_owned();
    let server = Server::start_with(&[&main_arg, "--no-watch"]);
    assert_eq!(poll_msg(&server, "one"), "one");
    std::fs::write(&main, main_spec(Some("two"))).expect("write spec");
    // Give a watcher (if there wrongly were one) time to act, then check nothing changed.
    std::thread::sleep(Duration::from_millis(600));
    let r = server.get("/hello", &[]);
    assert_eq!(r.json()["msg"], "one");
    assert!(!server.stderr().contains("reloaded"), "{}", server.stderr());
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn one_of_several_specs_reloads_alone() {
    let dir = temp_dir("multi");
    let a = dir.join("a.yaml");
    let b = dir.join("b.yaml");
    let spec = |id: &str, msg: &str| {
        format!(
            "openapi: 3.0.3\ninfo: {{title: {id}, version: '1'}}\nservers: [{{url: /{id}}}]\npaths:\n  /hello:\n    get:\n      operationId: {id}\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {{type: object}}\n              example: {{msg: {msg}}}\n"
        )
    };
    std::fs::write(&a, spec("a", "a1")).expect("write a");
    std::fs::write(&b, spec("b", "b1")).expect("write b");
    let (a_arg, b_arg) = (
        a.to_string_lossy().into_owned(),
        b.to_string_lossy().into_owned(),
    );
    let server = Server::start_with(&[&a_arg, &b_arg]);
    let msg = |path: &str| server.get(path, &[]).json()["msg"].clone();
    assert_eq!(msg("/a/hello"), "a1");
    assert_eq!(msg("/b/hello"), "b1");
    save_by_rename(&a, &spec("a", "a2"));
    let err = server.wait_stderr(|e| e.contains("reloaded"));
    assert!(err.contains(&format!("reloaded {a_arg} in ")), "{err}");
    assert_eq!(msg("/a/hello"), "a2");
    assert_eq!(msg("/b/hello"), "b1");
    // Moving `a` onto `b`'s base path is refused; `a` stays where it was.
    save_by_rename(&a, &spec("b", "a3"));
    let err = server.wait_stderr(|e| e.contains("was not reloaded"));
    assert!(err.contains("like ") && err.contains(&b_arg), "{err}");
    assert_eq!(msg("/a/hello"), "a2");
    assert_eq!(msg("/b/hello"), "b1");
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn requests_during_reloads_never_fail() {
    let dir = temp_dir("inflight");
    let main = dir.join("main.yaml");
    std::fs::write(&main, main_spec(Some("v0"))).expect("write spec");
    std::fs::write(dir.join("schemas.yaml"), schemas("x")).expect("write schemas");
    let main_arg = main.to_string_lossy().into_owned();
    let server = std::sync::Arc::new(Server::start_with(&[&main_arg, "--log-format", "off"]));
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let clients: Vec<_> = (0..2)
        .map(|_| {
            let server = std::sync::Arc::clone(&server);
            let stop = std::sync::Arc::clone(&stop);
            std::thread::spawn(move || {
                let mut seen = Vec::new();
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let r = server.get("/hello", &[]);
                    assert_eq!(r.status, 200, "{r:?}");
                    seen.push(r.json()["msg"].as_str().unwrap_or_default().to_owned());
                }
                seen
            })
        })
        .collect();
    for version in 1..=5 {
        let want = format!("v{version}");
        save_by_rename(&main, &main_spec(Some(&want)));
        assert_eq!(poll_msg(&server, &want), want, "{}", server.stderr());
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut answers = 0;
    for client in clients {
        let seen = client.join().expect("no client failed");
        answers += seen.len();
        assert!(
            seen.iter()
                .all(|m| ["v0", "v1", "v2", "v3", "v4", "v5"].contains(&m.as_str())),
            "{seen:?}"
        );
    }
    assert!(answers > 0);
    let _ = std::fs::remove_dir_all(&dir);
}
