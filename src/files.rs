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
/// it is not a directory, and its directory exists and takes a new file
/// (tried with an empty one, removed at once). A path written through
/// rather than replaced (see [`write_whole`]) is left to the write.
pub fn check_output(path: &Path, what: &str) -> Result<(), String> {
    let shown = path.display();
    if path.is_dir() {
        return Err(format!("{what} {shown} is a directory; give a file name"));
    }
    if written_through(path) {
        return Ok(());
    }
    let directory = directory_of(path);
    if !directory.is_dir() {
        return Err(format!(
            "{what} {shown}: the directory {} does not exist",
            directory.display()
        ));
    }
    let probe = temporary_beside(path);
    std::fs::File::create(&probe).map_err(|e| {
        format!(
            "{what} {shown}: cannot create a file in {}: {e}",
            directory.display()
        )
    })?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// Whether `path` is written through rather than replaced: a symbolic
/// link (`/dev/stdout`, a link a user keeps to the latest report) or an
/// existing file that is not a regular one (a pipe, a device).
fn written_through(path: &Path) -> bool {
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    is_link || (path.exists() && !is_regular_file(path))
}

/// A temporary file's name beside `path`, for this process.
fn temporary_beside(path: &Path) -> PathBuf {
    let file_name = path.file_name().unwrap_or_default().to_string_lossy();
    directory_of(path).join(format!(".{file_name}.{}.tmp", std::process::id()))
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
/// renamed over it. A symbolic link, or an existing file that is not a
/// regular one (a pipe, `/dev/stdout`), is written through instead: the
/// link stays a link.
pub fn write_whole(path: &Path, text: &str) -> Result<(), String> {
    let failed = |e: std::io::Error| format!("cannot write {}: {e}", path.display());
    if written_through(path) {
        return std::fs::write(path, text).map_err(failed);
    }
    let temporary = temporary_beside(path);
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
        // A directory that takes no new file (even for root).
        let error = check_output(Path::new("/proc/report.json"), "--output").unwrap_err();
        assert!(error.contains("cannot create a file in /proc"), "{error}");
        let file = dir.join("report.json");
        assert_eq!(check_output(&file, "--output"), Ok(()));
        write_whole(&file, "first").expect("writes");
        write_whole(&file, "second").expect("writes");
        assert_eq!(std::fs::read_to_string(&file).expect("read"), "second");
        // Nothing is left beside it, the check's probe included.
        assert_eq!(std::fs::read_dir(&dir).expect("list").count(), 1);
        assert!(write_whole(Path::new("/dev/full"), "x").is_err());
        // A link is written through, and stays a link.
        let target = dir.join("latest-target.json");
        let link = dir.join("latest.json");
        std::os::unix::fs::symlink(&target, &link).expect("symlink");
        assert_eq!(check_output(&link, "--output"), Ok(()));
        write_whole(&link, "through").expect("writes");
        assert!(std::fs::symlink_metadata(&link)
            .expect("link")
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read_to_string(&target).expect("target"), "through");
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
