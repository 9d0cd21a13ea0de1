//! The signing key: `HMAC("AWS4" + secret, date)`, then region, service and
//! `aws4_request`, each an HMAC keyed by the previous step. Derived once per
//! (secret, date, region, service) and cached, together with the HMAC state
//! keyed by it, so a cached signature costs only the compressions of the
//! string to sign.

use crate::scan::same_bytes;
use sha2::digest::core_api::{Block, Buffer, UpdateCore, VariableOutputCore};
use sha2::digest::generic_array::GenericArray;
use sha2::Sha256VarCore;
use std::fmt;
use std::sync::{Arc, RwLock};

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
            derivation_hmac(&prefixed[..4 + secret.len()], date.as_bytes())
        } else {
            hmac(format!("AWS4{secret}").as_bytes(), date.as_bytes())
        };
        let region_key = derivation_hmac(&date_key, region.as_bytes());
        let service_key = derivation_hmac(&region_key, service.as_bytes());
        SigningKey(derivation_hmac(&service_key, b"aws4_request"))
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

/// SHA-256 straight on `sha2`'s block function: whole blocks of `data` are
/// compressed in place, only the tail is buffered.
fn sha256_core() -> Sha256VarCore {
    match Sha256VarCore::new(32) {
        Ok(core) => core,
        Err(_) => unreachable!("SHA-256 has a 32-byte output"),
    }
}

fn finish(mut core: Sha256VarCore, data: &[u8]) -> [u8; 32] {
    let mut buffer = Buffer::<Sha256VarCore>::default();
    buffer.digest_blocks(data, |blocks| core.update_blocks(blocks));
    let mut out = GenericArray::default();
    core.finalize_variable_core(&mut buffer, &mut out);
    out.into()
}

/// The SHA-256 of `data`.
pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    finish(sha256_core(), data)
}

/// HMAC-SHA256 (RFC 2104) with the key absorbed: the hash states after the
/// block `key ^ ipad` and after the block `key ^ opad`. A MAC from it costs
/// the compressions of the message and one more, nothing else.
#[derive(Clone)]
pub(crate) struct HmacState {
    inner: Sha256VarCore,
    outer: Sha256VarCore,
}

impl HmacState {
    pub(crate) fn new(key: &[u8]) -> HmacState {
        let mut block = [0u8; 64];
        if key.len() <= block.len() {
            block[..key.len()].copy_from_slice(key);
        } else {
            // A key longer than a block is hashed first.
            block[..32].copy_from_slice(&sha256(key));
        }
        let state = |pad: u8| {
            let mut core = sha256_core();
            let padded: Block<Sha256VarCore> = block.map(|b| b ^ pad).into();
            core.update_blocks(std::slice::from_ref(&padded));
            core
        };
        HmacState {
            inner: state(0x36),
            outer: state(0x5c),
        }
    }

    /// `HMAC(key, data)`.
    pub(crate) fn mac(&self, data: &[u8]) -> [u8; 32] {
        let inner = finish(self.inner.clone(), data);
        finish(self.outer.clone(), &inner)
    }
}

pub(crate) fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    HmacState::new(key).mac(data)
}

/// SHA-256's initial state (FIPS 180-4, section 5.3.3).
const SHA256_INITIAL_STATE: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// The longest message that fits, with its padding, in the block after
/// the key's: 64 bytes less the `0x80` byte and the 8-byte length.
const ONE_BLOCK_MESSAGE: usize = 55;

/// [`hmac()`] for key derivation, whose keys (at most a block) and
/// messages (a date, a region, a service, `aws4_request`) are short: with
/// the padding written here, each of the two hashes is one call to the
/// block function with two blocks, where the general path takes four
/// calls through `sha2`'s buffering. Anything longer takes that path.
fn derivation_hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    if key.len() > 64 || data.len() > ONE_BLOCK_MESSAGE {
        return hmac(key, data);
    }
    let mut key_block = [0u8; 64];
    key_block[..key.len()].copy_from_slice(key);
    let inner = hash_of_padded_key_and(&key_block, 0x36, data);
    hash_of_padded_key_and(&key_block, 0x5c, &inner)
}

/// The SHA-256 of `key_block ^ pad` followed by `tail` (at most
/// [`ONE_BLOCK_MESSAGE`] bytes).
fn hash_of_padded_key_and(key_block: &[u8; 64], pad: u8, tail: &[u8]) -> [u8; 32] {
    let mut blocks: [Block<Sha256VarCore>; 2] = Default::default();
    for (byte, key) in blocks[0].iter_mut().zip(key_block) {
        *byte = key ^ pad;
    }
    let [_, last] = &mut blocks;
    last[..tail.len()].copy_from_slice(tail);
    last[tail.len()] = 0x80;
    let bits = (64 + tail.len() as u64) * 8;
    last[56..].copy_from_slice(&bits.to_be_bytes());
    let mut state = SHA256_INITIAL_STATE;
    sha2::compress256(&mut state, &blocks);
    let mut digest = [0u8; 32];
    for (bytes, word) in digest.chunks_exact_mut(4).zip(state) {
        bytes.copy_from_slice(&word.to_be_bytes());
    }
    digest
}

/// A signing key with its HMAC inner and outer states computed once (the
/// compressions of `key ^ ipad` and `key ^ opad`): a signature from it
/// compresses only the string to sign and the outer block.
#[derive(Clone)]
pub(crate) struct PreparedKey {
    key: SigningKey,
    mac: HmacState,
}

impl PreparedKey {
    pub(crate) fn new(key: SigningKey) -> PreparedKey {
        let mac = HmacState::new(&key.0);
        PreparedKey { key, mac }
    }

    pub(crate) fn key(&self) -> &SigningKey {
        &self.key
    }

    /// `HMAC(key, string_to_sign)`, from the prepared states.
    pub(crate) fn sign(&self, string_to_sign: &[u8]) -> [u8; 32] {
        self.mac.mac(string_to_sign)
    }

    /// [`PreparedKey::sign`], resuming from `memo` when the string to sign
    /// starts with the block `memo` holds the state after, under this
    /// key (see [`FirstBlockMemo`]).
    pub(crate) fn sign_remembering(
        &self,
        string_to_sign: &[u8],
        memo: &mut FirstBlockMemo,
    ) -> [u8; 32] {
        let (inner, rest) = memo.resume(&self.mac.inner, Some(&self.key.0), string_to_sign);
        let inner = finish(inner, rest);
        finish(self.mac.outer.clone(), &inner)
    }
}

/// [`sha256`], resuming from `memo` when `data` starts with the block
/// `memo` holds the state after (see [`FirstBlockMemo`]).
pub(crate) fn sha256_remembering(data: &[u8], memo: &mut FirstBlockMemo) -> [u8; 32] {
    let (state, rest) = memo.resume(&sha256_core(), None, data);
    finish(state, rest)
}

/// The hash state after the first block of a message, kept by a reused
/// output ([`crate::Signed`], [`crate::verify::VerifyScratch`]) for the
/// next message that starts with the same 64 bytes. Two are kept:
///
/// - The string to sign's: its first block is `AWS4-HMAC-SHA256`, the time
///   to the second and the start of the scope, the same for every
///   signature made in one second for one scope. Under the HMAC, so the
///   state starts from the signing key's inner state.
/// - The canonical request's: its first block is the method, the path and
///   what follows them (the start of the query, or the first headers).
///   A client that calls one endpoint again and again repeats it (every
///   DynamoDB call botocore signs starts `POST\n/\n\ncontent-type:` and
///   the same type and host); a stream of different paths does not, and
///   pays for the comparison and the copy only.
///
/// The state is made the second time in a row the block is seen: the first
/// time only the block is copied, so a stream whose first blocks all
/// differ compresses nothing more than without a memo (one call for all
/// the blocks, not one for the first and one for the rest). Measured
/// (docs/performance.md): the first call after a miss costs nothing
/// measurable, a hit saves about 25 to 30 ns, one compression.
///
/// The memo is keyed by the block itself and by where its state started,
/// not by what either was derived from, so it cannot be served for
/// another key or text. A keyed memo holds a copy of the signing key,
/// which the output it sits in holds anyway ([`crate::Signed::signing_key`];
/// a `VerifyScratch` through its remembered cache entry), and never shows
/// it.
#[derive(Clone, Default)]
pub(crate) struct FirstBlockMemo(Option<FirstBlock>);

#[derive(Clone)]
struct FirstBlock {
    /// Where the state starts: the signing key whose HMAC inner state it
    /// is, or `None` for SHA-256's initial state.
    key: Option<[u8; 32]>,
    /// The message's first 64 bytes.
    block: [u8; 64],
    /// The state after `block`, once the block has been seen twice in a
    /// row.
    after: Option<Sha256VarCore>,
}

impl FirstBlockMemo {
    /// The hash state to go on from, and what of `data` is left to hash:
    /// the state after `data`'s first block when this memo holds it for
    /// `start` (identified by `key`), else `start` and all of `data`.
    fn resume<'d>(
        &mut self,
        start: &Sha256VarCore,
        key: Option<&[u8; 32]>,
        data: &'d [u8],
    ) -> (Sha256VarCore, &'d [u8]) {
        let Some((first, rest)) = data.split_first_chunk::<64>() else {
            return (start.clone(), data);
        };
        if let Some(known) = &mut self.0 {
            let same_start = match (&known.key, key) {
                (None, None) => true,
                (Some(known_key), Some(key)) => same_bytes(known_key, key),
                _ => false,
            };
            if same_start && same_bytes(&known.block, first) {
                let after = known.after.get_or_insert_with(|| {
                    let mut state = start.clone();
                    let block = Block::<Sha256VarCore>::from_slice(first);
                    state.update_blocks(std::slice::from_ref(block));
                    state
                });
                return (after.clone(), rest);
            }
        }
        self.0 = Some(FirstBlock {
            key: key.copied(),
            block: *first,
            after: None,
        });
        (start.clone(), data)
    }
}

impl fmt::Debug for FirstBlockMemo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Possibly keyed by the signing key: only whether there is one is
        // shown.
        show_presence(f, "FirstBlockMemo", self.0.is_some())
    }
}

/// A small cache of derived signing keys with their prepared HMAC states.
///
/// An entry is found by its exact date, region, service and secret, so a
/// rotated secret under the same access key id never reuses a stale key.
/// The entry keeps a copy of the secret to compare with, zeroed when the
/// entry is evicted or the cache dropped and no reused output
/// ([`crate::Signed`], [`crate::verify::VerifyScratch`]) holds it any more.
/// Comparing costs a few nanoseconds; a keyed fingerprint of the secret
/// (SipHash, as this cache once kept) cost about 30 ns per signature, a
/// SHA-256 about 50 ns. The copy adds little exposure: the derived keys
/// beside it sign for their scope all day, and the caller holds the secret
/// in the same process.
#[derive(Default)]
pub struct KeyCache {
    // Read-locked on a lookup: threads signing with one cache do not queue
    // behind each other; a write lock is taken only to add. Entries are
    // shared with the `RecentKey`s of reused outputs.
    entries: RwLock<Vec<Arc<CacheEntry>>>,
}

impl fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let entries = self.entries.read().map_or(0, |entries| entries.len());
        f.debug_struct("KeyCache")
            .field("entries", &entries)
            .finish_non_exhaustive()
    }
}

struct CacheEntry {
    /// The date, region, service and secret, one after another.
    scope_and_secret: ZeroedOnDrop,
    /// The lengths of the date, region and service; the secret is the
    /// rest.
    lens: [usize; 3],
    key: PreparedKey,
}

impl CacheEntry {
    fn new(secret: &str, date: &str, region: &str, service: &str, key: PreparedKey) -> CacheEntry {
        let text = [date, region, service, secret].concat().into_bytes();
        CacheEntry {
            scope_and_secret: ZeroedOnDrop(text.into_boxed_slice()),
            lens: [date.len(), region.len(), service.len()],
            key,
        }
    }

    fn matches(&self, secret: &str, date: &str, region: &str, service: &str) -> bool {
        let text = &self.scope_and_secret.0[..];
        let [date_len, region_len, service_len] = self.lens;
        // Lengths first: a mismatch is usually found without reading the
        // heap.
        if date_len != date.len()
            || region_len != region.len()
            || service_len != service.len()
            || text.len() != date_len + region_len + service_len + secret.len()
        {
            return false;
        }
        let (entry_date, rest) = text.split_at(date_len);
        let (entry_region, rest) = rest.split_at(region_len);
        let (entry_service, entry_secret) = rest.split_at(service_len);
        same_bytes(entry_date, date.as_bytes())
            && same_bytes(entry_region, region.as_bytes())
            && same_bytes(entry_service, service.as_bytes())
            && same_bytes(entry_secret, secret.as_bytes())
    }
}

/// Bytes overwritten with zeros before their memory is freed.
struct ZeroedOnDrop(Box<[u8]>);

impl Drop for ZeroedOnDrop {
    fn drop(&mut self) {
        self.0.fill(0);
        // Asks the compiler not to drop the writes as dead stores: a best
        // effort (`black_box` promises nothing), and copies the allocator
        // or the operating system made are out of reach anyway.
        std::hint::black_box(&self.0);
    }
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
        self.get_prepared(secret, date, region, service).key
    }

    /// The key for this scope with its HMAC states, derived on first use.
    pub(crate) fn get_prepared(
        &self,
        secret: &str,
        date: &str,
        region: &str,
        service: &str,
    ) -> PreparedKey {
        self.find(secret, date, region, service, |entry| entry.key.clone())
            .unwrap_or_else(|| self.insert(secret, date, region, service).key.clone())
    }

    /// The entry for this scope, added if missing.
    fn entry(&self, secret: &str, date: &str, region: &str, service: &str) -> Arc<CacheEntry> {
        self.find(secret, date, region, service, Arc::clone)
            .unwrap_or_else(|| self.insert(secret, date, region, service))
    }

    /// `found` of the entry for this scope, if there is one, under the read
    /// lock. A poisoned lock only means another thread panicked mid-update
    /// of a cache; deriving afresh is always correct.
    fn find<T>(
        &self,
        secret: &str,
        date: &str,
        region: &str,
        service: &str,
        found: impl FnOnce(&Arc<CacheEntry>) -> T,
    ) -> Option<T> {
        let entries = self.entries.read().ok()?;
        let entry = entries
            .iter()
            .rev()
            .find(|e| e.matches(secret, date, region, service))?;
        Some(found(entry))
    }

    /// Derives the key and adds its entry, unless another thread has.
    fn insert(&self, secret: &str, date: &str, region: &str, service: &str) -> Arc<CacheEntry> {
        let key = PreparedKey::new(SigningKey::derive(secret, date, region, service));
        let fresh = Arc::new(CacheEntry::new(secret, date, region, service, key));
        if let Ok(mut entries) = self.entries.write() {
            if let Some(entry) = entries
                .iter()
                .find(|e| e.matches(secret, date, region, service))
            {
                return Arc::clone(entry);
            }
            if entries.len() >= CACHE_CAPACITY {
                entries.remove(0);
            }
            entries.push(Arc::clone(&fresh));
        }
        fresh
    }
}

/// The cache entry that a reused output ([`crate::Signed`],
/// [`crate::verify::VerifyScratch`]) was last signed or verified with. A stream of
/// signatures for one scope finds its key here, compared as the cache
/// compares, without taking the cache's lock: the lock's two atomic
/// instructions were most of a lookup's cost, and the first of them waits
/// for every write before it.
///
/// The entry is shared with the cache: its copy of the secret is zeroed
/// when both the cache and the output have let go of it.
#[derive(Clone, Default)]
pub(crate) struct RecentKey(Option<Arc<CacheEntry>>);

impl RecentKey {
    /// The key for this scope, from the remembered entry or else from
    /// `cache` (which derives it on first use); the entry is remembered.
    pub(crate) fn get(
        &mut self,
        cache: &KeyCache,
        secret: &str,
        date: &str,
        region: &str,
        service: &str,
    ) -> PreparedKey {
        match &self.0 {
            Some(entry) if entry.matches(secret, date, region, service) => entry.key.clone(),
            _ => {
                let entry = cache.entry(secret, date, region, service);
                let key = entry.key.clone();
                self.0 = Some(entry);
                key
            }
        }
    }
}

impl fmt::Debug for RecentKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The entry holds a secret: only whether there is one is shown.
        show_presence(f, "RecentKey", self.0.is_some())
    }
}

/// `Name(..)` when something is held, `Name(None)` when not: the debug
/// form of what holds secrets or keys.
fn show_presence(f: &mut fmt::Formatter<'_>, name: &str, present: bool) -> fmt::Result {
    let inside = if present { ".." } else { "None" };
    write!(f, "{name}({inside})")
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
    fn block_level_hmac_and_sha256_match_the_hmac_and_sha2_crates() {
        use hmac::{Hmac, Mac};
        use sha2::{Digest, Sha256};
        // Keys and messages around every block boundary, and keys longer
        // than a block (hashed first).
        for key_len in [0, 1, 31, 32, 33, 55, 56, 63, 64, 65, 100, 200] {
            let key: Vec<u8> = (0..key_len).map(|i| (i * 7 + 3) as u8).collect();
            let state = HmacState::new(&key);
            for data_len in [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 129, 1000] {
                let data: Vec<u8> = (0..data_len).map(|i| (i * 13 + 1) as u8).collect();
                let mut expected = <Hmac<Sha256> as Mac>::new_from_slice(&key).expect("any key");
                expected.update(&data);
                let expected: [u8; 32] = expected.finalize().into_bytes().into();
                assert_eq!(state.mac(&data), expected, "{key_len} {data_len}");
                assert_eq!(hmac(&key, &data), expected, "{key_len} {data_len}");
                let digest: [u8; 32] = Sha256::digest(&data).into();
                assert_eq!(sha256(&data), digest, "{data_len}");
            }
        }
    }

    #[test]
    fn derivation_hmac_matches_the_general_one_at_every_short_length() {
        // Every key length up to a block and beyond, every message length
        // around the one-block limit: the padding is written by hand.
        for key_len in 0..=66 {
            let key: Vec<u8> = (0..key_len).map(|i| (i * 11 + 5) as u8).collect();
            for data_len in 0..=ONE_BLOCK_MESSAGE + 2 {
                let data: Vec<u8> = (0..data_len).map(|i| (i * 17 + 2) as u8).collect();
                assert_eq!(
                    derivation_hmac(&key, &data),
                    hmac(&key, &data),
                    "{key_len} {data_len}"
                );
            }
        }
    }

    #[test]
    fn prepared_keys_sign_as_signing_keys_do() {
        let key = SigningKey::derive(SECRET, "20150830", "us-east-1", "iam");
        let prepared = PreparedKey::new(key.clone());
        for sts in ["", "AWS4-HMAC-SHA256\n20150830T123600Z\n", &"x".repeat(300)] {
            assert_eq!(hex::encode(prepared.sign(sts.as_bytes())), key.sign(sts));
        }
        assert_eq!(prepared.key(), &key);
    }

    #[test]
    fn a_first_block_memo_is_only_served_for_its_own_start_and_block() {
        let key_a = PreparedKey::new(SigningKey::derive(SECRET, "20150830", "us-east-1", "iam"));
        let key_b = PreparedKey::new(SigningKey::derive("other", "20150830", "us-east-1", "iam"));
        let head = "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\n";
        let next_second = head.replace("123600Z", "123601Z");
        let digest_a = "a".repeat(64);
        let digest_b = "b".repeat(64);
        let strings = [
            format!("{head}{digest_a}"),
            format!("{head}{digest_b}"),
            format!("{next_second}{digest_a}"),
            // Around the block's end, and shorter than a block.
            head[..64].to_owned(),
            head[..65].to_owned(),
            head[..63].to_owned(),
            String::new(),
        ];
        let mut memo = FirstBlockMemo::default();
        // Over one memo: each block seen the first time, the second (the
        // state is made) and the third (it is served), then another block
        // under the same start (a miss by block); the same block under
        // another key, and under the plain hash's start against a key's
        // (misses by start); strings too short to have a first block and a
        // rest. Each run of blocks ends with string 0, which the next start
        // begins with.
        let blocks = [0, 0, 0, 1, 1, 1, 0, 2, 2, 2, 3, 3, 3, 4, 4, 5, 6, 0, 0];
        let starts = [0, 0, 1, 1, 2, 2, 0, 2, 1, 0];
        let keys = [Some(&key_a), Some(&key_b), None];
        for (step, (&start, &index)) in starts
            .iter()
            .flat_map(|start| blocks.iter().map(move |index| (start, index)))
            .enumerate()
        {
            let what = format!("step {step}, start {start}, string {index}");
            let data = strings[index].as_bytes();
            match keys[start] {
                Some(key) => assert_eq!(
                    key.sign_remembering(data, &mut memo),
                    key.sign(data),
                    "{what}"
                ),
                None => assert_eq!(sha256_remembering(data, &mut memo), sha256(data), "{what}"),
            }
        }
        assert_eq!(format!("{memo:?}"), "FirstBlockMemo(..)");
        assert_eq!(
            format!("{:?}", FirstBlockMemo::default()),
            "FirstBlockMemo(None)"
        );
    }

    #[test]
    fn sha256_matches_the_sha2_digest_around_block_boundaries() {
        use sha2::{Digest, Sha256};
        let text: Vec<u8> = (0..300u32).map(|i| (i * 31 + 7) as u8).collect();
        for len in [0, 1, 55, 56, 63, 64, 65, 119, 120, 127, 128, 129, 200, 300] {
            let expected: [u8; 32] = Sha256::digest(&text[..len]).into();
            assert_eq!(sha256(&text[..len]), expected, "{len} bytes");
        }
    }

    #[test]
    fn cache_shared_by_threads_gives_each_its_own_key() {
        // Four threads, two secrets, more scopes than the cache keeps:
        // lookups, insertions and evictions interleave.
        let cache = KeyCache::new();
        std::thread::scope(|scope| {
            for thread in 0..4u8 {
                let cache = &cache;
                scope.spawn(move || {
                    let secret = if thread % 2 == 0 {
                        SECRET
                    } else {
                        "other secret"
                    };
                    for round in 0..200 {
                        let service = format!("s{}", (round + usize::from(thread)) % 40);
                        assert_eq!(
                            cache.get(secret, "20150830", "us-east-1", &service),
                            SigningKey::derive(secret, "20150830", "us-east-1", &service),
                        );
                    }
                });
            }
        });
    }

    #[test]
    fn cache_separates_secrets_and_scopes() {
        let cache = KeyCache::new();
        let a = cache.get(SECRET, "20150830", "us-east-1", "iam");
        assert_eq!(a, cache.get(SECRET, "20150830", "us-east-1", "iam"));
        assert_ne!(a, cache.get("other", "20150830", "us-east-1", "iam"));
        assert_ne!(a, cache.get(SECRET, "20150831", "us-east-1", "iam"));
        // The same text split differently between the parts: each part
        // is compared on its own.
        let splits = [
            (SECRET, "20150830", "us-east-1", "iam"),
            ("m", "20150830", "us-east-1", "ia"),
            (SECRET, "20150830", "us-east-1i", "am"),
            ("iam", "20150830", "us-east-1", ""),
            (&SECRET[1..], "20150830", "us-east-1", "iamw"),
        ];
        for (secret, date, region, service) in splits {
            assert_eq!(
                cache.get(secret, date, region, service),
                SigningKey::derive(secret, date, region, service),
                "{secret} {date} {region} {service}"
            );
        }
        for day in 0..100 {
            let date = format!("201508{day:02}");
            assert_eq!(
                cache.get(SECRET, &date, "r", "s"),
                SigningKey::derive(SECRET, &date, "r", "s")
            );
        }
    }
}
