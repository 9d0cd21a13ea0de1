//! Seed inputs for every target, generated from the embedded vectors, so
//! a campaign starts from every published case rather than from nothing.
//! `cargo run --manifest-path fuzz/Cargo.toml -p sigv4-fuzz-props --bin
//! write-seeds` rewrites `fuzz/seeds/<target>/`; the main workspace's test
//! `fuzz_replay::seeds_are_up_to_date` fails when they are stale.

use crate::request::SignInput;
use crate::targets;
use crate::text::{encode, Encode, Text};
use sigv4_signer::verify::{parse_authorization, parse_presigned};
use sigv4_signer::{sign, SigningTime};
use sigv4_vectors::{Case, HttpRequest, Location, PayloadKind};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// `target -> file name -> bytes`.
pub type Seeds = BTreeMap<&'static str, BTreeMap<String, Vec<u8>>>;

fn text(s: &str) -> Text {
    Text(s.to_owned())
}

fn pairs(headers: &[(String, String)]) -> Vec<(Text, Text)> {
    headers.iter().map(|(n, v)| (text(n), text(v))).collect()
}

/// The whole-request input of a vector case.
pub fn sign_input(case: &Case) -> SignInput {
    let c = &case.context;
    let time = SigningTime::parse(&c.time).map_or(0, |t| t.unix_seconds());
    SignInput {
        method: text(&case.request.method),
        path: text(&case.request.path),
        query: text(&case.request.query),
        headers: pairs(&case.request.headers),
        body: Text(String::from_utf8_lossy(&case.request.body).into_owned()),
        access_key_id: text(&c.credentials.access_key_id),
        secret_access_key: text(&c.credentials.secret_access_key),
        session_token: c.credentials.session_token.as_deref().map(text),
        region: text(&c.region),
        service: text(&c.service),
        time: u32::try_from(time).unwrap_or(0),
        expires_in: u32::try_from(c.options.expires_in).unwrap_or(3600),
        presign: case.location == Location::Query,
        normalize_path: c.options.normalize_path,
        double_encode_path: c.options.double_encode_path,
        unsigned_payload: c.options.payload == PayloadKind::Unsigned,
        content_sha256_header: c.options.content_sha256_header,
        sign_session_token: c.options.sign_session_token,
    }
}

fn name_of(id: &str) -> String {
    id.replace('/', "__")
}

/// Every seed of every target.
pub fn generate(cases: &[Case]) -> Seeds {
    let mut seeds: Seeds = BTreeMap::new();
    let mut seen: BTreeMap<&'static str, BTreeSet<Vec<u8>>> = BTreeMap::new();
    let mut add = |target: &'static str, name: String, value: &dyn Encode| {
        let bytes = {
            let mut out = Vec::new();
            value.encode(&mut out);
            out
        };
        if seen.entry(target).or_default().insert(bytes.clone()) {
            seeds.entry(target).or_default().insert(name, bytes);
        }
    };
    for case in cases {
        let dir = name_of(&case.dir);
        let id = name_of(&case.id);
        let input = sign_input(case);
        add(
            "canonical_uri",
            dir.clone(),
            &targets::canonical_uri::Input {
                path: input.path.clone(),
                normalize: input.normalize_path,
                double_encode: input.double_encode_path,
            },
        );
        add(
            "canonical_query",
            dir.clone(),
            &targets::canonical_query::Input {
                query: input.query.clone(),
                extra: Vec::new(),
                shuffle: 0,
            },
        );
        add(
            "canonical_headers",
            dir.clone(),
            &targets::canonical_headers::Input {
                headers: input.headers.clone(),
                recase: 0,
                shuffle: 0,
            },
        );
        for target in ["sign", "round_trip", "differential"] {
            add(target, id.clone(), &input);
        }

        // The signature as we write it, and as upstream wrote it.
        let headers = crate::request::header_pairs(&input);
        let signed = input
            .location()
            .and_then(|loc| sign(&input.request(&headers), &input.params(), loc).ok());
        let upstream = case
            .expected
            .signed_request
            .as_deref()
            .and_then(|t| HttpRequest::parse(t.as_bytes()).ok());
        match case.location {
            Location::Header => {
                let mut values: Vec<String> = signed
                    .iter()
                    .filter_map(|s| s.authorization.clone())
                    .collect();
                values.extend(
                    upstream
                        .iter()
                        .filter_map(|r| r.header("authorization").map(str::to_owned)),
                );
                for (i, value) in values.iter().enumerate() {
                    let mut seed = targets::authorization::Input {
                        raw: text(value),
                        access_key_id: Text::default(),
                        date: Text::default(),
                        region: Text::default(),
                        service: Text::default(),
                        signed_headers: Vec::new(),
                        signature: Text::default(),
                        style: 0,
                    };
                    if let Ok(p) = parse_authorization(value) {
                        seed.access_key_id = text(&p.access_key_id);
                        seed.date = text(&p.scope.date);
                        seed.region = text(&p.scope.region);
                        seed.service = text(&p.scope.service);
                        seed.signed_headers = p.signed_headers.iter().map(|h| text(h)).collect();
                        seed.signature = text(&p.signature);
                    }
                    add(
                        "authorization",
                        format!("{id}{}", if i == 0 { "" } else { "__upstream" }),
                        &seed,
                    );
                }
            }
            Location::Query => {
                let mut queries: Vec<String> =
                    signed.iter().map(|s| s.request.query.clone()).collect();
                queries.extend(upstream.iter().map(|r| r.query.clone()));
                for (i, query) in queries.iter().enumerate() {
                    let mut seed = targets::presigned::Input {
                        raw: text(query),
                        other: Vec::new(),
                        access_key_id: Text::default(),
                        date: Text::default(),
                        region: Text::default(),
                        service: Text::default(),
                        amz_date: Text::default(),
                        signed_headers: Vec::new(),
                        signature: Text::default(),
                        token: None,
                        expires: 0,
                        shuffle: 0,
                        style: 0,
                    };
                    if let Ok(p) = parse_presigned(query) {
                        seed.access_key_id = text(&p.access_key_id);
                        seed.date = text(&p.scope.date);
                        seed.region = text(&p.scope.region);
                        seed.service = text(&p.scope.service);
                        seed.amz_date = text(p.amz_date.as_deref().unwrap_or_default());
                        seed.signed_headers = p.signed_headers.iter().map(|h| text(h)).collect();
                        seed.signature = text(&p.signature);
                        seed.token = p.security_token.as_deref().map(text);
                        seed.expires = u32::try_from(p.expires.unwrap_or(0)).unwrap_or(0);
                        seed.other = query
                            .split('&')
                            .filter(|p| !p.is_empty() && !p.starts_with("X-Amz-"))
                            .map(|p| {
                                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                                (text(k), text(v))
                            })
                            .collect();
                    }
                    add(
                        "presigned",
                        format!("{id}{}", if i == 0 { "" } else { "__upstream" }),
                        &seed,
                    );
                    add(
                        "canonical_query",
                        format!("{id}{}", if i == 0 { "__signed" } else { "__upstream" }),
                        &targets::canonical_query::Input {
                            query: text(query),
                            extra: Vec::new(),
                            shuffle: 0,
                        },
                    );
                }
            }
        }
    }
    let _ = encode::<Text>;
    seeds
}

/// The seeds of the embedded vectors.
///
/// # Panics
/// If the embedded vectors do not load (a build problem).
pub fn generate_embedded() -> Seeds {
    generate(&sigv4_vectors::embedded().expect("embedded vectors load"))
}

/// Rewrites `root/<target>/` with `seeds` (files not generated are
/// removed). Returns the number of files written.
///
/// # Errors
/// Any I/O error.
pub fn write(root: &Path, seeds: &Seeds) -> std::io::Result<usize> {
    let mut count = 0;
    for (target, files) in seeds {
        let dir = root.join(target);
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        std::fs::create_dir_all(&dir)?;
        for (name, bytes) in files {
            std::fs::write(dir.join(name), bytes)?;
            count += 1;
        }
    }
    Ok(count)
}

/// The differences between `seeds` and the files under `root`.
pub fn stale(root: &Path, seeds: &Seeds) -> Vec<String> {
    let mut problems = Vec::new();
    for (target, files) in seeds {
        let dir = root.join(target);
        let on_disk: BTreeSet<String> = std::fs::read_dir(&dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        for (name, bytes) in files {
            match std::fs::read(dir.join(name)) {
                Ok(disk) if disk == *bytes => {}
                Ok(_) => problems.push(format!("{target}/{name}: differs")),
                Err(_) => problems.push(format!("{target}/{name}: missing")),
            }
        }
        for name in on_disk.difference(&files.keys().cloned().collect()) {
            problems.push(format!("{target}/{name}: not generated any more"));
        }
    }
    problems
}
