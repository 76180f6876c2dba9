//! The normalised, 3.1-shaped OpenAPI model every later stage reads. Structure is typed;
//! schemas stay `serde_json::Value` inside the bundle and are addressed by [`Loc`].

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::Value;

/// Which OpenAPI version a document was written in (the model itself is always 3.1-shaped).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum SpecVersion {
    #[serde(rename = "2.0")]
    Swagger20,
    #[serde(rename = "3.0")]
    OpenApi30,
    #[serde(rename = "3.1")]
    OpenApi31,
    #[serde(rename = "3.2")]
    OpenApi32,
}

/// A node in the bundle: document index and RFC 6901 pointer into its normalised value.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Loc {
    pub doc: usize,
    pub pointer: String,
}

impl Loc {
    pub fn new(doc: usize, pointer: impl Into<String>) -> Self {
        Loc {
            doc,
            pointer: pointer.into(),
        }
    }

    /// The URI of this node for the validator: `mockgen:///doc/N#/pointer`.
    pub fn uri(&self) -> String {
        format!("{}#{}", crate::bundle::doc_uri(self.doc), self.pointer)
    }
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Info {
    pub title: String,
    pub version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Server {
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub variables: IndexMap<String, ServerVariable>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ServerVariable {
    pub default: String,
    #[serde(rename = "enum", skip_serializing_if = "Vec::is_empty")]
    pub enum_values: Vec<String>,
}

impl Server {
    /// The URL with every variable replaced by its default.
    pub fn default_url(&self) -> String {
        let mut url = self.url.clone();
        for (name, var) in &self.variables {
            url = url.replace(&format!("{{{name}}}"), &var.default);
        }
        url
    }

    /// The path part of the default URL (`/v1` of `https://api.example.com/v1`), without a
    /// trailing slash; empty for the root.
    pub fn base_path(&self) -> String {
        let url = self.default_url();
        let after_scheme = match url.find("://") {
            Some(i) => &url[i + 3..],
            None => url.as_str(),
        };
        let path = if url.contains("://") {
            after_scheme.find('/').map_or("", |i| &after_scheme[i..])
        } else {
            after_scheme
        };
        let path = path.split(['?', '#']).next().unwrap_or_default();
        path.trim_end_matches('/').to_owned()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamIn {
    Path,
    Query,
    Header,
    Cookie,
    /// OpenAPI 3.2: the whole query string is one parameter.
    Querystring,
}

impl ParamIn {
    pub fn parse(s: &str) -> Option<ParamIn> {
        Some(match s {
            "path" => ParamIn::Path,
            "query" => ParamIn::Query,
            "header" => ParamIn::Header,
            "cookie" => ParamIn::Cookie,
            "querystring" => ParamIn::Querystring,
            _ => return None,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Style {
    Simple,
    Form,
    Label,
    Matrix,
    SpaceDelimited,
    PipeDelimited,
    DeepObject,
    Cookie,
}

impl Style {
    pub fn parse(s: &str) -> Option<Style> {
        Some(match s {
            "simple" => Style::Simple,
            "form" => Style::Form,
            "label" => Style::Label,
            "matrix" => Style::Matrix,
            "spaceDelimited" => Style::SpaceDelimited,
            "pipeDelimited" => Style::PipeDelimited,
            "deepObject" => Style::DeepObject,
            "cookie" => Style::Cookie,
            _ => return None,
        })
    }

    /// The default style of a location.
    pub fn default_for(location: ParamIn) -> Style {
        match location {
            ParamIn::Path | ParamIn::Header => Style::Simple,
            ParamIn::Query | ParamIn::Cookie | ParamIn::Querystring => Style::Form,
        }
    }
}

/// A named or anonymous example value.
#[derive(Clone, Debug, Serialize)]
pub struct Example {
    /// The key in `examples`; `None` for a lone `example`.
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// `None` when only `externalValue` is given (never fetched).
    pub value: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_value: Option<String>,
    /// Where the value stands (for diagnostics).
    pub loc: Loc,
}

#[derive(Clone, Debug, Serialize)]
pub struct Parameter {
    pub name: String,
    #[serde(rename = "in")]
    pub location: ParamIn,
    pub required: bool,
    pub deprecated: bool,
    pub allow_empty_value: bool,
    pub style: Style,
    pub explode: bool,
    pub allow_reserved: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema: Option<Loc>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub content: Vec<MediaType>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<Example>,
    pub loc: Loc,
}

#[derive(Clone, Debug, Serialize)]
pub struct Encoding {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub style: Option<Style>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explode: Option<bool>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<Header>,
}

#[derive(Clone, Debug, Serialize)]
pub struct MediaType {
    /// As written, e.g. `application/json; charset=utf-8` or `image/*`.
    pub media_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema: Option<Loc>,
    /// OpenAPI 3.2 `itemSchema` for streamed media types.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_schema: Option<Loc>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<Example>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub encoding: IndexMap<String, Encoding>,
    pub loc: Loc,
}

/// The essence of a media type: `Application/JSON; charset=utf-8` → `application/json`.
pub fn media_essence(media_type: &str) -> String {
    media_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

#[derive(Clone, Debug, Serialize)]
pub struct RequestBody {
    pub required: bool,
    pub content: Vec<MediaType>,
    pub loc: Loc,
}

#[derive(Clone, Debug, Serialize)]
pub struct Header {
    pub name: String,
    pub required: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema: Option<Loc>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub content: Vec<MediaType>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<Example>,
    pub loc: Loc,
}

/// The key of a response: an exact code, a range (`2XX` → 2) or `default`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StatusKey {
    Code(u16),
    Range(u8),
    Default,
}

impl StatusKey {
    pub fn parse(s: &str) -> Option<StatusKey> {
        if s == "default" {
            return Some(StatusKey::Default);
        }
        let b = s.as_bytes();
        if b.len() == 3 && (b'1'..=b'5').contains(&b[0]) {
            if b[1..].eq_ignore_ascii_case(b"XX") {
                return Some(StatusKey::Range(b[0] - b'0'));
            }
            if b[1].is_ascii_digit() && b[2].is_ascii_digit() {
                return s.parse().ok().map(StatusKey::Code);
            }
        }
        None
    }

    /// Does a concrete status code fall under this key?
    pub fn matches(&self, code: u16) -> bool {
        match self {
            StatusKey::Code(c) => *c == code,
            StatusKey::Range(r) => code / 100 == u16::from(*r),
            StatusKey::Default => true,
        }
    }
}

impl std::fmt::Display for StatusKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StatusKey::Code(c) => write!(f, "{c}"),
            StatusKey::Range(r) => write!(f, "{r}XX"),
            StatusKey::Default => f.write_str("default"),
        }
    }
}

impl Serialize for StatusKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Response {
    pub status: StatusKey,
    pub description: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub content: Vec<MediaType>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<Header>,
    pub loc: Loc,
}

/// One alternative of a security requirement: every scheme listed must be satisfied (AND).
/// An operation's requirements are alternatives (OR); an empty list means anonymous access.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SecurityRequirement {
    pub schemes: Vec<(String, Vec<String>)>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum SecurityScheme {
    ApiKey {
        name: String,
        #[serde(rename = "in")]
        location: ParamIn,
    },
    Http {
        scheme: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        bearer_format: Option<String>,
    },
    #[serde(rename = "oauth2")]
    OAuth2 {
        flows: Value,
    },
    OpenIdConnect {
        url: String,
    },
    #[serde(rename = "mutualTLS")]
    MutualTls,
}

#[derive(Clone, Debug, Serialize)]
pub struct Callback {
    pub name: String,
    pub operations: Vec<Operation>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Operation {
    /// `operationId`, or a stable id generated from method and path.
    pub id: String,
    pub id_generated: bool,
    /// Upper-case HTTP method (`GET`, … and any method a 3.2 `additionalOperations` names).
    pub method: String,
    /// Path template as written in the spec (`/pets/{petId}`), or the webhook name.
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    pub deprecated: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Path-level and operation-level parameters merged (operation wins).
    pub parameters: Vec<Parameter>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_body: Option<RequestBody>,
    /// In document order.
    pub responses: Vec<Response>,
    /// `None`: the document-level requirements apply.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security: Option<Vec<SecurityRequirement>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub servers: Vec<Server>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub callbacks: Vec<Callback>,
    pub loc: Loc,
}

impl Operation {
    /// The requirements that apply: the operation's own, else the document's.
    pub fn effective_security<'a>(&'a self, spec: &'a Spec) -> &'a [SecurityRequirement] {
        self.security.as_deref().unwrap_or(&spec.security)
    }
}

/// The normalised spec.
#[derive(Debug, Serialize)]
pub struct Spec {
    pub version: SpecVersion,
    /// The version string as written (`2.0`, `3.0.3`, …).
    pub version_string: String,
    pub info: Info,
    pub servers: Vec<Server>,
    pub operations: Vec<Operation>,
    pub webhooks: Vec<Operation>,
    pub security_schemes: IndexMap<String, SecurityScheme>,
    pub security: Vec<SecurityRequirement>,
    /// Normalised documents (JSON Schema 2020-12 schemas), index = [`Loc::doc`]; 0 is the root.
    /// Shared (`Arc`) so validators and generators can hold them without copying.
    #[serde(skip)]
    pub documents: Vec<std::sync::Arc<Value>>,
}

impl Spec {
    /// The value at a location.
    pub fn get(&self, loc: &Loc) -> Option<&Value> {
        mockgen_source::lookup(self.documents.get(loc.doc)?, &loc.pointer)
    }

    /// Find an operation by id.
    pub fn operation(&self, id: &str) -> Option<&Operation> {
        self.operations.iter().find(|o| o.id == id)
    }
}
