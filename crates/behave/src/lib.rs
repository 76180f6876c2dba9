//! Behaviour config for `mockgen serve`: rules that pick the response from the request,
//! sequences, latency and faults, read from `mockgen.yaml` and from `x-mockgen-*` extensions
//! in the spec. Pure: the binary reads the files, the server sleeps and breaks connections;
//! this crate parses, checks against the spec (with file:line:column diagnostics) and decides.

pub mod behaviour;
pub mod config;
pub mod duration;
mod matching;

pub use behaviour::{Behaviour, Flags};
pub use config::{Config, FaultKind, FaultRule, parse_config, parse_extensions, parse_fault_flag};
pub use duration::{Latency, parse_duration};

use mockgen_source::Document;
use std::fmt;

/// A problem found at a JSON pointer of a config (or spec) document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issue {
    pub pointer: String,
    pub message: String,
    pub help: Option<String>,
    /// Point at the mapping key rather than its value (unknown keys, unknown operations).
    pub at_key: bool,
    /// Reported, but serving goes on.
    pub warning: bool,
}

impl Issue {
    pub fn new(pointer: &str, message: impl Into<String>) -> Issue {
        Issue {
            pointer: pointer.to_owned(),
            message: message.into(),
            help: None,
            at_key: false,
            warning: false,
        }
    }
}

/// An [`Issue`] placed in a file: what a user sees.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: String,
    /// 1-based; 0 when the node could not be located.
    pub line: usize,
    pub column: usize,
    pub pointer: String,
    pub message: String,
    pub help: Option<String>,
    pub warning: bool,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = if self.warning { "warning" } else { "error" };
        if self.line == 0 {
            write!(f, "{level}: {}: {}", self.file, self.message)?;
        } else {
            write!(
                f,
                "{level}: {}:{}:{}: {}",
                self.file, self.line, self.column, self.message
            )?;
        }
        if !self.pointer.is_empty() {
            write!(f, " (at {})", self.pointer)?;
        }
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// Place `issue` in `file` using the spans of `doc` (`None`: unlocated).
pub fn locate(file: &str, doc: Option<&Document>, issue: Issue) -> Diagnostic {
    let (line, column) = match doc {
        Some(doc) => {
            let at = doc.place(&issue.pointer, issue.at_key);
            (at.line, at.column)
        }
        None => (0, 0),
    };
    Diagnostic {
        file: file.to_owned(),
        line,
        column,
        pointer: issue.pointer,
        message: issue.message,
        help: issue.help,
        warning: issue.warning,
    }
}

/// Parse a `mockgen.yaml` text: the config, the document (for locating later issues) and the
/// problems found so far. A syntax error gives no config.
pub fn load_config(
    file: &str,
    text: &str,
) -> Result<(Config, Document, Vec<Diagnostic>), Diagnostic> {
    let doc = mockgen_source::parse(text).map_err(|e| Diagnostic {
        file: file.to_owned(),
        line: e.line,
        column: e.column,
        pointer: String::new(),
        message: e.message.clone(),
        help: None,
        warning: false,
    })?;
    let (config, issues) = parse_config(&doc.value);
    let diagnostics = issues
        .into_iter()
        .map(|i| locate(file, Some(&doc), i))
        .collect();
    Ok((config, doc, diagnostics))
}

/// The closest of `candidates` to `word`, if close enough to be a typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|c| (edit_distance(&word.to_lowercase(), &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let best = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
            cur.push(best);
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_are_suggested() {
        assert_eq!(
            did_you_mean("listPet", ["listPets", "createPets"]),
            Some("listPets")
        );
        assert_eq!(did_you_mean("zzz", ["listPets"]), None);
        assert_eq!(did_you_mean("LATENCY", ["latency"]), Some("latency"));
    }

    #[test]
    fn diagnostics_have_lines_and_columns() {
        let text = "operations:\n  listPets:\n    latncy: 5ms\n";
        let (_, _, diags) = load_config("m.yaml", text).expect("parses");
        assert_eq!(diags.len(), 1);
        assert_eq!((diags[0].line, diags[0].column), (3, 5));
        assert!(
            diags[0]
                .to_string()
                .starts_with("error: m.yaml:3:5: unknown key `latncy`")
        );
        let err = load_config("m.yaml", "a: [1,\n").expect_err("syntax");
        assert_eq!(err.file, "m.yaml");
        assert!(err.line >= 1);
    }
}
