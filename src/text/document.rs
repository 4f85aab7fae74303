//! Documents, and reading them from `.txt` files, `.jsonl` files and standard input.

use serde_json::{Map, Value};
use std::io::BufRead;
use std::path::{Path, PathBuf};

/// One article.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Document {
    /// Its id: the file stem of a `.txt` file, the `id` field of a JSON line.
    pub id: String,
    /// Its text.
    pub text: String,
    /// Its reference date (`YYYY-MM-DD`), when given.
    pub date: Option<String>,
    /// Other fields of its JSON line.
    pub meta: Map<String, Value>,
    /// Read with `lossy`: the byte offset (in its file or line) of the first
    /// invalid UTF-8 sequence, which was replaced by U+FFFD with the others.
    pub lossy_at: Option<usize>,
}

/// The longest text a document may have: offsets are 32-bit.
pub const MAX_TEXT_BYTES: usize = u32::MAX as usize - 1;

/// How documents are read.
#[derive(Clone, Copy, Debug)]
pub struct Reading<'a> {
    /// The JSON field that holds the text of a `.jsonl` line.
    pub text_field: &'a str,
    /// Replace invalid UTF-8 with U+FFFD (and say where in
    /// [`Document::lossy_at`]) instead of refusing the document.
    pub lossy: bool,
}

impl Document {
    /// A document from an id and a text.
    pub fn new(id: impl Into<String>, text: impl Into<String>) -> Document {
        Document {
            id: id.into(),
            text: text.into(),
            ..Document::default()
        }
    }
}

/// A document that could not be read, with where.
#[derive(Debug, thiserror::Error)]
pub enum DocError {
    /// A file or folder could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file is not UTF-8.
    #[error("{path}: not valid UTF-8 at byte {offset}")]
    Utf8 {
        /// The path.
        path: PathBuf,
        /// The byte offset of the first bad byte.
        offset: usize,
    },
    /// A text is longer than [`MAX_TEXT_BYTES`].
    #[error(
        "{path}: the text is {bytes} bytes; a document may have at most {max} (4 GiB); split it"
    )]
    TooLarge {
        /// The path.
        path: PathBuf,
        /// Its size.
        bytes: usize,
        /// The limit.
        max: usize,
    },
    /// A JSON line is not a document.
    #[error("{path}:{line}: {message}")]
    Json {
        /// The path.
        path: PathBuf,
        /// The line number, from 1.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// Parses one JSON line into a document. `text_field` names the field holding the text.
pub fn parse_json_line(
    line: &str,
    fallback_id: &str,
    text_field: &str,
) -> Result<Document, String> {
    let value: Value = serde_json::from_str(line).map_err(|e| format!("not JSON: {e}"))?;
    let Value::Object(mut map) = value else {
        return Err("expected a JSON object".into());
    };
    let text = match map.remove(text_field) {
        Some(Value::String(s)) => s,
        Some(_) => return Err(format!("field `{text_field}` is not a string")),
        None => return Err(format!("no `{text_field}` field")),
    };
    let id = match map.remove("id") {
        Some(Value::String(s)) => s,
        Some(Value::Number(n)) => n.to_string(),
        _ => fallback_id.to_string(),
    };
    let date = match map.remove("date") {
        Some(Value::String(s)) => Some(s),
        _ => None,
    };
    Ok(Document {
        id,
        text,
        date,
        meta: map,
        lossy_at: None,
    })
}

/// Every input file under `path` (itself if a file; `.txt` and `.jsonl` files of a folder, sorted).
pub fn input_files(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), DocError> {
    if path.is_dir() {
        let entries = std::fs::read_dir(path).map_err(|source| DocError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for p in paths {
            if p.is_dir() {
                input_files(&p, out)?;
            } else if p.extension().is_some_and(|e| e == "txt" || e == "jsonl") {
                out.push(p);
            }
        }
        Ok(())
    } else {
        out.push(path.to_path_buf());
        Ok(())
    }
}

/// Reads every document of the inputs, in order, calling `each` for each one
/// (or for each error; reading goes on after an error). `-` is standard input:
/// JSON Lines if it starts with `{`, else one text with id `stdin`.
pub fn read_input(
    inputs: &[PathBuf],
    text_field: &str,
    each: &mut dyn FnMut(Result<Document, DocError>),
) {
    let how = Reading {
        text_field,
        lossy: false,
    };
    read_input_with(inputs, &how, each);
}

/// [`read_input`], with options.
pub fn read_input_with(
    inputs: &[PathBuf],
    how: &Reading<'_>,
    each: &mut dyn FnMut(Result<Document, DocError>),
) {
    for input in inputs {
        if input.as_os_str() == "-" {
            read_stdin(input, how, each);
            continue;
        }
        let mut files = Vec::new();
        if let Err(e) = input_files(input, &mut files) {
            each(Err(e));
            continue;
        }
        for f in files {
            let is_jsonl = f.extension().is_some_and(|e| e == "jsonl");
            if is_jsonl {
                match std::fs::File::open(&f) {
                    Ok(file) => read_jsonl(
                        &f,
                        std::io::BufReader::with_capacity(READ_BUFFER, file),
                        how,
                        each,
                    ),
                    Err(source) => each(Err(DocError::Io { path: f, source })),
                }
            } else {
                let doc = std::fs::read(&f)
                    .map_err(|source| DocError::Io {
                        path: f.clone(),
                        source,
                    })
                    .and_then(|b| decode(&f, b, how.lossy))
                    .map(|(text, lossy_at)| {
                        let id = f
                            .file_stem()
                            .map(|s| s.to_string_lossy().into_owned())
                            .unwrap_or_default();
                        Document {
                            lossy_at,
                            ..Document::new(id, text)
                        }
                    });
                each(doc);
            }
        }
    }
}

/// Bytes read from a JSON Lines input at a time: large reads cost fewer
/// system calls than `BufReader`'s default 8 KiB.
const READ_BUFFER: usize = 1 << 20;

/// Standard input: JSON Lines, streamed (it may be larger than memory), if
/// its first byte other than white space is `{`; else one text with id `stdin`.
fn read_stdin(input: &Path, how: &Reading<'_>, each: &mut dyn FnMut(Result<Document, DocError>)) {
    use std::io::{BufRead, Read};
    let stdin = std::io::stdin();
    let mut lock = stdin.lock();
    let io_error = |source| DocError::Io {
        path: input.to_path_buf(),
        source,
    };
    // White space before the first other byte, kept for a plain text's offsets.
    let mut prefix = Vec::new();
    let first = loop {
        let buf = match lock.fill_buf() {
            Ok(buf) => buf,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return each(Err(io_error(e))),
        };
        if buf.is_empty() {
            break None;
        }
        match buf.iter().position(|b| !b.is_ascii_whitespace()) {
            Some(i) => {
                let first = buf[i];
                prefix.extend_from_slice(&buf[..i]);
                lock.consume(i);
                break Some(first);
            }
            None => {
                let n = buf.len();
                prefix.extend_from_slice(buf);
                lock.consume(n);
            }
        }
    };
    if first == Some(b'{') {
        read_jsonl(
            input,
            std::io::BufReader::with_capacity(READ_BUFFER, lock),
            how,
            each,
        );
        return;
    }
    let mut bytes = prefix;
    // One byte past the limit is enough to know the text is too large.
    let limit = (MAX_TEXT_BYTES + 1).saturating_sub(bytes.len()) as u64;
    if let Err(e) = (&mut lock).take(limit).read_to_end(&mut bytes) {
        return each(Err(io_error(e)));
    }
    if bytes.len() > MAX_TEXT_BYTES {
        // Too large: count the rest without keeping it, to say how large.
        let rest = std::io::copy(&mut lock, &mut std::io::sink()).unwrap_or(0);
        return each(Err(DocError::too_large(input, bytes.len() + rest as usize)));
    }
    each(decode(input, bytes, how.lossy).map(|(t, at)| Document {
        lossy_at: at,
        ..Document::new("stdin", t)
    }));
}

impl DocError {
    /// A text of `bytes` bytes from `path`, over [`MAX_TEXT_BYTES`].
    fn too_large(path: &Path, bytes: usize) -> DocError {
        DocError::TooLarge {
            path: path.to_path_buf(),
            bytes,
            max: MAX_TEXT_BYTES,
        }
    }
}

/// Bytes as text: an error at the first invalid UTF-8 sequence, or with
/// `lossy` every such sequence replaced and the first one's offset returned.
fn decode(path: &Path, bytes: Vec<u8>, lossy: bool) -> Result<(String, Option<usize>), DocError> {
    if bytes.len() > MAX_TEXT_BYTES {
        return Err(DocError::too_large(path, bytes.len()));
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok((text, None)),
        Err(e) if lossy => {
            let at = e.utf8_error().valid_up_to();
            Ok((String::from_utf8_lossy(e.as_bytes()).into_owned(), Some(at)))
        }
        Err(e) => Err(DocError::Utf8 {
            path: path.to_path_buf(),
            offset: e.utf8_error().valid_up_to(),
        }),
    }
}

fn read_jsonl(
    path: &Path,
    mut reader: impl BufRead,
    how: &Reading<'_>,
    each: &mut dyn FnMut(Result<Document, DocError>),
) {
    let text_field = how.text_field;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "stdin".into());
    let mut line = Vec::new();
    let mut number = 0;
    loop {
        line.clear();
        // After a huge line, give its buffer back rather than hold it for the
        // rest of the input.
        if line.capacity() > 1 << 20 {
            line = Vec::new();
        }
        match reader.read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(_) => {}
            Err(source) => {
                each(Err(DocError::Io {
                    path: path.to_path_buf(),
                    source,
                }));
                break;
            }
        }
        number += 1;
        let (text, lossy_at) = match std::str::from_utf8(&line) {
            Ok(t) => (std::borrow::Cow::Borrowed(t), None),
            Err(e) if how.lossy => (String::from_utf8_lossy(&line), Some(e.valid_up_to())),
            Err(e) => {
                each(Err(DocError::Json {
                    path: path.to_path_buf(),
                    line: number,
                    message: format!("not valid UTF-8 at byte {} of the line", e.valid_up_to()),
                }));
                continue;
            }
        };
        let text = text.as_ref();
        if text.trim().is_empty() {
            continue;
        }
        let fallback = format!("{stem}:{number}");
        let doc = parse_json_line(text, &fallback, text_field)
            .map_err(|message| DocError::Json {
                path: path.to_path_buf(),
                line: number,
                message,
            })
            .and_then(|d| {
                if d.text.len() > MAX_TEXT_BYTES {
                    Err(DocError::too_large(path, d.text.len()))
                } else {
                    Ok(Document { lossy_at, ..d })
                }
            });
        each(doc);
    }
}
