//! Style × explode × shape table, coercion, presence rules, content parameters, the
//! parameters-style-example spec, a deterministic serialise/parse round trip and a no-panic
//! sweep over hostile input.

use mockgen_params::{Parsed, RawRequest, parse, parse_planned, plan};
use mockgen_spec::{LoadOptions, NoFiles, Operation, ParamIn, Spec, Style};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// Helpers

fn load(doc: &Value) -> Spec {
    let loaded = mockgen_spec::load(
        "test.json",
        doc.to_string(),
        &NoFiles,
        &LoadOptions::default(),
    );
    let errors: Vec<String> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{d:?}"))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    loaded.spec.expect("spec builds")
}

/// A 3.1 spec with one operation `GET /x/{...path params}` holding `params`.
fn spec_with(params: Value) -> Spec {
    spec_version("3.1.0", params)
}

fn spec_version(version: &str, params: Value) -> Spec {
    let mut path = "/x".to_owned();
    for p in params.as_array().expect("array") {
        if p["in"] == "path" {
            path.push_str(&format!("/{{{}}}", p["name"].as_str().expect("name")));
        }
    }
    load(&json!({
        "openapi": version,
        "info": {"title": "t", "version": "1"},
        "paths": {path: {"get": {"parameters": params, "responses": {"200": {"description": "ok"}}}}},
        "components": {"schemas": {
            "Limit": {"type": "integer"},
            "Role": {"allOf": [{"$ref": "#/components/schemas/Limit"}, {"minimum": 0}]}
        }}
    }))
}

#[derive(Default, Debug, Clone)]
struct Req {
    path: Vec<(String, String)>,
    query: Option<String>,
    headers: Vec<(String, String)>,
    cookies: Option<String>,
}

impl Req {
    fn query(q: &str) -> Req {
        Req {
            query: Some(q.to_owned()),
            ..Req::default()
        }
    }
    fn header(name: &str, value: &str) -> Req {
        Req {
            headers: vec![(name.to_owned(), value.to_owned())],
            ..Req::default()
        }
    }
    fn cookie(c: &str) -> Req {
        Req {
            cookies: Some(c.to_owned()),
            ..Req::default()
        }
    }
    fn path(name: &str, value: &str) -> Req {
        Req {
            path: vec![(name.to_owned(), value.to_owned())],
            ..Req::default()
        }
    }
    /// Merge another request's parts into this one.
    fn and(mut self, other: Req) -> Req {
        self.path.extend(other.path);
        self.headers.extend(other.headers);
        for (mine, theirs, sep) in [
            (&mut self.query, other.query, "&"),
            (&mut self.cookies, other.cookies, "; "),
        ] {
            if let Some(t) = theirs {
                *mine = Some(match mine.take() {
                    Some(m) if !m.is_empty() => format!("{m}{sep}{t}"),
                    _ => t,
                });
            }
        }
        self
    }
}

fn run_op(spec: &Spec, op: &Operation, req: &Req) -> Parsed {
    let path: Vec<(&str, String)> = req
        .path
        .iter()
        .map(|(n, v)| (n.as_str(), v.clone()))
        .collect();
    let headers: Vec<(&str, &str)> = req
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let raw = RawRequest {
        path_params: &path,
        path_raw: &[],
        query: req.query.as_deref(),
        headers: &headers,
        cookies: req.cookies.as_deref(),
    };
    // The schema read once per operation (what the engine does) parses exactly as reading it
    // per request.
    let planned = parse_planned(spec, op, &plan(spec, op), &raw);
    assert_eq!(planned, parse(spec, op, &raw));
    planned
}

fn run(spec: &Spec, req: &Req) -> Parsed {
    run_op(spec, &spec.operations[0], req)
}

/// Parse one-parameter spec `param` from `req`; the value or the problems.
fn one(param: Value, req: Req) -> Result<Value, Vec<(String, String, &'static str)>> {
    let spec = spec_with(json!([param]));
    let parsed = run(&spec, &req);
    if parsed.problems.is_empty() {
        parsed.value(0).cloned().ok_or_else(Vec::new)
    } else {
        Err(parsed
            .problems
            .iter()
            .map(|p| (p.location[0].clone(), p.location[1].clone(), p.code))
            .collect())
    }
}

fn codes(result: Result<Value, Vec<(String, String, &'static str)>>) -> Vec<&'static str> {
    match result {
        Ok(v) => panic!("expected problems, got {v}"),
        Err(p) => p.into_iter().map(|(_, _, c)| c).collect(),
    }
}

fn int_schema() -> Value {
    json!({"type": "integer"})
}
fn array_schema() -> Value {
    json!({"type": "array", "items": {"type": "integer"}})
}
fn object_schema() -> Value {
    json!({"type": "object", "properties": {"role": {"type": "string"}, "firstName": {"type": "string"}}})
}

fn param(name: &str, location: &str, style: &str, explode: bool, schema: Value) -> Value {
    json!({"name": name, "in": location, "required": location == "path",
           "style": style, "explode": explode, "schema": schema})
}

// ---------------------------------------------------------------------------------------------
// The OpenAPI style table: id=5 / [3,4,5] / {role: admin, firstName: Alex}

#[test]
fn style_table() {
    let prim = json!(5);
    let arr = json!([3, 4, 5]);
    let obj = json!({"role": "admin", "firstName": "Alex"});
    // (location, style, explode, shape, raw serialisation)
    let table: &[(&str, &str, bool, char, &str)] = &[
        ("path", "simple", false, 'p', "5"),
        ("path", "simple", false, 'a', "3,4,5"),
        ("path", "simple", false, 'o', "role,admin,firstName,Alex"),
        ("path", "simple", true, 'p', "5"),
        ("path", "simple", true, 'a', "3,4,5"),
        ("path", "simple", true, 'o', "role=admin,firstName=Alex"),
        ("path", "label", false, 'p', ".5"),
        ("path", "label", false, 'a', ".3.4.5"),
        ("path", "label", false, 'a', ".3,4,5"),
        ("path", "label", false, 'o', ".role.admin.firstName.Alex"),
        ("path", "label", false, 'o', ".role,admin,firstName,Alex"),
        ("path", "label", true, 'p', ".5"),
        ("path", "label", true, 'a', ".3.4.5"),
        ("path", "label", true, 'o', ".role=admin.firstName=Alex"),
        ("path", "matrix", false, 'p', ";id=5"),
        ("path", "matrix", false, 'a', ";id=3,4,5"),
        (
            "path",
            "matrix",
            false,
            'o',
            ";id=role,admin,firstName,Alex",
        ),
        ("path", "matrix", true, 'p', ";id=5"),
        ("path", "matrix", true, 'a', ";id=3;id=4;id=5"),
        ("path", "matrix", true, 'o', ";role=admin;firstName=Alex"),
        ("header", "simple", false, 'p', "5"),
        ("header", "simple", false, 'a', "3,4,5"),
        ("header", "simple", false, 'a', "3, 4 ,5"),
        ("header", "simple", false, 'o', "role,admin,firstName,Alex"),
        ("header", "simple", true, 'p', "5"),
        ("header", "simple", true, 'a', "3,4,5"),
        ("header", "simple", true, 'o', "role=admin,firstName=Alex"),
        ("query", "form", false, 'p', "id=5"),
        ("query", "form", false, 'a', "id=3,4,5"),
        ("query", "form", false, 'a', "id=3%2C4%2C5"),
        ("query", "form", false, 'o', "id=role,admin,firstName,Alex"),
        ("query", "form", true, 'p', "id=5"),
        ("query", "form", true, 'a', "id=3&id=4&id=5"),
        ("query", "form", true, 'o', "role=admin&firstName=Alex"),
        ("query", "spaceDelimited", false, 'a', "id=3%204%205"),
        ("query", "spaceDelimited", false, 'a', "id=3+4+5"),
        (
            "query",
            "spaceDelimited",
            false,
            'o',
            "id=role%20admin%20firstName%20Alex",
        ),
        ("query", "spaceDelimited", true, 'a', "id=3&id=4&id=5"),
        ("query", "pipeDelimited", false, 'a', "id=3|4|5"),
        ("query", "pipeDelimited", false, 'a', "id=3%7C4%7C5"),
        (
            "query",
            "pipeDelimited",
            false,
            'o',
            "id=role|admin|firstName|Alex",
        ),
        ("query", "pipeDelimited", true, 'a', "id=3&id=4&id=5"),
        (
            "query",
            "deepObject",
            true,
            'o',
            "id[role]=admin&id[firstName]=Alex",
        ),
        (
            "query",
            "deepObject",
            true,
            'o',
            "id%5Brole%5D=admin&id%5BfirstName%5D=Alex",
        ),
        ("cookie", "form", false, 'p', "id=5"),
        ("cookie", "form", false, 'a', "id=3,4,5"),
        ("cookie", "form", false, 'o', "id=role,admin,firstName,Alex"),
        ("cookie", "form", true, 'p', "id=5"),
        ("cookie", "form", true, 'a', "id=3; id=4; id=5"),
        ("cookie", "form", true, 'o', "role=admin; firstName=Alex"),
    ];
    for &(location, style, explode, shape, raw) in table {
        let (schema, expected) = match shape {
            'p' => (int_schema(), &prim),
            'a' => (array_schema(), &arr),
            _ => (object_schema(), &obj),
        };
        let req = match location {
            "path" => Req::path("id", raw),
            "header" => Req::header("ID", raw),
            "query" => Req::query(&format!("other=1&{raw}")),
            _ => Req::cookie(&format!("session=x; {raw}")),
        };
        let got = one(param("id", location, style, explode, schema), req);
        assert_eq!(
            got.as_ref(),
            Ok(expected),
            "{location} {style} explode={explode} {raw}"
        );
    }
}

#[test]
fn malformed_styles_are_problems() {
    let cases = [
        (
            param("id", "path", "label", false, int_schema()),
            Req::path("id", "5"),
        ),
        (
            param("id", "path", "matrix", false, int_schema()),
            Req::path("id", "id=5"),
        ),
        (
            param("id", "path", "matrix", false, int_schema()),
            Req::path("id", ";other=5"),
        ),
        (
            param("id", "path", "matrix", true, array_schema()),
            Req::path("id", ";id=1;x=2"),
        ),
        (
            param("id", "path", "simple", false, object_schema()),
            Req::path("id", "role,admin,firstName"),
        ),
        (
            param("id", "path", "simple", true, object_schema()),
            Req::path("id", "role"),
        ),
        (
            param("id", "query", "deepObject", true, object_schema()),
            Req::query("id[role=admin"),
        ),
        (
            param("id", "query", "deepObject", true, object_schema()),
            Req::query("id[a][b][c][d][e][f][g][h][i]=1"),
        ),
        (
            param("id", "query", "form", false, object_schema()),
            Req::query("id=role,a,role,b"),
        ),
    ];
    for (p, req) in cases {
        assert_eq!(
            codes(one(p.clone(), req.clone())),
            ["syntax"],
            "{p} {req:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Coercion

fn q(schema: Value, query: &str) -> Result<Value, Vec<(String, String, &'static str)>> {
    one(param("n", "query", "form", true, schema), Req::query(query))
}

#[test]
fn integers_stay_exact() {
    let int = int_schema();
    let big = q(int.clone(), "n=9007199254740993").expect("parses");
    assert_eq!(big.as_i64(), Some(9_007_199_254_740_993));
    assert_eq!(big.to_string(), "9007199254740993");
    let max = q(int.clone(), "n=18446744073709551615").expect("parses");
    assert_eq!(max.as_u64(), Some(u64::MAX));
    let min = q(int.clone(), "n=-9223372036854775808").expect("parses");
    assert_eq!(min.as_i64(), Some(i64::MIN));
    assert_eq!(q(int.clone(), "n=-42"), Ok(json!(-42)));
    assert_eq!(q(int.clone(), "n=007"), Ok(json!(7)));
    // Integral floats are integers in JSON Schema.
    assert_eq!(q(int.clone(), "n=2.0"), Ok(json!(2.0)));
    assert_eq!(q(int.clone(), "n=1e3"), Ok(json!(1000.0)));
    // Beyond 64 bits: still an integer (JSON Schema integers are unbounded), as a float…
    assert_eq!(q(int.clone(), "n=99999999999999999999"), Ok(json!(1e20)));
    // …and one just below i64::MIN stays below it (a plain f64 would round onto it).
    let below = q(int.clone(), "n=-9223372036854775809").expect("parses");
    assert!(
        below
            .as_f64()
            .is_some_and(|f| f < -9.223_372_036_854_776e18)
    );
    // Beyond f64: out of range.
    let huge = format!("n={}", "9".repeat(400));
    assert_eq!(codes(q(int.clone(), &huge)), ["format"]);
    for bad in [
        "abc", "1.5", "1,5", "%2B1", "0x10", "1e", "--1", "NaN", "inf", " 1",
    ] {
        let got = q(int.clone(), &format!("n={bad}"));
        assert_eq!(codes(got), ["type"], "{bad}");
    }
    let problems = q(int, "n=abc").expect_err("type");
    assert_eq!(problems[0].0, "query");
    assert_eq!(problems[0].1, "n");
}

#[test]
fn numbers_booleans_nulls_strings() {
    let num = json!({"type": "number"});
    assert_eq!(q(num.clone(), "n=1.5"), Ok(json!(1.5)));
    assert_eq!(q(num.clone(), "n=-0.25e2"), Ok(json!(-25.0)));
    assert_eq!(
        q(num.clone(), "n=9007199254740993").map(|v| v.as_u64()),
        Ok(Some(9_007_199_254_740_993))
    );
    // Overflowing to infinity is a range problem, like integers beyond 64 bits.
    assert_eq!(codes(q(num.clone(), "n=1e999")), ["format"]);
    assert_eq!(codes(q(num, "n=.5")), ["type"]);

    let boolean = json!({"type": "boolean"});
    assert_eq!(q(boolean.clone(), "n=true"), Ok(json!(true)));
    assert_eq!(q(boolean.clone(), "n=false"), Ok(json!(false)));
    for bad in ["True", "1", "yes", "0"] {
        assert_eq!(
            codes(q(boolean.clone(), &format!("n={bad}"))),
            ["type"],
            "{bad}"
        );
    }

    let nullable = json!({"type": ["integer", "null"]});
    assert_eq!(q(nullable.clone(), "n=null"), Ok(Value::Null));
    assert_eq!(q(nullable.clone(), "n=3"), Ok(json!(3)));
    // Empty header value of a nullable integer is null.
    let header = param("X-N", "header", "simple", false, nullable);
    assert_eq!(one(header, Req::header("x-n", "")), Ok(Value::Null));

    // String allowed: "null" and numbers-as-strings only when nothing else fits.
    let either = json!({"type": ["integer", "string"]});
    assert_eq!(q(either.clone(), "n=5"), Ok(json!(5)));
    assert_eq!(q(either.clone(), "n=five"), Ok(json!("five")));
    assert_eq!(
        q(either, "n=99999999999999999999"),
        Ok(json!("99999999999999999999"))
    );
    assert_eq!(
        q(json!({"type": ["string", "null"]}), "n=null"),
        Ok(json!("null"))
    );

    // Strings are taken as is; unknown schema is a string.
    assert_eq!(q(json!({"type": "string"}), "n=007"), Ok(json!("007")));
    assert_eq!(q(json!({}), "n=5"), Ok(json!("5")));
    assert_eq!(
        one(json!({"name": "n", "in": "query"}), Req::query("n=5")),
        Ok(json!("5"))
    );
    // Type inferred from enum when `type` is absent.
    assert_eq!(q(json!({"enum": [1, 2]}), "n=2"), Ok(json!(2)));
}

#[test]
fn refs_and_all_of_are_followed() {
    assert_eq!(
        q(json!({"$ref": "#/components/schemas/Limit"}), "n=5"),
        Ok(json!(5))
    );
    assert_eq!(
        q(json!({"$ref": "#/components/schemas/Role"}), "n=5"),
        Ok(json!(5))
    );
    assert_eq!(
        q(json!({"allOf": [{"type": "boolean"}]}), "n=true"),
        Ok(json!(true))
    );
    let items_ref = json!({"type": "array", "items": {"$ref": "#/components/schemas/Limit"}});
    assert_eq!(
        one(
            param("n", "query", "form", false, items_ref),
            Req::query("n=1,2")
        ),
        Ok(json!([1, 2]))
    );
    let bad = q(json!({"$ref": "#/components/schemas/Limit"}), "n=x");
    assert_eq!(codes(bad), ["type"]);
}

#[test]
fn array_items_and_object_members_are_coerced() {
    let arr = json!({"type": "array", "items": {"type": "boolean"}});
    assert_eq!(
        one(
            param("n", "query", "form", true, arr.clone()),
            Req::query("n=true&n=false")
        ),
        Ok(json!([true, false]))
    );
    // An item that does not coerce stays a string, for the validator to report at its own
    // location (["query", "n", "1"])…
    assert_eq!(
        one(
            param("n", "query", "form", true, arr.clone()),
            Req::query("n=true&n=x")
        ),
        Ok(json!([true, "x"]))
    );
    // …up to MAX_BAD_MEMBERS of them; beyond, one problem for the whole parameter.
    let many = vec!["x"; mockgen_params::MAX_BAD_MEMBERS + 1].join(",");
    assert_eq!(
        codes(one(
            param("n", "query", "form", false, arr),
            Req::query(&format!("n={many}"))
        )),
        ["type"]
    );
    let obj = json!({"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "boolean"}}});
    assert_eq!(
        one(
            param("n", "query", "form", false, obj.clone()),
            Req::query("n=a,1,b,true")
        ),
        Ok(json!({"a": 1, "b": true}))
    );
    assert_eq!(
        one(
            param("n", "query", "form", true, obj.clone()),
            Req::query("a=-1&b=false&c=ignored")
        ),
        Ok(json!({"a": -1, "b": false}))
    );
    // additionalProperties takes unclaimed pairs, never another declared parameter's.
    let spec = spec_with(json!([
        param(
            "n",
            "query",
            "form",
            true,
            json!({"type": "object", "additionalProperties": {"type": "integer"}})
        ),
        param("limit", "query", "form", true, int_schema()),
    ]));
    let parsed = run(&spec, &Req::query("x=1&y=2&limit=3"));
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    assert_eq!(parsed.value(0), Some(&json!({"x": 1, "y": 2})));
    assert_eq!(parsed.value(1), Some(&json!(3)));
}

// ---------------------------------------------------------------------------------------------
// Presence: required, empty, repeated, unknown

#[test]
fn required_empty_repeated() {
    let required =
        json!({"name": "limit", "in": "query", "required": true, "schema": {"type": "integer"}});
    let missing = one(required.clone(), Req::query("other=1")).expect_err("missing");
    assert_eq!(
        missing,
        [("query".to_owned(), "limit".to_owned(), "required")]
    );
    assert_eq!(codes(one(required.clone(), Req::default())), ["required"]);
    assert_eq!(codes(one(required.clone(), Req::query(""))), ["required"]);
    // Without `allowEmptyValue`, an empty value is checked like any other value…
    assert_eq!(codes(one(required.clone(), Req::query("limit="))), ["type"]);
    assert_eq!(codes(one(required.clone(), Req::query("limit"))), ["type"]);
    let string = json!({"name": "s", "in": "query", "schema": {"type": "string"}});
    assert_eq!(one(string, Req::query("s=")), Ok(json!("")));
    // …and refused as such only when `allowEmptyValue: false` is written.
    let refused = json!({"name": "limit", "in": "query", "allowEmptyValue": false,
                         "schema": {"type": "string"}});
    assert_eq!(codes(one(refused.clone(), Req::query("limit="))), ["empty"]);
    assert_eq!(codes(one(refused, Req::query("limit"))), ["empty"]);
    assert_eq!(
        codes(one(required.clone(), Req::query("limit=1&limit=2"))),
        ["syntax"]
    );

    // Optional and absent: nothing at all.
    let optional = json!({"name": "limit", "in": "query", "schema": {"type": "integer"}});
    let spec = spec_with(json!([optional]));
    let parsed = run(&spec, &Req::query("x=1"));
    assert_eq!(parsed, Parsed::default());

    // allowEmptyValue: strings become "", other types are present without a value.
    let empty_string =
        json!({"name": "s", "in": "query", "allowEmptyValue": true, "schema": {"type": "string"}});
    assert_eq!(one(empty_string, Req::query("s")), Ok(json!("")));
    let empty_int = json!({"name": "s", "in": "query", "required": true, "allowEmptyValue": true, "schema": {"type": "integer"}});
    let spec = spec_with(json!([empty_int]));
    assert_eq!(run(&spec, &Req::query("s=")), Parsed::default());
    let empty_array =
        json!({"name": "s", "in": "query", "allowEmptyValue": true, "schema": array_schema()});
    assert_eq!(one(empty_array, Req::query("s=")), Ok(json!([])));

    // Repeated exploded arrays are fine; a repeated non-exploded one is not.
    assert_eq!(
        codes(one(
            param("id", "query", "form", false, array_schema()),
            Req::query("id=1,2&id=3")
        )),
        ["syntax"]
    );
    // Repeated cookie.
    assert_eq!(
        codes(one(
            param("id", "cookie", "form", false, int_schema()),
            Req::cookie("id=1; id=2")
        )),
        ["syntax"]
    );
    // Required path, header and cookie parameters.
    assert_eq!(
        codes(one(
            param("id", "path", "simple", false, int_schema()),
            Req::default()
        )),
        ["required"]
    );
    let header = json!({"name": "X-Id", "in": "header", "required": true, "schema": int_schema()});
    assert_eq!(
        codes(one(header, Req::header("X-Other", "1"))),
        ["required"]
    );
    let cookie =
        json!({"name": "sid", "in": "cookie", "required": true, "schema": {"type": "string"}});
    assert_eq!(codes(one(cookie, Req::cookie("other=1"))), ["required"]);
}

#[test]
fn query_decoding() {
    let s = json!({"type": "string"});
    assert_eq!(q(s.clone(), "n=a+b%20c%2Bd"), Ok(json!("a b c+d")));
    assert_eq!(q(s.clone(), "n=%E2%9C%93%26%3D"), Ok(json!("✓&=")));
    assert_eq!(q(s.clone(), "x=1&&n=v&"), Ok(json!("v")));
    assert_eq!(q(s.clone(), "%6E=named"), Ok(json!("named")));
    // Invalid UTF-8 and stray '%' do not fail decoding.
    assert_eq!(q(s.clone(), "n=%FF"), Ok(json!("\u{FFFD}")));
    assert_eq!(q(s, "n=100%"), Ok(json!("100%")));
}

#[test]
fn too_many_query_pairs() {
    let query: String = (0..1500).map(|i| format!("p{i}=1&")).collect::<String>() + "n=5";
    let spec = spec_with(json!([param("n", "query", "form", true, int_schema())]));
    let parsed = run(&spec, &Req::query(&query));
    assert!(
        parsed
            .problems
            .iter()
            .any(|p| p.code == "syntax" && p.location[0] == "query")
    );
    // n was beyond the cap: not seen.
    assert_eq!(parsed.value(0), None);
    let cookies: String = (0..1500).map(|i| format!("c{i}=1; ")).collect();
    let parsed = run(&spec, &Req::cookie(&cookies));
    assert_eq!(parsed.problems.len(), 1);
}

// ---------------------------------------------------------------------------------------------
// Headers, cookies, deepObject, content

#[test]
fn headers() {
    let p = json!({"name": "X-Rate-Limit", "in": "header", "schema": int_schema()});
    for name in ["x-rate-limit", "X-RATE-LIMIT", "X-Rate-Limit"] {
        assert_eq!(
            one(p.clone(), Req::header(name, "  7 ")),
            Ok(json!(7)),
            "{name}"
        );
    }
    // Several lines of one header are one list.
    let arr = json!({"name": "X-Ids", "in": "header", "schema": array_schema()});
    let req = Req::header("x-ids", "1, 2").and(Req::header("X-IDS", "3"));
    assert_eq!(one(arr, req), Ok(json!([1, 2, 3])));
    // A string header keeps inner spaces and commas.
    let s = json!({"name": "X-S", "in": "header", "schema": {"type": "string"}});
    assert_eq!(one(s, Req::header("x-s", " a, b ")), Ok(json!("a, b")));
}

#[test]
fn cookies() {
    let spec = spec_with(json!([
        {"name": "a", "in": "cookie", "schema": int_schema()},
        {"name": "b", "in": "cookie", "schema": {"type": "string"}},
        {"name": "c", "in": "cookie", "explode": false, "schema": {"type": "array", "items": {"type": "string"}}},
        {"name": "d", "in": "cookie", "style": "form", "schema": {"type": "string"}},
    ]));
    let parsed = run(&spec, &Req::cookie("a=1; b=x%20y+z;c=p,q,r;  junk; d=e=f"));
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    assert_eq!(parsed.value(0), Some(&json!(1)));
    // Cookies are percent-decoded but '+' stays a plus.
    assert_eq!(parsed.value(1), Some(&json!("x y+z")));
    assert_eq!(parsed.value(2), Some(&json!(["p", "q", "r"])));
    assert_eq!(parsed.value(3), Some(&json!("e=f")));
}

#[test]
fn deep_object() {
    let schema = json!({"type": "object", "properties": {
        "page": {"type": "integer"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "range": {"type": "object", "properties": {"min": {"type": "number"}, "max": {"type": "number"}}}
    }});
    let p = param("f", "query", "deepObject", true, schema);
    assert_eq!(
        one(
            p.clone(),
            Req::query(
                "f[page]=2&f[tags]=a&f[tags][]=b&f[tags][2]=c&f[range][min]=1.5&f[range][max]=3&g[x]=1"
            )
        ),
        Ok(json!({"page": 2, "tags": ["a", "b", "c"], "range": {"min": 1.5, "max": 3}}))
    );
    // A member that does not coerce stays a string: the validator reports it at
    // ["query", "f", "page"].
    assert_eq!(
        one(p.clone(), Req::query("f[page]=x")),
        Ok(json!({"page": "x"}))
    );
    assert_eq!(
        codes(one(p.clone(), Req::query("f[page]=1&f[page]=2"))),
        ["syntax"]
    );
    assert_eq!(
        codes(one(p.clone(), Req::query("f[page]=1&f[page][x]=2"))),
        ["syntax"]
    );
    assert_eq!(one(p.clone(), Req::query("page=1")), Err(vec![]));
    // Deeper keys nest objects (free-form members stay strings for the validator).
    assert_eq!(
        one(p, Req::query("f[range][min]=1&f[x][y][z]=2")),
        Ok(json!({"range": {"min": 1}, "x": {"y": {"z": "2"}}}))
    );
}

#[test]
fn content_parameters() {
    let json_param = |location: &str| {
        json!({"name": "filter", "in": location, "required": location == "path",
               "content": {"application/json": {"schema": {"type": "object"}}}})
    };
    assert_eq!(
        one(
            json_param("query"),
            Req::query("filter=%7B%22a%22%3A1%2C%22b%22%3A%5B9007199254740993%5D%7D")
        ),
        Ok(json!({"a": 1, "b": [9_007_199_254_740_993u64]}))
    );
    assert_eq!(
        one(
            json_param("header"),
            Req::header("Filter", r#" {"x": "y, z"} "#)
        ),
        Ok(json!({"x": "y, z"}))
    );
    assert_eq!(
        one(json_param("path"), Req::path("filter", "[1,2]")),
        Ok(json!([1, 2]))
    );
    assert_eq!(
        one(json_param("cookie"), Req::cookie("filter=%7B%7D")),
        Ok(json!({}))
    );
    assert_eq!(
        codes(one(json_param("query"), Req::query("filter=%7Bbad"))),
        ["syntax"]
    );
    assert_eq!(
        codes(one(json_param("query"), Req::query("filter="))),
        ["syntax"]
    );
    let text = json!({"name": "t", "in": "query", "content": {"text/plain": {"schema": {"type": "string"}}}});
    assert_eq!(one(text, Req::query("t=1,2+3")), Ok(json!("1,2 3")));
    let vendor = json!({"name": "v", "in": "header", "content": {"application/vnd.x+json; charset=utf-8": {}}});
    assert_eq!(one(vendor, Req::header("v", "true")), Ok(json!(true)));
}

#[test]
fn querystring_32() {
    let form = json!({"name": "qs", "in": "querystring", "content": {
        "application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {
            "n": {"type": "integer"}, "tags": {"type": "array", "items": {"type": "string"}}}}}}});
    let spec = spec_version("3.2.0", json!([form]));
    let parsed = run(&spec, &Req::query("n=3&tags=a+b&tags=c&free=x%21"));
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    assert_eq!(
        parsed.value(0),
        Some(&json!({"n": 3, "tags": ["a b", "c"], "free": "x!"}))
    );
    let parsed = run(&spec, &Req::query("n=1&n=2"));
    assert_eq!(parsed.problems.len(), 1);

    let json_qs = json!({"name": "qs", "in": "querystring", "required": true,
        "content": {"application/json": {"schema": {"type": "object"}}}});
    let spec = spec_version("3.2.0", json!([json_qs]));
    let parsed = run(&spec, &Req::query("%7B%22a%22:1%7D"));
    assert_eq!(parsed.value(0), Some(&json!({"a": 1})));
    let parsed = run(&spec, &Req::default());
    assert_eq!(parsed.problems[0].code, "required");
}

// ---------------------------------------------------------------------------------------------
// A small serializer (the inverse of the parser) for the example spec and the round trip

/// What RFC 3986 leaves unencoded, so every delimiter in a value is escaped.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

fn enc(s: &str) -> String {
    utf8_percent_encode(s, UNRESERVED).to_string()
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Serialise `value` for a parameter as `style`/`explode` in `location`.
fn serialise(location: ParamIn, style: Style, explode: bool, name: &str, value: &Value) -> Req {
    let items: Vec<String> = match value {
        Value::Array(a) => a.iter().map(text).collect(),
        _ => Vec::new(),
    };
    let members: Vec<(String, String)> = match value {
        Value::Object(o) => o.iter().map(|(k, v)| (k.clone(), text(v))).collect(),
        _ => Vec::new(),
    };
    let flat = |sep: &str, kv: &str, f: &dyn Fn(&str) -> String| -> String {
        match value {
            Value::Array(_) => items.iter().map(|i| f(i)).collect::<Vec<_>>().join(sep),
            Value::Object(_) => members
                .iter()
                .map(|(k, v)| format!("{k}{kv}{}", f(v)))
                .collect::<Vec<_>>()
                .join(sep),
            other => f(&text(other)),
        }
    };
    let id = |s: &str| s.to_owned();
    match location {
        ParamIn::Path | ParamIn::Header => {
            let kv = if explode { "=" } else { "," };
            let s = match style {
                Style::Label => format!(".{}", flat(".", if explode { "=" } else { "." }, &id)),
                Style::Matrix => match value {
                    Value::Array(_) if explode => {
                        items.iter().map(|i| format!(";{name}={i}")).collect()
                    }
                    Value::Object(_) if explode => flat(";", "=", &id)
                        .split(';')
                        .map(|m| format!(";{m}"))
                        .collect(),
                    _ => format!(";{name}={}", flat(",", ",", &id)),
                },
                _ => flat(",", kv, &id),
            };
            if location == ParamIn::Path {
                Req::path(name, &s)
            } else {
                Req::header(name, &s)
            }
        }
        ParamIn::Query | ParamIn::Querystring => {
            let q = match (style, value) {
                (Style::DeepObject, _) => members
                    .iter()
                    .map(|(k, v)| format!("{name}%5B{k}%5D={}", enc(v)))
                    .collect::<Vec<_>>()
                    .join("&"),
                (_, Value::Array(_)) if explode => items
                    .iter()
                    .map(|i| format!("{name}={}", enc(i)))
                    .collect::<Vec<_>>()
                    .join("&"),
                (_, Value::Object(_)) if explode => flat("&", "=", &enc),
                (Style::SpaceDelimited, _) => format!("{name}={}", flat("%20", "%20", &enc)),
                (Style::PipeDelimited, _) => format!("{name}={}", flat("|", "|", &enc)),
                _ => format!("{name}={}", flat(",", ",", &enc)),
            };
            Req::query(&q)
        }
        ParamIn::Cookie => {
            let c = match value {
                Value::Array(_) if explode => items
                    .iter()
                    .map(|i| format!("{name}={}", enc(i)))
                    .collect::<Vec<_>>()
                    .join("; "),
                Value::Object(_) if explode => flat("; ", "=", &enc),
                _ => format!("{name}={}", flat(",", ",", &enc)),
            };
            Req::cookie(&c)
        }
    }
}

#[test]
fn parameters_style_example_spec() {
    let text = std::fs::read_to_string("/work/shared/specs/parameters-style-example.oas30.json")
        .expect("spec file");
    let loaded = mockgen_spec::load(
        "parameters-style-example.oas30.json",
        text,
        &NoFiles,
        &LoadOptions::default(),
    );
    let spec = loaded.spec.expect("spec");
    let mut checked = 0;
    for op in &spec.operations {
        if op.parameters.is_empty() {
            continue;
        }
        let mut req = Req::default();
        let mut expected = Vec::new();
        for p in &op.parameters {
            // The spec documents no example values; use the classic ones from the style
            // table, with string items because every schema here is a string one.
            let schema = p.schema.as_ref().and_then(|l| spec.get(l)).expect("schema");
            let value = match schema["type"].as_str() {
                Some("array") => json!(["blue", "black", "brown"]),
                Some("object") => json!({"name": "R", "description": "100"}),
                _ => json!("blue"),
            };
            req = req.and(serialise(p.location, p.style, p.explode, &p.name, &value));
            expected.push(value);
        }
        let parsed = run_op(&spec, op, &req);
        assert!(
            parsed.problems.is_empty(),
            "{}: {:?}",
            op.id,
            parsed.problems
        );
        for (i, value) in expected.iter().enumerate() {
            assert_eq!(
                parsed.value(i),
                Some(value),
                "{} {} {req:?}",
                op.id,
                op.parameters[i].name
            );
        }
        checked += 1;
    }
    assert_eq!(checked, 19);
}

// ---------------------------------------------------------------------------------------------
// Deterministic round trip and hostile input

struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn string(&mut self, alphabet: &[char]) -> String {
        let len = 1 + self.below(8);
        (0..len).map(|_| *self.pick(alphabet)).collect()
    }
    fn int(&mut self) -> Value {
        match self.below(4) {
            0 => json!(self.next() as i64 - (1 << 30)),
            1 => json!(u64::MAX - self.next()),
            2 => json!(i64::MIN + self.next() as i64),
            _ => json!(9_007_199_254_740_993u64 + self.next()),
        }
    }
}

/// Characters that are no delimiter in any style: safe inside lists and objects.
const SAFE: &[char] = &[
    'a', 'Z', '0', '9', '-', '_', '~', 'é', '✓', '!', '*', '(', '@',
];
/// Everything, for query/cookie scalars (they are percent-encoded whole).
const ANY: &[char] = &[
    'a', 'Z', '0', ' ', '&', '=', '+', '%', ',', '|', ';', '.', '[', ']', '#', '?', '/', 'é', '"',
];

#[test]
fn round_trip() {
    let mut rng = Lcg(0x5eed);
    let configs: &[(ParamIn, Style, bool)] = &[
        (ParamIn::Path, Style::Simple, false),
        (ParamIn::Path, Style::Simple, true),
        (ParamIn::Path, Style::Label, false),
        (ParamIn::Path, Style::Label, true),
        (ParamIn::Path, Style::Matrix, false),
        (ParamIn::Path, Style::Matrix, true),
        (ParamIn::Header, Style::Simple, false),
        (ParamIn::Header, Style::Simple, true),
        (ParamIn::Query, Style::Form, false),
        (ParamIn::Query, Style::Form, true),
        (ParamIn::Query, Style::SpaceDelimited, false),
        (ParamIn::Query, Style::PipeDelimited, false),
        (ParamIn::Query, Style::DeepObject, true),
        (ParamIn::Cookie, Style::Form, false),
        (ParamIn::Cookie, Style::Form, true),
    ];
    let style_name = |s: Style| match s {
        Style::Simple => "simple",
        Style::Label => "label",
        Style::Matrix => "matrix",
        Style::Form => "form",
        Style::SpaceDelimited => "spaceDelimited",
        Style::PipeDelimited => "pipeDelimited",
        Style::DeepObject => "deepObject",
        Style::Cookie => "cookie",
    };
    let loc_name = |l: ParamIn| match l {
        ParamIn::Path => "path",
        ParamIn::Header => "header",
        ParamIn::Cookie => "cookie",
        _ => "query",
    };
    let object = json!({"type": "object", "properties": {
        "a": {"type": "integer"}, "b": {"type": "string"}, "c": {"type": "boolean"}, "d": {"type": "number"}}});
    // One spec per (config, kind), reused across trials.
    let kinds = [
        "int",
        "string",
        "bool",
        "number",
        "int-array",
        "string-array",
        "object",
    ];
    let mut specs = Vec::new();
    for &(location, style, explode) in configs {
        for kind in kinds {
            let schema = match kind {
                "int" => int_schema(),
                "string" => json!({"type": "string"}),
                "bool" => json!({"type": "boolean"}),
                "number" => json!({"type": "number"}),
                "int-array" => array_schema(),
                "string-array" => json!({"type": "array", "items": {"type": "string"}}),
                _ => object.clone(),
            };
            let scalar = !kind.contains("array") && kind != "object";
            // Styles that have no scalar (or no array) form are skipped.
            if (scalar
                && matches!(
                    style,
                    Style::SpaceDelimited | Style::PipeDelimited | Style::DeepObject
                ))
                || (kind.contains("array") && style == Style::DeepObject)
            {
                continue;
            }
            let spec = spec_with(json!([param(
                "p",
                loc_name(location),
                style_name(style),
                explode,
                schema
            )]));
            specs.push((location, style, explode, kind, spec));
        }
    }
    let mut trials = 0;
    for _ in 0..4 {
        for (location, style, explode, kind, spec) in &specs {
            let scalar_alphabet = match location {
                ParamIn::Query | ParamIn::Cookie => ANY,
                _ => SAFE,
            };
            let value = match *kind {
                "int" => rng.int(),
                "string" => json!(rng.string(scalar_alphabet)),
                "bool" => json!(rng.below(2) == 0),
                "number" => json!((rng.next() as f64 - 1e9) / 1024.0),
                "int-array" => Value::Array((0..1 + rng.below(5)).map(|_| rng.int()).collect()),
                "string-array" => Value::Array(
                    (0..1 + rng.below(5))
                        .map(|_| json!(rng.string(SAFE)))
                        .collect(),
                ),
                _ => {
                    let mut o =
                        json!({"a": rng.int(), "b": rng.string(SAFE), "c": rng.below(2) == 1});
                    // Label style separates with '.', so a fraction there is ambiguous.
                    if *style != Style::Label {
                        o["d"] = json!(rng.next() as f64 / 8.0);
                    }
                    o
                }
            };
            let mut req = serialise(*location, *style, *explode, "p", &value);
            // Header names in random case.
            for (name, _) in &mut req.headers {
                if rng.below(2) == 0 {
                    *name = name.to_ascii_uppercase();
                }
            }
            let parsed = run(spec, &req);
            assert!(
                parsed.problems.is_empty(),
                "{location:?} {style:?} {explode} {value} {req:?}: {:?}",
                parsed.problems
            );
            assert_eq!(
                parsed.value(0),
                Some(&value),
                "{location:?} {style:?} {explode} {req:?}"
            );
            trials += 1;
        }
    }
    assert!(trials > 300, "{trials}");
}

#[test]
fn hostile_input_never_panics() {
    let mut rng = Lcg(42);
    let alphabet = [
        '[', ']', '=', '&', ';', ',', '.', '|', '%', '+', ' ', 'p', 'a', '1', 'é', '"', '{', '}',
    ];
    let schemas = [
        int_schema(),
        json!({"type": ["number", "null"]}),
        array_schema(),
        object_schema(),
        json!({"type": "object", "additionalProperties": true, "properties": {"p": {"type": "object", "properties": {"q": {"type": "array"}}}}}),
    ];
    let styles: &[(&str, &[&str])] = &[
        ("path", &["simple", "label", "matrix"]),
        ("header", &["simple"]),
        (
            "query",
            &["form", "spaceDelimited", "pipeDelimited", "deepObject"],
        ),
        ("cookie", &["form"]),
    ];
    let mut specs = Vec::new();
    for (location, ss) in styles {
        for style in *ss {
            for explode in [false, true] {
                for schema in &schemas {
                    specs.push(spec_with(json!([param(
                        "p",
                        location,
                        style,
                        explode,
                        schema.clone()
                    )])));
                }
            }
        }
    }
    for _ in 0..5 {
        for spec in &specs {
            let mut s =
                |n: usize| -> String { (0..rng.below(n)).map(|_| *rng.pick(&alphabet)).collect() };
            let req = Req {
                path: vec![("p".to_owned(), s(30))],
                query: Some(format!("p{}", s(40))),
                headers: vec![("P".to_owned(), s(30))],
                cookies: Some(format!("p{}", s(40))),
            };
            let _ = run(spec, &req);
        }
    }
}

#[test]
fn cookie_style_32_is_not_decoded() {
    let spec = spec_version(
        "3.2.0",
        json!([
            {"name": "raw", "in": "cookie", "style": "cookie", "schema": {"type": "string"}},
            {"name": "list", "in": "cookie", "style": "cookie", "explode": true,
             "schema": {"type": "array", "items": {"type": "integer"}}},
        ]),
    );
    let parsed = run(&spec, &Req::cookie("raw=a%20b+c; list=1; list=2"));
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    assert_eq!(parsed.value(0), Some(&json!("a%20b+c")));
    assert_eq!(parsed.value(1), Some(&json!([1, 2])));
}

#[test]
fn encoded_delimiters_stay_inside_path_items() {
    let strings = json!({"type": "array", "items": {"type": "string"}});
    let spec = spec_with(json!([
        param("a", "path", "simple", false, strings.clone()),
        param("o", "path", "label", true, object_schema()),
        param("m", "path", "matrix", false, strings),
    ]));
    let op = &spec.operations[0];
    let decoded: Vec<(&str, String)> = vec![
        ("a", "1,2,3".to_owned()),
        ("o", ".role=a.b.firstName=x".to_owned()),
        ("m", ";m=4,5;6".to_owned()),
    ];
    let raw: Vec<(&str, &str)> = vec![
        ("a", "1%2C2,3"),
        ("o", ".role=a%2Eb.firstName=x"),
        ("m", ";m=4,5%3B6"),
    ];
    let parsed = parse(
        &spec,
        op,
        &RawRequest {
            path_params: &decoded,
            path_raw: &raw,
            query: None,
            headers: &[],
            cookies: None,
        },
    );
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    assert_eq!(parsed.value(0), Some(&json!(["1,2", "3"])));
    assert_eq!(
        parsed.value(1),
        Some(&json!({"role": "a.b", "firstName": "x"}))
    );
    assert_eq!(parsed.value(2), Some(&json!(["4", "5;6"])));
}

#[test]
fn a_required_exploded_object_with_no_pairs_is_the_empty_object() {
    // microcks `GET /services/search?…`: `queryMap` is a required free-form object, exploded
    // into the query; sending none of its members is `{}`, which its schema accepts.
    let param = json!({"name": "queryMap", "in": "query", "required": true,
        "schema": {"type": "object", "additionalProperties": {"type": "string"}}});
    assert_eq!(one(param.clone(), Req::query("")), Ok(json!({})));
    assert_eq!(
        one(param, Req::query("name=x&labels.env=prod")),
        Ok(json!({"name": "x", "labels.env": "prod"}))
    );
}

#[test]
fn a_required_deep_object_with_no_pairs_is_judged_by_its_schema() {
    let param = json!({"name": "filter", "in": "query", "required": true, "style": "deepObject",
        "schema": {"type": "object", "properties": {"color": {"type": "string"}}}});
    assert_eq!(one(param, Req::query("")), Ok(json!({})));
}
