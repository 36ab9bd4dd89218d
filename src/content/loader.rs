//! What every part of the content loader shares: the problem list with file
//! and line, the files read (and hashed into the content version), and the
//! rules for ids.

use std::{
    fmt,
    ops::Range,
    path::{Path, PathBuf},
};

use sha2::{Digest, Sha256};

/// One problem in the content: where, and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContentError {
    /// Relative to the content folder.
    pub file: PathBuf,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ContentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file.display(), self.line, self.message)
    }
}

/// Every problem found, in file order.
#[derive(Debug, thiserror::Error)]
#[error("{} problem(s) in the treatment content:\n{}", .0.len(), .0.iter().map(|e| format!("  {e}")).collect::<Vec<_>>().join("\n"))]
pub struct ContentErrors(pub Vec<ContentError>);

/// A file's text and where it sits, for turning byte spans into lines.
pub(super) struct Source {
    pub rel: PathBuf,
    pub text: String,
    /// Lines before `text` in the file (front matter starts after `+++`).
    pub first_line: usize,
}

impl Source {
    pub fn line(&self, span: Range<usize>) -> usize {
        let end = span.start.min(self.text.len());
        self.first_line + self.text[..end].matches('\n').count()
    }
}

pub(super) struct Loader {
    root: PathBuf,
    pub errors: Vec<ContentError>,
    hasher: Sha256,
}

impl Loader {
    pub fn new(root: &Path) -> Self {
        Loader { root: root.to_path_buf(), errors: Vec::new(), hasher: Sha256::new() }
    }

    /// The content version: a hash of every file read and every media file.
    pub fn version(self) -> String {
        hex::encode(&self.hasher.finalize()[..6])
    }

    pub fn error(&mut self, file: &Path, line: usize, message: impl Into<String>) {
        self.errors.push(ContentError { file: file.to_path_buf(), line, message: message.into() });
    }

    pub fn at(&mut self, source: &Source, span: Range<usize>, message: impl Into<String>) {
        let line = source.line(span);
        self.error(&source.rel, line, message);
    }

    /// Reads a file (relative to the root), adding it to the content version.
    pub fn read(&mut self, rel: &Path) -> Option<Source> {
        match std::fs::read_to_string(self.root.join(rel)) {
            Ok(text) => {
                self.hasher.update(rel.to_string_lossy().as_bytes());
                self.hasher.update(text.as_bytes());
                Some(Source { rel: rel.to_path_buf(), text, first_line: 1 })
            }
            Err(e) => {
                self.error(rel, 1, format!("cannot read the file: {e}"));
                None
            }
        }
    }

    pub fn parse<T: serde::de::DeserializeOwned>(&mut self, source: &Source) -> Option<T> {
        match toml::from_str::<T>(&source.text) {
            Ok(value) => Some(value),
            Err(e) => {
                let line = e.span().map_or(source.first_line, |s| source.line(s));
                // toml gives no message for some bytes (a control character in a comment).
                let message = match e.message().trim() {
                    "" => "this is not valid TOML (a control character?)".to_string(),
                    message => message.to_string(),
                };
                self.error(&source.rel, line, message);
                None
            }
        }
    }

    pub fn exists(&self, rel: &Path) -> bool {
        self.root.join(rel).is_file()
    }

    /// File names in a folder, sorted; empty when it does not exist.
    pub fn list(&self, rel: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.root.join(rel))
            .map(|entries| entries.flatten().map(|e| e.file_name().to_string_lossy().to_string()).collect())
            .unwrap_or_default();
        names.sort();
        names
    }

    pub fn is_dir(&self, rel: &Path) -> bool {
        self.root.join(rel).is_dir()
    }

    /// Hashes a media file's bytes into the version.
    pub fn hash_media(&mut self, rel: &Path) {
        if let Ok(bytes) = std::fs::read(self.root.join(rel)) {
            self.hasher.update(rel.to_string_lossy().as_bytes());
            self.hasher.update(&bytes);
        }
    }
}

/// Ids of programs, modules, items and questionnaires.
pub(super) fn valid_id(id: &str) -> bool {
    id.starts_with(|c: char| c.is_ascii_lowercase())
        && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Ids of form fields.
pub(super) fn valid_field_id(id: &str) -> bool {
    id.starts_with(|c: char| c.is_ascii_lowercase())
        && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}
