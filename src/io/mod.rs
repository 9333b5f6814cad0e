//! Reading and writing files: `.npy` (memory-mapped), HDF5 lives in `crate::h5`.
pub mod npy;
