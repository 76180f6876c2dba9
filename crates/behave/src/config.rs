//! The behaviour config (`mockgen.yaml` and the `x-mockgen-*` extensions): its model and a
//! parser from a JSON value that reports every problem with the JSON pointer of the node at
//! fault (the caller turns pointers into file:line:column). See `schemas/mockgen.schema.json`.

use crate::duration::{Latency, duration_from_millis, parse_duration};
use crate::{Issue, did_you_mean};
use regex::Regex;
use serde_json::{Map, Value};
use std::time::Duration;

/// How long a `timeout` fault holds the connection unless told otherwise.
pub const DEFAULT_HOLD: Duration = Duration::from_secs(30);

/// A whole config: global latency and faults plus per-operation settings.
#[derive(Clone, Debug, Default)]
pub struct Config {
    pub latency: Option<Located<Latency>>,
    /// `None`: not given (a later layer or the default decides); `Some(vec![])`: none.
    pub faults: Option<Vec<FaultRule>>,
    pub operations: Vec<OperationConfig>,
}

/// A value and the pointer of the node it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Located<T> {
    pub value: T,
    pub pointer: String,
}

/// Settings for one operation, named by `operationId` or `METHOD /path`.
#[derive(Clone, Debug, Default)]
pub struct OperationConfig {
    pub key: String,
    /// Pointer of the operation's entry.
    pub pointer: String,
    pub latency: Option<Located<Latency>>,
    pub faults: Option<Vec<FaultRule>>,
    pub rules: Vec<Rule>,
}

/// `when` the request matches, answer `then` (or the next step of `sequence`).
#[derive(Clone, Debug)]
pub struct Rule {
    pub name: Option<String>,
    pub pointer: String,
    /// All must hold (an empty list always matches).
    pub when: Vec<Condition>,
    pub steps: Vec<Reply>,
    /// After the last step of a sequence.
    pub after: After,
}

/// What happens once a sequence has answered its last step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum After {
    /// Keep answering the last step.
    #[default]
    Stay,
    /// Start again from the first step.
    Cycle,
}

/// One answer of a rule.
#[derive(Clone, Debug, PartialEq)]
pub struct Reply {
    pub pointer: String,
    pub status: u16,
    pub body: ReplyBody,
    pub headers: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ReplyBody {
    /// What the spec declares for that status (examples first, else generated).
    Declared,
    /// A named example of that response.
    Example(String),
    /// This value; `pointer` locates it for diagnostics.
    Inline { value: Value, pointer: String },
    /// No body.
    Empty,
}

/// Where a condition reads its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    Path,
    Query,
    Header,
    /// `name` is a JSON pointer into the parsed body (`""` = the whole body).
    Body,
}

impl Place {
    pub fn as_str(self) -> &'static str {
        match self {
            Place::Path => "path",
            Place::Query => "query",
            Place::Header => "header",
            Place::Body => "body",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Condition {
    pub place: Place,
    pub name: String,
    pub pointer: String,
    pub matcher: Matcher,
}

/// Every test given must hold.
#[derive(Clone, Debug, Default)]
pub struct Matcher {
    pub equals: Option<Value>,
    pub regex: Option<Regex>,
    pub exists: Option<bool>,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

/// A fault and its probability (0–1) per request.
#[derive(Clone, Debug, PartialEq)]
pub struct FaultRule {
    pub kind: FaultKind,
    pub probability: f64,
    pub pointer: String,
}

#[derive(Clone, Debug, PartialEq)]
pub enum FaultKind {
    /// Answer this status (with `Retry-After: retry_after` seconds when given).
    Status {
        status: u16,
        retry_after: Option<u64>,
    },
    /// Send nothing; hold the connection this long, then close it.
    Timeout(Duration),
    Reset,
    Malformed,
    Empty,
}

impl FaultKind {
    pub fn name(&self) -> String {
        match self {
            FaultKind::Status { status, .. } => status.to_string(),
            FaultKind::Timeout(_) => "timeout".into(),
            FaultKind::Reset => "reset".into(),
            FaultKind::Malformed => "malformed".into(),
            FaultKind::Empty => "empty".into(),
        }
    }
}

/// `--fault` values: `500:0.1`, `429:0.2:5` (Retry-After 5 s), `reset:0.05`, `empty:0.1`,
/// `malformed:0.1`, `timeout:0.1` or `timeout:0.1:2s` (hold 2 s).
pub fn parse_fault_flag(text: &str) -> Result<FaultRule, String> {
    let mut parts = text.trim().split(':');
    let kind = parts.next().unwrap_or_default().trim();
    let probability = match parts.next() {
        Some(p) => probability(p.trim())?,
        None => 1.0,
    };
    let extra = parts.next().map(str::trim);
    if parts.next().is_some() {
        return Err(format!(
            "`{text}`: write KIND:PROBABILITY[:OPTION], e.g. 503:0.1"
        ));
    }
    let kind = match kind {
        "reset" | "empty" | "malformed" if extra.is_some() => {
            return Err(format!("`{text}`: {kind} takes no option"));
        }
        "reset" => FaultKind::Reset,
        "empty" => FaultKind::Empty,
        "malformed" => FaultKind::Malformed,
        "timeout" => FaultKind::Timeout(match extra {
            Some(d) => parse_duration(d)?,
            None => DEFAULT_HOLD,
        }),
        code => {
            let status = status_code(code).ok_or_else(|| {
                format!(
                    "`{kind}` is not a fault: use a status (500, 503, 429), reset, empty, malformed or timeout"
                )
            })?;
            let retry_after = match extra {
                Some(s) => Some(
                    s.parse::<u64>()
                        .map_err(|_| format!("`{s}` is not a number of seconds (Retry-After)"))?,
                ),
                None => default_retry_after(status),
            };
            FaultKind::Status {
                status,
                retry_after,
            }
        }
    };
    Ok(FaultRule {
        kind,
        probability,
        pointer: String::new(),
    })
}

fn probability(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err(format!("`{text}` is not a probability between 0 and 1")),
    }
}

fn status_code(text: &str) -> Option<u16> {
    text.parse::<u16>().ok().filter(|s| (100..=599).contains(s))
}

/// 429 and 503 say when to come back: one second unless told otherwise.
fn default_retry_after(status: u16) -> Option<u64> {
    matches!(status, 429 | 503).then_some(1)
}

/// Parse a whole config document (`mockgen.yaml`). Problems are collected, never fatal: what
/// could be read is returned.
pub fn parse_config(root: &Value) -> (Config, Vec<Issue>) {
    let mut p = Parser::default();
    let mut config = Config::default();
    if root.is_null() {
        return (config, p.issues);
    }
    let Some(map) = p.object(root, "", &["latency", "faults", "operations", "$schema"]) else {
        return (config, p.issues);
    };
    if let Some(v) = map.get("latency") {
        config.latency = p.latency(v, "/latency");
    }
    if let Some(v) = map.get("faults") {
        config.faults = p.faults(v, "/faults");
    }
    if let Some(v) = map.get("operations")
        && let Some(ops) = p.object(v, "/operations", &[])
    {
        for (key, v) in ops {
            let pointer = format!("/operations/{}", mockgen_source::escape_token(key));
            if let Some(op) = p.operation(key, v, &pointer) {
                config.operations.push(op);
            }
        }
    }
    (config, p.issues)
}

/// The `x-mockgen-rules` / `x-mockgen-latency` / `x-mockgen-faults` of one node (an operation,
/// or the document root for latency and faults) whose pointer is `base`.
pub fn parse_extensions(
    node: &Value,
    base: &str,
    key: &str,
) -> (Option<OperationConfig>, Vec<Issue>) {
    let mut p = Parser::default();
    let Some(map) = node.as_object() else {
        return (None, p.issues);
    };
    let mut op = OperationConfig {
        key: key.to_owned(),
        pointer: base.to_owned(),
        ..OperationConfig::default()
    };
    let mut any = false;
    if let Some(v) = map.get("x-mockgen-latency") {
        any = true;
        op.latency = p.latency(v, &format!("{base}/x-mockgen-latency"));
    }
    if let Some(v) = map.get("x-mockgen-faults") {
        any = true;
        op.faults = p.faults(v, &format!("{base}/x-mockgen-faults"));
    }
    if let Some(v) = map.get("x-mockgen-rules") {
        any = true;
        op.rules = p.rules(v, &format!("{base}/x-mockgen-rules"));
    }
    (any.then_some(op), p.issues)
}

#[derive(Default)]
struct Parser {
    issues: Vec<Issue>,
}

impl Parser {
    fn error(&mut self, pointer: &str, message: impl Into<String>) {
        self.issues.push(Issue::new(pointer, message));
    }

    /// `v` as a mapping whose keys are all in `allowed` (empty: any key).
    fn object<'v>(
        &mut self,
        v: &'v Value,
        pointer: &str,
        allowed: &[&str],
    ) -> Option<&'v Map<String, Value>> {
        let Some(map) = v.as_object() else {
            self.error(pointer, format!("expected a mapping, found {}", kind(v)));
            return None;
        };
        if !allowed.is_empty() {
            for key in map.keys() {
                if !allowed.contains(&key.as_str()) {
                    let mut issue = Issue::new(
                        &format!("{pointer}/{}", mockgen_source::escape_token(key)),
                        format!("unknown key `{key}`"),
                    );
                    issue.at_key = true;
                    issue.help = Some(match did_you_mean(key, allowed.iter().copied()) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!("expected one of: {}", allowed.join(", ")),
                    });
                    self.issues.push(issue);
                }
            }
        }
        Some(map)
    }

    fn operation(&mut self, key: &str, v: &Value, pointer: &str) -> Option<OperationConfig> {
        let map = self.object(v, pointer, &["latency", "faults", "rules"])?;
        let mut op = OperationConfig {
            key: key.to_owned(),
            pointer: pointer.to_owned(),
            ..OperationConfig::default()
        };
        if let Some(v) = map.get("latency") {
            op.latency = self.latency(v, &format!("{pointer}/latency"));
        }
        if let Some(v) = map.get("faults") {
            op.faults = self.faults(v, &format!("{pointer}/faults"));
        }
        if let Some(v) = map.get("rules") {
            op.rules = self.rules(v, &format!("{pointer}/rules"));
        }
        Some(op)
    }

    fn duration(&mut self, v: &Value, pointer: &str) -> Option<Duration> {
        let parsed = match v {
            Value::Number(n) => n
                .as_f64()
                .and_then(duration_from_millis)
                .ok_or_else(|| format!("{n} ms is out of range (0 to 1 hour)")),
            Value::String(s) => parse_duration(s),
            other => Err(format!(
                "expected a duration (200ms, 1.5s or a number of ms), found {}",
                kind(other)
            )),
        };
        match parsed {
            Ok(d) => Some(d),
            Err(e) => {
                self.error(pointer, e);
                None
            }
        }
    }

    fn latency(&mut self, v: &Value, pointer: &str) -> Option<Located<Latency>> {
        let latency = match v {
            Value::Number(_) => self.duration(v, pointer).map(Latency::Fixed),
            Value::String(s) => match Latency::parse(s) {
                Ok(l) => Some(l),
                Err(e) => {
                    self.error(pointer, e);
                    None
                }
            },
            Value::Object(_) => {
                let map = self.object(v, pointer, &["fixed", "uniform", "lognormal"])?;
                if map.len() != 1 {
                    self.error(pointer, "give exactly one of fixed, uniform or lognormal");
                    return None;
                }
                let (shape, inner) = map.iter().next()?;
                let at = format!("{pointer}/{shape}");
                match shape.as_str() {
                    "fixed" => self.duration(inner, &at).map(Latency::Fixed),
                    "uniform" => {
                        let m = self.object(inner, &at, &["min", "max"])?;
                        let min = self.required(m, &at, "min")?;
                        let max = self.required(m, &at, "max")?;
                        let min = self.duration(min, &format!("{at}/min"))?;
                        let max = self.duration(max, &format!("{at}/max"))?;
                        self.check(Latency::uniform(min, max), &at)
                    }
                    "lognormal" => {
                        let m = self.object(inner, &at, &["median", "sigma", "max"])?;
                        let median = self.required(m, &at, "median")?;
                        let median = self.duration(median, &format!("{at}/median"))?;
                        let sigma = self.required(m, &at, "sigma")?;
                        let Some(sigma) = sigma.as_f64() else {
                            self.error(&format!("{at}/sigma"), "expected a number");
                            return None;
                        };
                        let max = match m.get("max") {
                            Some(x) => Some(self.duration(x, &format!("{at}/max"))?),
                            None => None,
                        };
                        self.check(Latency::lognormal(median, sigma, max), &at)
                    }
                    _ => None,
                }
            }
            other => {
                self.error(
                    pointer,
                    format!(
                        "expected a latency (200ms, uniform:…, lognormal:… or a mapping), found {}",
                        kind(other)
                    ),
                );
                None
            }
        }?;
        Some(Located {
            value: latency,
            pointer: pointer.to_owned(),
        })
    }

    fn check<T>(&mut self, r: Result<T, String>, pointer: &str) -> Option<T> {
        r.map_err(|e| self.error(pointer, e)).ok()
    }

    fn required<'v>(
        &mut self,
        map: &'v Map<String, Value>,
        pointer: &str,
        key: &str,
    ) -> Option<&'v Value> {
        let v = map.get(key);
        if v.is_none() {
            self.error(pointer, format!("`{key}` is required here"));
        }
        v
    }

    fn faults(&mut self, v: &Value, pointer: &str) -> Option<Vec<FaultRule>> {
        let Some(list) = v.as_array() else {
            self.error(
                pointer,
                format!("expected a list of faults, found {}", kind(v)),
            );
            return None;
        };
        let mut out = Vec::new();
        let mut total = 0.0;
        for (i, item) in list.iter().enumerate() {
            let at = format!("{pointer}/{i}");
            if let Some(f) = self.fault(item, &at) {
                total += f.probability;
                out.push(f);
            }
        }
        if total > 1.0 + 1e-9 {
            self.error(
                pointer,
                format!("the fault probabilities add up to {total}, more than 1"),
            );
        }
        Some(out)
    }

    fn fault(&mut self, v: &Value, pointer: &str) -> Option<FaultRule> {
        if let Value::String(s) = v {
            return match parse_fault_flag(s) {
                Ok(mut f) => {
                    f.pointer = pointer.to_owned();
                    Some(f)
                }
                Err(e) => {
                    self.error(pointer, e);
                    None
                }
            };
        }
        let map = self.object(
            v,
            pointer,
            &["kind", "status", "probability", "retry_after", "hold"],
        )?;
        let p = self.required(map, pointer, "probability")?;
        let probability = match p.as_f64() {
            Some(x) if (0.0..=1.0).contains(&x) => x,
            _ => {
                self.error(
                    &format!("{pointer}/probability"),
                    "expected a probability between 0 and 1",
                );
                return None;
            }
        };
        let kind_name = match map.get("kind") {
            Some(Value::String(k)) => k.as_str(),
            Some(other) => {
                self.error(
                    &format!("{pointer}/kind"),
                    format!("expected a string, found {}", kind(other)),
                );
                return None;
            }
            None if map.contains_key("status") => "status",
            None => {
                self.error(
                    pointer,
                    "`kind` (status, timeout, reset, malformed, empty) or `status` is required",
                );
                return None;
            }
        };
        let only = |p: &mut Parser, allowed: &[&str]| {
            for key in ["status", "retry_after", "hold"] {
                if map.contains_key(key) && !allowed.contains(&key) {
                    p.error(
                        &format!("{pointer}/{key}"),
                        format!("`{key}` does not apply to a {kind_name} fault"),
                    );
                }
            }
        };
        let kind = match kind_name {
            "status" => {
                only(self, &["status", "retry_after"]);
                let s = self.required(map, pointer, "status")?;
                let status = self.status(s, &format!("{pointer}/status"))?;
                let retry_after = match map.get("retry_after") {
                    Some(v) => match v.as_u64() {
                        Some(n) => Some(n),
                        None => {
                            self.error(
                                &format!("{pointer}/retry_after"),
                                "expected a number of seconds",
                            );
                            return None;
                        }
                    },
                    None => default_retry_after(status),
                };
                FaultKind::Status {
                    status,
                    retry_after,
                }
            }
            "timeout" => {
                only(self, &["hold"]);
                FaultKind::Timeout(match map.get("hold") {
                    Some(h) => self.duration(h, &format!("{pointer}/hold"))?,
                    None => DEFAULT_HOLD,
                })
            }
            "reset" => {
                only(self, &[]);
                FaultKind::Reset
            }
            "malformed" => {
                only(self, &[]);
                FaultKind::Malformed
            }
            "empty" => {
                only(self, &[]);
                FaultKind::Empty
            }
            other => {
                let mut issue = Issue::new(
                    &format!("{pointer}/kind"),
                    format!("unknown fault kind `{other}`"),
                );
                issue.help = Some(
                    match did_you_mean(other, ["status", "timeout", "reset", "malformed", "empty"])
                    {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => "use status, timeout, reset, malformed or empty".to_owned(),
                    },
                );
                self.issues.push(issue);
                return None;
            }
        };
        Some(FaultRule {
            kind,
            probability,
            pointer: pointer.to_owned(),
        })
    }

    fn status(&mut self, v: &Value, pointer: &str) -> Option<u16> {
        let s = match v {
            Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
            Value::String(s) => s.parse().ok(),
            _ => None,
        }
        .filter(|s| (100..=599).contains(s));
        if s.is_none() {
            self.error(pointer, "expected an HTTP status between 100 and 599");
        }
        s
    }

    fn rules(&mut self, v: &Value, pointer: &str) -> Vec<Rule> {
        let Some(list) = v.as_array() else {
            self.error(
                pointer,
                format!("expected a list of rules, found {}", kind(v)),
            );
            return Vec::new();
        };
        list.iter()
            .enumerate()
            .filter_map(|(i, r)| self.rule(r, &format!("{pointer}/{i}")))
            .collect()
    }

    fn rule(&mut self, v: &Value, pointer: &str) -> Option<Rule> {
        let map = self.object(v, pointer, &["name", "when", "then", "sequence", "after"])?;
        let name = match map.get("name") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                self.error(&format!("{pointer}/name"), "expected a string");
                None
            }
            None => None,
        };
        let when = match map.get("when") {
            Some(w) => self.when(w, &format!("{pointer}/when")),
            None => Vec::new(),
        };
        let after = match map.get("after").map(|a| (a, a.as_str())) {
            None => After::Stay,
            Some((_, Some("stay"))) => After::Stay,
            Some((_, Some("cycle"))) => After::Cycle,
            Some(_) => {
                self.error(&format!("{pointer}/after"), "expected `stay` or `cycle`");
                After::Stay
            }
        };
        let steps = match (map.get("then"), map.get("sequence")) {
            (Some(t), None) => vec![self.reply(t, &format!("{pointer}/then"))?],
            (None, Some(Value::Array(list))) if !list.is_empty() => {
                let mut steps = Vec::new();
                for (i, s) in list.iter().enumerate() {
                    if let Some(r) = self.reply(s, &format!("{pointer}/sequence/{i}")) {
                        steps.push(r);
                    }
                }
                if steps.len() != list.len() {
                    return None;
                }
                steps
            }
            (None, Some(_)) => {
                self.error(
                    &format!("{pointer}/sequence"),
                    "expected a non-empty list of answers",
                );
                return None;
            }
            (Some(_), Some(_)) => {
                self.error(pointer, "give either `then` or `sequence`, not both");
                return None;
            }
            (None, None) => {
                self.error(
                    pointer,
                    "a rule needs `then` (one answer) or `sequence` (a list)",
                );
                return None;
            }
        };
        if map.contains_key("after") && map.contains_key("then") {
            self.error(
                &format!("{pointer}/after"),
                "`after` only applies to a `sequence`",
            );
        }
        Some(Rule {
            name,
            pointer: pointer.to_owned(),
            when,
            steps,
            after,
        })
    }

    fn when(&mut self, v: &Value, pointer: &str) -> Vec<Condition> {
        let Some(map) = self.object(v, pointer, &["path", "query", "header", "body"]) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (place_name, conditions) in map {
            let place = match place_name.as_str() {
                "path" => Place::Path,
                "query" => Place::Query,
                "header" => Place::Header,
                "body" => Place::Body,
                // Already reported as an unknown key: its entries are not body pointers.
                _ => continue,
            };
            let at = format!("{pointer}/{place_name}");
            let Some(entries) = self.object(conditions, &at, &[]) else {
                continue;
            };
            for (name, m) in entries {
                let cat = format!("{at}/{}", mockgen_source::escape_token(name));
                if place == Place::Body && !(name.is_empty() || name.starts_with('/')) {
                    let mut issue = Issue::new(
                        &cat,
                        format!("`{name}` is not a JSON pointer into the body"),
                    );
                    issue.at_key = true;
                    issue.help = Some(format!("write `/{name}`"));
                    self.issues.push(issue);
                    continue;
                }
                if let Some(matcher) = self.matcher(m, &cat) {
                    out.push(Condition {
                        place,
                        name: name.clone(),
                        pointer: cat,
                        matcher,
                    });
                }
            }
        }
        out
    }

    fn matcher(&mut self, v: &Value, pointer: &str) -> Option<Matcher> {
        let Value::Object(_) = v else {
            // A bare value is shorthand for `equals`.
            return Some(Matcher {
                equals: Some(v.clone()),
                ..Matcher::default()
            });
        };
        let map = self.object(v, pointer, &["equals", "regex", "exists", "min", "max"])?;
        if map.is_empty() {
            self.error(
                pointer,
                "give at least one of equals, regex, exists, min, max",
            );
            return None;
        }
        let mut m = Matcher {
            equals: map.get("equals").cloned(),
            ..Matcher::default()
        };
        if let Some(r) = map.get("regex") {
            match r.as_str().map(Regex::new) {
                Some(Ok(re)) => m.regex = Some(re),
                Some(Err(e)) => {
                    self.error(&format!("{pointer}/regex"), format!("invalid regex: {e}"))
                }
                None => self.error(&format!("{pointer}/regex"), "expected a string"),
            }
        }
        if let Some(e) = map.get("exists") {
            match e.as_bool() {
                Some(b) => m.exists = Some(b),
                None => self.error(&format!("{pointer}/exists"), "expected true or false"),
            }
        }
        for (key, slot) in [("min", &mut m.min), ("max", &mut m.max)] {
            if let Some(x) = map.get(key) {
                match x.as_f64() {
                    Some(n) => *slot = Some(n),
                    None => self.error(&format!("{pointer}/{key}"), "expected a number"),
                }
            }
        }
        if let (Some(lo), Some(hi)) = (m.min, m.max)
            && lo > hi
        {
            self.error(
                pointer,
                format!("min ({lo}) is above max ({hi}): nothing can match"),
            );
        }
        if m.exists == Some(false) && map.len() > 1 {
            self.error(
                pointer,
                "`exists: false` cannot be combined with other tests",
            );
        }
        Some(m)
    }

    fn reply(&mut self, v: &Value, pointer: &str) -> Option<Reply> {
        let map = self.object(
            v,
            pointer,
            &["status", "example", "body", "empty", "headers"],
        )?;
        let s = self.required(map, pointer, "status")?;
        let status = self.status(s, &format!("{pointer}/status"))?;
        let given: Vec<&str> = ["example", "body", "empty"]
            .into_iter()
            .filter(|k| map.contains_key(*k))
            .collect();
        if given.len() > 1 {
            self.error(pointer, format!("give only one of {}", given.join(", ")));
            return None;
        }
        let body = if let Some(e) = map.get("example") {
            match e.as_str() {
                Some(name) => ReplyBody::Example(name.to_owned()),
                None => {
                    self.error(
                        &format!("{pointer}/example"),
                        "expected the name of an example",
                    );
                    return None;
                }
            }
        } else if let Some(b) = map.get("body") {
            ReplyBody::Inline {
                value: b.clone(),
                pointer: format!("{pointer}/body"),
            }
        } else if let Some(e) = map.get("empty") {
            match e.as_bool() {
                Some(true) => ReplyBody::Empty,
                Some(false) => ReplyBody::Declared,
                None => {
                    self.error(&format!("{pointer}/empty"), "expected true or false");
                    return None;
                }
            }
        } else {
            ReplyBody::Declared
        };
        let mut headers = Vec::new();
        if let Some(h) = map.get("headers") {
            let at = format!("{pointer}/headers");
            if let Some(hm) = self.object(h, &at, &[]) {
                for (name, value) in hm {
                    let text = match value {
                        Value::String(s) => s.clone(),
                        Value::Number(n) => n.to_string(),
                        Value::Bool(b) => b.to_string(),
                        _ => {
                            self.error(
                                &format!("{at}/{}", mockgen_source::escape_token(name)),
                                "expected a string header value",
                            );
                            continue;
                        }
                    };
                    if !valid_header(name, &text) {
                        self.error(
                            &format!("{at}/{}", mockgen_source::escape_token(name)),
                            format!("`{name}: {text}` is not a valid HTTP header"),
                        );
                        continue;
                    }
                    headers.push((name.clone(), text));
                }
            }
        }
        Some(Reply {
            pointer: pointer.to_owned(),
            status,
            body,
            headers,
        })
    }
}

/// A token name and a value without control characters.
fn valid_header(name: &str, value: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
        && value
            .bytes()
            .all(|b| b == b'\t' || (b >= 0x20 && b != 0x7f))
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fault_flags_parse() {
        let f = parse_fault_flag("503:0.1").expect("valid");
        assert_eq!(
            f.kind,
            FaultKind::Status {
                status: 503,
                retry_after: Some(1)
            }
        );
        assert!((f.probability - 0.1).abs() < 1e-12);
        assert_eq!(
            parse_fault_flag("429:0.5:7").expect("valid").kind,
            FaultKind::Status {
                status: 429,
                retry_after: Some(7)
            }
        );
        assert_eq!(
            parse_fault_flag("500:0.5").expect("valid").kind,
            FaultKind::Status {
                status: 500,
                retry_after: None
            }
        );
        assert_eq!(
            parse_fault_flag("reset:0.05").expect("valid").kind,
            FaultKind::Reset
        );
        assert_eq!(
            parse_fault_flag("timeout:1:2s").expect("valid").kind,
            FaultKind::Timeout(Duration::from_secs(2))
        );
        assert!(parse_fault_flag("reset:1.5").is_err());
        assert!(parse_fault_flag("boom:0.1").is_err());
        assert!(parse_fault_flag("700:0.1").is_err());
        assert!(parse_fault_flag("reset:0.1:x").is_err());
    }

    #[test]
    fn a_full_config_parses() {
        let v = json!({
            "latency": "uniform:10ms..20ms",
            "faults": [{"status": 503, "probability": 0.1}, "reset:0.05"],
            "operations": {
                "listPets": {
                    "latency": {"lognormal": {"median": "100ms", "sigma": 0.5}},
                    "rules": [
                        {"name": "big", "when": {"query": {"limit": {"min": 50}}, "header": {"X-Mode": "slow"}},
                         "then": {"status": 200, "example": "many", "headers": {"X-Rule": "big"}}},
                        {"sequence": [{"status": 202}, {"status": 200, "body": []}], "after": "cycle"}
                    ]
                }
            }
        });
        let (c, issues) = parse_config(&v);
        assert!(issues.is_empty(), "{issues:?}");
        assert!(c.latency.is_some());
        assert_eq!(c.faults.as_ref().map(Vec::len), Some(2));
        let op = &c.operations[0];
        assert_eq!(op.key, "listPets");
        assert_eq!(op.rules.len(), 2);
        assert_eq!(op.rules[0].when.len(), 2);
        assert_eq!(op.rules[1].steps.len(), 2);
        assert_eq!(op.rules[1].after, After::Cycle);
        assert_eq!(
            op.rules[0].steps[0].headers,
            vec![("X-Rule".to_owned(), "big".to_owned())]
        );
    }

    #[test]
    fn problems_are_located_by_pointer() {
        let v = json!({
            "latncy": "10ms",
            "faults": [{"kind": "rest", "probability": 0.1}, {"status": 503, "probability": 2}],
            "operations": {
                "x": {"rules": [
                    {"when": {"body": {"amount": 1}}, "then": {"status": 200}},
                    {"when": {"query": {"q": {"regex": "("}}}, "then": {"status": 99}},
                    {"then": {"status": 200, "body": 1, "example": "a"}},
                    {}
                ]}
            }
        });
        let (_, issues) = parse_config(&v);
        let at: Vec<&str> = issues.iter().map(|i| i.pointer.as_str()).collect();
        assert!(at.contains(&"/latncy"), "{at:?}");
        assert!(at.contains(&"/faults/0/kind"), "{at:?}");
        assert!(at.contains(&"/faults/1/probability"), "{at:?}");
        assert!(
            at.contains(&"/operations/x/rules/0/when/body/amount"),
            "{at:?}"
        );
        assert!(
            at.contains(&"/operations/x/rules/1/when/query/q/regex"),
            "{at:?}"
        );
        assert!(at.contains(&"/operations/x/rules/1/then/status"), "{at:?}");
        assert!(at.contains(&"/operations/x/rules/2/then"), "{at:?}");
        assert!(at.contains(&"/operations/x/rules/3"), "{at:?}");
        let latency = issues
            .iter()
            .find(|i| i.pointer == "/latncy")
            .expect("found");
        assert_eq!(latency.help.as_deref(), Some("did you mean `latency`?"));
        let kind = issues
            .iter()
            .find(|i| i.pointer == "/faults/0/kind")
            .expect("found");
        assert_eq!(kind.help.as_deref(), Some("did you mean `reset`?"));
    }

    #[test]
    fn an_unknown_place_is_one_problem() {
        // `cookie` is not a place: one "unknown key" issue, not also a bogus "`session` is
        // not a JSON pointer into the body" for each of its entries.
        let v = json!({"operations": {"x": {"rules": [
            {"when": {"cookie": {"session": "a", "user": 1}}, "then": {"status": 200}}
        ]}}});
        let (c, issues) = parse_config(&v);
        let at: Vec<&str> = issues.iter().map(|i| i.pointer.as_str()).collect();
        assert_eq!(at, ["/operations/x/rules/0/when/cookie"], "{issues:?}");
        assert!(c.operations[0].rules[0].when.is_empty());
    }

    #[test]
    fn probabilities_must_not_exceed_one() {
        let (_, issues) = parse_config(&json!({"faults": ["500:0.6", "reset:0.6"]}));
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].pointer, "/faults");
    }

    #[test]
    fn extensions_parse() {
        let op = json!({"x-mockgen-rules": [{"then": {"status": 201}}], "x-mockgen-latency": 5, "responses": {}});
        let (c, issues) = parse_extensions(&op, "/paths/~1a/get", "getA");
        assert!(issues.is_empty());
        let c = c.expect("some");
        assert_eq!(c.rules.len(), 1);
        assert_eq!(c.rules[0].pointer, "/paths/~1a/get/x-mockgen-rules/0");
        assert_eq!(
            c.latency.map(|l| l.value),
            Some(Latency::Fixed(Duration::from_millis(5)))
        );
        let (none, _) = parse_extensions(&json!({"responses": {}}), "", "k");
        assert!(none.is_none());
    }
}
