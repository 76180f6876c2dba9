//! Errors: why no value could be produced, and where in the schema that was decided.

use mockgen_schema::Violation;
use mockgen_spec::Loc;
use std::fmt;

/// What kind of failure a [`SynthError`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The schema admits no value (contradictory `allOf`, `not: {}`, an impossible pattern and
    /// length, a `oneOf` whose branches always overlap, …). A problem of the spec.
    Unsatisfiable,
    /// Generation needed more work than a body is allowed (deep required recursion, huge
    /// `minItems` products, …). A problem of the spec, or of the limits.
    Budget,
    /// The engine's own self-check rejected what it generated. A bug in the engine: please
    /// report it with the schema.
    SelfCheck,
    /// The schema is not one [`crate::Synth::new`] prepared a validator slot for.
    NotPrepared,
    /// The media type has no schema and no example.
    NoSchema,
    /// The example asked for by name does not exist (or has only an `externalValue`).
    NoSuchExample,
}

/// Why no value was produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SynthError {
    pub kind: ErrorKind,
    /// The schema a value was asked for.
    pub loc: Loc,
    /// The schema node where generation failed (may be in another document than `loc`).
    pub at: Loc,
    pub message: String,
    /// For [`ErrorKind::SelfCheck`]: what the validator rejected.
    pub violations: Vec<Violation>,
}

impl fmt::Display for SynthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            ErrorKind::Unsatisfiable => "unsatisfiable schema",
            ErrorKind::Budget => "generation budget exhausted",
            ErrorKind::SelfCheck => "generated value failed its own validation (engine bug)",
            ErrorKind::NotPrepared => "schema not prepared",
            ErrorKind::NoSchema => "no schema",
            ErrorKind::NoSuchExample => "no such example",
        };
        write!(f, "{what} at {}: {}", self.at.uri(), self.message)?;
        if self.at != self.loc {
            write!(f, " (generating {})", self.loc.uri())?;
        }
        for v in self.violations.iter().take(5) {
            let at = if v.instance_pointer.is_empty() {
                "/"
            } else {
                &v.instance_pointer
            };
            write!(f, "; {at}: {} [{}]", v.message, v.schema_pointer)?;
        }
        Ok(())
    }
}

impl std::error::Error for SynthError {}

/// An error inside generation, before it is attached to the requested schema.
#[derive(Clone, Debug)]
pub(crate) struct GenError {
    pub kind: ErrorKind,
    pub doc: usize,
    pub pointer: String,
    pub message: String,
}

impl GenError {
    pub fn unsat(doc: usize, pointer: &str, message: impl Into<String>) -> GenError {
        GenError {
            kind: ErrorKind::Unsatisfiable,
            doc,
            pointer: pointer.to_owned(),
            message: message.into(),
        }
    }

    pub fn budget(doc: usize, pointer: &str, message: impl Into<String>) -> GenError {
        GenError {
            kind: ErrorKind::Budget,
            doc,
            pointer: pointer.to_owned(),
            message: message.into(),
        }
    }

    pub fn into_synth(self, loc: &Loc) -> SynthError {
        SynthError {
            kind: self.kind,
            loc: loc.clone(),
            at: Loc::new(self.doc, self.pointer),
            message: self.message,
            violations: Vec::new(),
        }
    }
}

pub(crate) type GenResult<T> = Result<T, GenError>;
