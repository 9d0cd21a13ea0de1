//! The signing key: `HMAC("AWS4" + secret, date)`, then region, service and
//! `aws4_request`, each an HMAC keyed by the previous step. Derived once per
//! (secret, date, region, service) and cached.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::fmt;
use std::sync::Mutex;

type HmacSha256 = Hmac<Sha256>;

/// A derived SigV4 signing key. Its `Debug` form never shows the bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningKey([u8; 32]);

impl SigningKey {
    /// Derives the key for `secret` on the scope `date/region/service`.
    pub fn derive(secret: &str, date: &str, region: &str, service: &str) -> SigningKey {
        // "AWS4" + secret without a heap allocation for ordinary secrets.
        let mut prefixed = [0u8; 128];
        let date_key = if secret.len() + 4 <= prefixed.len() {
            prefixed[..4].copy_from_slice(b"AWS4");
            prefixed[4..4 + secret.len()].copy_from_slice(secret.as_bytes());
            hmac(&prefixed[..4 + secret.len()], date.as_bytes())
        } else {
            hmac(format!("AWS4{secret}").as_bytes(), date.as_bytes())
        };
        let region_key = hmac(&date_key, region.as_bytes());
        let service_key = hmac(&region_key, service.as_bytes());
        SigningKey(hmac(&service_key, b"aws4_request"))
    }

    /// Wraps 32 bytes obtained elsewhere.
    pub fn from_bytes(bytes: [u8; 32]) -> SigningKey {
        SigningKey(bytes)
    }

    /// The raw key.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The key in lower-case hex, for showing the intermediates of a test
    /// vector. Do not log it for real credentials.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// `hex(HMAC(key, string_to_sign))`, the signature.
    pub fn sign(&self, string_to_sign: &str) -> String {
        hex::encode(hmac(&self.0, string_to_sign.as_bytes()))
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningKey(..)")
    }
}

pub(crate) fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length, so this never fails.
    let mut mac = match HmacSha256::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC-SHA256 takes keys of any length"),
    };
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// A small cache of derived signing keys. The key of an entry includes a
/// SHA-256 of the secret, so a rotated secret under the same access key id
/// never reuses a stale key, and the cache holds no secret.
#[derive(Debug, Default)]
pub struct KeyCache {
    entries: Mutex<Vec<CacheEntry>>,
}

#[derive(Debug)]
struct CacheEntry {
    secret_digest: [u8; 32],
    date: String,
    region: String,
    service: String,
    key: SigningKey,
}

/// Entries kept; old ones are evicted first. Real workloads sign for a
/// handful of (region, service) pairs per day.
const CACHE_CAPACITY: usize = 32;

impl KeyCache {
    /// An empty cache.
    pub fn new() -> KeyCache {
        KeyCache::default()
    }

    /// The key for this scope, derived on first use.
    pub fn get(&self, secret: &str, date: &str, region: &str, service: &str) -> SigningKey {
        let secret_digest: [u8; 32] = Sha256::digest(secret.as_bytes()).into();
        let matches = |entry: &CacheEntry| {
            entry.secret_digest == secret_digest
                && entry.date == date
                && entry.region == region
                && entry.service == service
        };
        // A poisoned lock only means another thread panicked mid-update of a
        // cache; deriving afresh is always correct.
        if let Ok(entries) = self.entries.lock() {
            if let Some(entry) = entries.iter().find(|e| matches(e)) {
                return entry.key.clone();
            }
        }
        let key = SigningKey::derive(secret, date, region, service);
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= CACHE_CAPACITY {
                entries.remove(0);
            }
            entries.push(CacheEntry {
                secret_digest,
                date: date.to_owned(),
                region: region.to_owned(),
                service: service.to_owned(),
                key: key.clone(),
            });
        }
        key
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    #[test]
    fn derives_the_published_key() {
        // From the AWS documentation's worked example (iam, 20150830).
        let key = SigningKey::derive(SECRET, "20150830", "us-east-1", "iam");
        assert_eq!(
            key.to_hex(),
            "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"
        );
        assert_eq!(format!("{key:?}"), "SigningKey(..)");
    }

    #[test]
    fn long_secrets_take_the_slow_path_with_the_same_result() {
        let long = "k".repeat(300);
        let expected = {
            let date_key = hmac(format!("AWS4{long}").as_bytes(), b"20150830");
            let region_key = hmac(&date_key, b"r");
            let service_key = hmac(&region_key, b"s");
            hmac(&service_key, b"aws4_request")
        };
        assert_eq!(
            SigningKey::derive(&long, "20150830", "r", "s").as_bytes(),
            &expected
        );
    }

    #[test]
    fn cache_separates_secrets_and_scopes() {
        let cache = KeyCache::new();
        let a = cache.get(SECRET, "20150830", "us-east-1", "iam");
        assert_eq!(a, cache.get(SECRET, "20150830", "us-east-1", "iam"));
        assert_ne!(a, cache.get("other", "20150830", "us-east-1", "iam"));
        assert_ne!(a, cache.get(SECRET, "20150831", "us-east-1", "iam"));
        for day in 0..100 {
            let date = format!("201508{day:02}");
            assert_eq!(
                cache.get(SECRET, &date, "r", "s"),
                SigningKey::derive(SECRET, &date, "r", "s")
            );
        }
    }
}
