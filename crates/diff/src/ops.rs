//! The structural side of the comparison: servers, operations, parameters, bodies,
//! responses, headers and security. Schemas go to [`crate::schema`].

use crate::rules::{self, Rule};
use crate::schema::{Comparer, Dir};
use crate::{Raw, Side, path_shape, template_vars};
use indexmap::IndexMap;
use mockgen_spec::{
    Header, Loc, MediaType, Operation, ParamIn, Parameter, SecurityRequirement, SecurityScheme,
    Spec, media_essence,
};
use std::collections::HashSet;

struct Cx<'a> {
    old: &'a Spec,
    new: &'a Spec,
    cmp: Comparer<'a>,
    out: Vec<Raw>,
    order: usize,
    operation: String,
}

pub(crate) fn compare(old: &Spec, new: &Spec) -> Vec<Raw> {
    let mut cx = Cx {
        old,
        new,
        cmp: Comparer::new(old, new),
        out: Vec::new(),
        order: 0,
        operation: String::new(),
    };
    cx.servers();
    let key = |o: &Operation| format!("{} {}", o.method, path_shape(&o.path));
    let mut by_key: IndexMap<String, &Operation> = IndexMap::new();
    for op in &new.operations {
        by_key.entry(key(op)).or_insert(op);
    }
    let mut matched: HashSet<String> = HashSet::new();
    for (i, o) in old.operations.iter().enumerate() {
        cx.order = i + 1;
        let k = key(o);
        match by_key.get(&k) {
            Some(n) => {
                matched.insert(k);
                cx.operation = format!("{} {}", n.method, n.path);
                cx.operation_pair(o, n);
            }
            None => {
                cx.operation = format!("{} {}", o.method, o.path);
                if o.deprecated {
                    cx.push(
                        &rules::DEPRECATED_OPERATION_REMOVED,
                        "operation removed (it was deprecated)".to_owned(),
                        Side::Old,
                        o.loc.clone(),
                    );
                } else {
                    cx.push(
                        &rules::OPERATION_REMOVED,
                        "operation removed without being deprecated first".to_owned(),
                        Side::Old,
                        o.loc.clone(),
                    );
                }
            }
        }
    }
    for (j, n) in new.operations.iter().enumerate() {
        if matched.contains(&key(n)) {
            continue;
        }
        cx.order = old.operations.len() + 1 + j;
        cx.operation = format!("{} {}", n.method, n.path);
        cx.push(
            &rules::OPERATION_ADDED,
            "operation added".to_owned(),
            Side::New,
            n.loc.clone(),
        );
    }
    cx.out
}

fn base_path(spec: &Spec) -> String {
    spec.servers
        .first()
        .map(mockgen_spec::Server::base_path)
        .unwrap_or_default()
}

fn param_key(op: &Operation, p: &Parameter) -> String {
    match p.location {
        ParamIn::Path => match template_vars(&op.path).iter().position(|v| *v == p.name) {
            Some(i) => format!("path #{i}"),
            None => format!("path {}", p.name),
        },
        ParamIn::Header => format!("header {}", p.name.to_ascii_lowercase()),
        ParamIn::Query => format!("query {}", p.name),
        ParamIn::Cookie => format!("cookie {}", p.name),
        ParamIn::Querystring => "querystring".to_owned(),
    }
}

fn location_name(l: ParamIn) -> &'static str {
    match l {
        ParamIn::Path => "path",
        ParamIn::Query => "query",
        ParamIn::Header => "header",
        ParamIn::Cookie => "cookie",
        ParamIn::Querystring => "querystring",
    }
}

/// Header parameters OpenAPI says are ignored (they are described elsewhere).
fn ignored_header(p: &Parameter) -> bool {
    p.location == ParamIn::Header
        && ["accept", "content-type", "authorization"]
            .contains(&p.name.to_ascii_lowercase().as_str())
}

fn param_schema(p: &Parameter) -> Option<&Loc> {
    p.schema
        .as_ref()
        .or_else(|| p.content.first().and_then(|m| m.schema.as_ref()))
}

fn header_schema(h: &Header) -> Option<&Loc> {
    h.schema
        .as_ref()
        .or_else(|| h.content.first().and_then(|m| m.schema.as_ref()))
}

/// The media type of `list` that serves `essence`: the same one, else a `type/*` or `*/*`.
fn find_media<'m>(list: &'m [MediaType], essence: &str) -> Option<&'m MediaType> {
    let exact = list
        .iter()
        .find(|m| media_essence(&m.media_type) == essence);
    if exact.is_some() {
        return exact;
    }
    let major = essence.split('/').next().unwrap_or_default();
    list.iter().find(|m| {
        let e = media_essence(&m.media_type);
        e == "*/*" || e == format!("{major}/*")
    })
}

fn scheme_shape(s: &SecurityScheme) -> String {
    match s {
        SecurityScheme::ApiKey { name, location } => {
            format!("apiKey in {} `{name}`", location_name(*location))
        }
        SecurityScheme::Http { scheme, .. } => format!("http {}", scheme.to_ascii_lowercase()),
        SecurityScheme::OAuth2 { .. } => "oauth2".to_owned(),
        SecurityScheme::OpenIdConnect { .. } => "openIdConnect".to_owned(),
        SecurityScheme::MutualTls => "mutualTLS".to_owned(),
    }
}

type Alternative = Vec<(String, Vec<String>)>;

fn alternatives(reqs: &[SecurityRequirement]) -> Vec<Alternative> {
    if reqs.is_empty() {
        vec![Vec::new()]
    } else {
        reqs.iter().map(|r| r.schemes.clone()).collect()
    }
}

/// Does a client that satisfies `old` also satisfy `new`?
fn satisfies(new: &Alternative, old: &Alternative) -> bool {
    new.iter().all(|(scheme, scopes)| {
        old.iter()
            .any(|(s, have)| s == scheme && scopes.iter().all(|x| have.contains(x)))
    })
}

impl Cx<'_> {
    fn push(&mut self, rule: &'static Rule, message: String, side: Side, loc: Loc) {
        self.out.push(Raw {
            rule,
            operation: self.operation.clone(),
            order: self.order,
            message,
            side,
            loc,
        });
    }

    fn servers(&mut self) {
        self.order = 0;
        self.operation = String::new();
        let (old_base, new_base) = (base_path(self.old), base_path(self.new));
        let base_changed = old_base != new_base;
        if base_changed {
            let shown = |b: &str| {
                if b.is_empty() {
                    "/".to_owned()
                } else {
                    b.to_owned()
                }
            };
            self.push(
                &rules::BASE_PATH_CHANGED,
                format!(
                    "base path changed from `{}` to `{}`",
                    shown(&old_base),
                    shown(&new_base)
                ),
                Side::New,
                Loc::new(
                    0,
                    if self.new.servers.is_empty() {
                        ""
                    } else {
                        "/servers/0"
                    },
                ),
            );
        }
        let old_urls: Vec<String> = self.old.servers.iter().map(|s| s.default_url()).collect();
        let new_urls: Vec<String> = self.new.servers.iter().map(|s| s.default_url()).collect();
        for (i, url) in old_urls.iter().enumerate() {
            if new_urls.contains(url) || (i == 0 && base_changed) {
                continue;
            }
            self.push(
                &rules::SERVER_REMOVED,
                format!("server `{url}` removed"),
                Side::Old,
                Loc::new(0, format!("/servers/{i}")),
            );
        }
        for (i, url) in new_urls.iter().enumerate() {
            if old_urls.contains(url) || (i == 0 && base_changed) {
                continue;
            }
            self.push(
                &rules::SERVER_ADDED,
                format!("server `{url}` added"),
                Side::New,
                Loc::new(0, format!("/servers/{i}")),
            );
        }
    }

    fn schema(&mut self, context: &str, old: Option<&Loc>, new: Option<&Loc>, dir: Dir) {
        let (Some(old), Some(new)) = (old, new) else {
            return;
        };
        let changes = self.cmp.compare_top(old, new, dir);
        for c in &changes {
            let message = if c.path.is_empty() {
                format!("{context}: {}", c.detail)
            } else {
                format!("{context}, `{}`: {}", c.path, c.detail)
            };
            self.push(c.rule, message, c.side, c.loc.clone());
        }
    }

    fn operation_pair(&mut self, o: &Operation, n: &Operation) {
        if n.deprecated && !o.deprecated {
            self.push(
                &rules::OPERATION_DEPRECATED,
                "operation deprecated".to_owned(),
                Side::New,
                n.loc.clone(),
            );
        }
        if !o.id_generated && !n.id_generated && o.id != n.id {
            self.push(
                &rules::OPERATION_ID_CHANGED,
                format!("operationId changed from `{}` to `{}`", o.id, n.id),
                Side::New,
                n.loc.clone(),
            );
        }
        self.parameters(o, n);
        self.request_body(o, n);
        self.responses(o, n);
        self.security(o, n);
    }

    fn parameters(&mut self, o: &Operation, n: &Operation) {
        let old: IndexMap<String, &Parameter> = o
            .parameters
            .iter()
            .filter(|p| !ignored_header(p))
            .map(|p| (param_key(o, p), p))
            .collect();
        let new: IndexMap<String, &Parameter> = n
            .parameters
            .iter()
            .filter(|p| !ignored_header(p))
            .map(|p| (param_key(n, p), p))
            .collect();
        for (key, op) in &old {
            let what = format!("{} parameter `{}`", location_name(op.location), op.name);
            let Some(np) = new.get(key) else {
                self.push(
                    &rules::PARAMETER_REMOVED,
                    format!("{what} removed"),
                    Side::Old,
                    op.loc.clone(),
                );
                continue;
            };
            let what = format!("{} parameter `{}`", location_name(np.location), np.name);
            if np.required && !op.required {
                self.push(
                    &rules::PARAMETER_BECAME_REQUIRED,
                    format!("{what} became required"),
                    Side::New,
                    np.loc.clone(),
                );
            } else if op.required && !np.required {
                self.push(
                    &rules::PARAMETER_BECAME_OPTIONAL,
                    format!("{what} became optional"),
                    Side::New,
                    np.loc.clone(),
                );
            }
            if np.deprecated && !op.deprecated {
                self.push(
                    &rules::PARAMETER_DEPRECATED,
                    format!("{what} deprecated"),
                    Side::New,
                    np.loc.clone(),
                );
            }
            if np.style != op.style || np.explode != op.explode {
                self.push(
                    &rules::PARAMETER_STYLE_CHANGED,
                    format!(
                        "{what}: serialization changed from {:?}{} to {:?}{}",
                        op.style,
                        if op.explode { " (explode)" } else { "" },
                        np.style,
                        if np.explode { " (explode)" } else { "" }
                    ),
                    Side::New,
                    np.loc.clone(),
                );
            }
            self.schema(&what, param_schema(op), param_schema(np), Dir::Request);
        }
        for (key, np) in &new {
            if old.contains_key(key) {
                continue;
            }
            let what = format!("{} parameter `{}`", location_name(np.location), np.name);
            if !np.required {
                self.push(
                    &rules::OPTIONAL_PARAMETER_ADDED,
                    format!("optional {what} added"),
                    Side::New,
                    np.loc.clone(),
                );
            } else if np.location == ParamIn::Header {
                self.push(
                    &rules::REQUIRED_HEADER_ADDED,
                    format!("required {what} added"),
                    Side::New,
                    np.loc.clone(),
                );
            } else {
                self.push(
                    &rules::REQUIRED_PARAMETER_ADDED,
                    format!("required {what} added"),
                    Side::New,
                    np.loc.clone(),
                );
            }
        }
    }

    fn request_body(&mut self, o: &Operation, n: &Operation) {
        match (&o.request_body, &n.request_body) {
            (None, None) => {}
            (Some(ob), None) => self.push(
                &rules::REQUEST_BODY_REMOVED,
                "request body removed".to_owned(),
                Side::Old,
                ob.loc.clone(),
            ),
            (None, Some(nb)) => {
                if nb.required {
                    self.push(
                        &rules::REQUEST_BODY_BECAME_REQUIRED,
                        "required request body added".to_owned(),
                        Side::New,
                        nb.loc.clone(),
                    );
                } else {
                    self.push(
                        &rules::REQUEST_BODY_ADDED,
                        "optional request body added".to_owned(),
                        Side::New,
                        nb.loc.clone(),
                    );
                }
            }
            (Some(ob), Some(nb)) => {
                if nb.required && !ob.required {
                    self.push(
                        &rules::REQUEST_BODY_BECAME_REQUIRED,
                        "request body became required".to_owned(),
                        Side::New,
                        nb.loc.clone(),
                    );
                }
                for om in &ob.content {
                    let essence = media_essence(&om.media_type);
                    match find_media(&nb.content, &essence) {
                        Some(nm) => {
                            let context = format!("request body ({essence})");
                            self.schema(
                                &context,
                                om.schema.as_ref(),
                                nm.schema.as_ref(),
                                Dir::Request,
                            );
                        }
                        None => self.push(
                            &rules::REQUEST_MEDIA_TYPE_REMOVED,
                            format!("request media type `{essence}` is no longer accepted"),
                            Side::Old,
                            om.loc.clone(),
                        ),
                    }
                }
                for nm in &nb.content {
                    let essence = media_essence(&nm.media_type);
                    if find_media(&ob.content, &essence).is_none() {
                        self.push(
                            &rules::REQUEST_MEDIA_TYPE_ADDED,
                            format!("request media type `{essence}` added"),
                            Side::New,
                            nm.loc.clone(),
                        );
                    }
                }
            }
        }
    }

    fn responses(&mut self, o: &Operation, n: &Operation) {
        for or in &o.responses {
            let Some(nr) = n.responses.iter().find(|r| r.status == or.status) else {
                self.push(
                    &rules::RESPONSE_STATUS_REMOVED,
                    format!("response {} removed", or.status),
                    Side::Old,
                    or.loc.clone(),
                );
                continue;
            };
            let status = nr.status;
            for om in &or.content {
                let essence = media_essence(&om.media_type);
                match find_media(&nr.content, &essence) {
                    Some(nm) => {
                        let context = format!("response {status} ({essence})");
                        self.schema(
                            &context,
                            om.schema.as_ref(),
                            nm.schema.as_ref(),
                            Dir::Response,
                        );
                    }
                    None => self.push(
                        &rules::RESPONSE_MEDIA_TYPE_REMOVED,
                        format!("response {status}: media type `{essence}` removed"),
                        Side::Old,
                        om.loc.clone(),
                    ),
                }
            }
            for nm in &nr.content {
                let essence = media_essence(&nm.media_type);
                if find_media(&or.content, &essence).is_none() {
                    self.push(
                        &rules::RESPONSE_MEDIA_TYPE_ADDED,
                        format!("response {status}: media type `{essence}` added"),
                        Side::New,
                        nm.loc.clone(),
                    );
                }
            }
            for oh in &or.headers {
                let found = nr
                    .headers
                    .iter()
                    .find(|h| h.name.eq_ignore_ascii_case(&oh.name));
                let Some(nh) = found else {
                    self.push(
                        &rules::RESPONSE_HEADER_REMOVED,
                        format!("response {status}: header `{}` removed", oh.name),
                        Side::Old,
                        oh.loc.clone(),
                    );
                    continue;
                };
                if oh.required && !nh.required {
                    self.push(
                        &rules::RESPONSE_HEADER_BECAME_OPTIONAL,
                        format!("response {status}: header `{}` became optional", nh.name),
                        Side::New,
                        nh.loc.clone(),
                    );
                }
                let context = format!("response {status} header `{}`", nh.name);
                self.schema(
                    &context,
                    header_schema(oh),
                    header_schema(nh),
                    Dir::Response,
                );
            }
            for nh in &nr.headers {
                if !or
                    .headers
                    .iter()
                    .any(|h| h.name.eq_ignore_ascii_case(&nh.name))
                {
                    self.push(
                        &rules::RESPONSE_HEADER_ADDED,
                        format!("response {status}: header `{}` added", nh.name),
                        Side::New,
                        nh.loc.clone(),
                    );
                }
            }
        }
        for nr in &n.responses {
            if !o.responses.iter().any(|r| r.status == nr.status) {
                self.push(
                    &rules::RESPONSE_STATUS_ADDED,
                    format!("response {} added", nr.status),
                    Side::New,
                    nr.loc.clone(),
                );
            }
        }
    }

    fn security(&mut self, o: &Operation, n: &Operation) {
        let old = alternatives(o.effective_security(self.old));
        let new = alternatives(n.effective_security(self.new));
        let at = if n.security.is_some() {
            Loc::new(n.loc.doc, format!("{}/security", n.loc.pointer))
        } else {
            Loc::new(0, "/security")
        };
        let lost = old
            .iter()
            .find(|oa| !new.iter().any(|na| satisfies(na, oa)));
        let show = |alt: &Alternative| {
            if alt.is_empty() {
                "no authentication".to_owned()
            } else {
                alt.iter()
                    .map(|(s, _)| format!("`{s}`"))
                    .collect::<Vec<_>>()
                    .join(" + ")
            }
        };
        if let Some(alt) = lost {
            let now = new.iter().map(show).collect::<Vec<_>>().join(" or ");
            self.push(
                &rules::SECURITY_REQUIREMENT_ADDED,
                format!(
                    "security requirement added: {} is no longer enough (now {now})",
                    show(alt)
                ),
                Side::New,
                at.clone(),
            );
        } else if old != new {
            self.push(
                &rules::SECURITY_REQUIREMENT_RELAXED,
                "security requirements changed; every old way to authenticate still works"
                    .to_owned(),
                Side::New,
                at.clone(),
            );
        }
        let mut names: Vec<&String> = new.iter().flatten().map(|(s, _)| s).collect();
        names.sort();
        names.dedup();
        for name in names {
            if !old.iter().flatten().any(|(s, _)| s == name) {
                continue;
            }
            if let (Some(a), Some(b)) = (
                self.old.security_schemes.get(name),
                self.new.security_schemes.get(name),
            ) && scheme_shape(a) != scheme_shape(b)
            {
                let message = format!(
                    "security scheme `{name}` changed from {} to {}",
                    scheme_shape(a),
                    scheme_shape(b)
                );
                self.push(
                    &rules::SECURITY_SCHEME_CHANGED,
                    message,
                    Side::New,
                    Loc::new(
                        0,
                        format!(
                            "/components/securitySchemes/{}",
                            mockgen_spec::bundle::escape(name)
                        ),
                    ),
                );
            }
        }
    }
}
