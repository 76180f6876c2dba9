//! Parsing the raw parts of a request (path parameters, query string, headers, cookies) into
//! one typed JSON value per declared OpenAPI parameter, ready for schema validation.
//!
//! Every `style`/`explode` combination of OpenAPI 3.x is read back, strings are coerced by
//! the parameter schema's type (integers exactly, never through `f64`), and whatever does not
//! fit becomes a [`Problem`] instead of a panic. A parameter with a problem gets no value, so
//! the schema validator does not report the same fault a second time.

mod pairs;
pub mod schema;

pub use pairs::MAX_PAIRS;

/// Array items or object members of one parameter that may fail coercion (each then reported
/// at its own location by the validator) before the whole value fails with one problem.
pub const MAX_BAD_MEMBERS: usize = 20;

/// Deepest `id[a][b]…` key of a deepObject parameter.
pub const MAX_DEEP_KEYS: usize = 8;

use mockgen_spec::media_essence as essence;
use mockgen_spec::{Operation, ParamIn, Parameter, Spec, Style};
use pairs::{Decoding, Pair, decode};
use schema::{Flat, Shape, Types, View, coerce};
use serde_json::{Map, Value};

/// The raw request parts the router hands over.
#[derive(Debug, Clone, Copy)]
pub struct RawRequest<'a> {
    /// Path template variables, already percent-decoded by the router.
    pub path_params: &'a [(&'a str, String)],
    /// The same path variables still percent-encoded, when the router has them: styled values
    /// are split at their delimiters first and each piece decoded after, so an encoded `%2C`
    /// stays inside its item. Empty: the decoded values are used as they are.
    pub path_raw: &'a [(&'a str, &'a str)],
    /// The raw query string, without the `?`.
    pub query: Option<&'a str>,
    /// Header names in any case.
    pub headers: &'a [(&'a str, &'a str)],
    /// The raw `Cookie` header.
    pub cookies: Option<&'a str>,
}

/// The parsed parameters and everything wrong with them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parsed {
    /// `(index into op.parameters, value)` for every parameter present and well-formed.
    pub values: Vec<(usize, Value)>,
    pub problems: Vec<Problem>,
}

impl Parsed {
    /// The value of parameter `index`, if it was present and parsed.
    pub fn value(&self, index: usize) -> Option<&Value> {
        self.values
            .iter()
            .find(|(i, _)| *i == index)
            .map(|(_, v)| v)
    }
}

/// One thing wrong with a parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// `[location, name]`, e.g. `["query", "limit"]` (Prism's `location` array). The name is
    /// empty for problems with the query string or cookie header as a whole.
    pub location: [String; 2],
    /// `required` | `empty` | `type` | `format` | `syntax`.
    pub code: &'static str,
    pub message: String,
}

/// What parsing one parameter needs from its schema, read once per operation ([`plan`]) so
/// that a request does not walk the spec: the shape and the scalar (or item) types of
/// parameters that are scalars or arrays. Objects, and parameters with `content`, are read
/// from the spec per request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    resolved: Option<Resolved>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Resolved {
    shape: Shape,
    types: u8,
    format: Option<String>,
    item_types: u8,
    item_format: Option<String>,
}

/// One [`Plan`] per parameter of `op`, for [`parse_planned`].
pub fn plan(spec: &Spec, op: &Operation) -> Vec<Plan> {
    op.parameters
        .iter()
        .map(|param| {
            if !param.content.is_empty() {
                return Plan::default();
            }
            let view = View::of_loc(spec, param.schema.as_ref());
            let shape = view.shape();
            if shape == Shape::Object {
                return Plan::default();
            }
            let items = view.items();
            Plan {
                resolved: Some(Resolved {
                    shape,
                    types: view.types(),
                    format: view.format().map(str::to_owned),
                    item_types: items.types(),
                    item_format: items.format().map(str::to_owned),
                }),
            }
        })
        .collect()
}

/// Parse every parameter of `op` out of `raw`. Unknown query parameters, headers and cookies
/// are ignored.
pub fn parse(spec: &Spec, op: &Operation, raw: &RawRequest<'_>) -> Parsed {
    parse_planned(spec, op, &[], raw)
}

/// [`parse`] with the [`plan`] of `op` (a missing plan is read from the spec).
pub fn parse_planned(spec: &Spec, op: &Operation, plans: &[Plan], raw: &RawRequest<'_>) -> Parsed {
    let mut problems = Vec::new();
    let (query, query_capped) = raw.query.map(pairs::query_pairs).unwrap_or_default();
    let (cookies, cookies_capped) = raw.cookies.map(pairs::cookie_pairs).unwrap_or_default();
    for (capped, location, what) in [
        (query_capped, "query", "query parameters"),
        (cookies_capped, "cookie", "cookies"),
    ] {
        if capped {
            problems.push(Problem {
                location: [location.to_owned(), String::new()],
                code: "syntax",
                message: format!("too many {what} (more than {MAX_PAIRS}); the rest were ignored"),
            });
        }
    }
    let claimed = |location: ParamIn| -> Vec<&str> {
        op.parameters
            .iter()
            .filter(|p| p.location == location)
            .map(|p| p.name.as_str())
            .collect()
    };
    let query_names = claimed(ParamIn::Query);
    let cookie_names = claimed(ParamIn::Cookie);

    let mut values = Vec::new();
    for (index, param) in op.parameters.iter().enumerate() {
        // OpenAPI: header parameters named Accept, Content-Type or Authorization "SHALL be
        // ignored" (content negotiation, the body and security own those headers).
        if param.location == ParamIn::Header
            && ["accept", "content-type", "authorization"]
                .iter()
                .any(|n| param.name.eq_ignore_ascii_case(n))
        {
            continue;
        }
        let mut cx = Cx {
            spec,
            param,
            plan: plans.get(index).and_then(|p| p.resolved.as_ref()),
            problems: &mut problems,
            pct: false,
        };
        let outcome = match param.location {
            ParamIn::Path => cx.path(raw.path_params, raw.path_raw),
            ParamIn::Header => cx.header(raw.headers),
            ParamIn::Query => cx.paired(&query, Decoding::Form, &query_names),
            ParamIn::Cookie => {
                // 3.2 `style: cookie` values are sent as is; form-style ones percent-encoded.
                let decoding = if param.style == Style::Cookie {
                    Decoding::None
                } else {
                    Decoding::Percent
                };
                cx.paired(&cookies, decoding, &cookie_names)
            }
            ParamIn::Querystring => cx.querystring(raw.query, &query),
        };
        match outcome {
            Outcome::Value(v) => values.push((index, v)),
            Outcome::Missing if param.required => {
                let what = location_name(param.location);
                cx.problem(
                    "required",
                    format!("{what} parameter {:?} is required", param.name),
                );
            }
            Outcome::Missing | Outcome::Skipped | Outcome::Failed => {}
        }
    }
    Parsed { values, problems }
}

fn location_name(location: ParamIn) -> &'static str {
    match location {
        ParamIn::Path => "path",
        ParamIn::Query => "query",
        ParamIn::Header => "header",
        ParamIn::Cookie => "cookie",
        ParamIn::Querystring => "querystring",
    }
}

/// What parsing one parameter came to.
#[derive(Debug)]
enum Outcome {
    Value(Value),
    /// Not in the request at all.
    Missing,
    /// Present but deliberately without a value (an allowed empty value of a non-string type).
    Skipped,
    /// Present but malformed; the problem is recorded.
    Failed,
}

/// The parameter being parsed and where its problems go.
struct Cx<'a, 'p> {
    spec: &'a Spec,
    param: &'a Parameter,
    /// The parameter's schema read in advance, if it was.
    plan: Option<&'a Resolved>,
    problems: &'p mut Vec<Problem>,
    /// The pieces handed to `scalar`/`array`/`object` are still percent-encoded.
    pct: bool,
}

impl<'a> Cx<'a, '_> {
    fn problem(&mut self, code: &'static str, message: String) {
        self.problems.push(Problem {
            location: [
                location_name(self.param.location).to_owned(),
                self.param.name.clone(),
            ],
            code,
            message,
        });
    }

    fn syntax(&mut self, message: String) -> Outcome {
        self.problem("syntax", message);
        Outcome::Failed
    }

    fn view(&self) -> View<'a> {
        View::of_loc(self.spec, self.param.schema.as_ref())
    }

    /// The parameter's schema as parsing needs it: from the plan when there is one.
    fn schema(&self) -> Sch<'a> {
        if let Some(r) = self.plan {
            return Sch {
                shape: r.shape,
                top: Flat {
                    types: r.types,
                    format: r.format.as_deref(),
                },
                item: Flat {
                    types: r.item_types,
                    format: r.item_format.as_deref(),
                },
                view: View::empty(self.spec),
            };
        }
        let view = self.view();
        let shape = view.shape();
        Sch {
            shape,
            top: if shape == Shape::Scalar {
                Flat::of(&view)
            } else {
                Flat::default()
            },
            item: if shape == Shape::Array {
                Flat::of(&view.items())
            } else {
                Flat::default()
            },
            view,
        }
    }

    fn coerce<T: Types + ?Sized>(&mut self, s: &str, view: &T) -> Option<Value> {
        match coerce(s, view) {
            Ok(v) => Some(v),
            Err(e) => {
                self.problem(e.code, e.message);
                None
            }
        }
    }

    fn scalar(&mut self, s: &str, view: &Flat<'_>) -> Outcome {
        let s = self.piece(s).into_owned();
        self.coerce(&s, view)
            .map_or(Outcome::Failed, Outcome::Value)
    }

    /// An array item or object member: one that does not coerce stays a string, so the
    /// schema validator reports it at its own location (`["query", "ids", "1"]`). Past
    /// [`MAX_BAD_MEMBERS`] such members the whole value fails with one problem, so a hostile
    /// list cannot produce a violation per item.
    fn member<T: Types + ?Sized>(&mut self, s: &str, view: &T, bad: &mut usize) -> Option<Value> {
        match coerce(s, view) {
            Ok(v) => Some(v),
            Err(e) => {
                *bad += 1;
                if *bad > MAX_BAD_MEMBERS {
                    self.problem(
                        e.code,
                        format!("{} (and more than {MAX_BAD_MEMBERS} others)", e.message),
                    );
                    return None;
                }
                Some(Value::String(s.to_owned()))
            }
        }
    }

    /// Items coerced by the items schema `item_view`.
    fn array(&mut self, items: &[&str], item_view: &Flat<'_>) -> Outcome {
        let mut out = Vec::with_capacity(items.len());
        let mut bad = 0;
        for item in items {
            let item = self.piece(item).into_owned();
            match self.member(&item, item_view, &mut bad) {
                Some(v) => out.push(v),
                None => return Outcome::Failed,
            }
        }
        Outcome::Value(Value::Array(out))
    }

    /// `k=v` members (exploded simple, label and matrix objects).
    fn object_kv(&mut self, parts: &[&str], view: &View<'_>) -> Outcome {
        let mut members = Vec::with_capacity(parts.len());
        for part in parts {
            let Some(kv) = part.split_once('=') else {
                return self.syntax(format!("object member {part:?} has no '='"));
            };
            members.push(kv);
        }
        self.object(&members, view)
    }

    /// `k,v,k,v` members (non-exploded objects).
    fn object_flat(&mut self, parts: &[&str], view: &View<'_>) -> Outcome {
        if !parts.len().is_multiple_of(2) {
            return self.syntax(format!(
                "object value has {} parts; expected name,value pairs",
                parts.len()
            ));
        }
        let members: Vec<(&str, &str)> = parts.chunks_exact(2).map(|c| (c[0], c[1])).collect();
        self.object(&members, view)
    }

    fn object(&mut self, members: &[(&str, &str)], view: &View<'_>) -> Outcome {
        let mut map = Map::new();
        let mut bad = 0;
        for (k, v) in members {
            let (k, v) = (self.piece(k).into_owned(), self.piece(v).into_owned());
            if map.contains_key(&k) {
                return self.syntax(format!("object member {k:?} given more than once"));
            }
            match self.member(&v, &view.property(&k), &mut bad) {
                Some(value) => {
                    map.insert(k, value);
                }
                None => return Outcome::Failed,
            }
        }
        Outcome::Value(Value::Object(map))
    }

    /// A `content`-typed parameter: JSON media types are parsed, anything else is a string.
    fn content(&mut self, s: &str) -> Outcome {
        let json = self
            .param
            .content
            .first()
            .is_some_and(|m| is_json(&m.media_type));
        if !json {
            return Outcome::Value(Value::String(s.to_owned()));
        }
        match serde_json::from_str::<Value>(s) {
            Ok(v) => Outcome::Value(v),
            Err(e) => self.syntax(format!("not valid JSON: {e}")),
        }
    }

    fn path(&mut self, params: &[(&str, String)], raw: &[(&str, &str)]) -> Outcome {
        let Some((_, s)) = params.iter().find(|(n, _)| *n == self.param.name) else {
            return Outcome::Missing;
        };
        if !self.param.content.is_empty() {
            return self.content(s);
        }
        if let Some((_, r)) = raw.iter().find(|(n, _)| *n == self.param.name) {
            self.pct = true;
            return self.styled(r, false);
        }
        self.styled(s, false)
    }

    /// A piece of a value, percent-decoded when the value came still encoded.
    fn piece<'s>(&self, s: &'s str) -> std::borrow::Cow<'s, str> {
        if self.pct {
            std::borrow::Cow::Owned(decode(s, Decoding::Percent))
        } else {
            std::borrow::Cow::Borrowed(s)
        }
    }

    /// Several header lines of one name are one comma-separated list (RFC 9110 §5.3).
    fn header(&mut self, headers: &[(&str, &str)]) -> Outcome {
        let lines: Vec<&str> = headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(&self.param.name))
            .map(|(_, v)| v.trim())
            .collect();
        if lines.is_empty() {
            return Outcome::Missing;
        }
        let joined = lines.join(",");
        if !self.param.content.is_empty() {
            return self.content(&joined);
        }
        self.styled(&joined, true)
    }

    /// Path and header values: simple, label and matrix styles. `trim` drops the optional
    /// whitespace HTTP allows around list commas (headers only).
    fn styled(&mut self, s: &str, trim: bool) -> Outcome {
        let sch = self.schema();
        let explode = self.param.explode;
        let split = |body: &'_ str, sep: char| -> Vec<String> {
            if body.is_empty() {
                return Vec::new();
            }
            body.split(sep)
                .map(|p| if trim { p.trim() } else { p }.to_owned())
                .collect()
        };
        let (body, sep) = match self.param.style {
            Style::Matrix => return self.matrix(s, &sch),
            Style::Label => {
                let Some(body) = s.strip_prefix('.') else {
                    return self.syntax(format!("label-style value {s:?} must start with '.'"));
                };
                // The 3.0 table separates non-exploded label lists with '.', RFC 6570 (and
                // the 3.2 table) with ','. Accept both: ',' when present, else '.'.
                let sep = if explode || !body.contains(',') {
                    '.'
                } else {
                    ','
                };
                (body, sep)
            }
            // simple, and any style that does not belong here, reads as simple.
            _ => (s, ','),
        };
        match sch.shape {
            Shape::Scalar => self.scalar(body, &sch.top),
            Shape::Array => {
                let parts = split(body, sep);
                self.array(&refs(&parts), &sch.item)
            }
            Shape::Object => {
                let parts = split(body, sep);
                if explode {
                    self.object_kv(&refs(&parts), &sch.view)
                } else {
                    self.object_flat(&refs(&parts), &sch.view)
                }
            }
        }
    }

    /// `;id=5`, `;id=3,4,5`, `;id=3;id=4;id=5`, `;id=role,admin`, `;role=admin;…`.
    fn matrix(&mut self, s: &str, sch: &Sch<'_>) -> Outcome {
        let name = self.param.name.as_str();
        let Some(body) = s.strip_prefix(';') else {
            return self.syntax(format!("matrix-style value {s:?} must start with ';'"));
        };
        // The value of a `name=value` (or bare `name`) segment.
        let value_of = |seg: &'_ str| -> Option<String> {
            let rest = seg.strip_prefix(name)?;
            if rest.is_empty() {
                Some(String::new())
            } else {
                rest.strip_prefix('=').map(str::to_owned)
            }
        };
        let shape = sch.shape;
        if self.param.explode && shape == Shape::Object {
            let parts: Vec<&str> = body.split(';').collect();
            return self.object_kv(&parts, &sch.view);
        }
        if self.param.explode && shape == Shape::Array {
            if body == name {
                return Outcome::Value(Value::Array(Vec::new()));
            }
            let mut items = Vec::new();
            for seg in body.split(';') {
                match value_of(seg) {
                    Some(v) => items.push(v),
                    None => return self.syntax(format!("expected ;{name}=…, got ;{seg}")),
                }
            }
            return self.array(&refs(&items), &sch.item);
        }
        // One `name=value` segment; the value is everything after it (it may hold ';').
        let Some(value) = value_of(body) else {
            return self.syntax(format!("expected ;{name}=…, got {s:?}"));
        };
        let parts: Vec<&str> = if value.is_empty() {
            Vec::new()
        } else {
            value.split(',').collect()
        };
        match shape {
            Shape::Scalar => self.scalar(&value, &sch.top),
            Shape::Array => self.array(&parts, &sch.item),
            Shape::Object => self.object_flat(&parts, &sch.view),
        }
    }

    /// The one pair named like the parameter, decoded. `Err` (problem recorded) when it is
    /// given more than once: neither the first nor the last is silently preferred.
    fn single(&mut self, pairs: &[Pair<'_>], decoding: Decoding) -> Result<Option<String>, ()> {
        let mut found = pairs.iter().filter(|p| p.name == self.param.name);
        let Some(first) = found.next() else {
            return Ok(None);
        };
        if found.next().is_some() {
            self.syntax("given more than once".to_owned());
            return Err(());
        }
        Ok(Some(decode(first.raw, decoding)))
    }

    /// `allowEmptyValue` (query only): `Err` with a problem when an empty value is
    /// explicitly refused (`allowEmptyValue: false` written in the spec), `Ok(true)` when it
    /// is empty and allowed. Without the keyword an empty value is an ordinary value checked
    /// by the schema (`""` is a fine string, not an integer): the keyword is deprecated, and
    /// Prism and Schemathesis do not apply its default either.
    fn check_empty(&mut self, s: &str) -> Result<bool, ()> {
        if !s.is_empty() || self.param.location != ParamIn::Query {
            return Ok(false);
        }
        if self.param.allow_empty_value {
            return Ok(true);
        }
        let explicit = self
            .spec
            .get(&self.param.loc)
            .and_then(|p| p.get("allowEmptyValue"))
            .is_some_and(|v| v == &Value::Bool(false));
        if !explicit {
            return Ok(false);
        }
        self.problem(
            "empty",
            format!(
                "query parameter {:?} is present but empty (allowEmptyValue is false)",
                self.param.name
            ),
        );
        Err(())
    }

    /// Query and cookie parameters: form, spaceDelimited, pipeDelimited and deepObject.
    /// `claimed` are the names of all parameters declared in this location, which an object
    /// with `additionalProperties` must not take as its members.
    fn paired(&mut self, pairs: &[Pair<'_>], decoding: Decoding, claimed: &[&str]) -> Outcome {
        if !self.param.content.is_empty() {
            return match self.single(pairs, decoding) {
                Ok(Some(s)) => match self.check_empty(&s) {
                    Ok(_) => self.content(&s),
                    Err(()) => Outcome::Failed,
                },
                Ok(None) => Outcome::Missing,
                Err(()) => Outcome::Failed,
            };
        }
        let sch = self.schema();
        let shape = sch.shape;
        let style = self.param.style;
        if shape == Shape::Object && style == Style::DeepObject {
            return self.deep_object(pairs, decoding, &sch.view);
        }
        if shape == Shape::Object && self.param.explode {
            return self.exploded_object(pairs, decoding, claimed, &sch.view);
        }
        if shape == Shape::Array && self.param.explode {
            let items: Vec<String> = pairs
                .iter()
                .filter(|p| p.name == self.param.name)
                .map(|p| decode(p.raw, decoding))
                .collect();
            if items.is_empty() {
                return Outcome::Missing;
            }
            if items.len() == 1 {
                match self.check_empty(&items[0]) {
                    Ok(true) => return Outcome::Value(Value::Array(Vec::new())),
                    Ok(false) => {}
                    Err(()) => return Outcome::Failed,
                }
            }
            return self.array(&refs(&items), &sch.item);
        }
        let s = match self.single(pairs, decoding) {
            Ok(Some(s)) => s,
            Ok(None) => return Outcome::Missing,
            Err(()) => return Outcome::Failed,
        };
        let empty_allowed = match self.check_empty(&s) {
            Ok(e) => e,
            Err(()) => return Outcome::Failed,
        };
        // The delimiter is looked for after decoding: most clients percent-encode ',' and
        // '|' too, so `3%2C4` must still be two items.
        let sep = match style {
            Style::SpaceDelimited => ' ',
            Style::PipeDelimited => '|',
            _ => ',',
        };
        let parts: Vec<&str> = if s.is_empty() {
            Vec::new()
        } else {
            s.split(sep).collect()
        };
        match shape {
            Shape::Scalar if empty_allowed => match coerce(&s, &sch.top) {
                Ok(v) => Outcome::Value(v),
                // `?limit` with allowEmptyValue on an integer: present, but no value to check.
                Err(_) => Outcome::Skipped,
            },
            Shape::Scalar => self.scalar(&s, &sch.top),
            Shape::Array => self.array(&parts, &sch.item),
            Shape::Object => self.object_flat(&parts, &sch.view),
        }
    }

    /// `role=admin&firstName=Alex`: members are the pairs named like a declared property
    /// (plus unclaimed ones when the schema allows additional properties).
    fn exploded_object(
        &mut self,
        pairs: &[Pair<'_>],
        decoding: Decoding,
        claimed: &[&str],
        view: &View<'_>,
    ) -> Outcome {
        let additional = view.allows_additional();
        let mut map = Map::new();
        let mut found = false;
        let mut bad = 0;
        for pair in pairs {
            let member = view.has_property(&pair.name)
                || (additional && !claimed.contains(&pair.name.as_str()));
            if !member {
                continue;
            }
            found = true;
            let value = decode(pair.raw, decoding);
            if !self.insert_member(
                &mut map,
                &pair.name,
                &value,
                &view.property(&pair.name),
                &mut bad,
            ) {
                return Outcome::Failed;
            }
        }
        self.object_outcome(found, map)
    }

    /// An object spread over pairs (exploded form, deepObject). An empty object is no pairs at
    /// all, so for a required parameter "absent" and `{}` look the same on the wire: let the
    /// schema decide (its `required` members, `minProperties`).
    fn object_outcome(&self, found: bool, map: Map<String, Value>) -> Outcome {
        if found || self.param.required {
            Outcome::Value(Value::Object(map))
        } else {
            Outcome::Missing
        }
    }

    /// Add one member; repeated members collect into an array when their schema is one.
    fn insert_member(
        &mut self,
        map: &mut Map<String, Value>,
        key: &str,
        value: &str,
        view: &View<'_>,
        bad: &mut usize,
    ) -> bool {
        if view.shape() == Shape::Array {
            let Some(item) = self.member(value, &view.items(), bad) else {
                return false;
            };
            match map
                .entry(key.to_owned())
                .or_insert_with(|| Value::Array(Vec::new()))
            {
                Value::Array(items) => items.push(item),
                _ => {
                    self.syntax(format!("member {key:?} is both a value and a list"));
                    return false;
                }
            }
            return true;
        }
        if let Some(existing) = map.get_mut(key) {
            if view.types() != 0 {
                self.syntax(format!("member {key:?} given more than once"));
                return false;
            }
            // A member of unknown schema (free-form `additionalProperties`) given several
            // times is a list, as form encoders write one.
            let item = Value::String(value.to_owned());
            match existing {
                Value::Array(items) => items.push(item),
                other => {
                    let first = std::mem::take(other);
                    *other = Value::Array(vec![first, item]);
                }
            }
            return true;
        }
        match self.member(value, view, bad) {
            Some(v) => {
                map.insert(key.to_owned(), v);
                true
            }
            None => false,
        }
    }

    /// `id[role]=admin&id[firstName]=Alex`, nested one level (`id[a][b]=x`); `id[list][]=x`
    /// and `id[list][0]=x` add to an array member.
    fn deep_object(&mut self, pairs: &[Pair<'_>], decoding: Decoding, view: &View<'_>) -> Outcome {
        let name = self.param.name.as_str();
        let mut map = Map::new();
        let mut found = false;
        let mut bad = 0;
        for pair in pairs {
            let Some(rest) = pair
                .name
                .strip_prefix(name)
                .and_then(|r| r.strip_prefix('['))
            else {
                continue;
            };
            found = true;
            let Some(inner) = rest.strip_suffix(']') else {
                return self.syntax(format!("malformed deepObject key {:?}", pair.name));
            };
            let keys: Vec<&str> = inner.split("][").collect();
            if keys.len() > MAX_DEEP_KEYS {
                return self.syntax(format!(
                    "deepObject key {:?} is nested more than {MAX_DEEP_KEYS} levels",
                    pair.name
                ));
            }
            let value = decode(pair.raw, decoding);
            let ok = self.deep_put(&mut map, &keys, &value, view, &mut bad);
            if !ok {
                return Outcome::Failed;
            }
        }
        self.object_outcome(found, map)
    }

    /// Put `value` at `keys` (`a`, `b`, `c` for `id[a][b][c]`) into `map`: intermediate keys
    /// are objects, a last `[]`/`[N]` under an array property appends to it.
    fn deep_put(
        &mut self,
        map: &mut Map<String, Value>,
        keys: &[&str],
        value: &str,
        view: &View<'_>,
        bad: &mut usize,
    ) -> bool {
        let Some((key, rest)) = keys.split_first() else {
            return true;
        };
        let prop = view.property(key);
        match rest {
            [] => self.insert_member(map, key, value, &prop, bad),
            [index]
                if prop.shape() == Shape::Array
                    && (index.is_empty() || index.bytes().all(|b| b.is_ascii_digit())) =>
            {
                self.insert_member(map, key, value, &prop, bad)
            }
            _ => {
                let entry = map
                    .entry((*key).to_owned())
                    .or_insert_with(|| Value::Object(Map::new()));
                let Value::Object(inner) = entry else {
                    self.syntax(format!("member {key:?} is both a value and an object"));
                    return false;
                };
                let mut inner = std::mem::take(inner);
                let ok = self.deep_put(&mut inner, rest, value, &prop, bad);
                map.insert((*key).to_owned(), Value::Object(inner));
                ok
            }
        }
    }

    /// OpenAPI 3.2 `in: querystring`: the whole query string is the value.
    fn querystring(&mut self, query: Option<&str>, pairs: &[Pair<'_>]) -> Outcome {
        let Some(query) = query.filter(|q| !q.is_empty()) else {
            return Outcome::Missing;
        };
        let media = self.param.content.first();
        if let Some(m) = media
            && is_form(&m.media_type)
        {
            let view = View::of_loc(self.spec, m.schema.as_ref());
            let mut map = Map::new();
            let mut bad = 0;
            for pair in pairs {
                let value = decode(pair.raw, Decoding::Form);
                if !self.insert_member(
                    &mut map,
                    &pair.name,
                    &value,
                    &view.property(&pair.name),
                    &mut bad,
                ) {
                    return Outcome::Failed;
                }
            }
            return Outcome::Value(Value::Object(map));
        }
        // Other media types: the percent-decoded text (a `+` is literal outside forms).
        let text = decode(query, Decoding::Percent);
        if media.is_some() {
            return self.content(&text);
        }
        let view = self.view();
        self.scalar(&text, &Flat::of(&view))
    }
}

/// A parameter's schema as parsing needs it. `view` is the whole schema for objects (whose
/// members each have their own); scalars and arrays need only `top` and `item`.
struct Sch<'a> {
    shape: Shape,
    top: Flat<'a>,
    item: Flat<'a>,
    view: View<'a>,
}

fn refs(items: &[String]) -> Vec<&str> {
    items.iter().map(String::as_str).collect()
}

fn is_json(media_type: &str) -> bool {
    let e = essence(media_type);
    e == "application/json" || e.ends_with("+json")
}

fn is_form(media_type: &str) -> bool {
    essence(media_type) == "application/x-www-form-urlencoded"
}
