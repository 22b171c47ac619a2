//! Creating files that hold client data: readable by their owner only, never written
//! through a symbolic link (the file, or the folder it goes into), and never over a file this
//! run did not create unless asked. A run's files go through a [`FileSet`]: written under
//! temporary names and put in place together at the end, so a refusal or a failure half-way
//! leaves the folder as it was.
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

/// Creates `dir` and its missing parents, each new one readable by its owner only, and
/// returns the folders it created, outermost first. A `dir` that is a symbolic link is
/// refused like a file that is one: the files would land wherever it points.
pub fn create_dir(dir: &Path) -> Result<Vec<PathBuf>, CreateError> {
    refuse_folder_link(dir)?;
    let plain = without_trailing_dots(dir);
    let mut missing: Vec<PathBuf> = plain
        .ancestors()
        .filter(|a| !a.as_os_str().is_empty())
        .take_while(|a| std::fs::symlink_metadata(a).is_err())
        .map(Path::to_path_buf)
        .collect();
    missing.reverse();
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(|e| CreateError::io(dir, &e))?;
    Ok(missing)
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

/// Why `path`, already there, may not be written as `overwrite` says; `None` when it may.
fn in_the_way(path: &Path, overwrite: Overwrite) -> Option<CreateError> {
    let existing = std::fs::symlink_metadata(path).ok()?;
    let shown = path.display().to_string();
    if existing.file_type().is_symlink() {
        Some(CreateError::Symlink { path: shown })
    } else if overwrite == Overwrite::Refuse || !existing.is_file() {
        Some(CreateError::Exists { path: shown })
    } else {
        None
    }
}

/// The files one run writes into one folder, all or none: [`FileSet::new`] checks every
/// name before anything is written, each file is written under a hidden temporary name, and
/// [`FileSet::commit`] moves them all into place. Dropped without a commit (an error, a
/// cancel), it removes its temporary files and the folders it created.
#[derive(Debug)]
pub struct FileSet {
    overwrite: Overwrite,
    created_dirs: Vec<PathBuf>,
    files: Vec<Staged>,
    committed: bool,
}

#[derive(Debug)]
struct Staged {
    path: PathBuf,
    temp: Option<PathBuf>,
}

impl FileSet {
    /// Checks that each of `names` may be written into `dir` as `overwrite` says (none is a
    /// link; none exists unless it may be replaced), then creates the folder. Nothing is
    /// written yet.
    pub fn new(dir: &Path, names: &[String], overwrite: Overwrite) -> Result<FileSet, CreateError> {
        refuse_folder_link(dir)?;
        let files: Vec<Staged> = names
            .iter()
            .map(|name| Staged {
                path: dir.join(name),
                temp: None,
            })
            .collect();
        if let Some(e) = files.iter().find_map(|f| in_the_way(&f.path, overwrite)) {
            return Err(e);
        }
        Ok(FileSet {
            overwrite,
            created_dirs: create_dir(dir)?,
            files,
            committed: false,
        })
    }

    /// Creates the temporary file that becomes `name` (one of the names given to
    /// [`FileSet::new`]) at the commit, private and new; returns it with the path it will have.
    pub fn create(&mut self, name: &str) -> Result<(File, PathBuf), CreateError> {
        let staged = self
            .files
            .iter_mut()
            .find(|f| f.path.file_name().is_some_and(|n| n == name))
            .ok_or_else(|| CreateError::Io {
                path: name.to_owned(),
                reason: "it is not one of the files this run was set up to write".into(),
            })?;
        let shown = staged.path.display().to_string();
        let dir = staged.path.parent().unwrap_or(Path::new("."));
        // Hidden, and unique so that two runs into one folder never share one.
        let temp = dir.join(format!(".{name}.{}.partial", uuid::Uuid::new_v4().simple()));
        let file = open_new(&temp).map_err(|e| CreateError::Io {
            path: shown,
            reason: e.to_string(),
        })?;
        staged.temp = Some(temp);
        Ok((file, staged.path.clone()))
    }

    /// Where the files go, in the order of the names given to [`FileSet::new`].
    pub fn paths(&self) -> Vec<PathBuf> {
        self.files.iter().map(|f| f.path.clone()).collect()
    }

    /// Moves every file written into place and returns their paths. A file that turned up
    /// meanwhile is refused as [`FileSet::new`] would have; then the files this run had
    /// already put in place are removed again, and the folder is left as it was (a file
    /// replaced under [`Overwrite::Replace`] stays replaced). The files must be closed.
    pub fn commit(mut self) -> Result<Vec<PathBuf>, CreateError> {
        let mut placed: Vec<PathBuf> = Vec::new();
        for i in 0..self.files.len() {
            let Some(temp) = self.files[i].temp.clone() else {
                continue;
            };
            let path = self.files[i].path.clone();
            let existed = std::fs::symlink_metadata(&path).is_ok();
            if let Err(e) = place(&temp, &path, self.overwrite) {
                for p in placed {
                    let _ = std::fs::remove_file(p);
                }
                return Err(e);
            }
            self.files[i].temp = None;
            if !existed {
                placed.push(path);
            }
        }
        self.committed = true;
        Ok(self.paths())
    }
}

/// Moves `temp` to `path`. Refusing, a hard link makes the move and the check that nothing
/// is at `path` one step; where links are not supported (FAT, some network shares) the
/// check and a rename follow each other.
fn place(temp: &Path, path: &Path, overwrite: Overwrite) -> Result<(), CreateError> {
    if overwrite == Overwrite::Refuse {
        match std::fs::hard_link(temp, path) {
            Ok(()) => {
                let _ = std::fs::remove_file(temp);
                return Ok(());
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                return Err(in_the_way(path, overwrite).unwrap_or(CreateError::Exists {
                    path: path.display().to_string(),
                }));
            }
            Err(_) => {}
        }
    }
    if let Some(e) = in_the_way(path, overwrite) {
        return Err(e);
    }
    // A rename replaces a link swapped in meanwhile, it never writes through it.
    std::fs::rename(temp, path).map_err(|e| CreateError::io(path, &e))
}

impl Drop for FileSet {
    fn drop(&mut self) {
        if self.committed {
            return;
        }
        for temp in self.files.iter().filter_map(|f| f.temp.as_ref()) {
            let _ = std::fs::remove_file(temp);
        }
        // Innermost first; a folder something else has been put in meanwhile stays.
        for dir in self.created_dirs.iter().rev() {
            let _ = std::fs::remove_dir(dir);
        }
    }
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
            for overwrite in [Overwrite::Refuse, Overwrite::Replace] {
                let e =
                    FileSet::new(&dir, &["clients.csv".into()], overwrite).expect_err("refused");
                assert!(matches!(e, CreateError::Symlink { .. }), "{dir:?}: {e}");
            }
        }
        // A link above the folder is the machine's layout, and followed.
        create_dir(&link.join("sub")).expect("below a link");
        assert!(target.join("sub").is_dir());
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    fn set_of(dir: &Path, overwrite: Overwrite) -> Result<FileSet, CreateError> {
        FileSet::new(dir, &["a.csv".into(), "b.csv".into()], overwrite)
    }

    #[test]
    fn a_set_is_checked_whole_before_anything_is_written() {
        let tmp = tempfile::tempdir().expect("temp dir");
        std::fs::write(tmp.path().join("b.csv"), "theirs").expect("write");
        let e = set_of(tmp.path(), Overwrite::Refuse).expect_err("refused");
        assert!(
            matches!(&e, CreateError::Exists { path } if path.ends_with("b.csv")),
            "{e}"
        );
        assert_eq!(names(tmp.path()), ["b.csv"]);
    }

    #[test]
    fn a_set_appears_whole_at_the_commit() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let mut set = set_of(tmp.path(), Overwrite::Refuse).expect("set");
        for name in ["a.csv", "b.csv"] {
            let (mut file, path) = set.create(name).expect("file");
            assert_eq!(path, tmp.path().join(name));
            file.write_all(name.as_bytes()).expect("write");
        }
        assert!(names(tmp.path()).iter().all(|n| n.ends_with(".partial")));
        let paths = set.commit().expect("commit");
        assert_eq!(paths, [tmp.path().join("a.csv"), tmp.path().join("b.csv")]);
        assert_eq!(names(tmp.path()), ["a.csv", "b.csv"]);
        assert_eq!(
            std::fs::read_to_string(tmp.path().join("b.csv"))
                .ok()
                .as_deref(),
            Some("b.csv")
        );
        #[cfg(unix)]
        assert_eq!(mode(&tmp.path().join("a.csv")), 0o600);

        // Replacing: the files written before are replaced by the new ones.
        let mut set = set_of(tmp.path(), Overwrite::Replace).expect("set");
        set.create("a.csv")
            .expect("file")
            .0
            .write_all(b"new")
            .expect("write");
        set.create("b.csv").expect("file");
        set.commit().expect("commit");
        assert_eq!(
            std::fs::read_to_string(tmp.path().join("a.csv"))
                .ok()
                .as_deref(),
            Some("new")
        );
        assert_eq!(names(tmp.path()), ["a.csv", "b.csv"]);
    }

    #[test]
    fn a_set_dropped_unfinished_leaves_nothing() {
        let tmp = tempfile::tempdir().expect("temp dir");
        std::fs::write(tmp.path().join("keep.txt"), "theirs").expect("write");
        let mut set = set_of(tmp.path(), Overwrite::Refuse).expect("set");
        set.create("a.csv")
            .expect("file")
            .0
            .write_all(b"half")
            .expect("write");
        drop(set);
        assert_eq!(names(tmp.path()), ["keep.txt"]);

        // The folders it created go too; the one that was there stays.
        let new = tmp.path().join("new/out");
        let mut set = set_of(&new, Overwrite::Refuse).expect("set");
        set.create("a.csv").expect("file");
        drop(set);
        assert_eq!(names(tmp.path()), ["keep.txt"]);
    }

    #[test]
    fn a_file_turning_up_before_the_commit_undoes_the_set() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let mut set = set_of(tmp.path(), Overwrite::Refuse).expect("set");
        set.create("a.csv").expect("file");
        set.create("b.csv").expect("file");
        std::fs::write(tmp.path().join("b.csv"), "theirs").expect("write");
        let e = set.commit().expect_err("refused");
        assert!(
            matches!(&e, CreateError::Exists { path } if path.ends_with("b.csv")),
            "{e}"
        );
        assert_eq!(names(tmp.path()), ["b.csv"]);
        assert_eq!(
            std::fs::read_to_string(tmp.path().join("b.csv"))
                .ok()
                .as_deref(),
            Some("theirs")
        );
    }
}
