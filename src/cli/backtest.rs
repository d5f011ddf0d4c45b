//! `placeplan backtest [--years-held-out K] [--json]`: how accurate placeplan's forecasts would
//! have been, scored like the DfE school places scorecards.

use super::{CliResult, DataArgs, exit, fail};
use crate::forecast::backtest::backtest;

/// Options of `backtest`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    /// The dataset.
    pub data: DataArgs,
    /// Census years to hide and forecast (1 and 3 years ahead are scored when K ≥ 3).
    #[arg(long, default_value_t = 3)]
    pub years_held_out: usize,
    /// Print JSON: {fitted_to, held_out, authority: [{phase, horizon, year, forecast, actual,
    /// accuracy_pct}], areas: [...], school_mape}.
    #[arg(long)]
    pub json: bool,
}

/// Runs `backtest`.
///
/// # Errors
/// When the manifest cannot be read or stdout fails.
pub fn run(a: &Args) -> CliResult {
    let ds = super::load::load(a.data.manifest.as_deref(), a.json)?;
    if let Some(why) = super::load::fatal(&ds) {
        return fail(exit::DATA, why);
    }
    let bt = match backtest(&ds, a.years_held_out) {
        Ok(b) => b,
        Err(msg) => {
            return fail(exit::DATA, msg.to_string());
        }
    };
    if a.json {
        super::write_stdout(&(serde_json::to_string_pretty(&bt)? + "\n"))?;
        return Ok(exit::OK);
    }
    use std::fmt::Write as _;
    let mut out = String::new();
    writeln!(
        out,
        "Back-test: forecasts fitted to {} ({}-year ratio window), scored on the {} held-out year(s).",
        crate::text::year_label(bt.fitted_to),
        bt.window,
        bt.held_out
    )?;
    writeln!(
        out,
        "Accuracy % = 100 × (forecast − actual) / actual; positive = over-forecast (DfE scorecard measure)."
    )?;
    writeln!(
        out,
        "Primary = R–Y6, secondary = Y7–Y11. Suggested targets: authority within ±2% at 1 year, ±5% at 3 years.\n"
    )?;
    writeln!(
        out,
        "{:<10} {:<30} {:<9} {:>5} {:>8} {:>10} {:>10} {:>9}",
        "code", "name", "phase", "ahead", "year", "forecast", "actual", "accuracy"
    )?;
    for s in bt.authority.iter().chain(&bt.areas) {
        writeln!(
            out,
            "{:<10} {:<30} {:<9} {:>5} {:>8} {:>10.0} {:>10.0} {:>8}%",
            s.code,
            s.name.chars().take(30).collect::<String>(),
            s.phase.as_str(),
            s.horizon,
            crate::text::year_label(s.year),
            s.forecast,
            s.actual,
            s.accuracy_pct.map_or("—".into(), |p| format!("{p:+.2}"))
        )?;
    }
    for (phase, h, m) in &bt.school_mape {
        writeln!(out, "schools, {} {h} year(s) ahead: mean absolute error {m:.2}%", phase.as_str())?;
    }
    for n in &bt.notes {
        writeln!(out, "note: {n}")?;
    }
    super::write_stdout(&out)?;
    Ok(exit::OK)
}
