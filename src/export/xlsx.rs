//! XLSX export: a sheet per phase (frozen header, filters, thousands and percentage formats,
//! status cells in the map's colours), the SCAP-style table, and a notes sheet with the method
//! and parameters.

use super::{ExportError, ExportRow, ScapRow};
use crate::map::metrics::palette;
use crate::model::Phase;
use crate::model::disclosure::{Count, SUPPRESSED};
use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook, Worksheet, XlsxError};
use std::path::Path;

const HEADERS: [(&str, f64); 18] = [
    ("Code", 12.0),
    ("Name", 34.0),
    ("Year", 9.0),
    ("Forecast", 9.0),
    ("Schools", 8.0),
    ("Places", 10.0),
    ("Pupils", 10.0),
    ("Pupils (low)", 11.0),
    ("Pupils (high)", 11.0),
    ("Spare", 9.0),
    ("Spare %", 9.0),
    ("Short by", 10.0),
    ("Status", 10.0),
    ("IMD rank", 10.0),
    ("FSM %", 8.0),
    ("Places for margin", 12.0),
    ("Schools no data", 10.0),
    ("Schools c (counted as 5)", 12.0),
];

fn colour(hex: &str) -> Color {
    Color::RGB(u32::from_str_radix(hex.trim_start_matches('#'), 16).unwrap_or(0x00BD_BDBD))
}

/// A4 landscape, one page wide, the header row on every printed page, and a footer naming the
/// dataset, the sources and the page; `&D` is the date the reader prints it (Excel's code, so the
/// file itself holds no date).
fn print_setup(ws: &mut Worksheet, dataset: &str) -> Result<(), XlsxError> {
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(0, 0)?;
    // In a footer `&` starts a code: a name's own ampersands are doubled.
    let name = dataset.replace('&', "&&");
    ws.set_footer(format!(
        "&L&8{name} · placeplan · sources and methods: the Notes sheet&R&8Page &P of &N · printed &D"
    ));
    Ok(())
}

fn header(ws: &mut Worksheet, cols: &[(&str, f64)]) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold().set_border_bottom(FormatBorder::Medium).set_text_wrap();
    for (c, (h, w)) in cols.iter().enumerate() {
        let c = u16::try_from(c).unwrap_or(u16::MAX);
        ws.write_string_with_format(0, c, *h, &bold)?;
        ws.set_column_width(c, *w)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

fn phase_sheet(ws: &mut Worksheet, rows: &[&ExportRow]) -> Result<(), XlsxError> {
    header(ws, &HEADERS)?;
    let int = Format::new().set_num_format("#,##0");
    let pct = Format::new().set_num_format("0.0%");
    let status: Vec<(&str, Format)> = [
        ("deficit", palette::DEFICIT),
        ("tight", palette::TIGHT),
        ("healthy", palette::HEALTHY),
        ("surplus", palette::SURPLUS),
    ]
    .into_iter()
    .map(|(s, c)| (s, Format::new().set_background_color(colour(c)).set_bold()))
    .collect();
    for (i, r) in rows.iter().enumerate() {
        let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
        ws.write_string(row, 0, &r.code)?;
        ws.write_string(row, 1, &r.name)?;
        ws.write_string(row, 2, &r.year_label)?;
        ws.write_boolean(row, 3, r.forecast)?;
        ws.write_number(row, 4, r.schools as f64)?;
        ws.write_number_with_format(row, 5, r.capacity, &int)?;
        ws.write_number_with_format(row, 6, r.pupils, &int)?;
        if let Some(v) = r.pupils_low {
            ws.write_number_with_format(row, 7, v, &int)?;
        }
        if let Some(v) = r.pupils_high {
            ws.write_number_with_format(row, 8, v, &int)?;
        }
        ws.write_number_with_format(row, 9, r.spare, &int)?;
        if let Some(v) = r.spare_pct {
            ws.write_number_with_format(row, 10, v / 100.0, &pct)?;
        }
        ws.write_number_with_format(row, 11, r.shortfall, &int)?;
        match status.iter().find(|(s, _)| *s == r.status) {
            Some((_, f)) => ws.write_string_with_format(row, 12, &r.status, f)?,
            None => ws.write_string(row, 12, &r.status)?,
        };
        if let Some(v) = r.imd_rank {
            ws.write_number_with_format(row, 13, v, &int)?;
        }
        if let Some(v) = r.fsm_pct {
            ws.write_number_with_format(row, 14, v / 100.0, &pct)?;
        }
        ws.write_number_with_format(row, 15, r.margin_shortfall, &int)?;
        ws.write_number(row, 16, r.schools_no_data as f64)?;
        ws.write_number(row, 17, r.schools_suppressed as f64)?;
    }
    if !rows.is_empty() {
        ws.autofilter(0, 0, u32::try_from(rows.len()).unwrap_or(u32::MAX), 17)?;
    }
    Ok(())
}

fn build(path: &Path, rows: &[ExportRow], scap: &[ScapRow], notes: &[(String, String)]) -> Result<(), XlsxError> {
    let mut wb = Workbook::new();
    let dataset = notes.iter().find(|(k, _)| k == "Dataset").map_or("", |(_, v)| v.as_str());
    for phase in Phase::ALL {
        let these: Vec<&ExportRow> = rows.iter().filter(|r| r.phase == phase).collect();
        if these.is_empty() {
            continue;
        }
        let ws = wb.add_worksheet();
        ws.set_name(phase.title())?;
        phase_sheet(ws, &these)?;
        print_setup(ws, dataset)?;
    }
    if !scap.is_empty() {
        let ws = wb.add_worksheet();
        ws.set_name("SCAP NCY")?;
        print_setup(ws, dataset)?;
        header(
            ws,
            &[
                ("Planning area", 14.0),
                ("Name", 30.0),
                ("Phase", 10.0),
                ("NCY", 6.0),
                ("Year", 9.0),
                ("Kind", 9.0),
                ("Pupils", 10.0),
            ],
        )?;
        let int = Format::new().set_num_format("#,##0");
        for (i, r) in scap.iter().enumerate() {
            let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
            ws.write_string(row, 0, &r.planning_area)?;
            ws.write_string(row, 1, &r.name)?;
            ws.write_string(row, 2, r.phase.as_str())?;
            ws.write_string(row, 3, r.ncy.label())?;
            ws.write_string(row, 4, crate::text::year_label(r.year))?;
            ws.write_string(row, 5, r.kind)?;
            match r.pupils {
                Count::Value(v) => ws.write_number_with_format(row, 6, v, &int)?,
                Count::Suppressed => ws.write_string(row, 6, SUPPRESSED)?,
            };
        }
        ws.autofilter(0, 0, u32::try_from(scap.len()).unwrap_or(u32::MAX), 6)?;
    }
    let ws = wb.add_worksheet();
    ws.set_name("Notes")?;
    print_setup(ws, dataset)?;
    header(ws, &[("Item", 18.0), ("Method and parameters", 110.0)])?;
    let wrap = Format::new().set_text_wrap();
    for (i, (k, v)) in notes.iter().enumerate() {
        let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
        ws.write_string(row, 0, k)?;
        ws.write_string_with_format(row, 1, v, &wrap)?;
    }
    wb.save(path)?;
    Ok(())
}

/// Writes the workbook.
///
/// # Errors
/// The file cannot be written.
pub fn write(path: &Path, rows: &[ExportRow], scap: &[ScapRow], notes: &[(String, String)]) -> Result<(), ExportError> {
    build(path, rows, scap, notes).map_err(|e| ExportError::Xlsx {
        path: path.display().to_string(),
        message: e.to_string(),
    })
}
