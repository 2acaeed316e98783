//! Output directories are checked before anything is simulated: a path that
//! names a file, lies under a file, or cannot be written is the user's to fix
//! (exit 2), and finding it after an hour of simulation would waste the hour.
//! Nothing is created here, so a run that stops early leaves no directory.

use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use anyhow::Result;

use super::bad_input;

/// Checks that `dir` is, or can be created as, a writable directory.
pub fn check_usable(dir: &Path) -> Result<()> {
    let existing = nearest_existing(dir)?;
    let probe = existing.join(format!(".mqsim-probe-{}", std::process::id()));
    match fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
    {
        Ok(_) => {
            let _ = fs::remove_file(&probe);
            Ok(())
        }
        // A stale probe of a crashed run with this pid: writing worked.
        Err(e) if e.kind() == ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(bad_input(
            dir,
            format!(
                "cannot write the outputs: {} is not writable ({e}); give --out a directory \
                 you can write",
                existing.display()
            ),
        )),
    }
}

/// `dir` itself or its nearest ancestor that exists, which must be a
/// directory.
fn nearest_existing(dir: &Path) -> Result<PathBuf> {
    let mut at = dir.to_path_buf();
    loop {
        match fs::metadata(&at) {
            Ok(meta) if meta.is_dir() => return Ok(at),
            Ok(_) if at == dir => {
                return Err(bad_input(
                    dir,
                    "the output path is a file, not a directory; give --out a directory (it is \
                     created if missing)",
                ));
            }
            Ok(_) => {
                return Err(bad_input(
                    dir,
                    format!(
                        "the output directory cannot be created: {} is a file; give --out a \
                         directory",
                        at.display()
                    ),
                ));
            }
            Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => {
                at = match at.parent() {
                    Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                    _ => PathBuf::from("."),
                };
            }
            Err(e) => {
                return Err(bad_input(
                    dir,
                    format!("the output directory cannot be used: {e}"),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_or_a_path_under_a_file_is_bad_input() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("f");
        fs::write(&file, "x").unwrap();
        let e = check_usable(&file).unwrap_err().to_string();
        assert!(e.contains("is a file, not a directory"), "{e}");
        let e = check_usable(&file.join("a/b")).unwrap_err().to_string();
        assert!(
            e.contains("cannot be created") && e.contains("/f is a file"),
            "{e}"
        );
    }

    #[test]
    fn missing_directories_are_fine_and_not_created() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a/b/c");
        check_usable(&dir).unwrap();
        assert!(!tmp.path().join("a").exists());
        check_usable(tmp.path()).unwrap();
        assert_eq!(
            fs::read_dir(tmp.path()).unwrap().count(),
            0,
            "probe removed"
        );
    }
}
