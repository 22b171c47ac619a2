//! Creating files that hold client data: readable by their owner only, never written
//! through a symbolic link (the file, or the folder it goes into), and never over a file this
//! run did not create unless asked.
//!
//! On Unix files are created `0600` in folders created `0700`; folders that already exist
//! keep their permissions. On Windows new files inherit the folder's ACL, which for a folder
//! in the user's profile admits only that user and administrators.
//!
//! Links in the folders above the output folder are followed: they are the machine's own
//! layout (on macOS `/tmp` and `/var` are links), not something a file to import can plant.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// What to do when a file to be written already exists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Overwrite {
    /// Leave it alone and stop with [`CreateError::Exists`] (the CLI's default).
    Refuse,
    /// Replace a regular file with a new one (`--force`, and the app's Save into the folder
    /// the user chose). A symbolic link is still refused.
    #[default]
    Replace,
}

/// Why a private file could not be created.
#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    /// The file is there already and the run may not replace it.
    #[error("{path} already exists and was not written by this run, so it was left alone. Choose an empty folder, or add --force to replace it.")]
    Exists {
        /// The file's path.
        path: String,
    },
    /// The path is a symbolic link: writing through it could overwrite any file it points to.
    #[error("{path} is a symbolic link, and files with client data are never written through a link (it could point anywhere). Remove the link or choose another folder.")]
    Symlink {
        /// The link's path.
        path: String,
    },
    /// The folder or file could not be created.
    #[error(
        "could not write {path}: {reason}. Choose a folder you can write to, with free space."
    )]
    Io {
        /// The file or folder.
        path: String,
        /// What the system said.
        reason: String,
    },
}

impl From<CreateError> for io::Error {
    fn from(e: CreateError) -> Self {
        let kind = match e {
            CreateError::Exists { .. } | CreateError::Symlink { .. } => {
                io::ErrorKind::AlreadyExists
            }
            CreateError::Io { .. } => io::ErrorKind::Other,
        };
        io::Error::new(kind, e)
    }
}

impl CreateError {
    fn io(path: &Path, e: &io::Error) -> Self {
        CreateError::Io {
            path: path.display().to_string(),
            reason: e.to_string(),
        }
    }
}

/// Creates `dir` and its missing parents, each new one readable by its owner only. A `dir`
/// that is a symbolic link is refused like a file that is one: the files would land wherever
/// it points.
pub fn create_dir(dir: &Path) -> Result<(), CreateError> {
    refuse_folder_link(dir)?;
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(|e| CreateError::io(dir, &e))
}

/// `out/` and `out/.` name what the link `out` points to, not the link: without them, the
/// link itself is what is looked at.
fn without_trailing_dots(dir: &Path) -> PathBuf {
    dir.components().collect()
}

fn refuse_folder_link(dir: &Path) -> Result<(), CreateError> {
    match std::fs::symlink_metadata(without_trailing_dots(dir)) {
        Ok(meta) if meta.file_type().is_symlink() => Err(CreateError::Symlink {
            path: dir.display().to_string(),
        }),
        _ => Ok(()),
    }
}

/// Creates `path` new, readable and writable by its owner only. An existing symbolic link
/// is always refused (never followed); an existing file is replaced only with
/// [`Overwrite::Replace`].
pub fn create(path: &Path, overwrite: Overwrite) -> Result<File, CreateError> {
    match open_new(path) {
        Ok(file) => return Ok(file),
        Err(e) if e.kind() != io::ErrorKind::AlreadyExists => {
            return Err(CreateError::io(path, &e))
        }
        Err(_) => {}
    }
    let shown = path.display().to_string();
    let existing = std::fs::symlink_metadata(path).map_err(|e| CreateError::io(path, &e))?;
    if existing.file_type().is_symlink() {
        return Err(CreateError::Symlink { path: shown });
    }
    if overwrite == Overwrite::Refuse || !existing.is_file() {
        return Err(CreateError::Exists { path: shown });
    }
    // Removed and created anew rather than truncated: the new file gets the private mode,
    // and a link swapped in meanwhile makes `open_new` fail instead of being followed.
    std::fs::remove_file(path).map_err(|e| CreateError::io(path, &e))?;
    open_new(path).map_err(|e| match e.kind() {
        io::ErrorKind::AlreadyExists => CreateError::Exists { path: shown },
        _ => CreateError::io(path, &e),
    })
}

/// `O_CREAT | O_EXCL`: fails on anything already at `path`, a dangling link included.
fn open_new(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).map_or(0, |m| m.permissions().mode() & 0o777)
    }

    #[test]
    fn new_files_and_folders_are_private() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let dir = tmp.path().join("out/nested");
        create_dir(&dir).expect("dir");
        let path = dir.join("clients.csv");
        create(&path, Overwrite::Refuse)
            .and_then(|mut f| f.write_all(b"x").map_err(|e| CreateError::io(&path, &e)))
            .expect("file");
        #[cfg(unix)]
        {
            assert_eq!(mode(&path), 0o600);
            assert_eq!(mode(&dir), 0o700);
            assert_eq!(mode(&tmp.path().join("out")), 0o700);
        }
    }

    #[test]
    fn an_existing_file_is_replaced_only_when_asked() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let path = tmp.path().join("clients.csv");
        std::fs::write(&path, "theirs").expect("write");
        assert!(matches!(
            create(&path, Overwrite::Refuse),
            Err(CreateError::Exists { .. })
        ));
        assert_eq!(
            std::fs::read_to_string(&path).ok().as_deref(),
            Some("theirs")
        );
        create(&path, Overwrite::Replace).expect("replaced");
        assert_eq!(std::fs::read_to_string(&path).ok().as_deref(), Some(""));
        #[cfg(unix)]
        assert_eq!(mode(&path), 0o600);
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_is_never_written_through() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let target = tmp.path().join("target.txt");
        std::fs::write(&target, "precious").expect("write");
        let link = tmp.path().join("clients.csv");
        std::os::unix::fs::symlink(&target, &link).expect("link");
        for overwrite in [Overwrite::Refuse, Overwrite::Replace] {
            let e = create(&link, overwrite).expect_err("refused");
            assert!(matches!(e, CreateError::Symlink { .. }), "{e}");
        }
        // A dangling link too: creating it would create its target.
        let dangling = tmp.path().join("patients.csv");
        std::os::unix::fs::symlink(tmp.path().join("nowhere"), &dangling).expect("link");
        assert!(matches!(
            create(&dangling, Overwrite::Replace),
            Err(CreateError::Symlink { .. })
        ));
        assert_eq!(
            std::fs::read_to_string(&target).ok().as_deref(),
            Some("precious")
        );
        assert!(!tmp.path().join("nowhere").exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_folder_that_is_a_symbolic_link_is_refused() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let target = tmp.path().join("elsewhere");
        std::fs::create_dir(&target).expect("dir");
        let link = tmp.path().join("out");
        std::os::unix::fs::symlink(&target, &link).expect("link");
        for dir in [
            link.clone(),
            tmp.path().join("out/"),
            tmp.path().join("out/."),
        ] {
            let e = create_dir(&dir).expect_err("refused");
            assert!(matches!(e, CreateError::Symlink { .. }), "{dir:?}: {e}");
        }
        // A link above the folder is the machine's layout, and followed.
        create_dir(&link.join("sub")).expect("below a link");
        assert!(target.join("sub").is_dir());
    }
}
