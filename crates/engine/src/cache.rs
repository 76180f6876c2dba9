//! Rendered responses, so repeated static requests cost no generation or encoding.
//!
//! Static mode is deterministic per (operation, status, media type, example, seed, URL), so a
//! rendered response can be reused. Responses that do not depend on the URL (the body came
//! from an example and every header from an example) go into `fixed`, which holds at most
//! one entry per (operation, response, media type, example) and is never evicted. The others
//! go into a byte-capped, sharded map: a shard that would exceed its share of the cap is
//! emptied and starts over (cheap, and a mock's working set is small).

use crate::problem::Entry;
use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, BuildHasherDefault, Hash, Hasher};
use std::sync::{Arc, OnceLock, PoisonError, RwLock};

/// A response as rendered, before HEAD handling and the `--errors` check.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Index of the negotiated media type in the response's `content`.
    pub media: Option<usize>,
    /// Where the body and headers break the response's schemas.
    pub violations: Vec<Entry>,
    /// Neither the body nor any header depends on the URL.
    pub url_independent: bool,
    /// How this body takes a `validation` list when it answers an invalid request (see
    /// `Engine::with_validation`), worked out on first use.
    pub splice: OnceLock<Splice>,
}

/// How a declared error body takes the `validation` member.
#[derive(Debug, Clone)]
pub enum Splice {
    /// Not a JSON object, it has a `validation` member already, or it fails its schema: it
    /// is sent as it is.
    Never,
    /// The response schema cannot see a `validation` member: the body is `head`, the member,
    /// and the closing brace. `empty`: `head` is the `{` of an object without members.
    Append { head: Vec<u8>, empty: bool },
    /// The schema may judge the member: every body is checked (the parsed object, with a
    /// problem document's `status` already set).
    Check(serde_json::Map<String, serde_json::Value>),
}

impl Rendered {
    fn bytes(&self, key: &Key<'_>) -> usize {
        key.bytes()
            + self.body.len()
            + self
                .headers
                .iter()
                .map(|(n, v)| n.len() + v.len() + 48)
                .sum::<usize>()
            + 128
    }
}

/// What a static render depends on. Borrowed for lookups, so a hit allocates nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key<'a> {
    pub op: usize,
    pub resp: usize,
    pub status: u16,
    /// Index of the negotiated media type.
    pub media: Option<usize>,
    /// A named example asked for.
    pub example: Option<&'a str>,
    /// The URL-dependent part: a per-request seed, the path and the query.
    pub seed: Option<&'a str>,
    pub path: &'a str,
    pub query: &'a str,
}

impl Key<'_> {
    /// The URL-independent part.
    fn fixed(&self) -> (usize, usize, u16, Option<usize>, Option<&str>) {
        (self.op, self.resp, self.status, self.media, self.example)
    }

    fn bytes(&self) -> usize {
        self.path.len()
            + self.query.len()
            + self.example.map_or(0, str::len)
            + self.seed.map_or(0, str::len)
            + 64
    }
}

/// A [`Key`] as stored.
#[derive(Debug)]
struct Owned {
    op: usize,
    resp: usize,
    status: u16,
    media: Option<usize>,
    example: Option<String>,
    seed: Option<String>,
    path: String,
    query: String,
}

impl Owned {
    fn new(k: &Key<'_>) -> Owned {
        Owned {
            op: k.op,
            resp: k.resp,
            status: k.status,
            media: k.media,
            example: k.example.map(str::to_owned),
            seed: k.seed.map(str::to_owned),
            path: k.path.to_owned(),
            query: k.query.to_owned(),
        }
    }

    fn fixed_matches(&self, k: &Key<'_>) -> bool {
        (
            self.op,
            self.resp,
            self.status,
            self.media,
            self.example.as_deref(),
        ) == k.fixed()
    }

    fn matches(&self, k: &Key<'_>) -> bool {
        self.fixed_matches(k)
            && self.seed.as_deref() == k.seed
            && self.path == k.path
            && self.query == k.query
    }
}

/// Entries by hash; the few that share a hash are told apart by their keys.
type Buckets = HashMap<u64, Vec<(Owned, Arc<Rendered>)>, BuildHasherDefault<Identity>>;

/// The keys are hashes already.
#[derive(Default)]
struct Identity(u64);

impl Hasher for Identity {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

const SHARDS: usize = 16;

#[derive(Default)]
struct Shard {
    map: Buckets,
    bytes: usize,
}

pub struct Cache {
    fixed: RwLock<Buckets>,
    shards: Vec<RwLock<Shard>>,
    shard_cap: usize,
    /// Keyed per process: request paths cannot be chosen to collide.
    hasher: RandomState,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache")
            .field("shard_cap", &self.shard_cap)
            .finish_non_exhaustive()
    }
}

impl Cache {
    /// A cache holding at most about `cap_bytes` of URL-dependent responses.
    pub fn new(cap_bytes: usize) -> Cache {
        Cache {
            fixed: RwLock::new(Buckets::default()),
            shards: (0..SHARDS).map(|_| RwLock::new(Shard::default())).collect(),
            shard_cap: cap_bytes / SHARDS,
            hasher: RandomState::new(),
        }
    }

    /// The hashes of the URL-independent part and of the whole key, in one pass.
    fn hashes(&self, key: &Key<'_>) -> (u64, u64) {
        let mut h = self.hasher.build_hasher();
        key.fixed().hash(&mut h);
        let fixed = h.clone().finish();
        (key.seed, key.path, key.query).hash(&mut h);
        (fixed, h.finish())
    }

    fn shard(&self, hash: u64) -> &RwLock<Shard> {
        // The modulo keeps the index in range.
        &self.shards[usize::try_from(hash % SHARDS as u64).unwrap_or(0)]
    }

    /// The response cached for `key`: URL-independent ones first.
    pub fn get(&self, key: &Key<'_>) -> Option<Arc<Rendered>> {
        let (fixed_hash, hash) = self.hashes(key);
        if let Some(bucket) = self
            .fixed
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&fixed_hash)
            && let Some((_, r)) = bucket.iter().find(|(k, _)| k.fixed_matches(key))
        {
            return Some(Arc::clone(r));
        }
        self.shard(hash)
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .map
            .get(&hash)?
            .iter()
            .find(|(k, _)| k.matches(key))
            .map(|(_, r)| Arc::clone(r))
    }

    pub fn insert(&self, key: &Key<'_>, rendered: Arc<Rendered>) {
        let (fixed_hash, hash) = self.hashes(key);
        if rendered.url_independent {
            let mut fixed = self.fixed.write().unwrap_or_else(PoisonError::into_inner);
            let bucket = fixed.entry(fixed_hash).or_default();
            match bucket.iter_mut().find(|(k, _)| k.fixed_matches(key)) {
                Some(entry) => entry.1 = rendered,
                None => bucket.push((Owned::new(key), rendered)),
            }
            return;
        }
        let size = rendered.bytes(key);
        if size > self.shard_cap {
            return;
        }
        let mut shard = self
            .shard(hash)
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        if shard.bytes + size > self.shard_cap {
            shard.map.clear();
            shard.bytes = 0;
        }
        let bucket = shard.map.entry(hash).or_default();
        match bucket.iter_mut().find(|(k, _)| k.matches(key)) {
            Some(entry) => entry.1 = rendered,
            None => {
                bucket.push((Owned::new(key), rendered));
                shard.bytes += size;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key<'a>(op: usize, path: &'a str) -> Key<'a> {
        Key {
            op,
            resp: 0,
            status: 200,
            media: Some(0),
            example: None,
            seed: None,
            path,
            query: "",
        }
    }

    #[test]
    fn caps_bytes_and_keeps_fixed_entries() {
        let cache = Cache::new(16 * 4096);
        let big = |url_independent| {
            Arc::new(Rendered {
                body: vec![b'x'; 1000],
                url_independent,
                ..Rendered::default()
            })
        };
        cache.insert(&key(1, "/u0"), big(true));
        for i in 0..10_000 {
            cache.insert(&key(2, &format!("/u{i}")), big(false));
        }
        assert!(cache.get(&key(1, "/zzz")).is_some());
        assert!(cache.get(&key(2, "/u9999")).is_some());
        assert!(cache.get(&key(2, "/u0")).is_none());
        assert!(cache.get(&key(3, "/u9999")).is_none());
        let total: usize = cache
            .shards
            .iter()
            .map(|s| s.read().map(|s| s.bytes).unwrap_or(0))
            .sum();
        assert!(total <= 16 * 4096, "{total}");
    }

    #[test]
    fn keys_differ_in_every_part() {
        let cache = Cache::new(1 << 20);
        let base = Key {
            query: "a=1",
            seed: Some("7"),
            example: Some("e"),
            ..key(0, "/p")
        };
        let one = |body: &str| {
            Arc::new(Rendered {
                body: body.as_bytes().to_vec(),
                ..Rendered::default()
            })
        };
        cache.insert(&base, one("base"));
        let variants = [
            Key { op: 1, ..base },
            Key { resp: 1, ..base },
            Key {
                status: 201,
                ..base
            },
            Key {
                media: None,
                ..base
            },
            Key {
                example: None,
                ..base
            },
            Key { seed: None, ..base },
            Key { path: "/q", ..base },
            Key {
                query: "a=2",
                ..base
            },
        ];
        for v in &variants {
            assert!(cache.get(v).is_none(), "{v:?}");
        }
        assert_eq!(
            cache.get(&base).map(|r| r.body.clone()),
            Some(b"base".to_vec())
        );
    }
}
