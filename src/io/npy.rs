//! NumPy .npy files: memory-mapped reading of every numeric, string and structured dtype, and atomic writing.
