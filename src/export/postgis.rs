//! PostGIS export (`placeplan export --format postgis --db …`): a dataset as one schema of a
//! PostgreSQL + PostGIS database, beside a GIS team's other layers.
//!
//! The schema holds:
//! - a table per boundary layer (`code` primary key, `name`, `geom` MultiPolygon in EPSG:27700,
//!   GiST index) and `schools` (`urn` primary key, GIAS fields, `geom` Point in EPSG:27700);
//! - `figures`, the long form: one row per level, layer, area (or school), phase, year and
//!   measure, with its value (NULL when there is no figure, never 0) and `forecast`;
//! - `measures`: what each measure is, in words, with its unit;
//! - `figures_wide`, a view with a column per measure, and `{layer}_figures`, a view per ward or
//!   planning-area layer joining the wide figures to the polygons (for QGIS: key `fid`);
//! - `about`: the dataset, its inputs' years and the method (also the schema's and tables'
//!   comments).
//!
//! A run replaces the schema in one transaction: readers see the previous export or the new one,
//! never half of it. A schema that placeplan did not make is never dropped, nor one that views or
//! tables elsewhere depend on.

use super::long::{self, LongRow, MEASURES};
use super::{ExportError, notes};
use crate::dataset::Dataset;
use crate::model::LayerKind;
use geozero::{CoordDimensions, ToWkb};
use std::fmt::Write as _;
use std::io::Write as _;

/// The first words of every schema comment placeplan writes: how it knows a schema is its own.
pub const SCHEMA_MARK: &str = "placeplan export of";

fn pg(e: impl std::fmt::Display) -> ExportError {
    ExportError::Unsupported(format!("PostGIS: {e}"))
}

/// A quoted SQL identifier.
fn ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// A quoted SQL string literal.
fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A value in `COPY … FROM STDIN` text format.
fn copy_text(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('\t', "\\t")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
}

fn copy_opt(v: Option<f64>) -> String {
    v.filter(|x| x.is_finite()).map_or_else(|| "\\N".to_owned(), |x| x.to_string())
}

/// The default schema of a dataset: `placeplan_` and its name in lower case, letters, digits and
/// `_` only, at most 63 bytes (PostgreSQL's limit).
#[must_use]
pub fn default_schema(ds: &Dataset) -> String {
    let mut s = String::from("placeplan_");
    let mut last = '_';
    for c in ds.name.chars() {
        let c = if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' };
        if !(c == '_' && last == '_') {
            s.push(c);
        }
        last = c;
    }
    let s = s.trim_end_matches('_').to_owned();
    s.chars().take(63).collect()
}

/// A schema name placeplan accepts: a lower-case letter or `_` first, then letters, digits and
/// `_`, at most 63 bytes.
///
/// # Errors
/// Anything else, in words.
pub fn check_schema(s: &str) -> Result<(), String> {
    let ok = !s.is_empty()
        && s.len() <= 63
        && s.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !s.starts_with("pg_");
    if ok {
        Ok(())
    } else {
        Err(format!(
            "schema {s:?} must be lower-case letters, digits and _ (a letter or _ first, at most 63, not pg_…), e.g. placeplan_leeds"
        ))
    }
}

/// What was written.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct PostgisReport {
    /// The schema.
    pub schema: String,
    /// Tables and views with their row counts (views: `None`).
    pub tables: Vec<(String, Option<u64>)>,
    /// Rows of `figures`.
    pub figure_rows: u64,
}

/// The long rows as `COPY` text lines.
fn long_lines(rows: &[LongRow]) -> String {
    let mut out = String::new();
    for r in rows {
        let _ = writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            r.level,
            copy_text(&r.layer),
            copy_text(&r.code),
            r.phase.as_str(),
            r.year,
            if r.forecast { "t" } else { "f" },
            r.measure,
            copy_opt(r.value),
            r.label.as_deref().map_or_else(|| "\\N".to_owned(), copy_text)
        );
    }
    out
}

fn copy_in(tx: &mut postgres::Transaction<'_>, sql: &str, data: &str) -> Result<u64, ExportError> {
    let mut w = tx.copy_in(sql).map_err(pg)?;
    w.write_all(data.as_bytes()).map_err(pg)?;
    w.finish().map_err(pg)
}

/// Connects to `db` (a `postgresql://` URL or `key=value` string; `PGPASSWORD` is used when it
/// names no password) without TLS.
///
/// # Errors
/// A bad connection string or a refused connection, in words (the password is never shown).
pub fn connect(db: &str) -> Result<postgres::Client, ExportError> {
    let mut config: postgres::Config = db.parse().map_err(|e| {
        ExportError::Unsupported(format!(
            "--db is not a PostgreSQL connection string ({e}); e.g. postgresql://user@localhost/gis or host=/var/run/postgresql dbname=gis"
        ))
    })?;
    if config.get_password().is_none()
        && let Ok(p) = std::env::var("PGPASSWORD")
    {
        config.password(p);
    }
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(std::time::Duration::from_secs(10));
    }
    let hosts = config
        .get_hosts()
        .iter()
        .map(|h| match h {
            postgres::config::Host::Tcp(s) => s.clone(),
            postgres::config::Host::Unix(p) => p.display().to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ");
    config.connect(postgres::NoTls).map_err(|e| {
        ExportError::Unsupported(format!(
            "cannot connect to PostgreSQL at {} (database {}): {e}",
            if hosts.is_empty() { "the default host".into() } else { hosts },
            config.get_dbname().unwrap_or("(default)")
        ))
    })
}

/// Writes `ds` into `schema` of the database `client` is connected to, replacing that schema's
/// previous export in one transaction.
///
/// # Errors
/// [`ExportError::Unsupported`] with PostgreSQL's message: no PostGIS, a schema placeplan did not
/// make, or a failed statement (then nothing is changed).
pub fn write(client: &mut postgres::Client, ds: &Dataset, schema: &str) -> Result<PostgisReport, ExportError> {
    check_schema(schema).map_err(ExportError::Unsupported)?;
    let has_postgis = client
        .query_opt("SELECT 1 FROM pg_extension WHERE extname = 'postgis'", &[])
        .map_err(pg)?
        .is_some();
    if !has_postgis {
        client.batch_execute("CREATE EXTENSION IF NOT EXISTS postgis").map_err(|e| {
            ExportError::Unsupported(format!(
                "PostGIS is not installed in this database and could not be added ({e}); ask its administrator to run CREATE EXTENSION postgis"
            ))
        })?;
    }
    check_names(ds)?;
    let mut tx = client.transaction().map_err(pg)?;
    // Quotes doubled are the only escape `literal` makes: safe only with standard strings.
    tx.batch_execute("SET LOCAL standard_conforming_strings = on").map_err(pg)?;
    let existing: Option<Option<String>> = tx
        .query_opt(
            "SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = $1",
            &[&schema],
        )
        .map_err(pg)?
        .map(|r| r.get(0));
    if let Some(comment) = existing {
        if !comment.as_deref().is_some_and(|c| c.starts_with(SCHEMA_MARK)) {
            return Err(ExportError::Unsupported(format!(
                "the database already has a schema {schema} that placeplan did not make; it is left alone: choose another --schema"
            )));
        }
        // Dropping the schema drops what depends on it elsewhere (a view of the GIS team's over
        // these tables): refuse rather than take their work with it.
        let dependents: Vec<String> = tx
            .query(
                "SELECT DISTINCT dn.nspname || '.' || dc.relname
                   FROM pg_depend d
                   JOIN pg_rewrite r ON r.oid = d.objid
                   JOIN pg_class dc ON dc.oid = r.ev_class
                   JOIN pg_namespace dn ON dn.oid = dc.relnamespace
                   JOIN pg_class sc ON sc.oid = d.refobjid
                   JOIN pg_namespace sn ON sn.oid = sc.relnamespace
                  WHERE sn.nspname = $1 AND dn.nspname <> $1
                 UNION
                 SELECT DISTINCT cn.nspname || '.' || cc.relname
                   FROM pg_constraint c
                   JOIN pg_class cc ON cc.oid = c.conrelid
                   JOIN pg_namespace cn ON cn.oid = cc.relnamespace
                   JOIN pg_class fc ON fc.oid = c.confrelid
                   JOIN pg_namespace fn ON fn.oid = fc.relnamespace
                  WHERE fn.nspname = $1 AND cn.nspname <> $1",
                &[&schema],
            )
            .map_err(pg)?
            .iter()
            .map(|r| r.get(0))
            .collect();
        if !dependents.is_empty() {
            return Err(ExportError::Unsupported(format!(
                "{} outside the schema {schema} depend on it, and replacing it would drop them: {}; drop or change them first, or choose another --schema",
                if dependents.len() == 1 {
                    "a view or table"
                } else {
                    "views or tables"
                },
                dependents.join(", ")
            )));
        }
        tx.batch_execute(&format!("DROP SCHEMA {} CASCADE", ident(schema))).map_err(pg)?;
    }
    let s = ident(schema);
    let about = notes(ds);
    let method: String = about.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join("\n");
    tx.batch_execute(&format!(
        "CREATE SCHEMA {s}; COMMENT ON SCHEMA {s} IS {};",
        literal(&format!(
            "{SCHEMA_MARK} {}{} (placeplan {}). Replaced whole by each run.",
            ds.name,
            if ds.synthetic { " (SYNTHETIC demo data)" } else { "" },
            env!("CARGO_PKG_VERSION")
        ))
    ))
    .map_err(pg)?;
    let mut report = PostgisReport {
        schema: schema.to_owned(),
        ..PostgisReport::default()
    };

    // Boundary layers.
    for l in &ds.layers {
        let t = ident(l.id.as_str());
        tx.batch_execute(&format!(
            "CREATE TABLE {s}.{t} (code text PRIMARY KEY, name text NOT NULL, geom geometry(MultiPolygon, 27700) NOT NULL);
             COMMENT ON TABLE {s}.{t} IS {};",
            literal(&format!(
                "{} ({}): boundaries in EPSG:27700 as placeplan read them{}.",
                l.title,
                l.id,
                l.derived.as_deref().map_or(String::new(), |d| format!("; derived: {d}"))
            ))
        ))
        .map_err(pg)?;
        let mut data = String::new();
        for a in &l.areas {
            let wkb = geo::Geometry::MultiPolygon(a.geometry.clone())
                .to_ewkb(CoordDimensions::xy(), Some(27700))
                .map_err(pg)?;
            let _ = writeln!(data, "{}\t{}\t{}", copy_text(a.code.as_str()), copy_text(&a.name), hex(&wkb));
        }
        let n = copy_in(&mut tx, &format!("COPY {s}.{t} (code, name, geom) FROM STDIN"), &data)?;
        tx.batch_execute(&format!("CREATE INDEX ON {s}.{t} USING gist (geom)"))
            .map_err(pg)?;
        report.tables.push((l.id.to_string(), Some(n)));
    }

    // Schools.
    tx.batch_execute(&format!(
        "CREATE TABLE {s}.schools (urn text PRIMARY KEY, laestab integer, name text NOT NULL, open boolean NOT NULL, phase_of_education text, establishment_type text, low_age smallint, high_age smallint, capacity double precision, pupils double precision, census_year integer, fsm_pct double precision, ofsted text, geom geometry(Point, 27700));
         COMMENT ON TABLE {s}.schools IS 'Schools from the GIAS register with census capacity and pupils as placeplan read them; geom NULL where the register has no location.';"
    ))
    .map_err(pg)?;
    let mut data = String::new();
    let opt = |v: Option<String>| v.map_or_else(|| "\\N".to_owned(), |s| copy_text(&s));
    for sc in &ds.schools {
        let geom = match sc.location {
            Some(c) => hex(&geo::Geometry::Point(geo::Point::from(c))
                .to_ewkb(CoordDimensions::xy(), Some(27700))
                .map_err(pg)?),
            None => "\\N".to_owned(),
        };
        let _ = writeln!(
            data,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{geom}",
            copy_text(&sc.urn.to_string()),
            opt(sc.laestab.map(|v| v.to_string())),
            copy_text(&sc.name),
            if sc.open { "t" } else { "f" },
            opt(Some(sc.phase_of_education.clone()).filter(|s| !s.is_empty())),
            opt(Some(sc.establishment_type.clone()).filter(|s| !s.is_empty())),
            opt(sc.low_age.map(|v| v.to_string())),
            opt(sc.high_age.map(|v| v.to_string())),
            copy_opt(sc.capacity),
            copy_opt(sc.pupils),
            opt(sc.census_year.map(|v| v.to_string())),
            copy_opt(sc.fsm_pct),
            opt(sc.ofsted.clone().filter(|s| !s.is_empty())),
        );
    }
    let n = copy_in(
        &mut tx,
        &format!(
            "COPY {s}.schools (urn, laestab, name, open, phase_of_education, establishment_type, low_age, high_age, capacity, pupils, census_year, fsm_pct, ofsted, geom) FROM STDIN"
        ),
        &data,
    )?;
    tx.batch_execute(&format!("CREATE INDEX ON {s}.schools USING gist (geom)"))
        .map_err(pg)?;
    report.tables.push(("schools".into(), Some(n)));

    // The figures, long, and what each measure is.
    tx.batch_execute(&format!(
        "CREATE TABLE {s}.measures (measure text PRIMARY KEY, unit text NOT NULL, definition text NOT NULL);
         CREATE TABLE {s}.figures (level text NOT NULL, layer text NOT NULL, code text NOT NULL, phase text NOT NULL, year integer NOT NULL, forecast boolean NOT NULL, measure text NOT NULL REFERENCES {s}.measures, value double precision, label text, PRIMARY KEY (level, layer, code, phase, year, measure));
         COMMENT ON TABLE {s}.figures IS {};
         COMMENT ON COLUMN {s}.figures.value IS 'NULL: no figure (never 0 for missing data)';
         COMMENT ON COLUMN {s}.figures.year IS 'Academic year by its start (2027 = 2027/28)';",
        literal(&format!("Sufficiency and forecasts, one row per level, layer, area or school (code; URN for schools; LA for the authority), phase, year and measure.\n{method}"))
    ))
    .map_err(pg)?;
    let mut data = String::new();
    for (m, unit, def) in MEASURES {
        let _ = writeln!(data, "{m}\t{}\t{}", copy_text(unit), copy_text(def));
    }
    copy_in(&mut tx, &format!("COPY {s}.measures FROM STDIN"), &data)?;
    let data = long_lines(&long::all(ds));
    report.figure_rows = copy_in(
        &mut tx,
        &format!("COPY {s}.figures (level, layer, code, phase, year, forecast, measure, value, label) FROM STDIN"),
        &data,
    )?;
    report.tables.push(("measures".into(), Some(MEASURES.len() as u64)));
    report.tables.push(("figures".into(), Some(report.figure_rows)));

    // The wide view, and a spatial one per ward and planning-area layer.
    let cols: String = MEASURES
        .iter()
        .map(|(m, _, _)| {
            let agg = if *m == "status" { "label" } else { "value" };
            format!(", max({agg}) FILTER (WHERE measure = {}) AS {}", literal(m), ident(m))
        })
        .collect();
    tx.batch_execute(&format!(
        "CREATE VIEW {s}.figures_wide AS SELECT level, layer, code, phase, year, forecast{cols} FROM {s}.figures GROUP BY level, layer, code, phase, year, forecast;
         COMMENT ON VIEW {s}.figures_wide IS 'The figures with a column per measure (see measures).';"
    ))
    .map_err(pg)?;
    report.tables.push(("figures_wide".into(), None));
    for l in ds
        .layers
        .iter()
        .filter(|l| matches!(l.kind, LayerKind::Ward | LayerKind::PlanningArea))
    {
        let v = format!("{}_figures", l.id);
        tx.batch_execute(&format!(
            "CREATE VIEW {s}.{} AS SELECT row_number() OVER (ORDER BY f.code, f.phase, f.year)::integer AS fid, b.name, b.geom, f.* FROM {s}.figures_wide f JOIN {s}.{} b ON b.code = f.code WHERE f.layer = {};
             COMMENT ON VIEW {s}.{} IS {};",
            ident(&v),
            ident(l.id.as_str()),
            literal(l.id.as_str()),
            ident(&v),
            literal(&format!("{}: every phase and year's figures with the polygon; in QGIS, key fid, filter on phase and year.", l.title))
        ))
        .map_err(pg)?;
        report.tables.push((v, None));
    }

    // What the export is.
    tx.batch_execute(&format!("CREATE TABLE {s}.about (key text PRIMARY KEY, value text NOT NULL)"))
        .map_err(pg)?;
    let mut data = String::new();
    for (k, v) in &about {
        let _ = writeln!(data, "{}\t{}", copy_text(k), copy_text(v));
    }
    for v in &ds.vintages {
        let _ = writeln!(
            data,
            "{}\t{}",
            copy_text(&format!("Input: {} ({})", v.input, v.file)),
            copy_text(&v.describes)
        );
    }
    let n = copy_in(&mut tx, &format!("COPY {s}.about FROM STDIN"), &data)?;
    report.tables.push(("about".into(), Some(n)));
    tx.commit().map_err(pg)?;
    Ok(report)
}

/// The fixed tables and views of an export.
const FIXED: &[&str] = &["schools", "measures", "figures", "figures_wide", "about"];

/// The layers' table names against the fixed ones and each other's `{id}_figures` views, and
/// PostgreSQL's 63-byte limit on names (longer ones are cut, and could then collide).
fn check_names(ds: &Dataset) -> Result<(), ExportError> {
    let mut names: Vec<String> = FIXED.iter().map(|s| (*s).to_owned()).collect();
    for l in &ds.layers {
        let id = l.id.as_str();
        let view = format!("{id}_figures");
        for n in [id.to_owned(), view.clone()] {
            if names.contains(&n) {
                return Err(ExportError::Unsupported(format!(
                    "layer {id}: the table or view {n} would clash with another of the export; rename the layer in the manifest"
                )));
            }
            if n.len() > 63 {
                return Err(ExportError::Unsupported(format!(
                    "layer {id}: {n} is longer than PostgreSQL's 63-byte names; give the layer a shorter id"
                )));
            }
        }
        names.push(id.to_owned());
        if matches!(l.kind, LayerKind::Ward | LayerKind::PlanningArea) {
            names.push(view);
        }
    }
    Ok(())
}

fn hex(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len() * 2);
    for x in b {
        let _ = write!(s, "{x:02X}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_names() {
        assert!(check_schema("placeplan_leeds").is_ok());
        assert!(check_schema("Leeds").is_err());
        assert!(check_schema("a; drop table x").is_err());
        assert!(check_schema("pg_temp").is_err());
        assert!(check_schema(&"a".repeat(64)).is_err());
    }

    #[test]
    fn copy_text_escapes() {
        assert_eq!(copy_text("a\tb\\c\nd"), "a\\tb\\\\c\\nd");
        assert_eq!(copy_opt(None), "\\N");
        assert_eq!(copy_opt(Some(f64::NAN)), "\\N");
        assert_eq!(copy_opt(Some(2.5)), "2.5");
    }
}
