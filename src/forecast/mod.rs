//! Pupil forecasting: national curriculum years ([`ncy`]), the cohort-survival method
//! ([`cohort`]), and the forecasts of a dataset's schools built from their roll history.

pub mod backtest;
pub mod cohort;
pub mod model;
pub mod population;
pub use crate::model::ncy;
pub mod schools;
