//! # placeplan
//!
//! School place planning and equity mapping for English local authorities: read a council's own
//! files (ONS boundaries, the GIAS register, IoD 2019, population, SCAP capacity), join them in
//! parallel, and report place sufficiency and disadvantage by ward, planning area and LSOA.
//!
//! All geometry is in EPSG:27700 (metres); see [`crs`].
//!
//! ## Map of the crate
//! * Inputs: [`manifest`] (what to read), [`source`] (disk or embedded demo), [`text`] and [`table`]
//!   (decoding), [`readers`] (one per published format), [`geometry`] (validity and repair).
//! * Model: [`ids`] (typed ids), [`model`] (records), [`problem`] (input problems as data).
//! * Joins: [`join`] (R-tree, point-in-polygon, apportionment, derived planning areas),
//!   [`dataset`] (load everything once, freeze).
//! * Analysis: [`analysis`] (sufficiency, deprivation aggregation, explain).
//! * Output: [`check`] (the data-quality report), [`cli`], [`demo`] (the synthetic borough).

pub mod analysis;
pub mod base;
pub mod check;
pub mod cli;
pub mod codec;
pub mod crs;
pub mod dataset;
pub mod demo;
pub mod export;
pub mod forecast;
pub mod geometry;
pub mod ids;
pub mod join;
pub mod manifest;
pub mod map;
pub mod model;
pub mod problem;
pub mod projection;
pub mod publish;
pub mod readers;
pub mod report;
pub mod results;
pub mod scenario;
pub mod server;
pub mod snapshot;
pub mod source;
pub mod stats;
pub mod table;
pub mod text;
