//! Reading rule files: from disk, from the rule library bundled in the binary, or
//! from a string. Follows `import`s and reads `lexicon … from` files, so that every
//! byte a rule set is built from ends up in one [`Sources`] table.

use crate::diag::Diagnostic;
use crate::span::{FileId, Loc, Sources, Span};
use crate::syntax::{self, ast};
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

/// The rule library shipped with gleaner (`rules/` in the repository).
pub static BUNDLED: include_dir::Dir<'static> =
    include_dir::include_dir!("$CARGO_MANIFEST_DIR/rules");

/// Everything read for one rule set: sources, parsed files, and problems so far.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Every file read, rule files and lexicon files alike.
    pub sources: Sources,
    /// The parsed rule files, in load order.
    pub files: Vec<(FileId, ast::File)>,
    /// For each `lexicon … from "path"`, keyed by the location of its path string:
    /// the file read, or `None` if it could not be read (a diagnostic says why).
    pub lexicon_files: HashMap<Loc, Option<FileId>>,
    /// Problems found while reading and parsing.
    pub diagnostics: Vec<Diagnostic>,
}

/// Where rule files come from.
#[derive(Clone, Copy)]
enum Fs {
    Disk,
    Bundled,
}

impl Fs {
    fn read(self, path: &Path) -> std::io::Result<String> {
        match self {
            Fs::Disk => std::fs::read_to_string(path),
            Fs::Bundled => BUNDLED
                .get_file(path)
                .and_then(|f| f.contents_utf8())
                .map(str::to_string)
                .ok_or_else(|| {
                    std::io::Error::new(std::io::ErrorKind::NotFound, "not in the bundled rules")
                }),
        }
    }

    /// Every `.rules` file under `dir`, sorted by path.
    fn rule_files(self, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
        let mut out = Vec::new();
        match self {
            Fs::Disk => walk_disk(dir, &mut out)?,
            Fs::Bundled => walk_bundled(&BUNDLED, &mut out),
        }
        out.sort();
        Ok(out)
    }
}

fn walk_disk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk_disk(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rules") {
            out.push(path);
        }
    }
    Ok(())
}

fn walk_bundled(dir: &include_dir::Dir<'static>, out: &mut Vec<PathBuf>) {
    for f in dir.files() {
        if f.path().extension().is_some_and(|e| e == "rules") {
            out.push(f.path().to_path_buf());
        }
    }
    for d in dir.dirs() {
        walk_bundled(d, out);
    }
}

/// Resolves `.` and `..` without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// How rule files are read from disk.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Let `import` and `lexicon … from` read files outside the rules root (the
    /// folder given, or the folder of the file given). Off by default: a rule
    /// file cannot make gleaner read anything else on the machine.
    pub allow_outside_root: bool,
}

struct Loader {
    fs: Fs,
    root: PathBuf,
    seen: HashMap<PathBuf, FileId>,
    out: Loaded,
    options: Options,
    /// Files read and parsed ahead (see [`parse_ahead`]), taken when met.
    ahead: HashMap<PathBuf, Parsed>,
}

/// A rule file read and parsed before the loader met it: its text, its
/// syntax tree, and its diagnostics, in no file yet ([`Diagnostic::in_file`]
/// puts them in it).
struct Parsed {
    text: String,
    file: ast::File,
    diagnostics: Vec<Diagnostic>,
}

/// The id parsing ahead gives a file, before it has one.
const NO_FILE: FileId = FileId(u32::MAX);

/// Reads and parses the files of a folder all at once, on the threads rayon
/// has (parsing is most of loading), if more than one: the loader then takes
/// them in its own order, so that ids and diagnostics come out as if read one
/// by one. A file that cannot be read is left for the loader to say so.
fn parse_ahead(fs: Fs, paths: &[PathBuf]) -> HashMap<PathBuf, Parsed> {
    use rayon::prelude::*;
    if !crate::build_in_parallel() {
        return HashMap::new();
    }
    paths
        .par_iter()
        .with_max_len(1)
        .filter_map(|path| {
            let path = normalize(path);
            let text = fs.read(&path).ok()?;
            let (file, diagnostics) = syntax::parse(NO_FILE, &text);
            Some((
                path,
                Parsed {
                    text,
                    file,
                    diagnostics,
                },
            ))
        })
        .collect()
}

impl Loader {
    /// Whether a file that `import` or `lexicon … from` names may be read: it
    /// must be under the rules root (after following links), unless allowed.
    /// If not, says so at `at`.
    fn allowed(&mut self, path: &Path, at: Loc, what: &str) -> bool {
        if self.options.allow_outside_root || matches!(self.fs, Fs::Bundled) {
            return true;
        }
        let root = if self.root.as_os_str().is_empty() {
            Path::new(".")
        } else {
            &self.root
        };
        let real = |p: &Path| {
            std::fs::canonicalize(p).unwrap_or_else(|_| {
                std::env::current_dir()
                    .map(|d| normalize(&d.join(p)))
                    .unwrap_or_else(|_| p.to_path_buf())
            })
        };
        let (real_root, real_path) = (real(root), real(path));
        if real_path.starts_with(&real_root) {
            return true;
        }
        self.out.diagnostics.push(
            Diagnostic::error(
                "gleaner::outside-root",
                format!(
                    "the {what} `{}` is outside the rules folder `{}`",
                    path.display(),
                    root.display()
                ),
                at,
                "outside the rules folder",
            )
            .with_help(
                "rule files may only read files under the folder given to gleaner; \
                 move the file there, or pass --allow-outside-root if you trust these rules",
            ),
        );
        false
    }

    fn display_name(&self, path: &Path) -> String {
        let rel = path.strip_prefix(&self.root).unwrap_or(path);
        rel.to_string_lossy().replace('\\', "/")
    }

    /// Reads, parses and follows the imports of one rule file.
    fn load_file(&mut self, path: &Path, from: Option<Loc>) {
        let path = normalize(path);
        if self.seen.contains_key(&path) {
            return;
        }
        if let Some(parsed) = self.ahead.remove(&path) {
            return self.add_parsed(path, parsed);
        }
        let text = match self.fs.read(&path) {
            Ok(t) => t,
            Err(e) => {
                // Named as the rules name it: relative to the rules root.
                let shown = if from.is_some() {
                    PathBuf::from(self.display_name(&path))
                } else {
                    path.clone()
                };
                self.out
                    .diagnostics
                    .push(cannot_read(&shown, &e, from, "rule file"));
                return;
            }
        };
        self.add_file(path, text);
    }

    /// Parses a file already read, and follows its imports and lexicon files.
    fn add_file(&mut self, path: PathBuf, text: String) {
        let (file, diagnostics) = syntax::parse(NO_FILE, &text);
        self.add_parsed(
            path,
            Parsed {
                text,
                file,
                diagnostics,
            },
        );
    }

    /// Takes in a file parsed, and follows its imports and lexicon files.
    fn add_parsed(&mut self, path: PathBuf, parsed: Parsed) {
        let Parsed {
            text,
            file,
            diagnostics,
        } = parsed;
        let name = self.display_name(&path);
        let id = self.out.sources.add(name, text);
        self.seen.insert(path.clone(), id);
        self.out
            .diagnostics
            .extend(diagnostics.into_iter().map(|d| d.in_file(id)));
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut imports = Vec::new();
        for item in &file.items {
            match item {
                ast::Item::Import(s) => {
                    let (p, at) = (normalize(&dir.join(&s.value)), loc(id, s.span));
                    if self.allowed(&p, at, "imported file") {
                        imports.push((p, at));
                    }
                }
                ast::Item::Lexicon(ast::Lexicon {
                    body: ast::LexiconBody::File(s),
                    ..
                }) => {
                    let lpath = normalize(&dir.join(&s.value));
                    let at = loc(id, s.span);
                    if !self.allowed(&lpath, at, "lexicon file") {
                        self.out.lexicon_files.insert(at, None);
                        continue;
                    }
                    let read = match self.fs.read(&lpath) {
                        Ok(t) => Some(self.out.sources.add(self.display_name(&lpath), t)),
                        Err(e) => {
                            self.out.diagnostics.push(cannot_read(
                                Path::new(&self.display_name(&lpath)),
                                &e,
                                Some(at),
                                "lexicon file",
                            ));
                            None
                        }
                    };
                    self.out.lexicon_files.insert(at, read);
                }
                _ => {}
            }
        }
        self.out.files.push((id, file));
        for (p, at) in imports {
            self.load_file(&p, Some(at));
        }
    }
}

fn loc(file: FileId, span: Span) -> Loc {
    Loc { file, span }
}

fn cannot_read(path: &Path, e: &std::io::Error, at: Option<Loc>, what: &str) -> Diagnostic {
    let message = format!("cannot read {what} `{}`: {e}", path.display());
    match at {
        Some(at) => Diagnostic::error("gleaner::cannot-read", message, at, "imported here")
            .with_help("paths are relative to the file that names them"),
        None => Diagnostic::global("gleaner::cannot-read", message),
    }
}

/// Loads rule files from disk. Each path is a `.rules` file or a folder, whose
/// `.rules` files are all read (in path order); names are shown relative to it.
/// Imports and lexicon files must be under that folder (see [`Options`]).
pub fn load_paths(paths: &[PathBuf]) -> Loaded {
    load_paths_with(paths, Options::default())
}

/// [`load_paths`], with options.
pub fn load_paths_with(paths: &[PathBuf], options: Options) -> Loaded {
    let mut loader = Loader {
        fs: Fs::Disk,
        root: PathBuf::new(),
        seen: HashMap::new(),
        out: Loaded::default(),
        options,
        ahead: HashMap::new(),
    };
    for p in paths {
        let p = normalize(p);
        if p.is_dir() {
            loader.root = p.clone();
            match Fs::Disk.rule_files(&p) {
                Ok(files) if files.is_empty() => loader.out.diagnostics.push(
                    Diagnostic::global(
                        "gleaner::no-rules",
                        format!("no `.rules` files in `{}`", p.display()),
                    )
                    .with_help("rule files end in `.rules`"),
                ),
                Ok(files) => {
                    loader.ahead = parse_ahead(Fs::Disk, &files);
                    for f in files {
                        loader.load_file(&f, None);
                    }
                }
                Err(e) => loader
                    .out
                    .diagnostics
                    .push(cannot_read(&p, &e, None, "rules folder")),
            }
        } else {
            loader.root = p.parent().map(Path::to_path_buf).unwrap_or_default();
            loader.load_file(&p, None);
        }
    }
    loader.out
}

/// Loads the rule library bundled in the binary.
pub fn load_bundled() -> Loaded {
    let mut loader = Loader {
        fs: Fs::Bundled,
        root: PathBuf::new(),
        seen: HashMap::new(),
        out: Loaded::default(),
        options: Options::default(),
        ahead: HashMap::new(),
    };
    if let Ok(files) = Fs::Bundled.rule_files(Path::new("")) {
        loader.ahead = parse_ahead(Fs::Bundled, &files);
        for f in files {
            loader.load_file(&f, None);
        }
    }
    loader.out
}

/// Loads one rule file given as a string; `import` and `lexicon … from` paths are
/// read from disk relative to the current directory, and must be under it.
pub fn load_str(name: &str, text: &str) -> Loaded {
    let mut loader = Loader {
        fs: Fs::Disk,
        root: PathBuf::new(),
        seen: HashMap::new(),
        out: Loaded::default(),
        options: Options::default(),
        ahead: HashMap::new(),
    };
    loader.add_file(PathBuf::from(name), text.to_string());
    loader.out
}
