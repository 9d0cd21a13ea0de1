//! What several test modules need alike.

use std::process::{Child, Output};
use std::time::{Duration, Instant};

/// Sends SIGINT to `child` after `after`, as Ctrl-C would, and waits for
/// it: its output, and how long it took to exit once interrupted.
pub fn interrupt_after(child: Child, after: Duration) -> (Output, Duration) {
    std::thread::sleep(after);
    let sent = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success(), "SIGINT sent");
    let interrupted = Instant::now();
    let output = child.wait_with_output().expect("waits");
    (output, interrupted.elapsed())
}
