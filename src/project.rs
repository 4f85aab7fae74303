//! Rule projects: a folder with `rules/`, `articles/` and `snapshots/`, laid
//! out as an optional `gleaner.toml` says; and `gleaner init`'s example project.

use include_dir::{Dir, include_dir};
use std::path::{Path, PathBuf};

/// The name of a project's settings file.
pub const SETTINGS: &str = "gleaner.toml";

/// The example project `gleaner init` writes.
static TEMPLATE: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/templates/init");

/// A rule project on disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Project {
    /// The folder that holds it (and its `gleaner.toml`, if any).
    pub root: PathBuf,
    /// Rule files or folders.
    pub rules: Vec<PathBuf>,
    /// Article files (`.txt`, `.jsonl`) or folders of them.
    pub articles: Vec<PathBuf>,
    /// Where the snapshots go.
    pub snapshots: PathBuf,
    /// The field of a JSON line that holds the text.
    pub text_field: String,
}

/// `gleaner.toml`: every key optional.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    rules: Option<Vec<PathBuf>>,
    articles: Option<Vec<PathBuf>>,
    snapshots: Option<PathBuf>,
    text_field: Option<String>,
}

/// Why a project could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    /// `gleaner.toml` could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// `gleaner.toml` is not valid.
    #[error("{path}: {message}")]
    Settings {
        /// The file.
        path: PathBuf,
        /// What is wrong, with the line.
        message: String,
    },
    /// A folder the project needs is not there.
    #[error(
        "{path}: no such {what}; a rule project has `rules/` and `articles/` (or says where they are in gleaner.toml); `gleaner init` makes one"
    )]
    Missing {
        /// The path.
        path: PathBuf,
        /// `rules folder` or `articles folder`.
        what: &'static str,
    },
}

impl Project {
    /// Opens the project in `root`: its `gleaner.toml` if there is one, else
    /// the default layout (`rules/`, `articles/`, `snapshots/`).
    pub fn open(root: &Path) -> Result<Project, ProjectError> {
        let settings_path = root.join(SETTINGS);
        let settings = match std::fs::read_to_string(&settings_path) {
            Ok(text) => toml::from_str::<Settings>(&text).map_err(|e| ProjectError::Settings {
                path: settings_path.clone(),
                message: e.to_string().trim_end().replace('\n', "\n  "),
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Settings::default(),
            Err(source) => {
                return Err(ProjectError::Io {
                    path: settings_path,
                    source,
                });
            }
        };
        let at = |p: PathBuf| if p.is_absolute() { p } else { root.join(p) };
        let project = Project {
            root: root.to_path_buf(),
            rules: settings
                .rules
                .unwrap_or_else(|| vec!["rules".into()])
                .into_iter()
                .map(at)
                .collect(),
            articles: settings
                .articles
                .unwrap_or_else(|| vec!["articles".into()])
                .into_iter()
                .map(at)
                .collect(),
            snapshots: at(settings.snapshots.unwrap_or_else(|| "snapshots".into())),
            text_field: settings.text_field.unwrap_or_else(|| "text".into()),
        };
        for (paths, what) in [
            (&project.rules, "rules folder"),
            (&project.articles, "articles folder"),
        ] {
            if let Some(p) = paths.iter().find(|p| !p.exists()) {
                return Err(ProjectError::Missing {
                    path: p.clone(),
                    what,
                });
            }
        }
        Ok(project)
    }

    /// Every article file, in order, each with the path of its snapshot.
    pub fn article_files(&self) -> Result<Vec<Article>, crate::text::DocError> {
        let mut out = Vec::new();
        for base in &self.articles {
            let mut files = Vec::new();
            crate::text::input_files(base, &mut files)?;
            for file in files {
                // articles/a/b.txt -> snapshots/a/b.txt.snap; a file given
                // itself -> snapshots/b.txt.snap; with several article
                // folders, each folder's name comes first.
                let rel = if base.is_dir() {
                    let mut rel = PathBuf::new();
                    if self.articles.len() > 1
                        && let Some(name) = base.file_name()
                    {
                        rel.push(name);
                    }
                    rel.push(file.strip_prefix(base).unwrap_or(&file));
                    rel
                } else {
                    PathBuf::from(file.file_name().unwrap_or_default())
                };
                let mut snap = self.snapshots.join(&rel).into_os_string();
                snap.push(".snap");
                out.push(Article {
                    name: rel.to_string_lossy().replace('\\', "/"),
                    path: file,
                    snapshot: PathBuf::from(snap),
                });
            }
        }
        Ok(out)
    }

    /// A path as shown to the user: relative to the project root when inside it.
    pub fn show(&self, path: &Path) -> String {
        let p = path.strip_prefix(&self.root).unwrap_or(path);
        p.to_string_lossy().replace('\\', "/")
    }
}

/// One article file of a project.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Article {
    /// Its name: the path under its articles folder (`seed.txt`).
    pub name: String,
    /// Its path.
    pub path: PathBuf,
    /// Its snapshot's path (`snapshots/seed.txt.snap`).
    pub snapshot: PathBuf,
}

impl Article {
    /// Where a snapshot waiting for review is kept: `seed.txt.snap.new`.
    pub fn pending(&self) -> PathBuf {
        let mut p = self.snapshot.clone().into_os_string();
        p.push(".new");
        PathBuf::from(p)
    }
}

/// Writes a file atomically: a temporary file in the same folder, renamed
/// over the target, so an interrupted write leaves the old file whole.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".gleaner-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Removes a file if it is there.
pub fn remove_if_present(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Writes the example project into `dir` (which must be empty or not exist);
/// returns the files written, relative to `dir`. Snapshots are not written:
/// `gleaner init` runs the rules and accepts them.
pub fn init(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    if dir.exists() && std::fs::read_dir(dir)?.next().is_some() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            format!(
                "{} is not empty; `gleaner init` writes a new project into an empty or new folder",
                dir.display()
            ),
        ));
    }
    let mut written = Vec::new();
    write_dir(&TEMPLATE, dir, &mut written)?;
    written.sort();
    Ok(written)
}

fn write_dir(d: &Dir<'_>, root: &Path, written: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for f in d.files() {
        write_atomic(&root.join(f.path()), f.contents())?;
        written.push(f.path().to_path_buf());
    }
    for sub in d.dirs() {
        write_dir(sub, root, written)?;
    }
    Ok(())
}
