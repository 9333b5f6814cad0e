//! HDF5: browse files, read hyperslabs lazily, stream chunked datasets in parallel.
