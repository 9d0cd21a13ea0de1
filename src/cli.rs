//! Command-line interface: argument parsing and dispatch only; the work is
//! done by the library modules.

use crate::adapter::AdapterConfig;
use crate::report::json::Subject;
use crate::select::{select, Selection};
use clap::{Args, Parser, Subcommand};
use sigv4_signer::Signer;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Exit status: every case passed or was skipped.
pub const EXIT_OK: u8 = 0;
/// Exit status: a case failed (outside the baseline, when one is given).
pub const EXIT_FAILED: u8 = 1;
/// Exit status: a usage or setup error.
pub const EXIT_USAGE: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "sigv4-conformance",
    version,
    about = "Conformance harness for AWS Signature Version 4 signers",
    long_about = "Checks AWS Signature Version 4 signers against the published test vectors.\n\n\
        Without --adapter, `check` verifies the built-in reference signer. With --adapter, it \
        runs your signer through the adapter protocol (docs/adapter-protocol.md) and shows, for \
        each failing case, the first diverging step and the rule that was broken.\n\n\
        Exit status: 0 all passed or skipped (or nothing failed outside --baseline, or \
        --write-baseline recorded the failures), 1 a case failed, 2 usage or setup error, 130 \
        interrupted by Ctrl-C or SIGTERM (the report holds the cases that ran; a second \
        interrupt exits at once)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check a signer (the built-in reference without --adapter) against the vectors.
    Check(CheckArgs),
    /// Print every intermediate of one case, computed by the reference signer.
    Explain {
        /// A case id, e.g. aws-v4/get-vanilla-query/header (see `check --list`).
        case_id: String,
        /// Also load vectors from this directory (repeatable).
        #[arg(long = "vectors", value_name = "DIR")]
        vector_dirs: Vec<PathBuf>,
    },
    /// Run the reference signer as a protocol v1 adapter on stdin/stdout.
    ReferenceAdapter,
    /// Differential fuzzing of an adapter against the reference; disagreements are shrunk and written as vectors.
    #[command(
        after_help = "Exit status: 0 no disagreement (or only on contested requests, which are \
                      written as contested cases), 1 disagreements found (written under --out), \
                      2 usage or setup error."
    )]
    Fuzz(crate::fuzz::FuzzArgs),
    /// Serve a local endpoint that verifies SigV4 requests like API Gateway with AWS_IAM.
    Serve(ServeArgs),
    /// Render several `check --format json` reports as one table.
    Matrix {
        /// JSON reports, one per implementation.
        #[arg(required = true, value_name = "REPORT.json")]
        reports: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = MatrixFormat::Markdown)]
        format: MatrixFormat,
        /// Write to FILE instead of stdout.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Work with the vector set.
    Vectors {
        #[command(subcommand)]
        command: VectorsCommand,
    },
}

#[derive(Debug, Subcommand)]
enum VectorsCommand {
    /// Write all vectors as one JSON document.
    Export {
        /// Write to FILE instead of stdout.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Also load vectors from this directory (repeatable).
        #[arg(long = "vectors", value_name = "DIR")]
        vector_dirs: Vec<PathBuf>,
    },
}

#[derive(Debug, Args)]
struct SelectionArgs {
    /// Only cases of this suite (repeatable), e.g. aws-v4 or aws-2015.
    #[arg(long = "suite", value_name = "SUITE")]
    suites: Vec<String>,
    /// Only cases whose id matches this glob (repeatable; `*` matches across `/`).
    #[arg(long = "filter", value_name = "GLOB")]
    filters: Vec<String>,
    /// Also load vectors in this project's format from DIR (repeatable).
    #[arg(long = "vectors", value_name = "DIR")]
    vector_dirs: Vec<PathBuf>,
    /// Use only the --vectors directories, not the embedded vectors.
    #[arg(long)]
    no_embedded: bool,
}

impl SelectionArgs {
    fn selection(&self) -> Selection {
        Selection {
            suites: self.suites.clone(),
            filters: self.filters.clone(),
            vector_dirs: self.vector_dirs.clone(),
            no_embedded: self.no_embedded,
        }
    }
}

#[derive(Debug, Args)]
struct CheckArgs {
    #[command(flatten)]
    selection: SelectionArgs,
    /// List the selected case ids and exit.
    #[arg(long)]
    list: bool,
    /// The adapter command to check, run with `sh -c`, e.g. "python3 my_adapter.py".
    #[arg(long, value_name = "CMD", value_parser = adapter_command)]
    adapter: Option<String>,
    /// Start the adapter once per case, without the hello handshake.
    #[arg(long, requires = "adapter")]
    oneshot: bool,
    /// Features of a one-shot adapter, comma-separated [default: all of them].
    #[arg(long, value_delimiter = ',', requires = "oneshot", value_name = "LIST")]
    features: Vec<String>,
    /// Seconds to wait for each answer (and for the hello).
    #[arg(
        long,
        default_value_t = 10.0,
        value_name = "SECS",
        allow_negative_numbers = true
    )]
    timeout: f64,
    /// Adapter processes to run in parallel; results stay in case order.
    #[arg(long, short, default_value_t = 1, value_name = "N")]
    jobs: usize,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Write the report to FILE instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Expected failures: exit 0 unless something fails that FILE does not list.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Record the current failures as a baseline in FILE; exit 0 then (judged by --baseline if given).
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
    /// With --baseline: also fail when a listed case passes or an entry matches no case, to keep the baseline exact.
    #[arg(long, requires = "baseline")]
    strict_baseline: bool,
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Address to listen on (port 0 picks a free port, printed on stderr).
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR", value_parser = parse_listen)]
    listen: std::net::SocketAddr,
    /// Credentials file: {"credentials": [{"access_key_id", "secret_access_key", "session_token"?, "arn"}]}.
    #[arg(long, value_name = "FILE")]
    credentials: PathBuf,
    /// IAM-style policy document (repeatable); without one every known caller is allowed.
    #[arg(long = "policy", value_name = "FILE")]
    policies: Vec<PathBuf>,
    /// Region of the credential scope.
    #[arg(long, default_value = "us-east-1")]
    region: String,
    /// Service of the credential scope.
    #[arg(long, default_value = "execute-api")]
    service: String,
    /// API stage: every path must start with it, as in API Gateway URLs; without it the ARN's stage is `*`.
    #[arg(long)]
    stage: Option<String>,
    /// Account id used in resource ARNs.
    #[arg(long, default_value = "123456789012")]
    account: String,
    /// API id used in resource ARNs.
    #[arg(long, default_value = "local")]
    api_id: String,
    /// Pin the server clock to this instant (RFC 3339), for tests.
    #[arg(long, value_name = "TIME")]
    time: Option<String>,
    /// Allowed clock skew in seconds.
    #[arg(long, default_value_t = 900, value_name = "SECS")]
    max_skew: u64,
    /// S3 path rules: no normalization, single encoding.
    #[arg(long)]
    s3_paths: bool,
    /// Answer one request, then exit.
    #[arg(long, conflicts_with = "max_requests")]
    once: bool,
    /// Answer N requests (N >= 1), then exit.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    max_requests: Option<u64>,
    /// Largest accepted body in bytes.
    #[arg(long, default_value_t = 10 * 1024 * 1024, value_name = "BYTES")]
    max_body: usize,
    /// Log format on stderr.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    /// Seconds a client may take to send its headers, and its body.
    #[arg(
        long,
        default_value_t = 10.0,
        value_name = "SECS",
        allow_negative_numbers = true
    )]
    client_timeout: f64,
    /// Most connections served at once (1 to 1000000); more wait.
    #[arg(long, default_value_t = 256, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    max_connections: u32,
}

/// `--listen`: an IP address and a port. Host names are not resolved, so
/// the error says what to write instead of `localhost:PORT`.
fn parse_listen(text: &str) -> Result<std::net::SocketAddr, String> {
    text.parse().map_err(|_| {
        format!(
            "{text:?} is not an IP address and port: host names are not resolved, \
             write 127.0.0.1:PORT or [::1]:PORT (port 0 picks a free one)"
        )
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum MatrixFormat {
    Markdown,
    Html,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Human,
    Json,
    Junit,
}

/// Runs the CLI with the process arguments.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let usage = e.use_stderr();
            let _ = e.print();
            return ExitCode::from(if usage { EXIT_USAGE } else { EXIT_OK });
        }
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn run(cli: Cli) -> Result<u8, String> {
    match cli.command {
        Command::Check(args) => check(args),
        Command::Explain {
            case_id,
            vector_dirs,
        } => {
            let cases = select(&Selection {
                vector_dirs,
                ..Selection::default()
            })?;
            let case = cases.iter().find(|c| c.id == case_id).ok_or_else(|| {
                // A case directory's own ids first (`aws-v4/get-vanilla`
                // names `aws-v4/get-vanilla/header` and `/query`), then ids
                // that contain what was given.
                let stem = case_id
                    .trim_end_matches('/')
                    .trim_end_matches("/header")
                    .trim_end_matches("/query");
                let own = |c: &&sigv4_vectors::Case| {
                    let dir = c.dir.trim_end_matches('/');
                    dir == stem || dir.ends_with(&format!("/{stem}"))
                };
                let near: Vec<&str> = cases
                    .iter()
                    .filter(own)
                    .chain(cases.iter().filter(|c| !own(c) && c.id.contains(stem)))
                    .map(|c| c.id.as_str())
                    .take(5)
                    .collect();
                if near.is_empty() {
                    format!("no case with id {case_id:?}; `check --list` shows the ids")
                } else {
                    format!(
                        "no case with id {case_id:?}; did you mean: {}",
                        near.join(", ")
                    )
                }
            })?;
            emit(&crate::explain::explain(case))?;
            Ok(EXIT_OK)
        }
        Command::ReferenceAdapter => {
            let stdin = std::io::stdin().lock();
            let stdout = std::io::stdout().lock();
            match crate::reference_adapter::serve(stdin, stdout) {
                Ok(()) => Ok(EXIT_OK),
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(EXIT_OK),
                Err(e) => Err(format!("reference adapter: {e}")),
            }
        }
        Command::Serve(args) => serve(args),
        Command::Fuzz(args) => crate::fuzz::run(args),
        Command::Matrix {
            reports,
            format,
            output,
        } => {
            if let Some(output) = &output {
                crate::files::check_output(output, "--output")?;
                for path in &reports {
                    crate::files::check_distinct((output, "--output"), (path, "a report read"))?;
                }
            }
            let mut columns = Vec::new();
            for path in &reports {
                let text = crate::files::read_text(path, "report")?;
                let doc: serde_json::Value = serde_json::from_str(&text)
                    .map_err(|e| format!("{} is not JSON: {e}", path.display()))?;
                columns.push(crate::report::matrix::column(
                    &path.display().to_string(),
                    &doc,
                )?);
            }
            let rendered = match format {
                MatrixFormat::Markdown => crate::report::matrix::markdown(&columns),
                MatrixFormat::Html => crate::report::matrix::html(&columns),
            };
            write_output(output.as_deref(), &rendered)?;
            Ok(EXIT_OK)
        }
        Command::Vectors {
            command:
                VectorsCommand::Export {
                    output,
                    vector_dirs,
                },
        } => {
            if let Some(output) = &output {
                crate::files::check_output(output, "--output")?;
            }
            let cases = select(&Selection {
                vector_dirs,
                ..Selection::default()
            })?;
            let json = serde_json::to_string_pretty(&sigv4_vectors::export_json(&cases))
                .map_err(|e| e.to_string())?;
            write_output(output.as_deref(), &format!("{json}\n"))?;
            Ok(EXIT_OK)
        }
    }
}

fn check(args: CheckArgs) -> Result<u8, String> {
    let cases = select(&args.selection.selection())?;
    if args.list {
        let ids: String = cases.iter().map(|c| format!("{}\n", c.id)).collect();
        emit(&ids)?;
        return Ok(EXIT_OK);
    }
    refuse_unsignable(&cases)?;
    // The secrets of the cases run, kept out of everything printed.
    let secrets = crate::report::redact::secrets_of(&cases);
    let redactor = crate::report::redact::Redactor::new(secrets.iter().map(String::as_str));
    if !(args.timeout > 0.0 && args.timeout <= 3600.0) {
        return Err(format!(
            "--timeout {} is out of range: give 0 < SECS <= 3600",
            args.timeout
        ));
    }
    if args.jobs == 0 || args.jobs > 256 {
        return Err(format!(
            "--jobs {} is out of range: give 1..=256",
            args.jobs
        ));
    }
    for feature in &args.features {
        if !crate::protocol::ALL_FEATURES.contains(&feature.as_str()) {
            return Err(format!(
                "unknown feature {feature:?}; the features are: {}",
                crate::protocol::ALL_FEATURES.join(", ")
            ));
        }
    }
    check_outputs(&args)?;
    let baseline = args
        .baseline
        .as_deref()
        .map(crate::baseline::load)
        .transpose()?;
    let mut adapter_info = None;
    let (mut results, subject) = match &args.adapter {
        None => {
            let signer = Signer::new();
            let results: Vec<_> = cases
                .iter()
                .map(|case| crate::reference_check::check_case(&signer, case))
                .collect();
            let subject = Subject {
                name: "sigv4-conformance reference".into(),
                version: env!("CARGO_PKG_VERSION").into(),
                command: String::new(),
            };
            (results, subject)
        }
        Some(command) => {
            let config = AdapterConfig {
                command: command.clone(),
                oneshot: args.oneshot,
                oneshot_features: if args.features.is_empty() {
                    crate::protocol::ALL_FEATURES
                        .iter()
                        .map(|f| (*f).to_owned())
                        .collect()
                } else {
                    args.features.clone()
                },
                timeout: Duration::from_secs_f64(args.timeout),
            };
            crate::interrupt::install(" (no report written)");
            let (results, info) = crate::adapter_check::check_all(&config, &cases, args.jobs);
            let unknown: Vec<&String> = info
                .features
                .iter()
                .filter(|f| !crate::protocol::ALL_FEATURES.contains(&f.as_str()))
                .collect();
            if !unknown.is_empty() && !args.oneshot {
                eprintln!(
                    "warning: the adapter's hello declares unknown features {}; the features are: {}",
                    crate::diff::printable(&redactor.scrub(&format!("{unknown:?}"))),
                    crate::protocol::ALL_FEATURES.join(", ")
                );
            }
            adapter_info = Some(info.clone());
            let subject = Subject {
                name: info.name,
                version: info.version,
                command: command.clone(),
            };
            (results, subject)
        }
    };
    crate::report::redact::redact(&mut results, &secrets);
    // What the adapter says about itself, and the command that started it,
    // are the adapter's text too.
    let subject = Subject {
        name: redactor.scrub(&subject.name),
        version: redactor.scrub(&subject.version),
        command: redactor.scrub(&subject.command),
    };
    // A run that checked nothing through a broken adapter is a setup error:
    // one message, not a report of the same error per case (a JSON or
    // JUnit report is still written, for CI to keep).
    // (An interrupted run is neither: it is reported as far as it went.)
    let nothing_checked = adapter_info
        .as_ref()
        .filter(|_| !crate::interrupt::requested())
        .and_then(|info| crate::adapter_check::nothing_checked(&results, info, args.oneshot));
    let broken = match &nothing_checked {
        Some(crate::adapter_check::NothingChecked::Broken(why)) => {
            Some(crate::diff::printable(&redactor.scrub(why)))
        }
        _ => None,
    };
    if let (Some(why), Format::Human) = (&broken, args.format) {
        return Err(why.clone());
    }
    let selection = args.selection.selection();
    let comparison = baseline.as_ref().map(|b| crate::baseline::Comparison {
        strict: args.strict_baseline,
        ..crate::baseline::compare(b, &results, |id| selection.selects(id))
    });
    let baseline_file = args.baseline.as_ref().map(|p| p.display().to_string());
    let judged = baseline_file
        .as_deref()
        .zip(comparison.as_ref())
        .map(|(file, comparison)| crate::baseline::Judged { file, comparison });
    // The summary, and how the run compares with the baseline: the verdict
    // behind the exit status, shown on stderr when the report goes to a file.
    let mut verdict = crate::report::human::summary(&results);
    verdict.push('\n');
    if let Some(judged) = judged {
        verdict.push_str(&crate::baseline::describe(judged.file, judged.comparison));
    }
    // What a diff's two sides are.
    let sides = if subject.command.is_empty() {
        ("published vector", "reference signer")
    } else {
        ("reference signer", "adapter")
    };
    let report = match args.format {
        Format::Human => {
            let who = if subject.command.is_empty() {
                "built-in reference signer".to_owned()
            } else {
                let name = if subject.name.is_empty() {
                    "adapter".to_owned()
                } else {
                    format!("{} {}", subject.name, subject.version)
                };
                // The adapter's own words: no escape sequence reaches the
                // terminal.
                crate::diff::printable(&format!("{} (`{}`)", name.trim(), subject.command))
            };
            crate::report::human::render(
                &format!(
                    "sigv4-conformance {}: {who} against {}",
                    env!("CARGO_PKG_VERSION"),
                    crate::report::human::cases(results.len())
                ),
                &results,
                &verdict,
                sides,
            )
        }
        Format::Json => {
            let doc = crate::report::json::render(&subject, &results, judged);
            format!(
                "{}\n",
                serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?
            )
        }
        Format::Junit => crate::report::junit::render(&subject.name, &results, judged, sides),
    };
    write_output(args.output.as_deref(), &report)?;
    if let Some(why) = broken {
        return Err(why);
    }
    if args.output.is_some() {
        eprint!("{verdict}");
    }
    if let Some(crate::adapter_check::NothingChecked::AllSkipped(why)) = &nothing_checked {
        eprintln!("warning: {why}");
    }
    if crate::interrupt::requested() {
        let run = results
            .iter()
            .filter(|r| {
                !matches!(&r.verdict, crate::verdict::Verdict::Skipped { reason }
                    if reason == crate::adapter_check::NOT_RUN_INTERRUPTED)
            })
            .count();
        eprintln!(
            "interrupted: {run} of {} cases ran; the others are reported as not run{}",
            results.len(),
            if args.write_baseline.is_some() {
                ", and no baseline was written"
            } else {
                ""
            }
        );
        return Ok(crate::interrupt::EXIT_INTERRUPTED);
    }
    if let Some(path) = &args.write_baseline {
        // A filtered run rewrites only its own cases' entries.
        let previous = path
            .exists()
            .then(|| crate::baseline::load(path).ok())
            .flatten();
        let written = crate::baseline::from_results_keeping(&results, previous.as_ref(), |id| {
            selection.selects(id)
        });
        let text = serde_json::to_string_pretty(&written).map_err(|e| e.to_string())?;
        crate::files::write_whole(path, &format!("{text}\n"))?;
        eprintln!(
            "baseline {} written: {} expected failure(s)",
            path.display(),
            written.expected_failures.len()
        );
    }
    let failed = match (&comparison, &args.write_baseline) {
        (Some(c), _) => c.is_failure(),
        // The baseline just written lists every current failure; judged
        // against it, as a CI bootstrap step needs, nothing failed.
        (None, Some(_)) => false,
        (None, None) => results.iter().any(|r| r.fails_run()),
    };
    Ok(if failed { EXIT_FAILED } else { EXIT_OK })
}

/// An `--adapter` command: anything `sh -c` can run, but not nothing.
pub fn adapter_command(command: &str) -> Result<String, String> {
    if command.trim().is_empty() {
        return Err(
            "the command is empty: give the command that starts your adapter, \
             e.g. --adapter \"python3 my_adapter.py\""
                .into(),
        );
    }
    Ok(command.to_owned())
}

fn serve(args: ServeArgs) -> Result<u8, String> {
    use crate::serve::{identity::CredentialStore, policy::Policies, respond::Endpoint};
    let credentials = CredentialStore::load(&args.credentials)?;
    // Said once every option is known to be good, not before an error.
    let mut policy_note = None;
    let policies = if args.policies.is_empty() {
        policy_note = Some("no --policy given: every known caller is allowed");
        None
    } else {
        // Once a policy is given, only its statements decide: a file with
        // no statement denies everything, as an empty IAM policy does.
        let policies = Policies::load(&args.policies)?;
        if policies.is_empty() {
            policy_note = Some("the --policy files hold no statement: every request is denied");
        }
        Some(policies)
    };
    if let Some(stage) = &args.stage {
        // The stage is compared with the path's first segment as a policy
        // sees it (decoded): a stage that no segment can equal is a mistake.
        if stage.is_empty() || stage == "." || stage == ".." || stage.contains(['/', '%']) {
            return Err(format!(
                "--stage {stage:?} is not a path segment (it must be non-empty, without / or %, and not . or ..)"
            ));
        }
    }
    let pinned_time = args
        .time
        .as_deref()
        .map(|t| sigv4_signer::SigningTime::parse(t).map_err(|e| format!("--time: {e}")))
        .transpose()?;
    for (what, value) in [("--region", &args.region), ("--service", &args.service)] {
        if value.is_empty() || value.contains(['/', ' ']) {
            return Err(format!("{what} {value:?} is not a valid scope part"));
        }
    }
    let endpoint = Endpoint {
        credentials,
        policies,
        region: args.region,
        service: args.service,
        stage: args.stage,
        account: args.account,
        api_id: args.api_id,
        pinned_time,
        max_skew_seconds: args.max_skew,
        uri: sigv4_signer::UriOptions {
            normalize: !args.s3_paths,
            double_encode: !args.s3_paths,
        },
        cache: sigv4_signer::KeyCache::new(),
    };
    let options = crate::serve::ServerOptions {
        listen: args.listen,
        max_body_bytes: args.max_body,
        max_requests: if args.once {
            Some(1)
        } else {
            args.max_requests
        },
        json_log: args.log_format == LogFormat::Json,
        max_connections: args.max_connections,
        client_timeout: Duration::try_from_secs_f64(args.client_timeout)
            .ok()
            .filter(|d| !d.is_zero())
            .ok_or_else(|| {
                format!(
                    "--client-timeout {} is not a positive number of seconds",
                    args.client_timeout
                )
            })?,
    };
    if let Some(note) = policy_note {
        eprintln!("note: {note}");
    }
    crate::serve::run(endpoint, options)?;
    Ok(EXIT_OK)
}

/// Writes to stdout; a closed pipe (`| head`) is not an error.
/// Writes to stdout. A reader that went away (`| head`) is no error; any
/// other failure (a full disk) is.
fn emit(text: &str) -> Result<(), String> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(format!("cannot write to stdout: {e}"))
        }
        _ => Ok(()),
    }
}

fn write_output(path: Option<&std::path::Path>, text: &str) -> Result<(), String> {
    match path {
        None => emit(text),
        Some(path) => crate::files::write_whole(path, text),
    }
}

/// A case the reference signer refuses (no `Host`, an empty region, a
/// lifetime of 0) is a broken vector, not a finding about a signer: a setup
/// error naming it, before anything runs. (`explain ID` shows why.)
fn refuse_unsignable(cases: &[sigv4_vectors::Case]) -> Result<(), String> {
    let signer = Signer::new();
    for case in cases {
        let message = crate::cases::sign_message(case);
        if let Err(e) = crate::reference::sign(&signer, &message) {
            return Err(format!(
                "vector {} cannot be signed: {e}. A case must be a request a correct signer \
                 signs: fix the case's files ({}; `explain {}` with the same --vectors shows \
                 what was read)",
                case.id, case.dir, case.id
            ));
        }
    }
    Ok(())
}

/// The output files of a check, checked before it runs: each can be
/// written, and none overwrites the baseline read or another output.
fn check_outputs(args: &CheckArgs) -> Result<(), String> {
    let outputs = [
        (args.output.as_deref(), "--output"),
        (args.write_baseline.as_deref(), "--write-baseline"),
    ];
    for (path, what) in outputs {
        if let Some(path) = path {
            crate::files::check_output(path, what)?;
        }
    }
    if let (Some(output), Some(written)) = (&args.output, &args.write_baseline) {
        crate::files::check_distinct((output, "--output"), (written, "--write-baseline"))?;
    }
    if let (Some(output), Some(read)) = (&args.output, &args.baseline) {
        crate::files::check_distinct((output, "--output"), (read, "--baseline"))?;
    }
    Ok(())
}
