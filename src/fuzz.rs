//! `sigv4-conformance fuzz`: differential fuzzing of a third-party signer.
//! Generated requests ([`generate`]) go to the adapter and to the reference
//! signer; a disagreement is shrunk to a minimal request (proptest's
//! shrinking, checked against the adapter at each step), diagnosed with the
//! catalogue `check` uses, and written at once as a case directory in the
//! vector format ([`vector`]) so that `check --vectors DIR` replays it.
//!
//! Reproducible: case `i` of seed `s` is generated from its own RNG, seeded
//! from `(s, i)`, so the same seed and adapter give the same cases and the
//! same findings. Bounded by `--cases` and `--time`. Ctrl-C stops after the
//! current exchange (a second one exits at once); every case found is
//! already on disk by then.

pub mod generate;
pub mod vector;

use crate::adapter::{message_type, Adapter, AdapterConfig};
use crate::adapter_check::{judge, AdapterOutput};
use crate::program::this_program;
use crate::protocol::{AdapterMessage, HarnessMessage, SignMessage};
use crate::reference;
use crate::verdict::{Diagnosis, Failure, Verdict};
use clap::Args;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use sha2::{Digest, Sha256};
use sigv4_signer::Signer;
use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const DEFAULT_OUT: &str = "fuzz-found";
/// The longest `--time`: a year, far beyond any run, and far below what a
/// clock can add without overflowing.
const MAX_TIME_SECS: f64 = 365.0 * 24.0 * 3600.0;
/// The shortest `--time`: a millisecond (a shorter one only prints a long
/// number in the banner).
const MIN_TIME_SECS: f64 = 0.001;
const DEFAULT_TIMEOUT: f64 = 10.0;
const DEFAULT_SHRINK_STEPS: u32 = 500;

/// The options of a run besides the adapter, seed and count that the
/// rerun line repeats: those that change the cases (`--contested`) or how
/// they are judged and kept, when not at their defaults.
fn rerun_options(args: &FuzzArgs) -> String {
    let mut options = String::new();
    if args.contested {
        options.push_str(" --contested");
    }
    if args.timeout != DEFAULT_TIMEOUT {
        options.push_str(&format!(" --timeout {}", args.timeout));
    }
    if args.shrink_steps != DEFAULT_SHRINK_STEPS {
        options.push_str(&format!(" --shrink-steps {}", args.shrink_steps));
    }
    if args.out != Path::new(DEFAULT_OUT) {
        options.push_str(&format!(" --out {:?}", args.out.display().to_string()));
    }
    options
}

/// Arguments of `sigv4-conformance fuzz`.
#[derive(Debug, Clone, Args)]
pub struct FuzzArgs {
    /// The adapter command to fuzz, run with `sh -c`, e.g. "python3 my_adapter.py".
    #[arg(long, value_name = "CMD", value_parser = crate::cli::adapter_command)]
    pub adapter: String,
    /// Seed of the generator; the same seed and adapter give the same cases [default: from the clock, printed].
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Number of cases to generate.
    #[arg(long, default_value_t = 1000, value_name = "N")]
    pub cases: u64,
    /// Stop after this many seconds, even if cases remain.
    #[arg(long, value_name = "SECS")]
    pub time: Option<f64>,
    /// Directory to write the cases found to, in the vector format (replay them with `check --adapter CMD --vectors DIR --no-embedded`).
    #[arg(long, default_value = DEFAULT_OUT, value_name = "DIR")]
    pub out: PathBuf,
    /// Seconds to wait for each answer (and for the hello).
    #[arg(long, default_value_t = DEFAULT_TIMEOUT, value_name = "SECS", allow_negative_numbers = true)]
    pub timeout: f64,
    /// Adapter calls allowed for shrinking each case found.
    #[arg(long, default_value_t = DEFAULT_SHRINK_STEPS, value_name = "N")]
    pub shrink_steps: u32,
    /// Also generate contested requests (raw spaces and UTF-8 in the path, tabs in header values); their cases are written as contested.
    #[arg(long)]
    pub contested: bool,
}

fn install_interrupt_handler() {
    crate::interrupt::install(" (cases found are on disk)");
}

fn stopped() -> bool {
    crate::interrupt::requested()
}

/// The kind of a disagreement; shrinking keeps it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Kind {
    /// `fail` or `adapter-error`.
    pub verdict: &'static str,
    /// The first diverging stage, when there is one.
    pub stage: Option<&'static str>,
}

/// One exchange's outcome.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The verdict, as `check` would give it.
    pub verdict: Verdict,
}

impl Outcome {
    /// The disagreement's kind, `None` when the adapter agreed or skipped.
    pub fn kind(&self) -> Option<Kind> {
        match &self.verdict {
            Verdict::Pass | Verdict::Skipped { .. } => None,
            Verdict::Fail(f) => Some(Kind {
                verdict: "fail",
                stage: f.divergence.as_ref().map(|d| d.stage.as_str()),
            }),
            Verdict::AdapterError { .. } => Some(Kind {
                verdict: "adapter-error",
                stage: None,
            }),
        }
    }

    /// The proven faults, sorted: with the kind, what makes two
    /// disagreements the same finding.
    pub fn faults(&self) -> Vec<String> {
        let mut faults: Vec<String> = self
            .diagnosis()
            .iter()
            .filter(|d| d.proven)
            .map(|d| d.fault.clone())
            .collect();
        faults.sort();
        faults
    }

    fn diagnosis(&self) -> &[Diagnosis] {
        match &self.verdict {
            Verdict::Fail(f) => &f.diagnosis,
            _ => &[],
        }
    }

    fn summary(&self) -> String {
        match &self.verdict {
            Verdict::Fail(Failure {
                divergence: Some(d),
                ..
            }) => format!("{} differs", d.stage.as_str()),
            // First lines only: a stack trace would fill the progress
            // line and the case's one-sentence description.
            Verdict::Fail(Failure {
                message: Some(m), ..
            }) => format!("the adapter reported an error: {}", first_line(m)),
            Verdict::Fail(_) => "failed".into(),
            Verdict::AdapterError { reason, .. } => {
                format!("adapter error: {}", first_line(reason))
            }
            Verdict::Pass => "pass".into(),
            Verdict::Skipped { reason } => format!("skipped: {reason}"),
        }
    }
}

/// The most shrinking steps for a finding where the adapter did not answer
/// in time: each step can take the whole `--timeout`.
const TIMEOUT_SHRINK_STEPS: u32 = 10;

/// Whether the adapter gave no answer within `--timeout`.
fn timed_out(outcome: &Outcome) -> bool {
    matches!(&outcome.verdict, Verdict::AdapterError { reason, .. } if reason.contains("no answer within"))
}

/// Whether an interrupt cut the exchange short.
fn cut_short(outcome: &Outcome) -> bool {
    matches!(&outcome.verdict, Verdict::AdapterError { reason, .. }
        if reason.contains(crate::adapter::INTERRUPTED))
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

/// Sends `message` to the adapter and judges the answer against the
/// reference, exactly as `check` judges a vector case.
pub fn exchange(signer: &Signer, adapter: &mut Adapter, message: &SignMessage) -> Outcome {
    let reference = match reference::sign(signer, message) {
        Ok(signed) => signed,
        Err(e) => {
            return Outcome {
                verdict: Verdict::Skipped {
                    reason: format!("the reference refuses it: {e}"),
                },
            }
        }
    };
    let text = match serde_json::to_string(&HarnessMessage::Sign(Box::new(message.clone()))) {
        Ok(text) => text,
        Err(e) => {
            return Outcome {
                verdict: Verdict::AdapterError {
                    reason: format!("could not encode the message: {e}"),
                    stderr_tail: String::new(),
                },
            }
        }
    };
    let answer = adapter.exchange(&message.id, &text);
    if let Some(stray) = adapter.take_stray_output() {
        // Said once a run: it is the adapter's habit, not this case's.
        static SAID: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
        if !SAID.swap(true, std::sync::atomic::Ordering::Relaxed) {
            eprintln!("note: {stray} (said once)");
        }
    }
    let verdict = match answer {
        Err(fault) => Verdict::AdapterError {
            reason: fault.reason,
            stderr_tail: fault.stderr_tail,
        },
        Ok(AdapterMessage::Signed {
            request,
            canonical_request,
            string_to_sign,
            signature,
            ..
        }) => {
            let actual = AdapterOutput {
                request,
                canonical_request,
                string_to_sign,
                signature,
            };
            judge(message, &reference, &actual, &mut Vec::new())
        }
        Ok(AdapterMessage::Unsupported { reason, .. }) => Verdict::Skipped {
            reason: format!("unsupported by the adapter: {reason}"),
        },
        Ok(AdapterMessage::Error { message: text, .. }) => Verdict::Fail(Failure {
            divergence: None,
            message: Some(text),
            diagnosis: Vec::new(),
        }),
        Ok(other @ AdapterMessage::Hello { .. }) => Verdict::AdapterError {
            reason: format!(
                "the adapter answered a sign message with a {:?} message",
                message_type(&other)
            ),
            stderr_tail: String::new(),
        },
    };
    Outcome { verdict }
}

/// The RNG of case `index` of `seed`.
pub fn case_rng(seed: u64, index: u64) -> TestRng {
    let digest = Sha256::digest(format!("sigv4-conformance fuzz {seed} {index}").as_bytes());
    TestRng::from_seed(RngAlgorithm::ChaCha, &digest)
}

/// A short stable digest of a message (without its id), for names.
pub fn digest(message: &SignMessage) -> String {
    let mut m = message.clone();
    m.id.clear();
    let text = serde_json::to_string(&m).unwrap_or_default();
    Sha256::digest(text.as_bytes())[..4]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The directory name of a case: the first proven fault (else the stage,
/// else the verdict) and a digest of the request.
pub fn case_name(message: &SignMessage, outcome: &Outcome) -> String {
    let label = outcome
        .diagnosis()
        .iter()
        .find(|d| d.proven)
        .map(|d| d.fault.clone())
        .or_else(|| {
            outcome
                .kind()
                .and_then(|k| k.stage.map(|s| format!("{}-differs", s.replace('_', "-"))))
        })
        .unwrap_or_else(|| match &outcome.verdict {
            Verdict::AdapterError { .. } => "adapter-error".into(),
            _ => "adapter-refused".into(),
        });
    format!("{label}-{}", digest(message))
}

fn diagnosis_text(outcome: &Outcome) -> String {
    if matches!(outcome.verdict, Verdict::AdapterError { .. }) {
        // Nothing was signed to compare: no fault to look for.
        return "the adapter gave no answer to judge (replay it to see whether it happens again)"
            .into();
    }
    let d = outcome.diagnosis();
    if d.is_empty() {
        return "no catalogued fault reproduces it".into();
    }
    d.iter()
        .map(|d| {
            format!(
                "{}{}",
                d.fault,
                if d.proven {
                    " (proven)"
                } else {
                    " (not proven)"
                }
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A disagreement found and written.
#[derive(Debug, Clone)]
pub struct Found {
    /// The case directory.
    pub dir: PathBuf,
    /// The minimal message.
    pub message: SignMessage,
    /// Its outcome.
    pub outcome: Outcome,
    /// Adapter calls spent shrinking.
    pub shrink_calls: u32,
}

/// Progress reporting: a bar on a terminal, plain lines elsewhere.
struct Progress {
    tty: bool,
    started: Instant,
    last: Instant,
    total: u64,
    limit: Option<f64>,
    drawn: bool,
    last_done: Option<u64>,
}

impl Progress {
    fn new(total: u64, limit: Option<f64>) -> Progress {
        Progress {
            tty: std::io::stderr().is_terminal(),
            started: Instant::now(),
            last: Instant::now() - Duration::from_secs(3600),
            total,
            limit,
            drawn: false,
            last_done: None,
        }
    }

    fn status(&self, done: u64, found: usize, skipped: u64) -> String {
        format!(
            "{done}/{} cases, {found} found, {skipped} skipped, {:.1} s{}",
            self.total,
            self.started.elapsed().as_secs_f64(),
            self.limit
                .map(|l| format!(" of {l:.0} s"))
                .unwrap_or_default()
        )
    }

    fn update(&mut self, done: u64, found: usize, skipped: u64, force: bool) {
        let now = Instant::now();
        let mut err = std::io::stderr().lock();
        if self.tty {
            if !force && now.duration_since(self.last) < Duration::from_millis(100) {
                return;
            }
            let mut fraction = done as f64 / self.total.max(1) as f64;
            if let Some(limit) = self.limit {
                fraction = fraction.max(self.started.elapsed().as_secs_f64() / limit);
            }
            let width = 30;
            let filled = ((fraction.min(1.0)) * width as f64) as usize;
            let _ = write!(
                err,
                "\r\x1b[K[{}{}] {}",
                "#".repeat(filled),
                ".".repeat(width - filled),
                self.status(done, found, skipped)
            );
            self.drawn = true;
        } else {
            let every = (self.total / 10).max(1);
            if !force
                && done % every != 0
                && now.duration_since(self.last) < Duration::from_secs(10)
            {
                return;
            }
            let _ = writeln!(err, "fuzz: {}", self.status(done, found, skipped));
        }
        let _ = err.flush();
        self.last = now;
        self.last_done = Some(done);
    }

    /// Prints a line without tearing the bar.
    fn line(&mut self, text: &str) {
        let mut err = std::io::stderr().lock();
        if self.tty && self.drawn {
            let _ = write!(err, "\r\x1b[K");
        }
        let _ = writeln!(err, "{text}");
        let _ = err.flush();
        self.drawn = false;
    }

    /// The last status (unless just printed), and a line break after a
    /// bar.
    fn finish_at(&mut self, done: u64, found: usize, skipped: u64) {
        if self.tty || self.last_done != Some(done) {
            self.update(done, found, skipped, true);
        }
        if self.tty && self.drawn {
            let _ = writeln!(std::io::stderr());
        }
    }
}

/// Shrinks the failing value of `tree`, keeping the disagreement's kind
/// (and its proven faults, if any), within `budget` adapter calls (and until an interrupt). Returns the
/// smallest failing message, its outcome and the calls spent. `on_better`
/// is called with each smaller failing case (to write it at once).
fn shrink<T: ValueTree<Value = SignMessage>>(
    tree: &mut T,
    kind: &Kind,
    faults: &[String],
    budget: u32,
    deadline: Option<Instant>,
    mut test: impl FnMut(&SignMessage) -> Outcome,
    mut on_better: impl FnMut(&SignMessage, &Outcome),
) -> u32 {
    let mut calls = 0;
    let out_of_time = || deadline.is_some_and(|d| Instant::now() >= d);
    if !tree.simplify() {
        return calls;
    }
    while calls < budget && !stopped() && !out_of_time() {
        let candidate = tree.current();
        calls += 1;
        let outcome = test(&candidate);
        if stopped() {
            // The exchange may have been cut short: its outcome says
            // nothing about the candidate.
            break;
        }
        // The same kind of disagreement, and the same proven faults when
        // there are some (a smaller case the catalogue cannot explain is
        // less useful than a slightly larger one it can).
        if outcome.kind().as_ref() == Some(kind)
            && (faults.is_empty() || outcome.faults() == faults)
        {
            on_better(&candidate, &outcome);
            if !tree.simplify() {
                break;
            }
        } else if !tree.complicate() {
            break;
        }
    }
    calls
}

/// Creates `dir` if needed and checks that a file can be written in it.
fn probe_writable(dir: &Path) -> Result<(), String> {
    let cannot = |e: std::io::Error| format!("cannot write found cases to {}: {e}", dir.display());
    std::fs::create_dir_all(dir).map_err(cannot)?;
    let probe = dir.join(format!(".sigv4-conformance-probe-{}", std::process::id()));
    std::fs::write(&probe, b"").map_err(cannot)?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// Runs `sigv4-conformance fuzz`. Returns the exit status: 0 no
/// disagreement, 1 disagreements found.
///
/// # Errors
/// A usage or setup error (bad arguments, an adapter that does not start).
pub fn run(args: FuzzArgs) -> Result<u8, String> {
    if !(args.timeout > 0.0 && args.timeout <= 3600.0) {
        return Err(format!(
            "--timeout {} is out of range: give 0 < SECS <= 3600",
            args.timeout
        ));
    }
    if let Some(t) = args.time {
        if !(MIN_TIME_SECS..=MAX_TIME_SECS).contains(&t) {
            return Err(format!(
                "--time {t} is out of range: give {MIN_TIME_SECS} <= SECS <= {MAX_TIME_SECS} \
                 (a year)"
            ));
        }
    }
    if args.cases == 0 {
        return Err("--cases 0: give at least one case".into());
    }
    let seed = args.seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64 % 1_000_000_000)
            .unwrap_or(1)
    });
    install_interrupt_handler();
    let config = AdapterConfig {
        command: args.adapter.clone(),
        oneshot: false,
        oneshot_features: Vec::new(),
        timeout: Duration::from_secs_f64(args.timeout),
    };
    let mut adapter = Adapter::new(config);
    let info = adapter
        .info()
        .map_err(|fault| {
            let tail = if fault.stderr_tail.is_empty() {
                String::new()
            } else {
                format!("\n{}", fault.stderr_tail)
            };
            format!("the adapter did not start: {}{tail}", fault.reason)
        })?
        .clone();
    let scope = generate::Scope::of_features(&info.features, args.contested);
    if !scope.header && !scope.query {
        return Err("the adapter declares neither the header nor the query feature".into());
    }
    let who = if info.name.is_empty() {
        format!("`{}`", args.adapter)
    } else {
        format!("{} {} (`{}`)", info.name, info.version, args.adapter)
    };
    // Found cases must not be lost to an unwritable directory: checked
    // before the first case, and removed again if it stays empty.
    let out_existed = args.out.exists();
    probe_writable(&args.out)?;
    eprintln!(
        "sigv4-conformance fuzz: {who}, seed {seed}, up to {} cases{}; cases found go to {}",
        args.cases,
        args.time.map(|t| format!(" or {t} s")).unwrap_or_default(),
        args.out.display()
    );

    let strategy = generate::message(scope).prop_filter(
        "a request the reference signer and the vector format accept",
        |m| vector::unwritable(m).is_none() && reference::sign(&Signer::new(), m).is_ok(),
    );
    let signer = Signer::new();
    let deadline = args
        .time
        .and_then(|t| Instant::now().checked_add(Duration::try_from_secs_f64(t).ok()?));
    let mut progress = Progress::new(args.cases, args.time);
    // A finding is a kind of disagreement with its proven faults.
    let mut seen: BTreeSet<(Kind, Vec<String>)> = BTreeSet::new();
    let mut found: Vec<Found> = Vec::new();
    let (mut done, mut agreed, mut skipped, mut disagreed, mut duplicates) =
        (0u64, 0u64, 0u64, 0u64, 0u64);
    let mut reasons: BTreeSet<String> = BTreeSet::new();
    let mut write_errors: Vec<String> = Vec::new();

    for index in 0..args.cases {
        if stopped() || deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        let mut runner = TestRunner::new_with_rng(
            Config {
                failure_persistence: None,
                ..Config::default()
            },
            case_rng(seed, index),
        );
        let mut tree = match strategy.new_tree(&mut runner) {
            Ok(tree) => tree,
            Err(e) => return Err(format!("the request generator failed: {e}")),
        };
        let mut message = tree.current();
        message.id = format!("fuzz-{seed}-{index}");
        let outcome = exchange(&signer, &mut adapter, &message);
        if cut_short(&outcome) {
            // Not the adapter's doing: no finding, and the case not counted.
            break;
        }
        done += 1;
        let Some(kind) = outcome.kind() else {
            if let Verdict::Skipped { reason } = &outcome.verdict {
                skipped += 1;
                reasons.insert(reason.clone());
            } else {
                agreed += 1;
            }
            progress.update(done, found.len(), skipped, false);
            continue;
        };
        disagreed += 1;
        if !seen.insert((kind.clone(), outcome.faults())) {
            duplicates += 1;
            progress.update(done, found.len(), skipped, false);
            continue;
        }

        // Write it now, then shrink, rewriting each smaller case.
        let provenance = |m: &SignMessage, o: &Outcome, calls: u32| vector::Provenance {
            description: format!(
                "Found by `sigv4-conformance fuzz --seed {seed}` (case {index}{}): {who} disagreed \
                 with the reference signer ({}). Diagnosis: {}.",
                if calls > 0 {
                    format!(", shrunk in {calls} adapter calls")
                } else {
                    String::new()
                },
                o.summary(),
                diagnosis_text(o)
            ),
            origin: format!(
                "sigv4-conformance fuzz --adapter {:?} --seed {seed}; case {index}; request {}",
                args.adapter,
                digest(m)
            ),
        };
        let mut current_dir: Option<PathBuf> = None;
        let mut write = |m: &SignMessage, o: &Outcome, calls: u32, errors: &mut Vec<String>| {
            let name = case_name(m, o);
            if let Err(e) = std::fs::create_dir_all(&args.out) {
                let e = format!("cannot create {}: {e}", args.out.display());
                eprintln!("warning: could not write a case: {e}");
                errors.push(e);
                return;
            }
            match vector::write_case(&args.out, &name, m, &provenance(m, o, calls)) {
                Ok(dir) => {
                    if let Some(old) = current_dir.take() {
                        // A finding already reported is never removed, even
                        // when this case started as its very request.
                        if old != dir && !found.iter().any(|f| f.dir == old) {
                            let _ = std::fs::remove_dir_all(&old);
                        }
                    }
                    current_dir = Some(dir);
                }
                Err(e) => {
                    let e = format!("{name}: {e}");
                    eprintln!("warning: could not write a case: {e}");
                    errors.push(e);
                }
            }
        };
        write(&message, &outcome, 0, &mut write_errors);
        progress.line(&format!(
            "found: case {index}: {}; shrinking...",
            outcome.summary()
        ));
        let mut best = (message.clone(), outcome.clone());
        let mut step = 0u32;
        let faults = outcome.faults();
        // Every step of shrinking a silent adapter waits out --timeout.
        let shrink_steps = if timed_out(&outcome) {
            args.shrink_steps.min(TIMEOUT_SHRINK_STEPS)
        } else {
            args.shrink_steps
        };
        let calls = shrink(
            &mut tree,
            &kind,
            &faults,
            shrink_steps,
            deadline,
            |candidate| {
                step += 1;
                let mut m = candidate.clone();
                m.id = format!("fuzz-{seed}-{index}-shrink-{step}");
                exchange(&signer, &mut adapter, &m)
            },
            |candidate, o| {
                let mut m = candidate.clone();
                m.id = message.id.clone();
                best = (m, o.clone());
            },
        );
        let (minimal, minimal_outcome) = best;
        let key = (kind.clone(), minimal_outcome.faults());
        if found
            .iter()
            .any(|f| f.outcome.kind().as_ref() == Some(&kind) && f.outcome.faults() == key.1)
        {
            // Shrunk to a finding already made: keep the first, and remove
            // only what this case wrote (the minimal request may be the very
            // one already on disk, so it is not written again).
            if let Some(unshrunk) = current_dir.take() {
                if !found.iter().any(|f| f.dir == unshrunk) {
                    let _ = std::fs::remove_dir_all(&unshrunk);
                }
            }
            duplicates += 1;
            progress.line(&format!(
                "  case {index} shrinks to a finding already made; not kept"
            ));
            continue;
        }
        write(&minimal, &minimal_outcome, calls, &mut write_errors);
        let Some(dir) = current_dir else { continue };
        seen.insert(key);
        progress.line(&format!(
            "found: {} ({}; diagnosis: {}; shrunk in {calls} calls)",
            dir.display(),
            minimal_outcome.summary(),
            diagnosis_text(&minimal_outcome)
        ));
        found.push(Found {
            dir,
            message: minimal,
            outcome: minimal_outcome,
            shrink_calls: calls,
        });
        progress.update(done, found.len(), skipped, true);
    }
    progress.finish_at(done, found.len(), skipped);

    let elapsed = progress.started.elapsed().as_secs_f64();
    let program = this_program();
    let mut out = String::new();
    out.push_str(&format!("sigv4-conformance fuzz: {who}, seed {seed}\n"));
    let stop_reason = if stopped() {
        "interrupted; "
    } else if done < args.cases {
        "time limit reached; "
    } else {
        ""
    };
    out.push_str(&format!(
        "{stop_reason}{done} cases in {elapsed:.1} s: {agreed} agreed, {disagreed} disagreed ({} distinct, {duplicates} of a kind already found), {skipped} skipped\n",
        found.len()
    ));
    for reason in reasons.iter().take(5) {
        out.push_str(&format!("  skipped: {reason}\n"));
    }
    if !found.is_empty() {
        out.push_str("found:\n");
        for f in &found {
            out.push_str(&format!(
                "  {}  {}; {}\n",
                f.dir.display(),
                f.outcome.summary(),
                diagnosis_text(&f.outcome)
            ));
        }
        out.push_str(&format!(
            "replay: {program} check --adapter {:?} --vectors {} --no-embedded\n",
            args.adapter,
            args.out.display()
        ));
    }
    // Case i depends only on the seed and i, so the cases run are
    // `--cases done`, whatever stopped the run.
    out.push_str(&format!(
        "rerun:  {program} fuzz --adapter {:?}{} --seed {seed} --cases {done}\n",
        args.adapter,
        rerun_options(&args)
    ));
    if !write_errors.is_empty() {
        out.push_str(&format!(
            "warning: {} case(s) could not be written (see above); the rerun line finds them again\n",
            write_errors.len()
        ));
    }
    if !out_existed && found.is_empty() {
        // Created by the probe and still empty: leave nothing behind.
        let _ = std::fs::remove_dir(&args.out);
    }
    // As in `check`, a disagreement on a contested request does not fail
    // the run (it is still written, as a contested case).
    let decisive = found
        .iter()
        .any(|f| vector::contested_reason(&f.message).is_none())
        || (found.is_empty() && disagreed > 0);
    if !decisive && !found.is_empty() {
        out.push_str(
            "every finding is on a contested request (its case says why): they do not fail the run\n",
        );
    }
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush());
    Ok(if decisive { 1 } else { 0 })
}
