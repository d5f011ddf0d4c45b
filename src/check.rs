//! The `check` report: counts per layer, join coverage, repairs and problems, as one JSON object.

use crate::dataset::{Dataset, JoinStat};
use crate::join::points::Placement;
use crate::model::LayerKind;
use crate::problem::{Problem, Severity};
use serde::Serialize;

/// One layer's line in the report.
#[derive(Debug, Serialize)]
pub struct LayerReport {
    /// Layer id.
    pub id: String,
    /// Layer kind.
    pub kind: LayerKind,
    /// Number of areas.
    pub features: usize,
    /// Title.
    pub title: String,
    /// How it was derived, when it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub derived: Option<String>,
}

/// School counts.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct SchoolReport {
    /// Rows read.
    pub total: usize,
    /// Open establishments.
    pub open: usize,
    /// Open establishments with a usable location.
    pub located: usize,
    /// Open located establishments outside every area of every layer (beyond the snap distance).
    pub outside: usize,
    /// Open establishments with a capacity.
    pub with_capacity: usize,
    /// Open establishments with a planning-area code (either phase).
    pub with_planning_area: usize,
}

/// The whole report.
#[derive(Debug, Serialize)]
pub struct CheckReport {
    /// Dataset name.
    pub name: String,
    /// True for generated demo data.
    pub synthetic: bool,
    /// Layers.
    pub layers: Vec<LayerReport>,
    /// Schools.
    pub schools: SchoolReport,
    /// Join coverage.
    pub joins: Vec<JoinStat>,
    /// Where the forecasts come from, in words.
    pub forecasts: Vec<String>,
    /// The census year the figures are labelled with (start year).
    pub census_year: i32,
    /// Which year each input describes.
    pub vintages: Vec<crate::dataset::Vintage>,
    /// What the counting rules did to each open school: excluded (with the reason), post-16 only,
    /// estimated, taken from a predecessor, no data, implausible.
    pub schools_counted: Vec<crate::join::figures::SchoolNote>,
    /// Geometries repaired (warnings about geometry).
    pub geometries_repaired: usize,
    /// Count of problems by severity.
    pub problem_counts: ProblemCounts,
    /// Every problem.
    pub problems: Vec<Problem>,
    /// True when a fatal problem stops the build.
    pub fatal: bool,
}

/// Problems by severity.
#[derive(Debug, Serialize, Default)]
pub struct ProblemCounts {
    /// Warnings.
    pub warning: usize,
    /// Errors.
    pub error: usize,
    /// Fatal.
    pub fatal: usize,
}

/// Where the forecast years come from: the forecasts table, placeplan's own cohort-survival
/// forecasts (with their back-test), housing.
fn forecast_lines(ds: &Dataset) -> Vec<String> {
    use crate::readers::forecasts::ForecastLevel;
    let mut out = Vec::new();
    let own = ds.model.cohort.as_ref().map_or(0, |c| c.schools.len());
    let table = ds.forecast_table.keys().filter(|k| k.0 == ForecastLevel::PlanningArea).count();
    if let Some(c) = &ds.model.cohort {
        let first = ds
            .rolls
            .values()
            .filter_map(|h| h.keys().next().copied())
            .min()
            .unwrap_or(c.base_year);
        out.push(format!(
            "{own} schools forecast by cohort survival from rolls {}–{} ({}-year ratio window), {} years ahead",
            crate::text::year_label(first),
            crate::text::year_label(c.base_year),
            c.window,
            c.horizon
        ));
    }
    if table > 0 {
        out.push(format!("{table} planning-area forecast rows from the forecasts table"));
    }
    if let Some(b) = &ds.model.accuracy {
        let parts: Vec<String> = b
            .authority
            .iter()
            .filter_map(|s| s.accuracy_pct.map(|a| format!("{} {}y {a:+.2}%", s.phase.as_str(), s.horizon)))
            .collect();
        out.push(format!(
            "back-test (fitted to {}): {}",
            crate::text::year_label(b.fitted_to),
            parts.join(", ")
        ));
    }
    out.extend(ds.projection.housing_notes.iter().cloned());
    if out.is_empty() && ds.forecast_table.is_empty() {
        out.push("no forecasts: only the census year is shown (add [rolls] or [forecasts] to the manifest)".into());
    }
    out
}

impl CheckReport {
    /// Builds the report from a loaded dataset.
    #[must_use]
    pub fn new(ds: &Dataset) -> Self {
        let open: Vec<usize> = ds.schools.iter().enumerate().filter(|(_, s)| s.open).map(|(i, _)| i).collect();
        let located = open.iter().filter(|&&i| ds.schools[i].location.is_some()).count();
        let outside = open
            .iter()
            .filter(|&&i| {
                ds.schools[i].location.is_some()
                    && !ds.placements.is_empty()
                    && ds.placements.iter().all(|pl| matches!(pl[i], Placement::Outside))
            })
            .count();
        let mut counts = ProblemCounts::default();
        for p in &ds.problems {
            match p.severity {
                Severity::Warning => counts.warning += p.count(),
                Severity::Error => counts.error += p.count(),
                Severity::Fatal => counts.fatal += p.count(),
            }
        }
        Self {
            name: ds.name.clone(),
            synthetic: ds.synthetic,
            layers: ds
                .layers
                .iter()
                .map(|l| LayerReport {
                    id: l.id.to_string(),
                    kind: l.kind,
                    features: l.areas.len(),
                    title: l.title.clone(),
                    derived: l.derived.clone(),
                })
                .collect(),
            schools: SchoolReport {
                total: ds.schools.len(),
                open: open.len(),
                located,
                outside,
                with_capacity: open.iter().filter(|&&i| ds.schools[i].capacity.is_some()).count(),
                with_planning_area: open
                    .iter()
                    .filter(|&&i| ds.schools[i].planning_area_primary.is_some() || ds.schools[i].planning_area_secondary.is_some())
                    .count(),
            },
            joins: ds.joins.clone(),
            forecasts: forecast_lines(ds),
            census_year: ds.census_year,
            vintages: ds.vintages.clone(),
            schools_counted: ds.school_notes.clone(),
            geometries_repaired: ds
                .problems
                .iter()
                .filter(|p| p.field == "geometry" && p.message.contains("repaired"))
                .count(),
            problem_counts: counts,
            problems: ds.problems.clone(),
            fatal: ds.has_fatal(),
        }
    }

    /// A readable summary for the terminal (problems beyond `max_problems` are counted, not listed).
    #[must_use]
    pub fn to_text(&self, max_problems: usize) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let _ = writeln!(s, "{}{}", self.name, if self.synthetic { " (SYNTHETIC demo data)" } else { "" });
        let _ = writeln!(s, "\nLayers");
        for l in &self.layers {
            let _ = writeln!(
                s,
                "  {:<28} {:<14} {:>6} areas{}",
                l.id,
                format!("{:?}", l.kind).to_lowercase(),
                l.features,
                if l.derived.is_some() { "  (derived)" } else { "" }
            );
        }
        let sc = &self.schools;
        let _ = writeln!(
            s,
            "\nSchools\n  {} rows, {} open, {} open located, {} outside every layer, {} with capacity, {} with a planning area",
            sc.total, sc.open, sc.located, sc.outside, sc.with_capacity, sc.with_planning_area
        );
        let _ = writeln!(s, "\nJoins");
        for j in &self.joins {
            let pct = if j.total > 0 {
                100.0 * j.matched as f64 / j.total as f64
            } else {
                0.0
            };
            let from = j.from.rsplit('/').next().unwrap_or(&j.from);
            let snapped = match j.snapped {
                Some(n) if n > 0 => format!(", {n} by snapping to the nearest area"),
                _ => String::new(),
            };
            let _ = writeln!(
                s,
                "  {from:<34} → {:<26} {:>6}/{:<6} ({pct:.1}%{snapped})",
                j.to, j.matched, j.total
            );
        }
        let _ = writeln!(s, "\nVintages (census year {})", crate::text::year_label(self.census_year));
        for v in &self.vintages {
            let n = v.schools.map_or_else(String::new, |n| format!(", {n} schools"));
            let file = v.file.rsplit('/').next().unwrap_or(&v.file);
            let _ = writeln!(s, "  {:<48} {}{n}  [{file}]", v.input, v.describes);
        }
        if !self.schools_counted.is_empty() {
            use crate::join::figures::NoteKind;
            let _ = writeln!(s, "\nWhat counts (open schools; the rules are in README, \"What counts\")");
            for (kind, title) in [
                (NoteKind::Excluded, "left out of place planning"),
                (NoteKind::Post16Only, "counted for post-16 only"),
                (NoteKind::Linked, "figures taken from a closed predecessor"),
                (NoteKind::NoData, "no data: left out of the totals"),
                (NoteKind::Implausible, "implausible figures (check them)"),
                (NoteKind::Estimated, "estimated figures"),
            ] {
                let these: Vec<_> = self.schools_counted.iter().filter(|n| n.kind == kind).collect();
                if these.is_empty() {
                    continue;
                }
                let _ = writeln!(s, "  {title}: {}", these.len());
                for n in these {
                    let _ = writeln!(s, "    {:<7} {:<44} {}", n.urn, truncate(&n.name, 44), n.text);
                }
            }
        }
        if !self.forecasts.is_empty() {
            let _ = writeln!(s, "\nForecasts");
            for l in &self.forecasts {
                let _ = writeln!(s, "  {l}");
            }
        }
        let c = &self.problem_counts;
        let _ = writeln!(
            s,
            "\nProblems: {} fatal, {} errors, {} warnings; {} geometries repaired",
            c.fatal, c.error, c.warning, self.geometries_repaired
        );
        let mut sorted: Vec<&Problem> = self.problems.iter().collect();
        sorted.sort_by_key(|p| std::cmp::Reverse(p.severity));
        for p in sorted.iter().take(max_problems) {
            let _ = writeln!(s, "  {p}");
        }
        if sorted.len() > max_problems {
            let _ = writeln!(s, "  … and {} more (use --json for all)", sorted.len() - max_problems);
        }
        s
    }
}

/// `s` cut to `n` characters with an ellipsis.
fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}
