//! Ctrl-C and SIGTERM during long runs: finish the batch at hand, write
//! nothing half-done, and say what was not written.

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// The temporary file being written, removed if a second signal stops the
/// process at once.
static TEMP: Mutex<Option<PathBuf>> = Mutex::new(None);

/// Catches SIGINT and SIGTERM: the first asks the run to stop after the
/// current batch; a second stops it at once, removing the temporary output.
pub(super) fn install() {
    let _ = ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, Ordering::SeqCst) {
            if let Ok(guard) = TEMP.lock()
                && let Some(p) = guard.as_ref()
            {
                let _ = std::fs::remove_file(p);
            }
            eprintln!("\nerror: stopped at once; nothing was written");
            std::process::exit(130);
        }
        eprintln!(
            "\ninterrupted: stopping after the documents at hand (press Ctrl-C again to stop at once)"
        );
    });
}

/// Whether a signal asked the run to stop.
pub(super) fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Notes the temporary file being written (or none).
pub(super) fn set_temp(path: Option<PathBuf>) {
    if let Ok(mut guard) = TEMP.lock() {
        *guard = path;
    }
}
