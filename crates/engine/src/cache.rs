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
use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
use std::sync::{Arc, PoisonError, RwLock};

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
}

impl Rendered {
    fn bytes(&self, key: &str) -> usize {
        key.len()
            + self.body.len()
            + self
                .headers
                .iter()
                .map(|(n, v)| n.len() + v.len() + 48)
                .sum::<usize>()
            + 128
    }
}

const SHARDS: usize = 16;

#[derive(Default)]
struct Shard {
    map: HashMap<String, Arc<Rendered>>,
    bytes: usize,
}

pub struct Cache {
    fixed: RwLock<HashMap<String, Arc<Rendered>>>,
    shards: Vec<RwLock<Shard>>,
    shard_cap: usize,
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
            fixed: RwLock::new(HashMap::new()),
            shards: (0..SHARDS).map(|_| RwLock::new(Shard::default())).collect(),
            shard_cap: cap_bytes / SHARDS,
        }
    }

    fn shard(&self, key: &str) -> &RwLock<Shard> {
        let hash = BuildHasherDefault::<DefaultHasher>::default().hash_one(key);
        // The modulo keeps the index in range.
        &self.shards[usize::try_from(hash % SHARDS as u64).unwrap_or(0)]
    }

    /// The response cached under `fixed_key` (URL-independent) or `url_key`.
    pub fn get(&self, fixed_key: &str, url_key: &str) -> Option<Arc<Rendered>> {
        if let Some(r) = self
            .fixed
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(fixed_key)
        {
            return Some(Arc::clone(r));
        }
        self.shard(url_key)
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .map
            .get(url_key)
            .cloned()
    }

    pub fn insert(&self, fixed_key: &str, url_key: &str, rendered: Arc<Rendered>) {
        if rendered.url_independent {
            self.fixed
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(fixed_key.to_owned(), rendered);
            return;
        }
        let size = rendered.bytes(url_key);
        if size > self.shard_cap {
            return;
        }
        let mut shard = self
            .shard(url_key)
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        if shard.bytes + size > self.shard_cap {
            shard.map.clear();
            shard.bytes = 0;
        }
        if shard.map.insert(url_key.to_owned(), rendered).is_none() {
            shard.bytes += size;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        cache.insert("f", "u0", big(true));
        for i in 0..10_000 {
            cache.insert("g", &format!("u{i}"), big(false));
        }
        assert!(cache.get("f", "zzz").is_some());
        assert!(cache.get("g", "u9999").is_some());
        assert!(cache.get("g", "u0").is_none());
        let total: usize = cache
            .shards
            .iter()
            .map(|s| s.read().map(|s| s.bytes).unwrap_or(0))
            .sum();
        assert!(total <= 16 * 4096, "{total}");
    }
}
