//! Every integration test, in one binary: each file beside this one is a module of it. One binary
//! links the library once instead of once per file, which keeps the test build small and quick on
//! CI's two cores, and loads the shared datasets (`common::leeds`, `common::demo`) once.
//!
//! Run one file's tests with `cargo test --test suite leeds::`, one test by its name.

mod common;

mod analysis;
mod architecture;
mod bad_input;
mod browser;
mod crs;
mod demo;
mod disclosure;
mod equity;
mod export;
mod forecast;
mod fuzz_smoke;
mod leeds;
mod one_truth;
mod planning_grade;
mod plans;
mod postgis;
mod publish;
mod report;
mod scenario;
mod server;
mod snapshot;
