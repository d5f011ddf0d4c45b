//! `placeplan report --wards all|CODE... [--layer L] --out DIR [--pdf auto|always|never] [--json]`:
//! a static HTML pack of ward pages (one file per ward and an index) that works offline, and
//! PDFs printed by a local Chromium.

use super::{CliResult, DataArgs, exit, fail};
use crate::analysis::summary::summary;
use crate::map::MapData;
use crate::report::facts::{ranking, ward_layers};
use crate::report::html::{Links, index_page};
use crate::report::{pdf, render_ward};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashSet;
use std::path::PathBuf;

/// When to print PDFs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum PdfMode {
    /// When Chromium is installed.
    Auto,
    /// Always; fail without Chromium.
    Always,
    /// Never.
    Never,
}

/// Options of `report`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    /// The dataset.
    pub data: DataArgs,
    /// `all`, or ward codes (e.g. E05011394 E05011385).
    #[arg(long, num_args = 1.., required = true, value_name = "all|CODE")]
    pub wards: Vec<String>,
    /// The ward layer (default: the first ward layer in the manifest).
    #[arg(long)]
    pub layer: Option<String>,
    /// Output folder (created if missing; refused when it already holds files, unless --force): index.html, CODE.html per ward, pdf/CODE.pdf.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Write into a folder that already holds files, replacing any of the same name.
    #[arg(long)]
    pub force: bool,
    /// PDFs through Chromium (PLACEPLAN_CHROMIUM, or chromium on PATH).
    #[arg(long, value_enum, default_value = "auto")]
    pub pdf: PdfMode,
    /// A what-if plan (the TOML `placeplan scenario diff` reads): the figures are the plan's, and
    /// say so.
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
    /// Round every pupil count as a published page would: to the nearest 5, with counts of 1 to
    /// 4 shown as "c" (as DfE statistics do) — for figures that leave the planning team.
    #[arg(long)]
    pub disclosure_control: bool,
    /// Print a JSON summary of what was written.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct Written {
    layer: String,
    index: String,
    pages: Vec<String>,
    pdfs: Vec<String>,
    pdf_note: Option<String>,
}

/// Runs `report`.
///
/// # Errors
/// When the manifest cannot be read or stdout fails.
#[allow(clippy::too_many_lines)]
pub fn run(a: &Args) -> CliResult {
    let chromium = match a.pdf {
        PdfMode::Never => None,
        _ => pdf::find_chromium(),
    };
    if a.pdf == PdfMode::Always && chromium.is_none() {
        return fail(
            exit::IO,
            "--pdf always needs Chromium: install it (Debian: apt install chromium) or set PLACEPLAN_CHROMIUM",
        );
    }
    // Before loading: a folder that would be overwritten is known at once.
    super::out_dir(&a.out, a.force)?;
    let ds = super::load::load(&a.data, a.json)?;
    if let Some(why) = super::load::fatal(&ds) {
        return fail(exit::DATA, why);
    }
    let ds = super::load::with_disclosure(ds, a.disclosure_control);
    let ds = super::load::with_scenario(ds, a.scenario.as_deref(), a.json)?;
    let map = MapData::without_tiles(&ds);
    let wl = ward_layers(&ds, &map);
    let li = match &a.layer {
        Some(id) => wl.iter().copied().find(|&i| map.layers[i].id == *id),
        None => wl.first().copied(),
    };
    let Some(li) = li else {
        let have: Vec<&str> = wl.iter().map(|&i| map.layers[i].id.as_str()).collect();
        return fail(
            exit::USAGE,
            format!(
                "{}; ward layers here: {}",
                a.layer
                    .as_ref()
                    .map_or("the data has no ward layer".into(), |l| format!("{l:?} is not a ward layer")),
                if have.is_empty() { "none".into() } else { have.join(", ") }
            ),
        );
    };
    let l = &map.layers[li];
    let all = a.wards.iter().any(|w| w.eq_ignore_ascii_case("all"));
    let chosen: Vec<usize> = if all {
        (0..l.features.len()).collect()
    } else {
        let mut out = Vec::new();
        for code in &a.wards {
            match l.feature(code) {
                Some((fi, _)) => out.push(fi),
                None => {
                    return fail(
                        exit::USAGE,
                        format!("no ward {code:?} in {}; `placeplan summary --layer {}` lists the codes", l.id, l.id),
                    );
                }
            }
        }
        out
    };
    let la_rows = summary(&ds, None, None, None);
    let in_pack: HashSet<String> = chosen.iter().map(|&fi| l.features[fi].code.clone()).collect();
    let file_of = |code: &str| format!("{}.html", code.replace(['/', '\\', '.'], "_"));
    let href = |code: &str| in_pack.contains(code).then(|| file_of(code));
    let bar = if a.json {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(chosen.len() as u64)
    };
    bar.set_style(
        ProgressStyle::with_template("{prefix:>10} [{bar:30}] {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_prefix("pages");
    let mut pages = Vec::new();
    for &fi in &chosen {
        let code = &l.features[fi].code;
        bar.set_message(l.features[fi].name.clone());
        let links = Links {
            index: "index.html".into(),
            map: None,
            json: None,
            permalink: file_of(code),
        };
        let (_, html) = render_ward(&ds, &map, &la_rows, l, fi, &links, &href);
        let path = a.out.join(file_of(code));
        if let Err(e) = std::fs::write(&path, html) {
            bar.finish_and_clear();
            return fail(exit::IO, format!("cannot write {}: {e}", path.display()));
        }
        pages.push(path.display().to_string());
        bar.inc(1);
    }
    bar.finish_and_clear();
    let rows: Vec<_> = ranking(&ds, &map, l).into_iter().filter(|r| in_pack.contains(&r.code)).collect();
    let index = a.out.join("index.html");
    if let Err(e) = std::fs::write(
        &index,
        index_page(
            &ds.name,
            &l.title,
            ds.synthetic,
            ds.disclosure_note().as_deref(),
            ds.census_year,
            &rows,
            &href,
            None,
        ),
    ) {
        return fail(exit::IO, format!("cannot write {}: {e}", index.display()));
    }
    let mut pdfs = Vec::new();
    let mut pdf_note = None;
    match &chromium {
        None if a.pdf == PdfMode::Never => pdf_note = Some("PDFs not asked for (--pdf never)".into()),
        None => pdf_note = Some("no Chromium found (set PLACEPLAN_CHROMIUM or install chromium), so no PDFs".into()),
        Some(chrome) => {
            let dir = a.out.join("pdf");
            if let Err(e) = std::fs::create_dir_all(&dir) {
                return fail(exit::IO, format!("cannot create {}: {e}", dir.display()));
            }
            let bar = if a.json {
                ProgressBar::hidden()
            } else {
                ProgressBar::new(chosen.len() as u64)
            };
            bar.set_style(
                ProgressStyle::with_template("{prefix:>10} [{bar:30}] {pos}/{len}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            bar.set_prefix("PDFs");
            let results: Vec<Result<String, String>> = chosen
                .par_iter()
                .map(|&fi| {
                    let code = &l.features[fi].code;
                    let html = a.out.join(file_of(code));
                    let out = dir.join(format!("{}.pdf", code.replace(['/', '\\', '.'], "_")));
                    let r = pdf::print(chrome, &html, &out)
                        .map(|()| out.display().to_string())
                        .map_err(|e| e.to_string());
                    bar.inc(1);
                    r
                })
                .collect();
            bar.finish_and_clear();
            for r in results {
                match r {
                    Ok(p) => pdfs.push(p),
                    Err(e) => {
                        return fail(exit::IO, e.to_string());
                    }
                }
            }
        }
    }
    let w = Written {
        layer: l.id.clone(),
        index: index.display().to_string(),
        pages,
        pdfs,
        pdf_note,
    };
    if a.json {
        super::write_stdout(&(serde_json::to_string_pretty(&w)? + "\n"))?;
    } else {
        super::write_stdout(&format!(
            "Wrote {} ward page{} and {} ({}){}\n",
            w.pages.len(),
            if w.pages.len() == 1 { "" } else { "s" },
            w.index,
            w.layer,
            if w.pdfs.is_empty() {
                format!("; {}", w.pdf_note.as_deref().unwrap_or("no PDFs"))
            } else {
                format!("; {} PDFs in {}", w.pdfs.len(), a.out.join("pdf").display())
            }
        ))?;
    }
    Ok(exit::OK)
}
