//! Running an adapter process and exchanging protocol messages with it,
//! surviving whatever it does: crash, hang, early exit, garbage, floods.
//!
//! Each adapter's stdout and stderr are read by threads of their own: stdout
//! lines go through a bounded channel (an adapter that floods it is simply
//! blocked), stderr is kept as a bounded tail. Every wait has a timeout;
//! a misbehaving process is killed with its whole process group.

use crate::protocol::{AdapterMessage, HarnessMessage, PROTOCOL_VERSION};
use serde::Deserialize;
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::CommandExt;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// How to run an adapter.
#[derive(Debug, Clone)]
pub struct AdapterConfig {
    /// The command line, run with `sh -c`.
    pub command: String,
    /// Start the command once per message, without `hello`.
    pub oneshot: bool,
    /// Features of a one-shot adapter (`--features`).
    pub oneshot_features: Vec<String>,
    /// The longest wait for one answer (and for the hello).
    pub timeout: Duration,
}

/// The longest answer line accepted; longer ones are an adapter fault.
pub const MAX_LINE_BYTES: usize = 16 * 1024 * 1024;
/// How much of stderr is kept to show.
pub const STDERR_TAIL_BYTES: usize = 4096;

/// What the adapter said about itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdapterInfo {
    /// Implementation name.
    pub name: String,
    /// Implementation version.
    pub version: String,
    /// Declared features.
    pub features: Vec<String>,
}

/// An adapter fault: what it did wrong and its stderr tail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// True when the adapter could not be started or failed the hello
    /// handshake (as opposed to failing one exchange).
    pub at_start: bool,
    /// What happened, in a sentence.
    pub reason: String,
    /// The last lines of stderr.
    pub stderr_tail: String,
}

enum Line {
    Text(String),
    TooLong,
    NotUtf8,
    Eof,
    ReadError(String),
}

/// A running persistent adapter, or the config of a one-shot one.
pub struct Adapter {
    config: AdapterConfig,
    process: Option<Process>,
    info: AdapterInfo,
    /// The id of the last message answered, to recognise a second answer
    /// to it.
    answered: Option<String>,
    /// What the adapter printed besides its answers, found during the last
    /// exchange, for the caller to report ([`Adapter::take_stray_output`]).
    stray_output: Option<String>,
}

struct Process {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<Line>,
    stderr: Arc<Mutex<VecDeque<u8>>>,
}

impl Drop for Process {
    fn drop(&mut self) {
        // Closing stdin asks a well-behaved adapter to exit; then make sure.
        self.stdin.take();
        kill_group(&mut self.child);
    }
}

/// How often a wait for an adapter looks for an interrupt.
const INTERRUPT_POLL: Duration = Duration::from_millis(100);

/// The reason of an exchange cut short by an interrupt.
pub const INTERRUPTED: &str = "interrupted (Ctrl-C or SIGTERM) before the adapter answered";

/// How long an adapter that closed its stdout gets to exit, at least.
const EXIT_GRACE: Duration = Duration::from_secs(1);

/// The exit status of `child` once it has exited, or `None` if it is still
/// running at `deadline`.
fn wait_until(child: &mut Child, deadline: Instant) -> Option<String> {
    loop {
        match child.try_wait() {
            // `sh -c` exits 127 when it finds no such command.
            Ok(Some(status)) if status.code() == Some(127) => {
                return Some(format!("{status}: the shell found no such command"))
            }
            Ok(Some(status)) => return Some(status.to_string()),
            Err(e) => return Some(e.to_string()),
            Ok(None) if Instant::now() >= deadline || crate::interrupt::requested() => return None,
            Ok(None) => thread::sleep(Duration::from_millis(10)),
        }
    }
}

/// The process groups of the adapters running now, for an interrupt that
/// must not leave them behind ([`kill_every_adapter`]).
static RUNNING: Mutex<Vec<u32>> = Mutex::new(Vec::new());

fn kill_group(child: &mut Child) {
    // The adapter runs in its own process group (see `spawn`), so grand-
    // children started by `sh -c` or the adapter go too.
    signal_group(child.id());
    let _ = child.kill();
    let _ = child.wait();
    if let Ok(mut running) = RUNNING.lock() {
        running.retain(|&group| group != child.id());
    }
}

fn signal_group(group: u32) {
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{group}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// Kills every adapter still running (and what each started in its process
/// group), for an exit that cannot wait for them to be dropped.
pub fn kill_every_adapter() {
    let groups = RUNNING
        .lock()
        .map(|running| running.clone())
        .unwrap_or_default();
    for group in groups {
        signal_group(group);
    }
}

fn spawn(command: &str) -> Result<Process, String> {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .map_err(|e| format!("cannot start `sh -c {command}`: {e}"))?;
    if let Ok(mut running) = RUNNING.lock() {
        running.push(child.id());
    }
    let stdout = child.stdout.take().ok_or("no stdout pipe")?;
    let stderr = child.stderr.take().ok_or("no stderr pipe")?;
    let (sender, lines) = sync_channel(4);
    thread::spawn(move || read_lines(stdout, sender));
    let tail = Arc::new(Mutex::new(VecDeque::with_capacity(STDERR_TAIL_BYTES)));
    let tail_writer = Arc::clone(&tail);
    thread::spawn(move || keep_tail(stderr, &tail_writer));
    Ok(Process {
        stdin: child.stdin.take(),
        child,
        lines,
        stderr: tail,
    })
}

fn read_lines(stdout: impl Read, sender: std::sync::mpsc::SyncSender<Line>) {
    let mut reader = BufReader::with_capacity(64 * 1024, stdout);
    loop {
        let mut line = Vec::new();
        // Read at most MAX_LINE_BYTES + 1 so a newline-free flood is cut.
        let read = (&mut reader)
            .take(MAX_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut line);
        let event = match read {
            Ok(0) => Line::Eof,
            Err(e) => Line::ReadError(e.to_string()),
            Ok(_) if line.last() != Some(&b'\n') && line.len() > MAX_LINE_BYTES => {
                // Report at once, then discard the rest of the line without
                // keeping it: it may never end.
                drop(line);
                if sender.send(Line::TooLong).is_err() || !skip_line(&mut reader) {
                    return;
                }
                continue;
            }
            Ok(_) => match String::from_utf8(line) {
                Ok(text) => Line::Text(text.trim_end_matches(['\n', '\r']).to_owned()),
                Err(_) => Line::NotUtf8,
            },
        };
        let end = matches!(event, Line::Eof | Line::ReadError(_));
        if sender.send(event).is_err() || end {
            return;
        }
    }
}

/// Discards input up to and including the next newline; false at end of
/// input or on a read error.
fn skip_line(reader: &mut impl BufRead) -> bool {
    loop {
        let (consumed, found) = match reader.fill_buf() {
            Ok([]) | Err(_) => return false,
            Ok(buffer) => match buffer.iter().position(|&b| b == b'\n') {
                Some(at) => (at + 1, true),
                None => (buffer.len(), false),
            },
        };
        reader.consume(consumed);
        if found {
            return true;
        }
    }
}

fn keep_tail(mut stderr: impl Read, tail: &Mutex<VecDeque<u8>>) {
    let mut buffer = [0u8; 8192];
    while let Ok(n) = stderr.read(&mut buffer) {
        if n == 0 {
            return;
        }
        if let Ok(mut tail) = tail.lock() {
            tail.extend(&buffer[..n]);
            let excess = tail.len().saturating_sub(STDERR_TAIL_BYTES);
            tail.drain(..excess);
        }
    }
}

impl Process {
    fn stderr_tail(&self) -> String {
        // Give the stderr thread a moment to catch up with a crash message.
        thread::sleep(Duration::from_millis(20));
        let bytes: Vec<u8> = self
            .stderr
            .lock()
            .map(|t| t.iter().copied().collect())
            .unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    fn fault(&mut self, reason: String) -> Fault {
        let stderr_tail = self.stderr_tail();
        Fault {
            at_start: false,
            reason,
            stderr_tail,
        }
    }

    fn send(&mut self, message: &str) -> Result<(), String> {
        let stdin = self.stdin.as_mut().ok_or("stdin already closed")?;
        stdin
            .write_all(message.as_bytes())
            .and_then(|()| stdin.write_all(b"\n"))
            .and_then(|()| stdin.flush())
            .map_err(|e| {
                format!("could not write to the adapter's stdin ({e}); it has probably exited")
            })
    }

    /// Reads one answer line, within `timeout`.
    fn receive(&mut self, timeout: Duration) -> Result<String, String> {
        // One deadline for the whole answer: blank lines (a keep-alive, a
        // logger's separators) must not restart the wait.
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            // Waited in short slices, to notice an interrupt.
            let received = self.lines.recv_timeout(left.min(INTERRUPT_POLL));
            if matches!(received, Err(RecvTimeoutError::Timeout)) && left > INTERRUPT_POLL {
                if crate::interrupt::requested() {
                    return Err(INTERRUPTED.to_owned());
                }
                continue;
            }
            return match received {
                Ok(Line::Text(text)) if text.trim().is_empty() => continue,
                Ok(Line::Text(text)) => Ok(text),
                Ok(Line::TooLong) => Err(format!(
                    "the adapter printed a line longer than {} MiB",
                    MAX_LINE_BYTES >> 20
                )),
                Ok(Line::NotUtf8) => Err("the adapter printed a line that is not UTF-8".into()),
                Ok(Line::ReadError(e)) => Err(format!("reading the adapter's stdout failed: {e}")),
                Ok(Line::Eof) | Err(RecvTimeoutError::Disconnected) => {
                    // Its stdout is closed, but the process may live on: wait
                    // for it no longer than for an answer (a second at
                    // least, for the exit status of one that is exiting).
                    let grace = deadline.max(Instant::now() + EXIT_GRACE);
                    Err(match wait_until(&mut self.child, grace) {
                        Some(status) => format!("the adapter exited ({status}) before answering"),
                        None if crate::interrupt::requested() => {
                            kill_group(&mut self.child);
                            INTERRUPTED.to_owned()
                        }
                        None => {
                            kill_group(&mut self.child);
                            "the adapter closed its stdout without answering and did not exit; \
                             it was stopped"
                                .to_owned()
                        }
                    })
                }
                Err(RecvTimeoutError::Timeout) => {
                    let waited = format!(
                        "no answer within {:.1} s (the per-message timeout, --timeout)",
                        timeout.as_secs_f64()
                    );
                    Err(match self.child.try_wait() {
                        Ok(Some(status)) => format!(
                            "{waited}; the adapter exited ({status}) but its stdout stayed \
                             open: a process it started still holds it"
                        ),
                        _ => format!(
                            "{waited}; an answer is one line: end it with a newline and \
                             flush stdout"
                        ),
                    })
                }
            };
        }
    }

    /// `first` and every line the adapter prints after it until its stdout
    /// ends (or `deadline`), joined: a one-shot answer printed over several
    /// lines.
    fn rest_of_output(&mut self, first: String, deadline: Instant) -> String {
        let mut text = first;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(Line::Text(line)) if text.len() + line.len() < MAX_LINE_BYTES => {
                    text.push('\n');
                    text.push_str(&line);
                }
                _ => return text,
            }
        }
    }

    /// Lines the adapter printed beyond its answers: how many, and the
    /// first.
    fn drain_extra(&mut self) -> (usize, String) {
        let (mut extra, mut first) = (0, String::new());
        while let Ok(line) = self.lines.try_recv() {
            match line {
                Line::Eof => break,
                Line::Text(t) if t.trim().is_empty() => {}
                Line::Text(t) => {
                    if extra == 0 {
                        first = excerpt(&t);
                    }
                    extra += 1;
                }
                _ => extra += 1,
            }
        }
        (extra, first)
    }
}

/// How long the answer may take to follow a line that is not one, printed
/// after the previous answer: a log line comes right after an answer, the
/// next answer soon after it.
const STRAY_LINE_GRACE: Duration = Duration::from_secs(1);

/// The most stray lines read, within [`STRAY_LINE_GRACE`], while looking
/// for the answer behind them.
const MAX_STRAY_LINES: usize = 1000;

/// Whether `line` is a JSON object with the id `id`: an answer to this
/// message, however misshapen, not stray output.
fn carries_id(line: &str, id: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(line)
        .is_ok_and(|value| value.get("id").and_then(|v| v.as_str()) == Some(id))
}

/// The first 200 characters of an unexpected answer, for the report.
fn excerpt(text: &str) -> String {
    let cut: String = text.chars().take(200).collect();
    if cut.len() < text.len() {
        format!("{cut}…")
    } else {
        cut
    }
}

/// Parses an answer line into a message.
fn parse_answer(line: &str) -> Result<AdapterMessage, String> {
    let value: serde_json::Value = serde_json::from_str(line).map_err(|e| {
        format!(
            "the adapter printed a line that is not JSON ({e}): {}",
            excerpt(line)
        )
    })?;
    if !value.is_object() {
        return Err(format!(
            "the adapter's answer is not a JSON object: {}",
            excerpt(line)
        ));
    }
    // Read from a borrow: the value is still there to look into on an
    // error, and a large answer is not copied.
    AdapterMessage::deserialize(&value).map_err(|e| {
        let field = misfit_field(&value)
            .map(|(field, why)| format!("{field}: {why}"))
            .unwrap_or_else(|| e.to_string());
        format!(
            "the adapter's answer does not fit the protocol ({field}): {}",
            excerpt(line)
        )
    })
}

/// Which field of a `signed` answer has the wrong shape, and how: serde's
/// error for a tagged message names no field.
fn misfit_field(answer: &serde_json::Value) -> Option<(String, String)> {
    use serde_json::Value;
    if answer.get("type")?.as_str()? != "signed" {
        return None;
    }
    let text_or_absent =
        |value: Option<&Value>| matches!(value, None | Some(Value::Null | Value::String(_)));
    for field in ["canonical_request", "string_to_sign", "signature"] {
        if !text_or_absent(answer.get(field)) {
            return Some((
                field.to_owned(),
                "a string (or absent) is expected".to_owned(),
            ));
        }
    }
    let Some(request) = answer.get("request") else {
        return Some(("request".to_owned(), "missing".to_owned()));
    };
    if !request.is_object() {
        return Some(("request".to_owned(), "an object is expected".to_owned()));
    }
    for field in ["method", "path"] {
        if !matches!(request.get(field), Some(Value::String(_))) {
            return Some((
                format!("request.{field}"),
                "a string is expected".to_owned(),
            ));
        }
    }
    if !text_or_absent(request.get("query")) {
        return Some((
            "request.query".to_owned(),
            "a string is expected".to_owned(),
        ));
    }
    let pairs = "an array of [name, value] pairs of strings is expected";
    match request.get("headers") {
        None => {}
        Some(Value::Array(headers)) => {
            for (at, header) in headers.iter().enumerate() {
                let is_pair = header
                    .as_array()
                    .is_some_and(|pair| pair.len() == 2 && pair.iter().all(Value::is_string));
                if !is_pair {
                    return Some((format!("request.headers[{at}]"), pairs.to_owned()));
                }
            }
        }
        Some(_) => return Some(("request.headers".to_owned(), pairs.to_owned())),
    }
    None
}

impl Adapter {
    /// An adapter that starts on first use.
    pub fn new(config: AdapterConfig) -> Adapter {
        let info = if config.oneshot {
            AdapterInfo {
                name: String::new(),
                version: String::new(),
                features: config.oneshot_features.clone(),
            }
        } else {
            AdapterInfo::default()
        };
        Adapter {
            config,
            process: None,
            info,
            answered: None,
            stray_output: None,
        }
    }

    /// What the adapter printed on stdout besides its answer, found during
    /// the last exchange that succeeded: a protocol violation that did not
    /// spoil the answer, for the caller to report with the case.
    pub fn take_stray_output(&mut self) -> Option<String> {
        self.stray_output.take()
    }

    /// What the adapter said in its hello (one-shot: from `--features`).
    /// Starts a persistent adapter if needed.
    ///
    /// # Errors
    /// A [`Fault`] when the adapter does not start or answer the hello.
    pub fn info(&mut self) -> Result<&AdapterInfo, Fault> {
        if !self.config.oneshot && self.process.is_none() {
            self.start()?;
        }
        Ok(&self.info)
    }

    fn start(&mut self) -> Result<(), Fault> {
        let mut process = spawn(&self.config.command).map_err(|reason| Fault {
            at_start: true,
            reason,
            stderr_tail: String::new(),
        })?;
        let hello = serde_json::to_string(&HarnessMessage::Hello {
            protocol: PROTOCOL_VERSION,
        })
        .unwrap_or_default();
        let answer = process
            .send(&hello)
            .map_err(|cannot_write| {
                // Most likely it has exited already: say how.
                match wait_until(&mut process.child, Instant::now() + EXIT_GRACE) {
                    Some(status) => format!("the adapter exited ({status}) before reading it"),
                    None => cannot_write,
                }
            })
            .and_then(|()| process.receive(self.config.timeout))
            .and_then(|line| {
                if line.trim() == hello {
                    return Err(format!(
                        "the adapter printed the harness's own hello back ({hello}); it answers \
                         with a hello of its own, naming itself and the features it signs, e.g. \
                         {{\"type\":\"hello\",\"protocol\":{PROTOCOL_VERSION},\"name\":\"my-signer\",\
                         \"version\":\"1.0\",\"features\":[\"header\",\"query\"]}}"
                    ));
                }
                parse_answer(&line)
            });
        let problem = match answer {
            Ok(AdapterMessage::Hello {
                protocol,
                name,
                version,
                features,
            }) => {
                if protocol == PROTOCOL_VERSION {
                    self.info = AdapterInfo {
                        name,
                        version,
                        features,
                    };
                    self.process = Some(process);
                    return Ok(());
                }
                format!("the adapter speaks protocol {protocol}; this harness speaks {PROTOCOL_VERSION}")
            }
            Ok(other) => format!(
                "the adapter answered with a {:?} message",
                message_type(&other)
            ),
            Err(reason) => reason,
        };
        let mut fault = process.fault(format!("during the hello handshake: {problem}"));
        fault.at_start = true;
        Err(fault)
    }

    /// Sends one message and reads its answer. On any fault the process is
    /// dropped (killed) and restarted for the next message.
    ///
    /// # Errors
    /// A [`Fault`] describing what the adapter did wrong.
    pub fn exchange(&mut self, id: &str, message: &str) -> Result<AdapterMessage, Fault> {
        if self.config.oneshot {
            return self.exchange_oneshot(message);
        }
        let mut note = None;
        self.stray_output = None;
        if let Some(process) = self.process.as_mut() {
            let (extra, first) = process.drain_extra();
            if extra > 0 {
                let stray = format!(
                    "after its answer to the previous message the adapter printed {extra} more \
                     line(s) on stdout (the first: {first:?}); stdout carries exactly one line per \
                     message (logs go to stderr), so it was restarted"
                );
                note = Some(format!("({stray}) "));
                self.stray_output = Some(stray);
                self.process = None;
            }
        }
        if self.process.is_none() {
            self.start().map_err(|mut f| {
                f.reason = format!("{}{}", note.clone().unwrap_or_default(), f.reason);
                f
            })?;
        }
        let timeout = self.config.timeout;
        let Some(process) = self.process.as_mut() else {
            return Err(Fault {
                at_start: true,
                reason: "the adapter is not running".into(),
                stderr_tail: String::new(),
            });
        };
        let answered = self.answered.take();
        let stray_output = &mut self.stray_output;
        let mut receive = |process: &mut Process| -> Result<AdapterMessage, String> {
            let line = process.receive(timeout)?;
            let answer = match (parse_answer(&line), &answered) {
                (Ok(answer), _) => answer,
                // Not this message's answer, after an answer to the last
                // one: perhaps a log line printed after that answer that
                // arrived after this message was sent. If the answer
                // follows at once, the line is only stray output; the
                // verdict must not depend on when the line arrived.
                (Err(reason), Some(previous)) if !carries_id(&line, id) => {
                    let late = || {
                        format!(
                            "{reason} (if the adapter printed it after its answer to {previous}: \
                             stdout carries exactly one line per message; logs go to stderr)"
                        )
                    };
                    let grace = Instant::now() + timeout.min(STRAY_LINE_GRACE);
                    let mut strays = 1;
                    let answer = loop {
                        let left = grace.saturating_duration_since(Instant::now());
                        if left.is_zero() {
                            return Err(late());
                        }
                        let next = process.receive(left).map_err(|_| late())?;
                        match parse_answer(&next) {
                            Ok(answer) => break answer,
                            // This message's answer, misshapen.
                            Err(reason) if carries_id(&next, id) => return Err(reason),
                            Err(_) if strays < MAX_STRAY_LINES => strays += 1,
                            Err(_) => return Err(late()),
                        }
                    };
                    *stray_output = Some(format!(
                        "after its answer to {previous} the adapter printed {strays} line(s) that \
                         are not an answer (the first: {:?}); stdout carries exactly one line per \
                         message (logs go to stderr)",
                        excerpt(&line)
                    ));
                    answer
                }
                (Err(reason), _) => return Err(reason),
            };
            // A second answer to the previous message, printed after the
            // first: stray output (had it come a moment sooner it would
            // have been found above), and this message's answer follows.
            let repeated =
                answer_id(&answer).is_some_and(|got| got != id && Some(got) == answered.as_deref());
            if !repeated {
                return Ok(answer);
            }
            *stray_output = Some(format!(
                "the adapter answered the previous message twice (a second line with its id \
                 {:?}); stdout carries exactly one line per message (logs go to stderr)",
                answered.as_deref().unwrap_or_default()
            ));
            parse_answer(&process.receive(timeout)?)
        };
        let result = process
            .send(message)
            .and_then(|()| receive(process))
            .and_then(|answer| match answer_id(&answer) {
                _ if matches!(answer, AdapterMessage::Hello { .. }) => {
                    Err("the adapter answered a sign message with a \"hello\" message".to_owned())
                }
                Some(got) if got != id => Err(format!(
                    "the adapter answered with id {got:?}, expected {id:?}"
                )),
                _ => Ok(answer),
            });
        match result {
            Ok(answer) => {
                self.answered = Some(id.to_owned());
                Ok(answer)
            }
            Err(reason) => {
                let fault = process.fault(format!("{}{reason}", note.unwrap_or_default()));
                self.process = None;
                Err(fault)
            }
        }
    }

    fn exchange_oneshot(&mut self, message: &str) -> Result<AdapterMessage, Fault> {
        let mut process = spawn(&self.config.command).map_err(|reason| Fault {
            at_start: true,
            reason,
            stderr_tail: String::new(),
        })?;
        let sent = process.send(message);
        process.stdin.take();
        let deadline = Instant::now() + self.config.timeout;
        let result = sent
            .and_then(|()| process.receive(self.config.timeout))
            .and_then(|line| match parse_answer(&line) {
                // A one-shot adapter's whole output is its answer: one
                // pretty-printed over several lines (`jq .`, `json.tool`)
                // is read to its end.
                Err(_) => parse_answer(&process.rest_of_output(line, deadline)),
                answer => answer,
            });
        result.map_err(|reason| process.fault(reason))
    }
}

fn answer_id(answer: &AdapterMessage) -> Option<&str> {
    match answer {
        AdapterMessage::Signed { id, .. } | AdapterMessage::Unsupported { id, .. } => Some(id),
        AdapterMessage::Error { id, .. } => id.as_deref(),
        AdapterMessage::Hello { .. } => None,
    }
}

/// The `type` of a message, for error texts.
pub fn message_type(message: &AdapterMessage) -> &'static str {
    match message {
        AdapterMessage::Hello { .. } => "hello",
        AdapterMessage::Signed { .. } => "signed",
        AdapterMessage::Unsupported { .. } => "unsupported",
        AdapterMessage::Error { .. } => "error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_misshapen_answer_names_its_field() {
        let signed = |request: &str, extra: &str| {
            format!(r#"{{"type":"signed","id":"a","request":{request}{extra}}}"#)
        };
        let good = r#"{"method":"GET","path":"/","query":"","headers":[["Host","x"]]}"#;
        assert!(parse_answer(&signed(good, "")).is_ok());
        for (line, field) in [
            (
                signed(r#"{"method":"GET","path":"/","headers":{"Host":"x"}}"#, ""),
                "(request.headers: ",
            ),
            (
                signed(r#"{"method":"GET","path":"/","headers":[["Host"]]}"#, ""),
                "(request.headers[0]: ",
            ),
            (
                signed(r#"{"method":"GET","path":"/","headers":[["Host",1]]}"#, ""),
                "(request.headers[0]: ",
            ),
            (
                signed(r#"{"method":1,"path":"/"}"#, ""),
                "(request.method: ",
            ),
            (signed(r#"{"method":"GET"}"#, ""), "(request.path: "),
            (
                signed(r#"{"method":"GET","path":"/","query":5}"#, ""),
                "(request.query: ",
            ),
            (signed(r#"[]"#, ""), "(request: an object"),
            (signed(good, r#","signature":7"#), "(signature: "),
            (
                signed(good, r#","canonical_request":[]"#),
                "(canonical_request: ",
            ),
            (
                r#"{"type":"signed","id":"a"}"#.to_owned(),
                "(request: missing",
            ),
        ] {
            let error = parse_answer(&line).err().unwrap_or_default();
            assert!(error.contains(field), "{line}: {error}");
        }
    }
}
