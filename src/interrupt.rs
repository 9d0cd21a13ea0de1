//! Ctrl-C and SIGTERM during a long run (`check` through an adapter,
//! `fuzz`): the first asks the run to stop, and every wait on an adapter
//! notices within a tenth of a second, so the run ends with what it has (a
//! report, the cases found); a second one exits at once. Either way no
//! adapter is left running: adapters run in process groups of their own,
//! which a terminal's Ctrl-C does not reach, so they are killed here.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::OnceLock;

static STOP: AtomicBool = AtomicBool::new(false);
static INTERRUPTS: AtomicUsize = AtomicUsize::new(0);
static HANDLER: OnceLock<bool> = OnceLock::new();
static ON_SECOND: OnceLock<&'static str> = OnceLock::new();

/// Exit status of a run stopped by an interrupt (128 + SIGINT).
pub const EXIT_INTERRUPTED: u8 = 130;

/// Installs the handler, once per process. `on_second` is what a second
/// interrupt prints before exiting (what is already saved, say).
pub fn install(on_second: &'static str) {
    let _ = ON_SECOND.set(on_second);
    HANDLER.get_or_init(|| {
        ctrlc::set_handler(|| {
            STOP.store(true, Ordering::SeqCst);
            if INTERRUPTS.fetch_add(1, Ordering::SeqCst) >= 1 {
                crate::adapter::kill_every_adapter();
                eprintln!(
                    "\ninterrupted twice: exiting now{}",
                    ON_SECOND.get().copied().unwrap_or_default()
                );
                std::process::exit(i32::from(EXIT_INTERRUPTED));
            }
        })
        .is_ok()
    });
}

/// Whether the run was asked to stop.
pub fn requested() -> bool {
    STOP.load(Ordering::SeqCst)
}
