//! Statistics kernels: histograms, binned statistics, ROC curves and efficiencies.
//!
//! These are the numbers every evaluation ends with (the ATLAS hit-filter evaluation of
//! `docs/workflows.md` §2 is the model user). Each kernel reads any real numeric
//! [`Array`](crate::array::Array) in place (flattened, in C order), runs in parallel chunks
//! through [`crate::exec`] (so Ctrl-C stops it between chunks), and returns a small result
//! value that prints as a [`Table`](crate::output::table::Table) and turns itself into
//! plot series ([`crate::output::plot`]). This layer knows nothing of events or Rhai.

pub mod binned;
pub mod binning;
pub mod data;
pub mod efficiency;
pub mod group;
pub mod hist;
pub mod plots;
pub mod quantile;
pub mod roc;

pub use binned::{Binned, Stat};
pub use binning::{BinSpec, Binning, RangeSpec};
pub use efficiency::{Efficiency, Interval};
pub use group::group_stats;
pub use hist::{Hist, Hist2d};
pub use roc::Roc;
