//! Results leave the shell as tables and plots; this layer formats them and writes files
//! atomically. It knows nothing of events or Rhai.
pub mod plot;
pub mod table;
pub mod table_fmt;

use std::path::Path;

use crate::error::Result;

/// Write `bytes` to `path` atomically (the one writer of every output: see
/// [`crate::io::persist`] for modes, links and special files).
pub fn write_atomic(path: impl AsRef<Path>, bytes: &[u8]) -> Result<()> {
    crate::io::write_atomic(path.as_ref(), bytes)
}
