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

/// Runs `backtest`: placeplan's forecasts from rolls, when the data has a roll history, and the
/// projection from population alone, when the population table has three or more years.
///
/// # Errors
/// When the manifest cannot be read or stdout fails.
pub fn run(a: &Args) -> CliResult {
    let ds = super::load::load(&a.data, a.json)?;
    if let Some(why) = super::load::fatal(&ds) {
        return fail(exit::DATA, why);
    }
    let rolls = backtest(&ds, a.years_held_out);
    let population = crate::forecast::population::backtest(&ds);
    let admissions = crate::analysis::admissions::check(&ds);
    if let (Err(r), Err(p), Err(_)) = (&rolls, &population, &admissions) {
        return fail(exit::DATA, format!("nothing to back-test: {r}; and {p}"));
    }
    if a.json {
        let mut v = match &rolls {
            Ok(bt) => serde_json::to_value(bt)?,
            Err(e) => serde_json::json!({ "rolls": e.to_string() }),
        };
        v["population"] = match &population {
            Ok(p) => serde_json::to_value(p)?,
            Err(e) => serde_json::Value::String(e.clone()),
        };
        v["admissions"] = match &admissions {
            Ok(a) => serde_json::to_value(a)?,
            Err(e) => serde_json::Value::String(e.clone()),
        };
        super::write_stdout(&(serde_json::to_string_pretty(&v)? + "\n"))?;
        return Ok(exit::OK);
    }
    use std::fmt::Write as _;
    let mut out = String::new();
    match &rolls {
        Ok(bt) => rolls_text(&mut out, bt)?,
        Err(e) => writeln!(out, "Forecasts from rolls: not back-tested ({e}).\n")?,
    }
    match &population {
        Ok(runs) => {
            for p in runs {
                population_text(&mut out, p)?;
                writeln!(out)?;
            }
        }
        Err(e) => writeln!(out, "Projection from population: not back-tested ({e}).")?,
    }
    match &admissions {
        Ok(a) => admissions_text(&mut out, a)?,
        Err(e) => writeln!(out, "\nAdmissions check: not made ({e}).")?,
    }
    super::write_stdout(&out)?;
    Ok(exit::OK)
}

fn population_text(out: &mut String, p: &crate::forecast::population::PopulationBacktest) -> std::fmt::Result {
    use std::fmt::Write as _;
    writeln!(
        out,
        "Projection from population alone (no rolls): mid-{} projected {} year(s) on to mid-{}, compared with ONS estimates.",
        p.origin, p.horizon, p.target
    )?;
    writeln!(out, "{}\n", p.method)?;
    writeln!(
        out,
        "{:<26} {:<9} {:<34} {:>6} {:>7}  by size (areas, mean absolute %)",
        "level", "ages", "ratios", "areas", "MAPE"
    )?;
    for l in &p.levels {
        let (a, b) = l.phase.ages();
        let bands = l
            .bands
            .iter()
            .map(|(band, n, m)| format!("{band}: {n}, {m:.1}%"))
            .collect::<Vec<_>>()
            .join("; ");
        let total = l.total.map_or(String::new(), |(f, act, pct)| {
            format!(
                "projected {f:.0}, estimate {act:.0}, {}",
                pct.map_or("—".into(), |x| format!("{x:+.2}%"))
            )
        });
        writeln!(
            out,
            "{:<26} {:<9} {:<34} {:>6} {:>6.2}%  {}",
            l.level,
            format!("{a}–{}", b - 1),
            l.pool.label(),
            l.areas,
            l.mape,
            if total.is_empty() { bands } else { total }
        )?;
    }
    Ok(())
}

fn admissions_text(out: &mut String, a: &crate::analysis::admissions::AdmissionsCheck) -> std::fmt::Result {
    use std::fmt::Write as _;
    let pct = |p: Option<f64>| p.map_or("—".into(), |x| format!("{x:+.1}%"));
    writeln!(
        out,
        "\nAdmissions check: forecast Reception intakes for {} against the places allocated ({}, {} schools matched; forecasts by {}).",
        crate::text::year_label(a.year),
        a.file,
        a.matched,
        a.sources.iter().map(|(k, n)| format!("{k} {n}")).collect::<Vec<_>>().join(", ")
    )?;
    writeln!(
        out,
        "authority: forecast {:.0}, allocated {:.0}, {}; mean absolute % over {} planning areas {}, over schools {}",
        a.authority.forecast,
        a.authority.allocated,
        pct(a.authority.accuracy_pct),
        a.areas.len(),
        a.mape.1.map_or_else(|| "no data".to_owned(), |m| format!("{m:.1}%")),
        a.mape.0.map_or_else(|| "no data".to_owned(), |m| format!("{m:.1}%"))
    )?;
    for r in &a.areas {
        writeln!(
            out,
            "  {:<10} {:<44} {:>3} schools  forecast {:>6.0}  allocated {:>6.0}  {}",
            r.code,
            r.name.chars().take(44).collect::<String>(),
            r.schools,
            r.forecast,
            r.allocated,
            pct(r.accuracy_pct)
        )?;
    }
    if !a.unmatched.is_empty() {
        writeln!(
            out,
            "  not matched: {} row(s), e.g. {}",
            a.unmatched.len(),
            a.unmatched
                .iter()
                .take(3)
                .map(|(c, n)| format!("{c} {n}"))
                .collect::<Vec<_>>()
                .join("; ")
        )?;
    }
    for c in &a.caveats {
        writeln!(out, "  caveat: {c}")?;
    }
    Ok(())
}

fn rolls_text(out: &mut String, bt: &crate::forecast::backtest::Backtest) -> std::fmt::Result {
    use std::fmt::Write as _;
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
    writeln!(out)?;
    Ok(())
}
