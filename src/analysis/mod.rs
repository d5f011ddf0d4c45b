//! Analyses: sufficiency, deprivation aggregation and the calculations behind them.
