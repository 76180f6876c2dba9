//! Breaking-change detection between two versions of a spec, on the resolved model.
//!
//! [`diff`] compares two loaded specs ([`mockgen_spec::Loaded`]) operation by operation: the
//! *resolved* contract, not the text. `$ref`s are followed (moving a schema into components or
//! renaming its target is not a change), `allOf` is merged before comparing, key order does not
//! matter and path templates are matched by shape (`/pets/{id}` is `/pets/{petId}`). Every
//! change carries a stable rule id ([`rules`]), a severity and a location: in NEW, or in OLD
//! for something that was removed. Pure: no I/O.

mod clean;
mod ops;
pub mod rules;
mod schema;

pub use rules::{RULES, Rule};

use mockgen_spec::{Loaded, Loc};
use serde::Serialize;
use serde_json::Value;

/// How much a change matters to clients written against OLD.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Old clients cannot notice (additions, relaxations, deprecations).
    Info,
    /// Old clients may notice (a response enum gained values, a deprecated operation went).
    Warning,
    /// A client that followed OLD can stop working.
    Breaking,
}

impl Severity {
    pub fn parse(s: &str) -> Option<Severity> {
        Some(match s {
            "info" => Severity::Info,
            "warning" => Severity::Warning,
            "breaking" => Severity::Breaking,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Breaking => "breaking",
        }
    }
}

/// Which document a change's location is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Old,
    New,
}

/// One difference between OLD and NEW.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    pub rule: &'static str,
    pub severity: Severity,
    /// `GET /pets/{id}`; empty for document-level changes (servers).
    pub operation: String,
    pub message: String,
    /// `new`, or `old` for removals.
    pub side: Side,
    /// The file the location is in.
    pub file: String,
    /// RFC 6901 pointer into that file as written.
    pub pointer: String,
    pub line: usize,
    pub column: usize,
}

/// A change before it is located in the text.
#[derive(Clone, Debug)]
pub(crate) struct Raw {
    pub rule: &'static Rule,
    pub operation: String,
    /// Rank of the operation (document order) for a stable output order.
    pub order: usize,
    pub message: String,
    pub side: Side,
    pub loc: Loc,
}

/// Compare OLD with NEW. Empty when either could not be loaded into a model. Deterministic:
/// changes come in operation order (OLD's document order, then operations only NEW has), then
/// by severity (worst first), rule and message.
pub fn diff(old: &Loaded, new: &Loaded) -> Vec<Change> {
    diff_with(old, new, true)
}

/// [`diff`], optionally without line and column (finding them parses the text for spans:
/// noticeable on large documents when only the rules matter). Unlocated changes have line and
/// column 0 and the pointer of the normalised document.
pub fn diff_with(old: &Loaded, new: &Loaded, locate_changes: bool) -> Vec<Change> {
    let (Some(old_spec), Some(new_spec)) = (&old.spec, &new.spec) else {
        return Vec::new();
    };
    let mut raws = ops::compare(old_spec, new_spec);
    raws.sort_by(|a, b| {
        (
            a.order,
            std::cmp::Reverse(a.rule.severity),
            a.rule.id,
            &a.message,
        )
            .cmp(&(
                b.order,
                std::cmp::Reverse(b.rule.severity),
                b.rule.id,
                &b.message,
            ))
    });
    raws.dedup_by(|a, b| {
        a.rule.id == b.rule.id && a.operation == b.operation && a.message == b.message
    });
    raws.into_iter()
        .map(|r| {
            let loaded = match r.side {
                Side::Old => old,
                Side::New => new,
            };
            let (file, pointer, line, column) = if locate_changes {
                locate(loaded, &r.loc)
            } else {
                (String::new(), r.loc.pointer.clone(), 0, 0)
            };
            Change {
                rule: r.rule.id,
                severity: r.rule.severity,
                operation: r.operation,
                message: r.message,
                side: r.side,
                file,
                pointer,
                line,
                column,
            }
        })
        .collect()
}

/// File name, original pointer, line and column of a node of the normalised documents.
fn locate(loaded: &Loaded, loc: &Loc) -> (String, String, usize, usize) {
    let original = loaded
        .bundle
        .origins
        .get(loc.doc)
        .map_or_else(|| loc.pointer.clone(), |o| o.original(&loc.pointer));
    let (_, line, column) = loaded.bundle.locate(loc.doc, &original);
    let file = loaded
        .bundle
        .files
        .get(loc.doc)
        .map(|f| f.name.clone())
        .unwrap_or_default();
    (file, original, line, column)
}

/// An accepted change, from an ignore file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Ignore {
    pub rule: String,
    /// `GET /pets/{id}` (templates match by shape); `None` matches every operation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    pub reason: String,
}

impl Ignore {
    pub fn matches(&self, change: &Change) -> bool {
        self.rule == change.rule
            && self
                .operation
                .as_deref()
                .is_none_or(|op| operation_key(op) == operation_key(&change.operation))
    }
}

/// Why an ignore file was refused: what is wrong, and the JSON pointer of the node at fault
/// (the caller turns it into file:line:column).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IgnoreError {
    pub pointer: String,
    pub message: String,
    /// The fault is the entry's key itself (an unknown field), not its value.
    pub at_key: bool,
}

impl std::fmt::Display for IgnoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Read an ignore file's value: a list of `{rule, operation, reason}` (or `{ignore: [...]}`).
/// Every entry needs a known rule and a non-empty reason.
pub fn parse_ignores(value: &Value) -> Result<Vec<Ignore>, IgnoreError> {
    let fail = |pointer: String, message: String| IgnoreError {
        pointer,
        message,
        at_key: false,
    };
    let (list, base) = match value {
        Value::Array(a) => (a, String::new()),
        Value::Object(m) => match m.get("ignore") {
            Some(Value::Array(a)) => (a, "/ignore".to_owned()),
            Some(_) => {
                return Err(fail(
                    "/ignore".to_owned(),
                    "`ignore` must be a list of {rule, operation, reason} entries".to_owned(),
                ));
            }
            None => {
                return Err(fail(
                    String::new(),
                    "expected a list of {rule, operation, reason} entries".to_owned(),
                ));
            }
        },
        Value::Null => return Ok(Vec::new()),
        _ => {
            return Err(fail(
                String::new(),
                "expected a list of {rule, operation, reason} entries".to_owned(),
            ));
        }
    };
    let mut out = Vec::new();
    for (i, entry) in list.iter().enumerate() {
        let n = i + 1;
        let at = format!("{base}/{i}");
        let Some(map) = entry.as_object() else {
            return Err(fail(
                at,
                format!("entry {n}: expected a mapping with rule, operation and reason"),
            ));
        };
        // A field given with the wrong type is named as such, not as missing.
        let text = |key: &str| match map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.trim())),
            Some(_) => Err(fail(
                format!("{at}/{key}"),
                format!("entry {n}: `{key}` must be a string"),
            )),
        };
        let rule = text("rule")?
            .ok_or_else(|| fail(at.clone(), format!("entry {n}: `rule` is missing")))?;
        if rules::find(rule).is_none() {
            return Err(fail(
                format!("{at}/rule"),
                format!("entry {n}: unknown rule `{rule}` (see docs/diff-rules.md)"),
            ));
        }
        let reason = text("reason")?.filter(|r| !r.is_empty()).ok_or_else(|| {
            let pointer = if map.contains_key("reason") {
                format!("{at}/reason")
            } else {
                at.clone()
            };
            fail(
                pointer,
                format!("entry {n} ({rule}): a `reason` is required"),
            )
        })?;
        let operation = text("operation")?
            .filter(|o| !o.is_empty() && *o != "*")
            .map(str::to_owned);
        if let Some(other) = map
            .keys()
            .find(|k| !matches!(k.as_str(), "rule" | "operation" | "reason"))
        {
            return Err(IgnoreError {
                pointer: format!("{at}/{}", mockgen_spec::bundle::escape(other)),
                message: format!("entry {n} ({rule}): unknown field `{other}`"),
                at_key: true,
            });
        }
        out.push(Ignore {
            rule: rule.to_owned(),
            operation,
            reason: reason.to_owned(),
        });
    }
    Ok(out)
}

/// `get /pets/{petId}` → `GET /pets/{}`: what makes two operations the same.
pub fn operation_key(operation: &str) -> String {
    let operation = operation.trim();
    match operation.split_once(' ') {
        Some((method, path)) => format!(
            "{} {}",
            method.to_ascii_uppercase(),
            path_shape(path.trim())
        ),
        None => operation.to_owned(),
    }
}

/// `/pets/{petId}` → `/pets/{}`.
pub fn path_shape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_var = false;
    for c in path.chars() {
        match c {
            '{' if !in_var => {
                in_var = true;
                out.push('{');
            }
            '}' if in_var => {
                in_var = false;
                out.push('}');
            }
            _ if in_var => {}
            _ => out.push(c),
        }
    }
    out
}

/// The variable names of a path template, in order.
pub(crate) fn template_vars(path: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else { break };
        out.push(&after[..end]);
        rest = &after[end + 1..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert_eq!(path_shape("/pets/{petId}/x"), "/pets/{}/x");
        assert_eq!(operation_key("get /a/{b}"), "GET /a/{}");
        assert_eq!(template_vars("/a/{x}/{y}.json"), vec!["x", "y"]);
    }

    #[test]
    fn ignores_need_reason_and_known_rule() {
        let ok = serde_json::json!([{"rule": "operation-removed", "operation": "GET /a/{x}", "reason": "sunset"}]);
        let list = parse_ignores(&ok).unwrap();
        assert_eq!(list.len(), 1);
        assert!(parse_ignores(&serde_json::json!([{"rule": "operation-removed"}])).is_err());
        assert!(parse_ignores(&serde_json::json!([{"rule": "nope", "reason": "x"}])).is_err());
    }

    #[test]
    fn ignore_errors_point_at_the_entry() {
        let err = |v: serde_json::Value| parse_ignores(&v).expect_err("refused");
        let e = err(serde_json::json!([
            {"rule": "operation-removed", "reason": "ok"},
            {"rule": "nope", "reason": "x"}
        ]));
        assert_eq!(e.pointer, "/1/rule");
        assert!(e.message.contains("entry 2: unknown rule `nope`"), "{e}");
        let e = err(serde_json::json!({"ignore": [{"rule": "operation-removed"}]}));
        assert_eq!(e.pointer, "/ignore/0");
        let e = err(serde_json::json!([{"rule": "operation-removed", "reason": 7}]));
        assert_eq!(e.pointer, "/0/reason");
        assert!(e.message.contains("`reason` must be a string"), "{e}");
        let e = err(serde_json::json!([{"rule": "operation-removed", "reason": "r", "a/b": 1}]));
        assert_eq!(e.pointer, "/0/a~1b");
        assert!(e.at_key);
        assert_eq!(err(serde_json::json!({"ignore": 3})).pointer, "/ignore");
    }
}
