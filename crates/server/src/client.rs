//! A small HTTP/1.1 client on hyper for `mockgen proxy` (forwarding to the upstream) and
//! `mockgen verify` (requests to the target), over `http://` or `https://` (rustls: Mozilla's
//! root certificates, the system's, and any `--cacert` bundle for private CAs).

use axum::body::Bytes;
use axum::http::{HeaderName, HeaderValue, Method, Request, Uri};
use http_body_util::{BodyExt, Full, Limited};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client as Legacy;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use std::sync::Arc;
use std::time::Duration;

/// Largest response body read (a bigger one is an error).
pub const MAX_RESPONSE: usize = 64 * 1024 * 1024;

/// Where requests go: `http://host:port/base` or `https://…`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Upstream {
    /// `http` or `https`.
    pub scheme: &'static str,
    /// `host:port` (or `host`).
    pub authority: String,
    /// Path prefix without a trailing slash; empty for the root.
    pub base: String,
}

impl Upstream {
    /// Parse an `http://` or `https://` URL; anything else is refused with a reason.
    pub fn parse(url: &str) -> Result<Upstream, String> {
        let url = url.trim();
        let (scheme, rest) = if let Some(rest) = url.strip_prefix("http://") {
            ("http", rest)
        } else if let Some(rest) = url.strip_prefix("https://") {
            ("https", rest)
        } else {
            return Err(format!("{url}: not an http:// or https:// URL"));
        };
        let (authority, path) = match rest.find(['/', '?', '#']) {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        if authority.is_empty() || authority.contains('@') {
            return Err(format!("{url}: expected {scheme}://HOST[:PORT][/PATH]"));
        }
        let path = path.split(['?', '#']).next().unwrap_or_default();
        let uri = format!("{scheme}://{authority}/");
        uri.parse::<Uri>()
            .map_err(|e| format!("{url}: not a valid URL ({e})"))?;
        Ok(Upstream {
            scheme,
            authority: authority.to_owned(),
            base: path.trim_end_matches('/').to_owned(),
        })
    }

    /// The absolute URL of `target` (path and query, starting with `/`) under the base.
    pub fn url(&self, target: &str) -> String {
        format!(
            "{}://{}{}{}",
            self.scheme, self.authority, self.base, target
        )
    }
}

impl std::fmt::Display for Upstream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}://{}{}", self.scheme, self.authority, self.base)
    }
}

/// A request to send.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientRequest {
    pub method: String,
    /// Absolute `http://` or `https://` URL.
    pub url: String,
    /// Names and values as bytes: a value that is not UTF-8 is sent as it is.
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: Vec<u8>,
}

/// What came back.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientResponse {
    pub status: u16,
    /// Names and values as received (a value need not be UTF-8).
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: Vec<u8>,
}

impl ClientResponse {
    /// The headers as text for checking against the spec (a value that is not UTF-8 is
    /// converted lossily: it is checked, never forwarded, in this form).
    pub fn text_headers(&self) -> Vec<(&str, std::borrow::Cow<'_, str>)> {
        self.headers
            .iter()
            .map(|(n, v)| (n.as_str(), String::from_utf8_lossy(v)))
            .collect()
    }
}

/// Why no response came back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientError {
    /// The request could not be built (bad method, URL or header).
    Invalid(String),
    /// Connecting or talking to the server failed.
    Unreachable(String),
    /// No complete answer within the timeout.
    Timeout(Duration),
    /// The response body was larger than [`MAX_RESPONSE`] or broke off.
    Body(String),
}

impl std::fmt::Display for ClientError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClientError::Invalid(m) => write!(f, "invalid request: {m}"),
            ClientError::Unreachable(m) => write!(f, "unreachable: {m}"),
            ClientError::Timeout(d) => write!(f, "no answer within {:.1} s", d.as_secs_f64()),
            ClientError::Body(m) => write!(f, "cannot read the response body: {m}"),
        }
    }
}

/// A pooled HTTP/1.1 client for `http://` and `https://` URLs. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Client {
    inner: Legacy<HttpsConnector<HttpConnector>, Full<Bytes>>,
    timeout: Duration,
}

impl Client {
    /// A client whose every exchange (connect, TLS handshake, send, read the whole body) is
    /// bounded by `timeout`. Servers are trusted when their certificate chains to one of
    /// Mozilla's roots (webpki-roots), one of the system's, or one in `ca_pem` (PEM
    /// certificates, `--cacert`). Fails only on a `ca_pem` without a certificate in it. Must
    /// be created inside a tokio runtime.
    pub fn new(timeout: Duration, ca_pem: Option<&[u8]>) -> Result<Client, String> {
        let mut roots = RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        // Unreadable system certificates are skipped: the bundled roots remain.
        let _ = roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
        if let Some(pem) = ca_pem {
            let mut found = 0;
            for cert in CertificateDer::pem_slice_iter(pem) {
                let cert = cert.map_err(|e| format!("not a PEM certificate bundle: {e}"))?;
                roots
                    .add(cert)
                    .map_err(|e| format!("a certificate cannot be used as a root: {e}"))?;
                found += 1;
            }
            if found == 0 {
                return Err("no PEM certificate (-----BEGIN CERTIFICATE-----) in it".to_owned());
            }
        }
        // ring, not aws-lc-rs: no large C build for every contributor and CI run. rustls
        // 0.23.48 deprecates it for lacking post-quantum key exchange, which a test client
        // talking to staging servers does not need; classical X25519/P-256 remain secure.
        #[allow(deprecated)]
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS setup: {e}"))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let mut http = HttpConnector::new();
        http.set_nodelay(true);
        http.set_connect_timeout(Some(timeout));
        http.enforce_http(false);
        let connector = HttpsConnectorBuilder::new()
            .with_tls_config(config)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        Ok(Client {
            inner: Legacy::builder(TokioExecutor::new()).build(connector),
            timeout,
        })
    }

    /// Send `req` and read the whole response.
    pub async fn send(&self, req: ClientRequest) -> Result<ClientResponse, ClientError> {
        let timeout = self.timeout;
        match tokio::time::timeout(timeout, self.exchange(req)).await {
            Ok(result) => result,
            Err(_) => Err(ClientError::Timeout(timeout)),
        }
    }

    async fn exchange(&self, req: ClientRequest) -> Result<ClientResponse, ClientError> {
        let method = Method::from_bytes(req.method.as_bytes())
            .map_err(|e| ClientError::Invalid(format!("method {:?}: {e}", req.method)))?;
        let uri: Uri = req
            .url
            .parse()
            .map_err(|e| ClientError::Invalid(format!("URL {:?}: {e}", req.url)))?;
        let mut builder = Request::builder().method(method).uri(uri);
        if let Some(headers) = builder.headers_mut() {
            for (name, value) in &req.headers {
                let (Ok(n), Ok(v)) = (
                    HeaderName::from_bytes(name.as_bytes()),
                    HeaderValue::from_bytes(value),
                ) else {
                    return Err(ClientError::Invalid(format!("header {name:?}")));
                };
                headers.append(n, v);
            }
        }
        let request = builder
            .body(Full::new(Bytes::from(req.body)))
            .map_err(|e| ClientError::Invalid(e.to_string()))?;
        let response = self
            .inner
            .request(request)
            .await
            .map_err(|e| ClientError::Unreachable(error_chain(&e)))?;
        let (parts, body) = response.into_parts();
        let body = Limited::new(body, MAX_RESPONSE)
            .collect()
            .await
            .map_err(|e| ClientError::Body(e.to_string()))?
            .to_bytes();
        let headers = parts
            .headers
            .iter()
            .map(|(n, v)| (n.as_str().to_owned(), v.as_bytes().to_vec()))
            .collect();
        Ok(ClientResponse {
            status: parts.status.as_u16(),
            headers,
            body: body.to_vec(),
        })
    }
}

/// An error with its causes (`client error (Connect): tcp connect error: Connection refused`).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

/// Hop-by-hop headers (RFC 9110 §7.6.1) and framing a proxy must not forward.
pub fn hop_by_hop(name: &str) -> bool {
    [
        "connection",
        "keep-alive",
        "proxy-connection",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "content-length",
        "host",
    ]
    .iter()
    .any(|h| name.eq_ignore_ascii_case(h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstream_urls() {
        let u = Upstream::parse("http://127.0.0.1:8080/api/").expect("valid");
        assert_eq!(u.authority, "127.0.0.1:8080");
        assert_eq!(u.base, "/api");
        assert_eq!(u.url("/pets?x=1"), "http://127.0.0.1:8080/api/pets?x=1");
        let root = Upstream::parse("http://localhost").expect("valid");
        assert_eq!(root.base, "");
        let tls = Upstream::parse("https://example.com:8443/v1").expect("valid");
        assert_eq!(tls.url("/pets"), "https://example.com:8443/v1/pets");
        assert_eq!(tls.to_string(), "https://example.com:8443/v1");
        assert!(Upstream::parse("ftp://x").is_err());
        assert!(Upstream::parse("https://").is_err());
        assert!(Upstream::parse("http://").is_err());
        assert!(hop_by_hop("Connection") && !hop_by_hop("content-type"));
    }

    #[tokio::test]
    async fn ca_bundles_are_checked() {
        let timeout = Duration::from_secs(1);
        assert!(Client::new(timeout, None).is_ok());
        let err = Client::new(timeout, Some(b"hello")).expect_err("no certificate");
        assert!(err.contains("no PEM certificate"), "{err}");
        let garbage = b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assert!(Client::new(timeout, Some(garbage)).is_err());
    }
}
