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
//!   path, so it may be slower); any success yields [`Lookup::MethodNotAllowed`], whose `Allow`
//!   lists the methods of the most specific matching path item (what contract checkers expect).
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
    /// The same values still percent-encoded, in the same order: styled parameters split
    /// these at their delimiters before decoding, so an encoded `%2C` stays inside an item.
    pub raw_params: Vec<&'a str>,
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
    /// Per operation, the `name=value` pairs after `#` or `?` in its path (AWS writes
    /// `/#X-Amz-Target=Service.Action` and `/?Action=Name`): one path, many operations, told
    /// apart by a header or query value.
    discriminators: Vec<Vec<(String, String)>>,
    /// Operation routed for a (method, template) → the other operations sharing that route
    /// with different discriminators, in document order.
    alternatives: HashMap<usize, Vec<usize>>,
}

/// The parts of a request besides method and path that [`RouteTable::lookup_with`] may
/// consult to tell apart operations sharing a path (see `discriminators`).
#[derive(Clone, Copy, Debug, Default)]
pub struct RequestParts<'r> {
    /// Header names in any case.
    pub headers: &'r [(&'r str, &'r str)],
    /// Raw query string, without the `?`.
    pub query: Option<&'r str>,
}

/// `/#X-Amz-Target=A.B` → (`/`, [(`X-Amz-Target`, `A.B`)]); `/?Action=X&Version=1` → (`/`,
/// [(`Action`, `X`), (`Version`, `1`)]). A path without `#`/`?` comes back whole.
fn split_discriminators(path: &str) -> (&str, Vec<(String, String)>) {
    let Some(at) = path.find(['#', '?']) else {
        return (path, Vec::new());
    };
    let pairs = path[at + 1..]
        .split(['&', '#', '?'])
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode(k).into_owned(), decode(v).into_owned()),
            None => (decode(p).into_owned(), String::new()),
        })
        .collect();
    (&path[..at], pairs)
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
            .map(|op| Template::parse(split_discriminators(&op.path).0))
            .collect();
        let discriminators: Vec<Vec<(String, String)>> = spec
            .operations
            .iter()
            .map(|op| split_discriminators(&op.path).1)
            .collect();
        let mut alternatives: HashMap<usize, Vec<usize>> = HashMap::new();
        let mut methods: Vec<MethodRoutes> = Vec::new();
        let mut seen: HashMap<(&str, &str), usize> = HashMap::new();
        let mut conflicts = Vec::new();
        for (index, op) in spec.operations.iter().enumerate() {
            let template = &templates[index];
            if let Some(&first) = seen.get(&(op.method.as_str(), template.normalised.as_str()))
                && !discriminators[index].is_empty()
                && spec.operations[..index]
                    .iter()
                    .enumerate()
                    .filter(|(i, o)| {
                        o.method == op.method && templates[*i].normalised == template.normalised
                    })
                    .all(|(i, _)| discriminators[i] != discriminators[index])
            {
                // Same route, told apart by a header or query value: not a conflict.
                alternatives.entry(first).or_default().push(index);
                continue;
            }
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
                discriminators,
                alternatives,
                methods,
                prefixes,
            },
            conflicts,
        )
    }

    /// Find the operation for `method` (exact, upper-case as sent) and `raw_path` (the request
    /// path as received: percent-encoded, without the query string).
    pub fn lookup<'a>(&'a self, method: &str, raw_path: &'a str) -> Lookup<'a> {
        self.lookup_with(method, raw_path, &RequestParts::default())
    }

    /// [`RouteTable::lookup`], telling apart operations that share a path through the
    /// header or query values their paths name (`/#X-Amz-Target=…`, `/?Action=…`): the first
    /// operation (in document order) whose every `name=value` is in the request wins; else
    /// one that names none; else the first (its parameter validation says what is missing).
    pub fn lookup_with<'a>(
        &'a self,
        method: &str,
        raw_path: &'a str,
        parts: &RequestParts<'_>,
    ) -> Lookup<'a> {
        let mut found = self.lookup_path(method, raw_path);
        if let Lookup::Found(m) = &mut found
            && let Some(others) = self.alternatives.get(&m.operation)
        {
            let candidates = || std::iter::once(m.operation).chain(others.iter().copied());
            // An operation whose values are all in the request; else one that names none
            // (`/cookies` next to `/cookies#formExploded`).
            let chosen = candidates()
                .find(|&op| {
                    let wanted = &self.discriminators[op];
                    !wanted.is_empty()
                        && wanted
                            .iter()
                            .all(|(name, value)| satisfies(parts, name, value))
                })
                .or_else(|| candidates().find(|&op| self.discriminators[op].is_empty()));
            if let Some(op) = chosen {
                m.operation = op;
            }
        }
        found
    }

    fn lookup_path<'a>(&'a self, method: &str, raw_path: &'a str) -> Lookup<'a> {
        let mut found = None;
        self.for_each_candidate(raw_path, |path| {
            found = self.find(method, path);
            found.is_some()
        });
        if let Some(m) = found {
            return Lookup::Found(m);
        }
        // The methods of the most specific path item matching the path (`/user/logout`
        // lists its own methods, not those `/user/{name}` would also route).
        let mut matched: Vec<(&str, usize)> = Vec::new();
        for routes in &self.methods {
            let mut operation = None;
            self.for_each_candidate(raw_path, |path| {
                operation = self.best(routes, path).map(|m| m.operation);
                operation.is_some()
            });
            if let Some(op) = operation {
                matched.push((routes.method.as_str(), op));
            }
        }
        let most_specific = matched
            .iter()
            .map(|(_, op)| &self.templates[*op])
            .max_by_key(|t| (t.is_static(), t.literal_len))
            .map(|t| t.normalised.as_str());
        let mut allow: Vec<String> = matched
            .iter()
            .filter(|(_, op)| Some(self.templates[*op].normalised.as_str()) == most_specific)
            .map(|(method, _)| (*method).to_owned())
            .collect();
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
            let raw_params = spans
                .iter()
                .map(|&(start, end)| path.get(start..end).unwrap_or_default())
                .collect();
            let params = template
                .names
                .iter()
                .zip(spans)
                .map(|(name, (start, end))| (name.as_str(), decode(&path[start..end])))
                .collect();
            return Some(Match {
                operation: entry.operation,
                params,
                raw_params,
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
        let raw_params = m.params.iter().map(|(_, value)| value).collect();
        Some(Match {
            operation: m.value.operation,
            params,
            raw_params,
            template: &template.raw,
        })
    }
}

/// A header named `name` (any case) with exactly `value`, or `name=value` in the query.
fn satisfies(parts: &RequestParts<'_>, name: &str, value: &str) -> bool {
    parts
        .headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case(name) && v.trim() == value)
        || parts.query.is_some_and(|q| {
            q.split('&').any(|pair| {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                decode(k) == name && decode(&v.replace('+', " ")) == value
            })
        })
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
