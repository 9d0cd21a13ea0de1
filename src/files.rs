//! The files a user names on the command line: inputs read only when they
//! are regular files of a sane size (a device such as `/dev/zero` would
//! never end), outputs checked before a run spends minutes on cases, and
//! written whole or not at all, so that a failed write never leaves half a
//! report or a truncated baseline behind.

use std::io::Write;
use std::path::{Path, PathBuf};

/// The largest input file read (reports, baselines, credentials, policies).
pub const MAX_INPUT_BYTES: u64 = 256 * 1024 * 1024;

/// The text of `path`, named `what` in errors.
pub fn read_text(path: &Path, what: &str) -> Result<String, String> {
    let shown = path.display();
    let metadata =
        std::fs::metadata(path).map_err(|e| format!("cannot read {what} {shown}: {e}"))?;
    if !metadata.is_file() {
        return Err(format!("{what} {shown} is not a regular file"));
    }
    if metadata.len() > MAX_INPUT_BYTES {
        return Err(format!(
            "{what} {shown} is {} bytes; at most {MAX_INPUT_BYTES} are read",
            metadata.len()
        ));
    }
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {what} {shown}: {e}"))
}

/// Whether `path` names an existing regular file.
pub fn is_regular_file(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file())
}

/// Checks, before any work, that `path` can take an output named `what`:
/// its directory exists, and it is not a directory itself.
pub fn check_output(path: &Path, what: &str) -> Result<(), String> {
    let shown = path.display();
    if path.is_dir() {
        return Err(format!("{what} {shown} is a directory; give a file name"));
    }
    let directory = directory_of(path);
    if !directory.is_dir() {
        return Err(format!(
            "{what} {shown}: the directory {} does not exist",
            directory.display()
        ));
    }
    Ok(())
}

/// Refuses two options that name the same file (an output that would
/// overwrite an input, or two outputs that would overwrite each other).
pub fn check_distinct(
    (first, first_what): (&Path, &str),
    (second, second_what): (&Path, &str),
) -> Result<(), String> {
    if same_file(first, second) {
        return Err(format!(
            "{first_what} and {second_what} name the same file, {}; give each its own",
            first.display()
        ));
    }
    Ok(())
}

/// Writes `text` to `path` whole: into a temporary file beside it, then
/// renamed over it. A path that exists and is not a regular file (a pipe,
/// `/dev/stdout`) is written directly.
pub fn write_whole(path: &Path, text: &str) -> Result<(), String> {
    let failed = |e: std::io::Error| format!("cannot write {}: {e}", path.display());
    if path.exists() && !is_regular_file(path) {
        return std::fs::write(path, text).map_err(failed);
    }
    let file_name = path.file_name().unwrap_or_default().to_string_lossy();
    let temporary = directory_of(path).join(format!(".{file_name}.{}.tmp", std::process::id()));
    let written = std::fs::File::create(&temporary)
        .and_then(|mut file| {
            file.write_all(text.as_bytes())
                .and_then(|()| file.sync_all())
        })
        .and_then(|()| std::fs::rename(&temporary, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written.map_err(failed)
}

fn directory_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Whether two paths name one file, whether or not it exists yet.
fn same_file(a: &Path, b: &Path) -> bool {
    let resolved = |path: &Path| -> Option<PathBuf> {
        if let Ok(full) = path.canonicalize() {
            return Some(full);
        }
        Some(
            directory_of(path)
                .canonicalize()
                .ok()?
                .join(path.file_name()?),
        )
    };
    match (resolved(a), resolved(b)) {
        (Some(a), Some(b)) => a == b,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("sigv4-files-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch");
        dir
    }

    #[test]
    fn only_regular_files_are_read() {
        let dir = scratch("read");
        let file = dir.join("a.json");
        std::fs::write(&file, "{}").expect("write");
        assert_eq!(read_text(&file, "baseline"), Ok("{}".to_owned()));
        let error = read_text(Path::new("/dev/zero"), "baseline").unwrap_err();
        assert_eq!(error, "baseline /dev/zero is not a regular file");
        assert!(read_text(&dir, "report")
            .unwrap_err()
            .contains("not a regular file"));
        assert!(read_text(&dir.join("missing"), "report")
            .unwrap_err()
            .starts_with("cannot read report"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn outputs_are_checked_and_written_whole() {
        let dir = scratch("write");
        let missing = dir.join("no/such/dir/report.xml");
        assert!(check_output(&missing, "--output")
            .unwrap_err()
            .contains("does not exist"));
        assert!(check_output(&dir, "--output")
            .unwrap_err()
            .contains("is a directory"));
        let file = dir.join("report.json");
        assert_eq!(check_output(&file, "--output"), Ok(()));
        write_whole(&file, "first").expect("writes");
        write_whole(&file, "second").expect("writes");
        assert_eq!(std::fs::read_to_string(&file).expect("read"), "second");
        // Nothing is left beside it.
        assert_eq!(std::fs::read_dir(&dir).expect("list").count(), 1);
        assert!(write_whole(Path::new("/dev/full"), "x").is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn one_file_under_two_names_is_refused() {
        let dir = scratch("same");
        let file = dir.join("b.json");
        let also = dir.join(".").join("b.json");
        let result = check_distinct((&file, "--output"), (&also, "--baseline"));
        assert!(result.unwrap_err().contains("name the same file"));
        std::fs::write(&file, "{}").expect("write");
        assert!(check_distinct((&file, "--output"), (&also, "--baseline")).is_err());
        assert_eq!(
            check_distinct((&file, "--output"), (&dir.join("c.json"), "--baseline")),
            Ok(())
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
