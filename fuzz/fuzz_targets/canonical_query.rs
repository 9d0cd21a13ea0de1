//! Canonical query: never panics, is idempotent, and uses only unreserved
//! characters, `%XX` escapes, `=` and `&`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigv4_signer::canonical_query;

fuzz_target!(|query: &str| {
    let mut once = String::new();
    canonical_query(query, &[], &mut once);
    let mut twice = String::new();
    canonical_query(&once, &[], &mut twice);
    assert_eq!(once, twice, "not idempotent for {query:?}");
    assert!(once
        .bytes()
        .all(|b| sigv4_signer::is_unreserved(b) || b"%=&".contains(&b)));
});
