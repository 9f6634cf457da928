//! One error type for the whole crate.
//!
//! Errors that come from input name the file (and line, where there is one) so that a user can find and
//! fix the offending record; `main.rs` is the only place that prints them.

use std::path::PathBuf;

/// Everything that can go wrong in redflag.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be opened, read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file involved.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// Input that cannot be understood at all (not a single bad record: those become error records).
    #[error("{path}:{line}: {message}")]
    Input {
        /// The input file (`-` for standard input).
        path: String,
        /// 1-based line number, 0 when the problem is not on one line.
        line: usize,
        /// What is wrong and, where possible, what to do.
        message: String,
    },
    /// A model file that cannot be used.
    #[error("model {path}: {message}")]
    Model {
        /// The model file, or `<built-in>` for the shipped model.
        path: String,
        /// What is wrong and what to do.
        message: String,
    },
    /// A training parameter outside its allowed range.
    #[error("invalid parameter {name} = {value}: {allowed}")]
    Param {
        /// The parameter's name as the user writes it.
        name: &'static str,
        /// The value given.
        value: String,
        /// The allowed range.
        allowed: &'static str,
    },
    /// Training could not produce a model.
    #[error("training failed: {0}")]
    Train(String),
    /// The HTTP service could not start (address in use, no permission, no runtime).
    #[error("cannot serve on {addr}: {source}")]
    Serve {
        /// The address asked for.
        addr: String,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A record rejected in strict mode, or input the user asked for that is missing.
    #[error("{0}")]
    Usage(String),
}

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

impl From<linfa::Error> for Error {
    fn from(e: linfa::Error) -> Self {
        Error::Train(e.to_string())
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Whether this is a write to a closed pipe (`redflag score big.jsonl | head`): not an error.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
    }
}
