//! Statistics kernels: histograms, binned statistics, ROC curves and efficiencies.
