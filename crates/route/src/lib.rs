//! Request routing: method + raw request path → operation, compiled once when a spec loads.
//!
//! # How a lookup works
//! * **Base paths.** The raw path is tried with each accepted base path stripped (longest
//!   first), then as is when "no prefix" is accepted ([`BasePaths`]). A prefix only counts on a
//!   segment boundary (`/v1` strips from `/v1/pets` and `/v1`, not from `/v10/pets`), and
//!   stripping is slicing: no string is built.
//! * **Trailing slash.** `/pets/` is tried as written and then as `/pets`, because clients add a
//!   trailing slash out of habit. A template written with a trailing slash still matches it
//!   exactly; the reverse (`/pets` for a `/pets/` template) is not done.
//! * **Templates.** One [`matchit`] router per method holds every template it can express; the
//!   rest (`/a/{x}-{y}`, unbalanced braces, anything matchit refuses) go to a per-method list of
//!   small backtracking matchers. Both are consulted and the most specific wins: a concrete path
//!   beats any template; otherwise more literal characters win; then the earlier operation.
//!   Within matchit, its own segment-by-segment rule applies (a static segment beats a parameter
//!   at the same position), which agrees with the rule above for every realistic spec.
//! * **Methods.** Per method, so `GET /users/me` reaches `GET /users/{id}` when `/users/me` only
//!   declares `POST`. `HEAD` falls back to `GET` unless `HEAD` is declared for a match. `OPTIONS`
//!   is only found when declared; otherwise the server answers preflight itself.
//! * **405/404.** When the method finds nothing, every other method is tried (this is the error
//!   path, so it may be slower); any success yields [`Lookup::MethodNotAllowed`].
//! * **Parameters** are percent-decoded after matching, so `%2F` stays inside its parameter and
//!   decodes to `/`. A value that does not decode to UTF-8 is returned raw for the caller to
//!   validate.

mod template;

use mockgen_spec::Spec;
use std::borrow::Cow;
use std::collections::HashMap;
use template::Template;

/// Where operations may be mounted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum BasePaths {
    /// Accept requests both with and without the path part of any `servers[].url` (document
    /// level and per operation).
    #[default]
    FromServers,
    /// Only this prefix (`--base-path`); `""` means no prefix at all.
    Forced(String),
}

/// Knobs for [`RouteTable::new`].
#[derive(Clone, Debug, Default)]
pub struct RouteOptions {
    pub base_paths: BasePaths,
}

/// A successful lookup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Match<'a> {
    /// Index into `spec.operations`.
    pub operation: usize,
    /// `(name, percent-decoded value)` in template order; borrowed when nothing needed decoding.
    pub params: Vec<(&'a str, Cow<'a, str>)>,
    /// The template as written in the spec.
    pub template: &'a str,
}

/// The result of [`RouteTable::lookup`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup<'a> {
    Found(Match<'a>),
    /// Some template matches the path, but not for this method.
    MethodNotAllowed {
        /// Sorted and deduplicated; includes `HEAD` when `GET` is there, and always `OPTIONS`.
        allow: Vec<String>,
    },
    NotFound,
}

/// Two operations with the same method and normalised template: only `first` is reachable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conflict {
    pub first: usize,
    pub second: usize,
    pub message: String,
}

/// A routed operation (its template is `RouteTable::templates[operation]`).
#[derive(Clone, Copy, Debug)]
struct Entry {
    operation: usize,
}

/// Everything routed for one method.
#[derive(Debug)]
struct MethodRoutes {
    method: String,
    router: matchit::Router<Entry>,
    /// Templates matchit cannot hold, most specific first so the scan can stop early.
    fallback: Vec<Entry>,
}

/// The compiled routing table. Immutable after [`RouteTable::new`], so `Send + Sync`.
#[derive(Debug)]
pub struct RouteTable {
    /// Parsed template per operation (index = operation index).
    templates: Vec<Template>,
    methods: Vec<MethodRoutes>,
    /// Accepted prefixes, longest first; `""` (no prefix) last when accepted.
    prefixes: Vec<String>,
}

/// Specificity key: larger is more specific. The operation index is reversed so that, all
/// else equal, the earlier operation wins.
type Rank = (bool, usize, std::cmp::Reverse<usize>);

impl RouteTable {
    /// Compile the table. Never panics; conflicting operations are reported and the first one
    /// keeps the route.
    pub fn new(spec: &Spec, options: &RouteOptions) -> (RouteTable, Vec<Conflict>) {
        let templates: Vec<Template> = spec
            .operations
            .iter()
            .map(|op| Template::parse(&op.path))
            .collect();
        let mut methods: Vec<MethodRoutes> = Vec::new();
        let mut seen: HashMap<(&str, &str), usize> = HashMap::new();
        let mut conflicts = Vec::new();
        for (index, op) in spec.operations.iter().enumerate() {
            let template = &templates[index];
            if let Some(&first) = seen.get(&(op.method.as_str(), template.normalised.as_str())) {
                conflicts.push(Conflict {
                    first,
                    second: index,
                    message: format!(
                        "{} {} ({}) can never be reached: {} {} ({}) has the same route",
                        op.method,
                        op.path,
                        op.id,
                        spec.operations[first].method,
                        spec.operations[first].path,
                        spec.operations[first].id,
                    ),
                });
                continue;
            }
            seen.insert((op.method.as_str(), template.normalised.as_str()), index);
            let routes = match methods.iter().position(|m| m.method == op.method) {
                Some(i) => &mut methods[i],
                None => {
                    methods.push(MethodRoutes {
                        method: op.method.clone(),
                        router: matchit::Router::new(),
                        fallback: Vec::new(),
                    });
                    let last = methods.len() - 1;
                    &mut methods[last]
                }
            };
            let entry = Entry { operation: index };
            // matchit refuses two parameters in one segment and some overlaps; those
            // templates still route, through the fallback matcher.
            let inserted = template
                .matchit
                .as_ref()
                .is_some_and(|route| routes.router.insert(route.clone(), entry).is_ok());
            if !inserted {
                routes.fallback.push(entry);
            }
        }
        for routes in &mut methods {
            routes
                .fallback
                .sort_by_key(|e| std::cmp::Reverse(rank(&templates, e.operation)));
        }
        let prefixes = prefixes(spec, &options.base_paths);
        (
            RouteTable {
                templates,
                methods,
                prefixes,
            },
            conflicts,
        )
    }

    /// Find the operation for `method` (exact, upper-case as sent) and `raw_path` (the request
    /// path as received: percent-encoded, without the query string).
    pub fn lookup<'a>(&'a self, method: &str, raw_path: &'a str) -> Lookup<'a> {
        let mut found = None;
        self.for_each_candidate(raw_path, |path| {
            found = self.find(method, path);
            found.is_some()
        });
        if let Some(m) = found {
            return Lookup::Found(m);
        }
        let mut allow: Vec<String> = Vec::new();
        for routes in &self.methods {
            let mut any = false;
            self.for_each_candidate(raw_path, |path| {
                any = self.best(routes, path).is_some();
                any
            });
            if any {
                allow.push(routes.method.clone());
            }
        }
        if allow.is_empty() {
            return Lookup::NotFound;
        }
        if allow.iter().any(|m| m == "GET") {
            allow.push("HEAD".to_owned());
        }
        allow.push("OPTIONS".to_owned());
        allow.sort();
        allow.dedup();
        Lookup::MethodNotAllowed { allow }
    }

    /// For each operation (by index), a concrete example path without any base path, every
    /// parameter set to `1`. Combine with [`RouteTable::base_paths`] to print full URLs.
    pub fn example_paths(&self) -> Vec<(usize, String)> {
        self.templates
            .iter()
            .enumerate()
            .map(|(i, t)| (i, t.example()))
            .collect()
    }

    /// The accepted prefixes, longest first; `""` means "no prefix" is accepted.
    pub fn base_paths(&self) -> &[String] {
        &self.prefixes
    }

    /// Calls `f` with each path to try (base path stripped, then trailing slash removed) until
    /// it returns true. Only slices of `raw_path` are produced.
    fn for_each_candidate<'a>(&self, raw_path: &'a str, mut f: impl FnMut(&'a str) -> bool) {
        for prefix in &self.prefixes {
            let Some(rest) = raw_path.strip_prefix(prefix.as_str()) else {
                continue;
            };
            let rest = if rest.is_empty() {
                "/"
            } else if rest.starts_with('/') {
                rest
            } else {
                continue;
            };
            if f(rest) {
                return;
            }
            if rest.len() > 1
                && let Some(trimmed) = rest.strip_suffix('/')
                && f(trimmed)
            {
                return;
            }
        }
    }

    /// The match for `method` on an already stripped path; `HEAD` falls back to `GET`.
    fn find<'a>(&'a self, method: &str, path: &'a str) -> Option<Match<'a>> {
        let routes = self.methods.iter().find(|m| m.method == method);
        if let Some(found) = routes.and_then(|r| self.best(r, path)) {
            return Some(found);
        }
        if method == "HEAD" {
            let get = self.methods.iter().find(|m| m.method == "GET")?;
            return self.best(get, path);
        }
        None
    }

    /// The most specific match among one method's routes.
    fn best<'a>(&'a self, routes: &'a MethodRoutes, path: &'a str) -> Option<Match<'a>> {
        let from_matchit = routes.router.at(path).ok();
        let best_rank = from_matchit
            .as_ref()
            .map(|m| rank(&self.templates, m.value.operation));
        let mut winner = None;
        for entry in &routes.fallback {
            let r = rank(&self.templates, entry.operation);
            // Sorted most specific first: once one cannot beat the current best, none can.
            if best_rank.is_some_and(|b| r <= b) {
                break;
            }
            if self.templates[entry.operation].matches(path, None) {
                winner = Some(*entry);
                break;
            }
        }
        if let Some(entry) = winner {
            let template = &self.templates[entry.operation];
            let mut spans = Vec::with_capacity(template.names.len());
            template.matches(path, Some(&mut spans));
            let params = template
                .names
                .iter()
                .zip(spans)
                .map(|(name, (start, end))| (name.as_str(), decode(&path[start..end])))
                .collect();
            return Some(Match {
                operation: entry.operation,
                params,
                template: &template.raw,
            });
        }
        let m = from_matchit?;
        let template = &self.templates[m.value.operation];
        // matchit's names are positional (`p0`, `p1`, …) and come back in template order.
        let params = template
            .names
            .iter()
            .zip(m.params.iter())
            .map(|(name, (_, value))| (name.as_str(), decode(value)))
            .collect();
        Some(Match {
            operation: m.value.operation,
            params,
            template: &template.raw,
        })
    }
}

fn rank(templates: &[Template], operation: usize) -> Rank {
    let t = &templates[operation];
    (t.is_static(), t.literal_len, std::cmp::Reverse(operation))
}

/// Percent-decode a parameter value; invalid UTF-8 after decoding yields the raw text.
fn decode(raw: &str) -> Cow<'_, str> {
    match percent_encoding::percent_decode_str(raw).decode_utf8() {
        Ok(decoded) => decoded,
        Err(_) => Cow::Borrowed(raw),
    }
}

/// `/v1/` → `/v1`, `v1` → `/v1`, `/` → `` (no prefix).
fn normalise_prefix(p: &str) -> String {
    let p = p.trim_end_matches('/');
    if p.is_empty() || p.starts_with('/') {
        p.to_owned()
    } else {
        format!("/{p}")
    }
}

fn prefixes(spec: &Spec, base_paths: &BasePaths) -> Vec<String> {
    let mut out: Vec<String> = match base_paths {
        BasePaths::Forced(p) => vec![normalise_prefix(p)],
        BasePaths::FromServers => spec
            .servers
            .iter()
            .chain(spec.operations.iter().flat_map(|op| op.servers.iter()))
            .map(|s| normalise_prefix(&s.base_path()))
            .chain(std::iter::once(String::new()))
            .collect(),
    };
    // Longest first so `/api/v1` is stripped before `/api`; "" naturally ends up last.
    out.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    out.dedup();
    out
}
