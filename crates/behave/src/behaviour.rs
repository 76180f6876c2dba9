//! The compiled behaviour of one mounted spec: rules answer valid requests (a [`Hook`]), and
//! latency and faults shape every request routed to an operation ([`Hook::plan`]).
//!
//! Randomness is a `ChaCha8Rng` seeded per request from (seed, operation id, how many requests
//! that operation has seen), so the n-th request to an operation gets the same delay and fault
//! in every run with the same seed, whatever other operations are called in between.

use crate::config::{
    After, Config, FaultKind, FaultRule, OperationConfig, Place, Reply, ReplyBody, Rule,
};
use crate::duration::Latency;
use crate::{Issue, did_you_mean, matching};
use mockgen_engine::{Answer, AnswerBody, Engine, Exchange, Fault, Hook, MockRequest, Plan};
use mockgen_spec::{Operation, Response, StatusKey};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

/// Global settings given on the command line; they win over every config.
#[derive(Clone, Debug, Default)]
pub struct Flags {
    pub latency: Option<Latency>,
    /// `Some` as soon as one `--fault` is given.
    pub faults: Option<Vec<FaultRule>>,
}

/// The behaviour of one spec. Shared across reloads (counters live here), so rules are keyed
/// by operation id, not index.
#[derive(Debug)]
pub struct Behaviour {
    seed: u64,
    latency: Option<Latency>,
    faults: Vec<FaultRule>,
    ops: HashMap<String, OpState>,
    /// Requests to operations this behaviour does not know (added by a reload) or to none.
    counter: AtomicU64,
    /// Whether any latency or fault is configured (else requests are not even routed).
    shapes: bool,
}

#[derive(Debug, Default)]
struct OpState {
    latency: Option<Latency>,
    faults: Option<Vec<FaultRule>>,
    rules: Vec<RuleState>,
    counter: AtomicU64,
}

#[derive(Debug)]
struct RuleState {
    rule: Rule,
    /// Matching requests so far (the sequence position).
    calls: AtomicU64,
}

impl Behaviour {
    /// Compile `layers` (highest priority first: the config file, then the spec's
    /// `x-mockgen-*` extensions) for `engine`'s spec. Every problem found (unknown operations,
    /// undeclared statuses, unknown examples, inline bodies that break the response schema) is
    /// returned with the index of the layer it is in.
    pub fn build(
        engine: &Engine,
        seed: u64,
        flags: &Flags,
        layers: &[&Config],
    ) -> (Behaviour, Vec<(usize, Issue)>) {
        let spec = engine.spec();
        let mut issues = Vec::new();
        let mut ops: HashMap<String, OpState> = spec
            .operations
            .iter()
            .map(|op| (op.id.clone(), OpState::default()))
            .collect();
        for (layer, config) in layers.iter().enumerate() {
            for oc in &config.operations {
                let Some((index, op)) = resolve(&spec.operations, &oc.key) else {
                    issues.push((layer, unknown_operation(&spec.operations, oc)));
                    continue;
                };
                for issue in check_operation(engine, index, op, oc) {
                    issues.push((layer, issue));
                }
                let Some(state) = ops.get_mut(&op.id) else {
                    continue;
                };
                if state.latency.is_none() {
                    state.latency = oc.latency.as_ref().map(|l| l.value.clone());
                }
                if state.faults.is_none() {
                    state.faults.clone_from(&oc.faults);
                }
                state.rules.extend(oc.rules.iter().map(|r| RuleState {
                    rule: r.clone(),
                    calls: AtomicU64::new(0),
                }));
            }
        }
        let latency = flags.latency.clone().or_else(|| {
            layers
                .iter()
                .find_map(|c| c.latency.as_ref().map(|l| l.value.clone()))
        });
        let faults = flags
            .faults
            .clone()
            .or_else(|| layers.iter().find_map(|c| c.faults.clone()))
            .unwrap_or_default();
        let shapes = latency.is_some()
            || !faults.is_empty()
            || ops
                .values()
                .any(|s| s.latency.is_some() || s.faults.as_ref().is_some_and(|f| !f.is_empty()));
        let behaviour = Behaviour {
            seed,
            latency,
            faults,
            ops,
            counter: AtomicU64::new(0),
            shapes,
        };
        (behaviour, issues)
    }

    /// Whether anything is configured at all (else no hook is needed).
    pub fn is_active(&self) -> bool {
        self.latency.is_some()
            || !self.faults.is_empty()
            || self.ops.values().any(|s| {
                s.latency.is_some()
                    || s.faults.as_ref().is_some_and(|f| !f.is_empty())
                    || !s.rules.is_empty()
            })
    }

    /// Whether some fault may reset a connection (the server must then keep a handle on each
    /// socket).
    pub fn may_reset(&self) -> bool {
        let reset = |f: &[FaultRule]| {
            f.iter()
                .any(|f| f.kind == FaultKind::Reset && f.probability > 0.0)
        };
        reset(&self.faults)
            || self
                .ops
                .values()
                .any(|s| s.faults.as_deref().is_some_and(reset))
    }

    /// Rule count, for the start-up line.
    pub fn rule_count(&self) -> usize {
        self.ops.values().map(|s| s.rules.len()).sum()
    }

    /// The delay and fault of the next request to `operation` (an id; `None`: unrouted).
    pub fn next_plan(&self, operation: Option<&str>) -> Option<Plan> {
        let state = operation.and_then(|id| self.ops.get(id));
        let latency = state
            .and_then(|s| s.latency.as_ref())
            .or(self.latency.as_ref());
        let faults = state
            .and_then(|s| s.faults.as_deref())
            .unwrap_or(&self.faults);
        if latency.is_none() && faults.is_empty() {
            return None;
        }
        let counter = state.map_or(&self.counter, |s| &s.counter);
        let n = counter.fetch_add(1, Ordering::Relaxed);
        let mut rng = rng_for(self.seed, operation.unwrap_or_default(), n);
        let delay = latency.map(|l| l.sample(&mut rng)).unwrap_or_default();
        let u: f64 = rng.random();
        let fault = pick(faults, u).map(|kind| match kind {
            FaultKind::Status {
                status,
                retry_after,
            } => Fault::Status {
                status: *status,
                headers: retry_after
                    .map(|s| vec![("Retry-After".to_owned(), s.to_string())])
                    .unwrap_or_default(),
            },
            FaultKind::Timeout(hold) => Fault::Hang(*hold),
            FaultKind::Reset => Fault::Reset,
            FaultKind::Malformed => Fault::Malformed,
            FaultKind::Empty => Fault::Empty,
        });
        Some(Plan { delay, fault })
    }
}

impl Hook for Behaviour {
    fn decide(&self, _engine: &Engine, ex: &Exchange<'_>) -> Option<Answer> {
        let state = self.ops.get(ex.op.id.as_str())?;
        let rule = state
            .rules
            .iter()
            .find(|r| matching::matches(&r.rule.when, ex))?;
        let n = rule.calls.fetch_add(1, Ordering::Relaxed);
        let steps = &rule.rule.steps;
        let len = u64::try_from(steps.len()).unwrap_or(u64::MAX).max(1);
        let index = match rule.rule.after {
            After::Stay => n.min(len - 1),
            After::Cycle => n % len,
        };
        let step = steps.get(usize::try_from(index).unwrap_or(0))?;
        Some(answer(step))
    }

    fn plan(&self, engine: &Engine, req: &MockRequest<'_>) -> Option<Plan> {
        if !self.shapes {
            return None;
        }
        let id = engine
            .operation_of(req)
            .and_then(|i| engine.spec().operations.get(i))
            .map(|op| op.id.as_str());
        self.next_plan(id)
    }
}

fn answer(reply: &Reply) -> Answer {
    Answer {
        status: reply.status,
        body: match &reply.body {
            ReplyBody::Declared => AnswerBody::Declared,
            ReplyBody::Example(name) => AnswerBody::Example(name.clone()),
            ReplyBody::Inline { value, .. } => AnswerBody::Value(value.clone()),
            ReplyBody::Empty => AnswerBody::Empty,
        },
        headers: reply.headers.clone(),
    }
}

/// The fault whose share of [0, 1) holds `u`, faults taking their probabilities in order.
fn pick(faults: &[FaultRule], u: f64) -> Option<&FaultKind> {
    let mut edge = 0.0;
    for f in faults {
        edge += f.probability;
        if u < edge {
            return Some(&f.kind);
        }
    }
    None
}

/// A generator for the `n`-th request to `operation`: FNV-1a over the three.
fn rng_for(seed: u64, operation: &str, n: u64) -> ChaCha8Rng {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in seed
        .to_le_bytes()
        .iter()
        .chain(operation.as_bytes())
        .chain(&[0xff])
        .chain(&n.to_le_bytes())
    {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    ChaCha8Rng::seed_from_u64(h)
}

/// An operation by id, or by `METHOD /path` (method in any case).
fn resolve<'s>(ops: &'s [Operation], key: &str) -> Option<(usize, &'s Operation)> {
    if let Some(found) = ops.iter().enumerate().find(|(_, op)| op.id == key) {
        return Some(found);
    }
    let (method, path) = key.trim().split_once(char::is_whitespace)?;
    ops.iter()
        .enumerate()
        .find(|(_, op)| op.method.eq_ignore_ascii_case(method) && op.path == path.trim())
}

fn unknown_operation(ops: &[Operation], oc: &OperationConfig) -> Issue {
    let mut names: Vec<String> = ops.iter().map(|op| op.id.clone()).collect();
    names.extend(ops.iter().map(|op| format!("{} {}", op.method, op.path)));
    let mut issue = Issue::new(
        &oc.pointer,
        format!(
            "no operation `{}` in the spec (name one by operationId or `METHOD /path`)",
            oc.key
        ),
    );
    issue.at_key = true;
    issue.help = did_you_mean(&oc.key, names.iter().map(String::as_str))
        .map(|s| format!("did you mean `{s}`?"));
    issue
}

/// The response `status` selects: the exact code, else its range, else `default`.
fn response_for(op: &Operation, status: u16) -> Option<&Response> {
    op.responses
        .iter()
        .find(|r| r.status == StatusKey::Code(status))
        .or_else(|| {
            op.responses
                .iter()
                .find(|r| matches!(r.status, StatusKey::Range(_)) && r.status.matches(status))
        })
        .or_else(|| op.responses.iter().find(|r| r.status == StatusKey::Default))
}

fn declared(op: &Operation) -> String {
    op.responses
        .iter()
        .map(|r| match r.status {
            StatusKey::Code(c) => c.to_string(),
            StatusKey::Range(n) => format!("{n}XX"),
            StatusKey::Default => "default".to_owned(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Everything wrong with one operation's settings against the spec.
fn check_operation(
    engine: &Engine,
    index: usize,
    op: &Operation,
    oc: &OperationConfig,
) -> Vec<Issue> {
    let mut out = Vec::new();
    for rule in &oc.rules {
        for c in &rule.when {
            if c.place == Place::Path && !op.path.contains(&format!("{{{}}}", c.name)) {
                let names: Vec<&str> = op
                    .path
                    .split('{')
                    .skip(1)
                    .filter_map(|s| s.split_once('}').map(|(n, _)| n))
                    .collect();
                let mut issue = Issue::new(
                    &c.pointer,
                    format!(
                        "`{}` is not a path parameter of {} {}",
                        c.name, op.method, op.path
                    ),
                );
                issue.at_key = true;
                issue.help = did_you_mean(&c.name, names.iter().copied())
                    .map(|s| format!("did you mean `{s}`?"));
                out.push(issue);
            }
        }
        for step in &rule.steps {
            check_reply(engine, index, op, step, &mut out);
        }
    }
    for f in oc.faults.iter().flatten() {
        if let FaultKind::Status { status, .. } = f.kind
            && response_for(op, status).is_none()
        {
            let mut issue = Issue::new(
                &f.pointer,
                format!(
                    "{} does not declare status {status} (declared: {}); the fault answers a generic problem body",
                    op.id,
                    declared(op)
                ),
            );
            issue.warning = true;
            out.push(issue);
        }
    }
    out
}

fn check_reply(engine: &Engine, index: usize, op: &Operation, reply: &Reply, out: &mut Vec<Issue>) {
    let Some(resp) = response_for(op, reply.status) else {
        out.push(Issue::new(
            &format!("{}/status", reply.pointer),
            format!(
                "{} does not declare status {} (declared: {})",
                op.id,
                reply.status,
                declared(op)
            ),
        ));
        return;
    };
    match &reply.body {
        ReplyBody::Example(name) => {
            let names: Vec<&str> = resp
                .content
                .iter()
                .flat_map(|m| m.examples.iter())
                .filter_map(|e| e.name.as_deref())
                .collect();
            if !names.contains(&name.as_str()) {
                let mut issue = Issue::new(
                    &format!("{}/example", reply.pointer),
                    format!(
                        "the {} response of {} has no example named `{name}`",
                        reply.status, op.id
                    ),
                );
                issue.help = Some(match did_you_mean(name, names.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None if names.is_empty() => "it has no named examples".to_owned(),
                    None => format!("its examples: {}", names.join(", ")),
                });
                out.push(issue);
            }
        }
        ReplyBody::Inline { value, pointer } => {
            for v in engine.check_response_body(index, reply.status, value) {
                out.push(Issue::new(
                    pointer,
                    format!(
                        "this body breaks the {} response schema of {}: {v}",
                        reply.status, op.id
                    ),
                ));
            }
        }
        ReplyBody::Declared | ReplyBody::Empty => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_fault_flag;

    fn behaviour(faults: &[&str], latency: Option<&str>) -> Behaviour {
        Behaviour {
            seed: 7,
            latency: latency.map(|l| Latency::parse(l).expect("valid")),
            faults: faults
                .iter()
                .map(|f| parse_fault_flag(f).expect("valid"))
                .collect(),
            ops: HashMap::new(),
            counter: AtomicU64::new(0),
            shapes: true,
        }
    }

    fn statuses(b: &Behaviour, n: usize) -> Vec<Option<Fault>> {
        (0..n)
            .map(|_| b.next_plan(Some("op")).and_then(|p| p.fault))
            .collect()
    }

    #[test]
    fn faults_are_reproducible_and_near_their_probability() {
        let a = statuses(&behaviour(&["503:0.2", "reset:0.1"], None), 1000);
        let b = statuses(&behaviour(&["503:0.2", "reset:0.1"], None), 1000);
        assert_eq!(a, b);
        let status = a
            .iter()
            .filter(|f| matches!(f, Some(Fault::Status { status: 503, .. })))
            .count();
        let reset = a.iter().filter(|f| **f == Some(Fault::Reset)).count();
        // Binomial(1000, 0.2): sd 12.6; (1000, 0.1): sd 9.5. Allow ~4 sd.
        assert!((150..=250).contains(&status), "503: {status}");
        assert!((60..=140).contains(&reset), "reset: {reset}");
        let other_seed = {
            let mut x = behaviour(&["503:0.2", "reset:0.1"], None);
            x.seed = 8;
            statuses(&x, 1000)
        };
        assert_ne!(a, other_seed);
    }

    #[test]
    fn retry_after_comes_with_429_and_503() {
        let b = behaviour(&["429:1"], None);
        assert_eq!(
            b.next_plan(None).and_then(|p| p.fault),
            Some(Fault::Status {
                status: 429,
                headers: vec![("Retry-After".into(), "1".into())]
            })
        );
    }

    #[test]
    fn nothing_configured_means_no_plan() {
        assert_eq!(behaviour(&[], None).next_plan(Some("op")), None);
        let p = behaviour(&[], Some("25ms")).next_plan(Some("op"));
        assert_eq!(
            p,
            Some(Plan {
                delay: std::time::Duration::from_millis(25),
                fault: None
            })
        );
    }

    #[test]
    fn scheduled_delays_follow_the_distribution() {
        let b = behaviour(&[], Some("lognormal:median=200ms,sigma=0.3"));
        let mut v: Vec<f64> = (0..400)
            .filter_map(|_| b.next_plan(Some("op")))
            .map(|p| p.delay.as_secs_f64() * 1000.0)
            .collect();
        v.sort_by(f64::total_cmp);
        let median = (v[199] + v[200]) / 2.0;
        assert!((median / 200.0 - 1.0).abs() < 0.10, "median {median}");
        // The central 68 % of a lognormal spans median·e^(±σ): 148 ms to 270 ms.
        let (p16, p84) = (v[64], v[336]);
        assert!((p16 / 148.2 - 1.0).abs() < 0.12, "p16 {p16}");
        assert!((p84 / 270.0 - 1.0).abs() < 0.12, "p84 {p84}");
    }

    #[test]
    fn faults_pick_by_cumulative_share() {
        let f: Vec<FaultRule> = ["500:0.25", "reset:0.25"]
            .iter()
            .map(|s| parse_fault_flag(s).expect("valid"))
            .collect();
        assert!(matches!(
            pick(&f, 0.1),
            Some(FaultKind::Status { status: 500, .. })
        ));
        assert_eq!(pick(&f, 0.3), Some(&FaultKind::Reset));
        assert_eq!(pick(&f, 0.5), None);
    }
}
