//! One error type for every layer, so that a message can carry the file, the array
//! or the token that was wrong up to the user without losing it on the way.

use std::fmt;

/// Everything that can go wrong below the script layer.
#[derive(Debug)]
pub enum Error {
    /// A plain, user-facing message (already says what and where).
    Msg(String),
    /// The user pressed Ctrl-C (or a signal asked us to stop) while a kernel ran.
    Cancelled,
    /// An I/O error with the path it happened on.
    Io {
        path: String,
        source: std::io::Error,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Msg(m) => f.write_str(m),
            Error::Cancelled => f.write_str("interrupted"),
            Error::Io { path, source } => write!(f, "{path}: {source}"),
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// Build a message error.
    pub fn msg(m: impl Into<String>) -> Self {
        Error::Msg(m.into())
    }
    /// Wrap an I/O error with its path.
    pub fn io(path: impl AsRef<std::path::Path>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.as_ref().display().to_string(),
            source,
        }
    }
}

/// `bail!("fmt", args)` returns `Err(Error::Msg(format!(...)))`.
#[macro_export]
macro_rules! bail {
    ($($t:tt)*) => { return Err($crate::error::Error::Msg(format!($($t)*))) };
}

/// `err!("fmt", args)` builds an `Error::Msg`.
#[macro_export]
macro_rules! err {
    ($($t:tt)*) => { $crate::error::Error::Msg(format!($($t)*)) };
}
