//! Builds the typed [`Spec`] from the normalised root document, reporting structural problems
//! (undeclared path parameters, duplicate operationIds, unknown security schemes, parameters in
//! impossible places, stray fields…) as diagnostics instead of failing.

use crate::bundle::{Bundle, escape};
use crate::diag::{Diagnostic, Severity};
use crate::model::*;
use indexmap::IndexMap;
use serde_json::{Map, Value};
use std::collections::HashMap;

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

const ROOT_KEYS: &[&str] = &[
    "openapi",
    "info",
    "jsonSchemaDialect",
    "servers",
    "paths",
    "webhooks",
    "components",
    "security",
    "tags",
    "externalDocs",
];
const INFO_KEYS: &[&str] = &[
    "title",
    "summary",
    "description",
    "termsOfService",
    "contact",
    "license",
    "version",
];
const PATH_ITEM_KEYS: &[&str] = &[
    "$ref",
    "summary",
    "description",
    "get",
    "put",
    "post",
    "delete",
    "options",
    "head",
    "patch",
    "trace",
    "servers",
    "parameters",
];
const OPERATION_KEYS: &[&str] = &[
    "tags",
    "summary",
    "description",
    "externalDocs",
    "operationId",
    "parameters",
    "requestBody",
    "responses",
    "callbacks",
    "deprecated",
    "security",
    "servers",
];
const PARAMETER_KEYS: &[&str] = &[
    "name",
    "in",
    "description",
    "required",
    "deprecated",
    "allowEmptyValue",
    "style",
    "explode",
    "allowReserved",
    "schema",
    "example",
    "examples",
    "content",
];
const HEADER_KEYS: &[&str] = &[
    "description",
    "required",
    "deprecated",
    "allowEmptyValue",
    "style",
    "explode",
    "allowReserved",
    "schema",
    "example",
    "examples",
    "content",
];
const REQUEST_BODY_KEYS: &[&str] = &["description", "content", "required"];
const MEDIA_TYPE_KEYS: &[&str] = &["schema", "example", "examples", "encoding"];
const RESPONSE_KEYS: &[&str] = &["description", "headers", "content", "links"];
const COMPONENTS_KEYS: &[&str] = &[
    "schemas",
    "responses",
    "parameters",
    "examples",
    "requestBodies",
    "headers",
    "securitySchemes",
    "links",
    "callbacks",
    "pathItems",
];
/// Fields OpenAPI 3.2 added; accepted (with a warning where not yet understood) in 3.2 only.
const V32_KEYS: &[(&str, &[&str])] = &[
    ("root", &["$self"]),
    ("pathItem", &["query", "additionalOperations"]),
    (
        "mediaType",
        &["itemSchema", "itemEncoding", "prefixEncoding"],
    ),
    ("response", &["summary"]),
    ("components", &["mediaTypes"]),
];
/// 3.2 fields mockgen reads; the others only get a "not yet understood" warning.
const V32_UNDERSTOOD: &[&str] = &["query", "additionalOperations", "itemSchema"];

pub(crate) struct Builder<'a> {
    pub bundle: &'a Bundle,
    pub version: SpecVersion,
    pub diags: &'a mut Vec<Diagnostic>,
    op_ids: HashMap<String, String>,
    /// Security scheme names declared in components.
    scheme_names: Vec<String>,
    cycles_reported: std::collections::HashSet<(usize, String)>,
    /// How many callbacks deep the builder is: a callback may `$ref` a path item whose
    /// operation has that same callback, which would otherwise recurse forever.
    callback_depth: usize,
}

/// Callbacks nested deeper than this are reported and not read.
const MAX_CALLBACK_DEPTH: usize = 4;

fn str_of<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key).and_then(Value::as_str)
}

fn bool_of(v: &Value, key: &str) -> Option<bool> {
    v.get(key).and_then(Value::as_bool)
}

impl<'a> Builder<'a> {
    pub fn new(bundle: &'a Bundle, version: SpecVersion, diags: &'a mut Vec<Diagnostic>) -> Self {
        Builder {
            bundle,
            version,
            diags,
            op_ids: HashMap::new(),
            scheme_names: Vec::new(),
            cycles_reported: std::collections::HashSet::new(),
            callback_depth: 0,
        }
    }

    fn diag(&mut self, sev: Severity, code: &'static str, doc: usize, ptr: &str, msg: String) {
        let d = self.bundle.diag_at(sev, code, doc, ptr, msg);
        self.diags.push(d);
    }

    fn err(&mut self, code: &'static str, doc: usize, ptr: &str, msg: String) {
        self.diag(Severity::Error, code, doc, ptr, msg);
    }

    fn warn(&mut self, code: &'static str, doc: usize, ptr: &str, msg: String) {
        self.diag(Severity::Warning, code, doc, ptr, msg);
    }

    /// Warn about keys an object of `kind` does not define (extensions `x-` are fine).
    fn stray_fields(&mut self, doc: usize, ptr: &str, v: &Value, allowed: &[&str], kind: &str) {
        // Swagger 2.0 documents were rebuilt field by field: strays were already dropped.
        if self.version == SpecVersion::Swagger20 && doc == 0 {
            return;
        }
        let Some(map) = v.as_object() else { return };
        let v32: &[&str] = V32_KEYS
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or(&[], |(_, keys)| *keys);
        let mut found = Vec::new();
        for key in map.keys() {
            if key.starts_with("x-") || allowed.contains(&key.as_str()) {
                continue;
            }
            if v32.contains(&key.as_str()) {
                if self.version == SpecVersion::OpenApi32 {
                    if !V32_UNDERSTOOD.contains(&key.as_str()) {
                        found.push((
                            key.clone(),
                            "is OpenAPI 3.2 and not yet understood by mockgen; ignored".to_owned(),
                        ));
                    }
                } else {
                    found.push((key.clone(), "is an OpenAPI 3.2 field; this document declares an older version, so it is ignored".to_owned()));
                }
                continue;
            }
            found.push((
                key.clone(),
                format!("is not a field of {}; ignored", article(kind)),
            ));
        }
        for (key, why) in found {
            self.warn(
                "unknown-field",
                doc,
                &format!("{ptr}/{}", escape(&key)),
                format!("`{key}` {why}"),
            );
        }
    }

    /// Follow `$ref`s of a structural object; a cycle is reported (a missing target is
    /// reported by the reference check).
    fn deref(&mut self, doc: usize, ptr: &str) -> Option<(usize, String, &'a Value)> {
        match self.bundle.deref_checked(doc, ptr) {
            Ok(found) => Some(found),
            Err(true) => {
                if self.cycles_reported.insert((doc, ptr.to_owned())) {
                    self.err(
                        "ref-cycle",
                        doc,
                        &format!("{ptr}/$ref"),
                        "this `$ref` leads back to itself through other references: nothing to read".to_owned(),
                    );
                }
                None
            }
            Err(false) => None,
        }
    }

    pub fn build(mut self) -> Spec {
        let bundle = self.bundle;
        let root = &bundle.values[0];
        // A Swagger 2.0 root has been rebuilt as 3.0.3 by now; report the version as written.
        let version_string = match self.version {
            SpecVersion::Swagger20 => "2.0".to_owned(),
            _ => match root.get("openapi") {
                Some(Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
                None => "3.0.0".to_owned(),
            },
        };
        self.stray_fields(0, "", root, ROOT_KEYS, "root");
        let info = self.info(root);
        let servers = self.servers(0, "/servers", root.get("servers"));
        let security_schemes = self.security_schemes(root);
        let security = self.security(0, "/security", root.get("security"));
        if let Some(c) = root.get("components") {
            self.stray_fields(0, "/components", c, COMPONENTS_KEYS, "components");
        }
        let mut operations = Vec::new();
        match root.get("paths") {
            Some(Value::Object(paths)) => {
                let mut templates: HashMap<String, String> = HashMap::new();
                for (path, _) in paths {
                    if path.starts_with("x-") {
                        continue;
                    }
                    let ptr = format!("/paths/{}", escape(path));
                    if !path.starts_with('/') {
                        self.err(
                            "path-invalid",
                            0,
                            &ptr,
                            format!("path `{path}` must start with `/`"),
                        );
                        continue;
                    }
                    let normal = normalise_template(path);
                    if let Some(other) = templates.insert(normal, path.clone()) {
                        self.warn(
                            "path-ambiguous",
                            0,
                            &ptr,
                            format!("path `{path}` is the same template as `{other}` with other parameter names; requests may match either"),
                        );
                    }
                    operations.extend(self.path_item(0, &ptr, path, false));
                }
            }
            Some(_) => self.err(
                "paths-invalid",
                0,
                "/paths",
                "`paths` must be an object".into(),
            ),
            None => {
                if self.version != SpecVersion::OpenApi31 && self.version != SpecVersion::OpenApi32
                {
                    self.warn(
                        "paths-missing",
                        0,
                        "",
                        "the document has no `paths`: nothing to serve".into(),
                    );
                }
            }
        }
        let mut webhooks = Vec::new();
        if let Some(Value::Object(hooks)) = root.get("webhooks") {
            for (name, _) in hooks {
                let ptr = format!("/webhooks/{}", escape(name));
                webhooks.extend(self.path_item(0, &ptr, name, true));
            }
        }
        Spec {
            version: self.version,
            version_string,
            info,
            servers,
            operations,
            webhooks,
            security_schemes,
            security,
            documents: Vec::new(),
        }
    }

    fn info(&mut self, root: &Value) -> Info {
        match root.get("info") {
            Some(info @ Value::Object(_)) => {
                self.stray_fields(0, "/info", info, INFO_KEYS, "info");
                let title = str_of(info, "title");
                let version = info.get("version").map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                });
                if title.is_none() {
                    self.warn(
                        "info-title-missing",
                        0,
                        "/info",
                        "`info.title` is missing".into(),
                    );
                }
                if version.is_none() {
                    self.warn(
                        "info-version-missing",
                        0,
                        "/info",
                        "`info.version` is missing".into(),
                    );
                }
                Info {
                    title: title.unwrap_or_default().to_owned(),
                    version: version.unwrap_or_default(),
                    description: str_of(info, "description").map(str::to_owned),
                }
            }
            _ => {
                self.warn(
                    "info-missing",
                    0,
                    "",
                    "the document has no `info` object".into(),
                );
                Info::default()
            }
        }
    }

    fn servers(&mut self, doc: usize, ptr: &str, v: Option<&Value>) -> Vec<Server> {
        let Some(list) = v.and_then(Value::as_array) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, s) in list.iter().enumerate() {
            let at = format!("{ptr}/{i}");
            let Some(url) = str_of(s, "url") else {
                self.err("server-url-missing", doc, &at, "server has no `url`".into());
                continue;
            };
            let mut variables = IndexMap::new();
            for (name, var) in s
                .get("variables")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                let default = match var.get("default") {
                    Some(Value::String(d)) => d.clone(),
                    Some(other) => other.to_string(),
                    None => {
                        self.warn(
                            "server-variable-default-missing",
                            doc,
                            &format!("{at}/variables/{}", escape(name)),
                            format!("server variable `{name}` has no `default`"),
                        );
                        String::new()
                    }
                };
                let enum_values = var
                    .get("enum")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default();
                variables.insert(
                    name.clone(),
                    ServerVariable {
                        default,
                        enum_values,
                    },
                );
            }
            for name in template_names(url) {
                if !variables.contains_key(&name) {
                    self.warn(
                        "server-variable-undeclared",
                        doc,
                        &format!("{at}/url"),
                        format!("server URL uses `{{{name}}}` but declares no such variable"),
                    );
                }
            }
            out.push(Server {
                url: url.to_owned(),
                description: str_of(s, "description").map(str::to_owned),
                variables,
            });
        }
        out
    }

    fn security_schemes(&mut self, root: &Value) -> IndexMap<String, SecurityScheme> {
        let mut out = IndexMap::new();
        let Some(map) = root
            .pointer("/components/securitySchemes")
            .and_then(Value::as_object)
        else {
            return out;
        };
        for (name, _) in map {
            self.scheme_names.push(name.clone());
            let ptr = format!("/components/securitySchemes/{}", escape(name));
            let Some((doc, at, s)) = self.deref(0, &ptr) else {
                continue;
            };
            let kind = str_of(s, "type");
            let scheme = match kind {
                Some("apiKey") => {
                    let location = str_of(s, "in").and_then(ParamIn::parse);
                    match (str_of(s, "name"), location) {
                        (
                            Some(n),
                            Some(l @ (ParamIn::Header | ParamIn::Query | ParamIn::Cookie)),
                        ) => Some(SecurityScheme::ApiKey {
                            name: n.to_owned(),
                            location: l,
                        }),
                        _ => {
                            self.err("security-scheme-invalid", doc, &at, format!("apiKey scheme `{name}` needs `name` and `in` (header, query or cookie)"));
                            None
                        }
                    }
                }
                Some("http") => match str_of(s, "scheme") {
                    Some(sch) => Some(SecurityScheme::Http {
                        scheme: sch.to_ascii_lowercase(),
                        bearer_format: str_of(s, "bearerFormat").map(str::to_owned),
                    }),
                    None => {
                        self.err(
                            "security-scheme-invalid",
                            doc,
                            &at,
                            format!("http scheme `{name}` needs `scheme` (basic, bearer…)"),
                        );
                        None
                    }
                },
                Some("oauth2") => Some(SecurityScheme::OAuth2 {
                    flows: s.get("flows").cloned().unwrap_or(Value::Null),
                }),
                Some("openIdConnect") => Some(SecurityScheme::OpenIdConnect {
                    url: str_of(s, "openIdConnectUrl").unwrap_or_default().to_owned(),
                }),
                Some("mutualTLS") => Some(SecurityScheme::MutualTls),
                other => {
                    self.err(
                        "security-scheme-invalid",
                        doc,
                        &format!("{at}/type"),
                        format!(
                            "security scheme `{name}` has unknown type {}",
                            other.map_or("(none)".to_owned(), |t| format!("`{t}`"))
                        ),
                    );
                    None
                }
            };
            if let Some(s) = scheme {
                out.insert(name.clone(), s);
            }
        }
        out
    }

    fn security(&mut self, doc: usize, ptr: &str, v: Option<&Value>) -> Vec<SecurityRequirement> {
        let Some(list) = v.and_then(Value::as_array) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, req) in list.iter().enumerate() {
            let mut schemes = Vec::new();
            for (name, scopes) in req.as_object().into_iter().flatten() {
                if !self.scheme_names.contains(name) {
                    self.err(
                        "security-scheme-unknown",
                        doc,
                        &format!("{ptr}/{i}/{}", escape(name)),
                        format!("security requirement names `{name}`, which is not declared in securitySchemes"),
                    );
                    continue;
                }
                let scopes = scopes
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default();
                schemes.push((name.clone(), scopes));
            }
            out.push(SecurityRequirement { schemes });
        }
        out
    }

    fn path_item(&mut self, doc: usize, ptr: &str, path: &str, webhook: bool) -> Vec<Operation> {
        let Some((idoc, iptr, item)) = self.deref(doc, ptr) else {
            return Vec::new();
        };
        let Some(map) = item.as_object() else {
            self.err(
                "path-item-invalid",
                idoc,
                &iptr,
                "a path item must be an object".into(),
            );
            return Vec::new();
        };
        self.stray_fields(idoc, &iptr, item, PATH_ITEM_KEYS, "pathItem");
        let shared = self.parameters(idoc, &format!("{iptr}/parameters"), item.get("parameters"));
        let path_servers = self.servers(idoc, &format!("{iptr}/servers"), item.get("servers"));
        let mut ops = Vec::new();
        let mut methods: Vec<(String, String)> = Vec::new(); // (method, pointer)
        for (key, _) in map {
            let lower = key.as_str();
            if METHODS.contains(&lower)
                || (lower == "query" && self.version == SpecVersion::OpenApi32)
            {
                methods.push((key.to_ascii_uppercase(), format!("{iptr}/{}", escape(key))));
            }
        }
        if self.version == SpecVersion::OpenApi32
            && let Some(extra) = map.get("additionalOperations").and_then(Value::as_object)
        {
            for (m, _) in extra {
                methods.push((
                    m.to_ascii_uppercase(),
                    format!("{iptr}/additionalOperations/{}", escape(m)),
                ));
            }
        }
        for (method, op_ptr) in methods {
            if let Some(op) = self.operation(
                idoc,
                &op_ptr,
                &method,
                path,
                &shared,
                &path_servers,
                webhook,
            ) {
                ops.push(op);
            }
        }
        ops
    }

    #[allow(clippy::too_many_arguments)] // one call site; a struct would only rename the list
    fn operation(
        &mut self,
        doc: usize,
        ptr: &str,
        method: &str,
        path: &str,
        shared: &[Parameter],
        path_servers: &[Server],
        webhook: bool,
    ) -> Option<Operation> {
        let bundle = self.bundle;
        let op = bundle.values.get(doc)?.pointer(ptr)?;
        if !op.is_object() {
            self.err(
                "operation-invalid",
                doc,
                ptr,
                format!("operation `{method} {path}` must be an object"),
            );
            return None;
        }
        self.stray_fields(doc, ptr, op, OPERATION_KEYS, "operation");
        let own = self.parameters(doc, &format!("{ptr}/parameters"), op.get("parameters"));
        let mut parameters: Vec<Parameter> = shared
            .iter()
            .filter(|s| {
                !own.iter()
                    .any(|o| o.name == s.name && o.location == s.location)
            })
            .cloned()
            .collect();
        parameters.extend(own);

        if !webhook {
            self.check_path_params(doc, ptr, path, &parameters);
        }
        let (id, id_generated) = match str_of(op, "operationId") {
            Some(id) => {
                let here = format!("{}#{ptr}", doc);
                if let Some(first) = self.op_ids.get(id).cloned() {
                    self.err(
                        "operation-id-duplicate",
                        doc,
                        &format!("{ptr}/operationId"),
                        format!("operationId `{id}` is already used by the operation at {first}"),
                    );
                } else {
                    self.op_ids
                        .insert(id.to_owned(), format!("{method} {path}"));
                }
                let _ = here;
                (id.to_owned(), false)
            }
            None => (generated_id(method, path), true),
        };
        let request_body = match op.get("requestBody") {
            Some(_) => self.request_body(doc, &format!("{ptr}/requestBody")),
            None => None,
        };
        if request_body.is_some() && matches!(method, "GET" | "HEAD") && !webhook {
            self.warn(
                "request-body-unusual",
                doc,
                &format!("{ptr}/requestBody"),
                format!("{method} with a request body: many clients and proxies drop it"),
            );
        }
        let responses = match op.get("responses") {
            Some(Value::Object(map)) if !map.is_empty() => {
                self.responses(doc, &format!("{ptr}/responses"), map)
            }
            _ => {
                let (sev, note) = match self.version {
                    SpecVersion::OpenApi31 | SpecVersion::OpenApi32 => {
                        (Severity::Warning, "; mockgen will answer 204")
                    }
                    _ => (Severity::Error, ""),
                };
                self.diag(
                    sev,
                    "responses-missing",
                    doc,
                    ptr,
                    format!("operation `{method} {path}` declares no responses{note}"),
                );
                Vec::new()
            }
        };
        let security = op
            .get("security")
            .map(|s| self.security(doc, &format!("{ptr}/security"), Some(s)));
        let mut servers = self.servers(doc, &format!("{ptr}/servers"), op.get("servers"));
        if servers.is_empty() {
            servers = path_servers.to_vec();
        }
        let mut callbacks = Vec::new();
        let declared = op.get("callbacks").and_then(Value::as_object);
        if declared.is_some_and(|c| !c.is_empty()) && self.callback_depth >= MAX_CALLBACK_DEPTH {
            self.err(
                "callback-cycle",
                doc,
                &format!("{ptr}/callbacks"),
                format!("callbacks nest more than {MAX_CALLBACK_DEPTH} levels deep (a `$ref` cycle through callbacks?); not read further"),
            );
        }
        let declared = declared.filter(|_| self.callback_depth < MAX_CALLBACK_DEPTH);
        self.callback_depth += 1;
        for (name, _) in declared.into_iter().flatten() {
            let cptr = format!("{ptr}/callbacks/{}", escape(name));
            let Some((cdoc, cptr, cb)) = self.deref(doc, &cptr) else {
                continue;
            };
            let mut cops = Vec::new();
            for (expr, _) in cb.as_object().into_iter().flatten() {
                if expr.starts_with("x-") {
                    continue;
                }
                cops.extend(self.path_item(cdoc, &format!("{cptr}/{}", escape(expr)), expr, true));
            }
            callbacks.push(Callback {
                name: name.clone(),
                operations: cops,
            });
        }
        self.callback_depth -= 1;
        Some(Operation {
            id,
            id_generated,
            method: method.to_owned(),
            path: path.to_owned(),
            summary: str_of(op, "summary").map(str::to_owned),
            deprecated: bool_of(op, "deprecated").unwrap_or(false),
            tags: op
                .get("tags")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
            parameters,
            request_body,
            responses,
            security,
            servers,
            callbacks,
            loc: Loc::new(doc, ptr),
        })
    }

    fn check_path_params(&mut self, doc: usize, ptr: &str, path: &str, params: &[Parameter]) {
        let names = template_names(path);
        for name in &names {
            if !params
                .iter()
                .any(|p| p.location == ParamIn::Path && &p.name == name)
            {
                self.err(
                    "path-param-undeclared",
                    doc,
                    ptr,
                    format!("path `{path}` has `{{{name}}}` but the operation declares no path parameter `{name}`"),
                );
            }
        }
        for p in params.iter().filter(|p| p.location == ParamIn::Path) {
            if !names.contains(&p.name) {
                self.err(
                    "path-param-not-in-template",
                    p.loc.doc,
                    &p.loc.pointer,
                    format!(
                        "path parameter `{}` does not appear in the path `{path}`",
                        p.name
                    ),
                );
            }
        }
    }

    fn parameters(&mut self, doc: usize, ptr: &str, v: Option<&Value>) -> Vec<Parameter> {
        let mut out: Vec<Parameter> = Vec::new();
        let Some(list) = v else { return out };
        let Some(list) = list.as_array() else {
            self.err(
                "parameters-invalid",
                doc,
                ptr,
                "`parameters` must be a list".into(),
            );
            return out;
        };
        for i in 0..list.len() {
            let at = format!("{ptr}/{i}");
            if let Some(p) = self.parameter(doc, &at) {
                if out
                    .iter()
                    .any(|o| o.name == p.name && o.location == p.location)
                {
                    self.err(
                        "parameter-duplicate",
                        doc,
                        &at,
                        format!(
                            "{} parameter `{}` is declared twice",
                            location_name(p.location),
                            p.name
                        ),
                    );
                    continue;
                }
                out.push(p);
            }
        }
        out
    }

    fn parameter(&mut self, doc: usize, ptr: &str) -> Option<Parameter> {
        let (pdoc, pptr, p) = self.deref(doc, ptr)?;
        if !p.is_object() {
            self.err(
                "parameter-invalid",
                pdoc,
                &pptr,
                "a parameter must be an object".into(),
            );
            return None;
        }
        self.stray_fields(pdoc, &pptr, p, PARAMETER_KEYS, "parameter");
        let Some(name) = str_of(p, "name") else {
            self.err(
                "parameter-name-missing",
                pdoc,
                &pptr,
                "parameter has no `name`".into(),
            );
            return None;
        };
        let location = match str_of(p, "in") {
            Some(s) => match ParamIn::parse(s) {
                Some(ParamIn::Querystring) if self.version != SpecVersion::OpenApi32 => {
                    self.err(
                        "parameter-in-invalid",
                        pdoc,
                        &format!("{pptr}/in"),
                        format!("parameter `{name}`: `in: querystring` needs OpenAPI 3.2"),
                    );
                    return None;
                }
                Some(l) => l,
                None => {
                    let hint = match s {
                        "body" => "; Swagger 2.0 `in: body` is `requestBody` in OpenAPI 3",
                        "formData" => {
                            "; Swagger 2.0 `in: formData` is a form `requestBody` in OpenAPI 3"
                        }
                        _ => "",
                    };
                    self.err(
                        "parameter-in-invalid",
                        pdoc,
                        &format!("{pptr}/in"),
                        format!("parameter `{name}` has `in: {s}`; it must be path, query, header or cookie{hint}"),
                    );
                    return None;
                }
            },
            None => {
                self.err(
                    "parameter-in-missing",
                    pdoc,
                    &pptr,
                    format!("parameter `{name}` has no `in`"),
                );
                return None;
            }
        };
        let mut required = bool_of(p, "required").unwrap_or(false);
        if location == ParamIn::Path && !required {
            self.err(
                "path-param-not-required",
                pdoc,
                &pptr,
                format!("path parameter `{name}` must have `required: true`; treated as required"),
            );
            required = true;
        }
        let style = match str_of(p, "style") {
            Some(s) => match Style::parse(s) {
                Some(st) => st,
                None => {
                    self.err(
                        "parameter-style-invalid",
                        pdoc,
                        &format!("{pptr}/style"),
                        format!("parameter `{name}` has unknown style `{s}`"),
                    );
                    Style::default_for(location)
                }
            },
            None => Style::default_for(location),
        };
        let allowed = match location {
            ParamIn::Path => &[Style::Simple, Style::Label, Style::Matrix][..],
            ParamIn::Query => &[
                Style::Form,
                Style::SpaceDelimited,
                Style::PipeDelimited,
                Style::DeepObject,
            ][..],
            ParamIn::Header => &[Style::Simple][..],
            ParamIn::Cookie => &[Style::Form, Style::Cookie][..],
            ParamIn::Querystring => &[Style::Form][..],
        };
        if !allowed.contains(&style) {
            self.warn(
                "parameter-style-location",
                pdoc,
                &format!("{pptr}/style"),
                format!(
                    "style `{}` is not defined for {} parameters; using it anyway",
                    style_name(style),
                    location_name(location)
                ),
            );
        }
        let explode = bool_of(p, "explode").unwrap_or(matches!(style, Style::Form | Style::Cookie));
        let schema = p
            .get("schema")
            .map(|_| Loc::new(pdoc, format!("{pptr}/schema")));
        let content = match p.get("content") {
            Some(Value::Object(map)) => {
                if map.len() != 1 {
                    self.err(
                        "parameter-content-invalid",
                        pdoc,
                        &format!("{pptr}/content"),
                        format!("parameter `{name}`: `content` must hold exactly one media type"),
                    );
                }
                self.content(pdoc, &format!("{pptr}/content"), map)
            }
            _ => Vec::new(),
        };
        if schema.is_some() && !content.is_empty() {
            self.err(
                "parameter-schema-and-content",
                pdoc,
                &pptr,
                format!("parameter `{name}` has both `schema` and `content`; use one"),
            );
        }
        if schema.is_none() && content.is_empty() {
            self.warn(
                "parameter-schema-missing",
                pdoc,
                &pptr,
                format!(
                    "parameter `{name}` has neither `schema` nor `content`: any value is accepted"
                ),
            );
        }
        let examples = self.examples(pdoc, &pptr, p);
        Some(Parameter {
            name: name.to_owned(),
            location,
            required,
            deprecated: bool_of(p, "deprecated").unwrap_or(false),
            allow_empty_value: bool_of(p, "allowEmptyValue").unwrap_or(false),
            style,
            explode,
            allow_reserved: bool_of(p, "allowReserved").unwrap_or(false),
            schema,
            content,
            examples,
            loc: Loc::new(pdoc, pptr),
        })
    }

    fn examples(&mut self, doc: usize, ptr: &str, v: &Value) -> Vec<Example> {
        let mut out = Vec::new();
        if let Some(value) = v.get("example") {
            out.push(Example {
                name: None,
                summary: None,
                value: Some(value.clone()),
                external_value: None,
                loc: Loc::new(doc, format!("{ptr}/example")),
            });
        }
        if let Some(map) = v.get("examples").and_then(Value::as_object) {
            for (name, _) in map {
                let at = format!("{ptr}/examples/{}", escape(name));
                let Some((edoc, eptr, ex)) = self.deref(doc, &at) else {
                    continue;
                };
                if ex.get("value").is_some() && ex.get("externalValue").is_some() {
                    self.err(
                        "example-value-and-external",
                        edoc,
                        &eptr,
                        format!("example `{name}` has both `value` and `externalValue`"),
                    );
                }
                out.push(Example {
                    name: Some(name.clone()),
                    summary: str_of(ex, "summary").map(str::to_owned),
                    value: ex.get("value").cloned(),
                    external_value: str_of(ex, "externalValue").map(str::to_owned),
                    loc: Loc::new(edoc, format!("{eptr}/value")),
                });
            }
        }
        out
    }

    fn content(&mut self, doc: usize, ptr: &str, map: &Map<String, Value>) -> Vec<MediaType> {
        let mut out = Vec::new();
        for mt in map.keys() {
            let at = format!("{ptr}/{}", escape(mt));
            if !mt.contains('/') {
                let (sev, how) = if mt == "*" {
                    (Severity::Warning, "; read as `*/*`")
                } else {
                    (Severity::Error, "")
                };
                self.diag(
                    sev,
                    "media-type-invalid",
                    doc,
                    &at,
                    format!("`{mt}` is not a media type (type/subtype){how}"),
                );
            }
            let Some((mdoc, mptr, media)) = self.deref(doc, &at) else {
                continue;
            };
            self.stray_fields(mdoc, &mptr, media, MEDIA_TYPE_KEYS, "mediaType");
            let mut encoding = IndexMap::new();
            for (prop, e) in media
                .get("encoding")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                let eptr = format!("{mptr}/encoding/{}", escape(prop));
                let headers = self.headers(mdoc, &format!("{eptr}/headers"), e.get("headers"));
                encoding.insert(
                    prop.clone(),
                    Encoding {
                        content_type: str_of(e, "contentType").map(str::to_owned),
                        style: str_of(e, "style").and_then(Style::parse),
                        explode: bool_of(e, "explode"),
                        headers,
                    },
                );
            }
            out.push(MediaType {
                media_type: if mt == "*" {
                    "*/*".to_owned()
                } else {
                    mt.clone()
                },
                schema: media
                    .get("schema")
                    .map(|_| Loc::new(mdoc, format!("{mptr}/schema"))),
                item_schema: media
                    .get("itemSchema")
                    .map(|_| Loc::new(mdoc, format!("{mptr}/itemSchema"))),
                examples: self.examples(mdoc, &mptr, media),
                encoding,
                loc: Loc::new(mdoc, mptr),
            });
        }
        out
    }

    fn request_body(&mut self, doc: usize, ptr: &str) -> Option<RequestBody> {
        let (bdoc, bptr, b) = self.deref(doc, ptr)?;
        self.stray_fields(bdoc, &bptr, b, REQUEST_BODY_KEYS, "requestBody");
        let content = match b.get("content") {
            Some(Value::Object(map)) => self.content(bdoc, &format!("{bptr}/content"), map),
            _ => {
                self.err(
                    "request-body-content-missing",
                    bdoc,
                    &bptr,
                    "request body has no `content`".into(),
                );
                Vec::new()
            }
        };
        Some(RequestBody {
            required: bool_of(b, "required").unwrap_or(false),
            content,
            loc: Loc::new(bdoc, bptr),
        })
    }

    fn responses(&mut self, doc: usize, ptr: &str, map: &Map<String, Value>) -> Vec<Response> {
        let mut out = Vec::new();
        for (key, _) in map {
            if key.starts_with("x-") {
                continue;
            }
            let at = format!("{ptr}/{}", escape(key));
            let Some(status) = StatusKey::parse(key) else {
                self.err(
                    "response-status-invalid",
                    doc,
                    &at,
                    format!("`{key}` is not a status code, a range like `2XX`, or `default`"),
                );
                continue;
            };
            if matches!(status, StatusKey::Range(_)) && key.contains('x') {
                self.warn(
                    "response-status-lowercase",
                    doc,
                    &at,
                    format!(
                        "status range `{key}` should be written `{}`",
                        key.to_ascii_uppercase()
                    ),
                );
            }
            let Some((rdoc, rptr, r)) = self.deref(doc, &at) else {
                continue;
            };
            self.stray_fields(rdoc, &rptr, r, RESPONSE_KEYS, "response");
            let description = match str_of(r, "description") {
                Some(d) => d.to_owned(),
                None => {
                    self.warn(
                        "response-description-missing",
                        rdoc,
                        &rptr,
                        format!("response `{key}` has no `description`"),
                    );
                    String::new()
                }
            };
            let content = match r.get("content").and_then(Value::as_object) {
                Some(map) => self.content(rdoc, &format!("{rptr}/content"), map),
                None => Vec::new(),
            };
            let headers = self.headers(rdoc, &format!("{rptr}/headers"), r.get("headers"));
            out.push(Response {
                status,
                description,
                content,
                headers,
                loc: Loc::new(rdoc, rptr),
            });
        }
        out
    }

    fn headers(&mut self, doc: usize, ptr: &str, v: Option<&Value>) -> Vec<Header> {
        let mut out = Vec::new();
        for (name, _) in v.and_then(Value::as_object).into_iter().flatten() {
            let at = format!("{ptr}/{}", escape(name));
            let Some((hdoc, hptr, h)) = self.deref(doc, &at) else {
                continue;
            };
            self.stray_fields(hdoc, &hptr, h, HEADER_KEYS, "header");
            let content = match h.get("content").and_then(Value::as_object) {
                Some(map) => self.content(hdoc, &format!("{hptr}/content"), map),
                None => Vec::new(),
            };
            out.push(Header {
                name: name.clone(),
                required: bool_of(h, "required").unwrap_or(false),
                schema: h
                    .get("schema")
                    .map(|_| Loc::new(hdoc, format!("{hptr}/schema"))),
                content,
                examples: self.examples(hdoc, &hptr, h),
                loc: Loc::new(hdoc, hptr),
            });
        }
        out
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

fn style_name(s: Style) -> &'static str {
    match s {
        Style::Simple => "simple",
        Style::Form => "form",
        Style::Label => "label",
        Style::Matrix => "matrix",
        Style::SpaceDelimited => "spaceDelimited",
        Style::PipeDelimited => "pipeDelimited",
        Style::DeepObject => "deepObject",
        Style::Cookie => "cookie",
    }
}

fn article(kind: &str) -> String {
    let words = match kind {
        "root" => "an OpenAPI document",
        "pathItem" => "a path item",
        "operation" => "an operation",
        "parameter" => "a parameter",
        "header" => "a header",
        "requestBody" => "a request body",
        "mediaType" => "a media type object",
        "response" => "a response",
        "components" => "components",
        "info" => "info",
        other => other,
    };
    words.to_owned()
}

/// The `{name}`s of a path or URL template, in order.
pub fn template_names(template: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else { break };
        out.push(after[..end].to_owned());
        rest = &after[end + 1..];
    }
    out
}

/// `/pets/{petId}` → `/pets/{}`: templates that differ only in parameter names collide.
fn normalise_template(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut depth = 0;
    for c in path.chars() {
        match c {
            '{' => {
                depth += 1;
                out.push('{');
            }
            '}' => {
                depth -= 1;
                out.push('}');
            }
            _ if depth > 0 => {}
            _ => out.push(c),
        }
    }
    out
}

/// A stable id for an operation without `operationId`: `get_pets_petId`.
pub fn generated_id(method: &str, path: &str) -> String {
    let mut out = method.to_ascii_lowercase();
    let mut last_sep = false;
    out.push('_');
    for c in path.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
            last_sep = false;
        } else if !last_sep && !matches!(c, '{' | '}') {
            out.push('_');
            last_sep = true;
        }
    }
    let trimmed = out.trim_end_matches('_');
    let id = trimmed.replace("__", "_");
    if id.ends_with('_') || id.len() <= method.len() + 1 {
        format!("{}_root", method.to_ascii_lowercase())
    } else {
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_templates() {
        assert_eq!(generated_id("GET", "/pets/{petId}"), "get_pets_petId");
        assert_eq!(generated_id("post", "/"), "post_root");
        assert_eq!(template_names("/a/{x}/b/{y}.json"), vec!["x", "y"]);
        assert_eq!(normalise_template("/a/{x}/b"), "/a/{}/b");
    }

    #[test]
    fn status_keys() {
        assert_eq!(StatusKey::parse("200"), Some(StatusKey::Code(200)));
        assert_eq!(StatusKey::parse("2XX"), Some(StatusKey::Range(2)));
        assert_eq!(StatusKey::parse("2xx"), Some(StatusKey::Range(2)));
        assert_eq!(StatusKey::parse("default"), Some(StatusKey::Default));
        assert_eq!(StatusKey::parse("600"), None);
        assert_eq!(StatusKey::parse("ok"), None);
        assert!(StatusKey::Range(4).matches(404));
    }
}
