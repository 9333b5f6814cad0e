//! A/B comparison of two events: history chi-square tables, alignment, deviation tables.
