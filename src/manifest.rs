//! The dataset manifest: a TOML file naming each input by path, format and column mapping.
//! Paths are relative to the manifest file. Published formats (GIAS, IoD 2019, ONS boundaries)
//! need no column mapping. See README.md, "Loading your own council's data".

use crate::ids::LayerId;
use crate::model::LayerKind;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Why a manifest could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// The manifest file could not be read.
    #[error("cannot read manifest {path}: {source}")]
    Read {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The TOML is malformed or has unknown keys.
    #[error("manifest {path} is not valid: {message}")]
    Parse {
        /// The path.
        path: String,
        /// The TOML error, with line and column.
        message: String,
    },
    /// Two layers share an id.
    #[error("manifest {path}: layer id {id:?} is used twice")]
    DuplicateLayer {
        /// The path.
        path: String,
        /// The repeated id.
        id: String,
    },
}

/// The whole manifest.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Name of the authority or dataset, shown in reports.
    pub name: String,
    /// Set to true for generated demo data; shown as "synthetic" everywhere.
    #[serde(default)]
    pub synthetic: bool,
    /// The academic year the rolls describe, by its starting calendar year (2022 for 2022/23).
    pub census_year: Option<i32>,
    /// Boundary layers, any number.
    #[serde(default)]
    pub boundaries: Vec<BoundaryInput>,
    /// The schools register.
    pub schools: Option<SchoolsInput>,
    /// Deprivation tables (IoD 2019 files 1/2/3/6/7 or a mapped equivalent), merged by LSOA code.
    #[serde(default)]
    pub deprivation: Vec<TableInput>,
    /// Population by LSOA: single year of age, or IoD File 6 denominators.
    pub population: Option<PopulationInput>,
    /// Capacity / roll tables keyed by URN or LAESTAB, with planning-area codes (SCAP).
    #[serde(default)]
    pub capacity: Vec<CapacityInput>,
    /// Planning-area names by code (columns `code`, `name`), for areas known only by a code.
    pub planning_area_names: Option<TableInput>,
    /// Address or postcode points used to population-weight LSOA apportionment.
    pub weighting_points: Option<PointsInput>,
    /// Pupil forecasts by school or planning area × phase × year.
    pub forecasts: Option<TableInput>,
    /// Historic rolls by school × national curriculum year × academic year (January census), from
    /// which placeplan makes its own cohort-survival forecasts (a forecasts table overrides them).
    pub rolls: Option<TableInput>,
    /// School census pupils by stage (nursery, reception, KS1–KS5 headcounts by URN): the census
    /// year's pupils by phase when `[rolls]` does not cover a school.
    pub pupils_by_stage: Option<StageInput>,
    /// Which establishment types count in place planning (default: state-funded mainstream; see
    /// [`crate::model::counting`]).
    #[serde(default)]
    pub counting: crate::model::CountingRule,
    /// Housing trajectory (site, year, dwellings, area or easting/northing, optional type), turned
    /// into pupils with `[settings.yields]` and added to placeplan's own forecasts.
    pub housing: Option<TableInput>,
    /// Admissions allocations for one year's Reception entry, by LA establishment number: a check
    /// on the forecast intakes (`placeplan backtest`).
    pub admissions: Option<AdmissionsInput>,
    /// Live births by year for the authority: age 0 of the projection from population in the
    /// years after the single-year estimates end.
    pub births: Option<BirthsInput>,
    /// Analysis settings.
    #[serde(default)]
    pub settings: Settings,
    /// Not from the file: set by [`Manifest::only`] when the command needs no LSOA centroids
    /// (their point inside each polygon is then not worked out, and each is "no data").
    #[serde(skip)]
    pub without_centroids: bool,
}

/// One boundary layer.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoundaryInput {
    /// Layer id (`wards_2023`): lower-case slug, used in URLs and on the command line.
    pub id: LayerId,
    /// What the areas are.
    pub kind: LayerKind,
    /// Display title; defaults to the id.
    pub title: Option<String>,
    /// Path to `.geojson`/`.json` (GeoJSON or TopoJSON), `.topojson`, `.gpkg` (GeoPackage) or
    /// `.shp` (with `.dbf`, `.shx`, `.prj` beside it).
    pub path: String,
    /// Which layer of a file that holds several: the table of a GeoPackage, the object of a
    /// TopoJSON topology. May be left out when there is one.
    pub table: Option<String>,
    /// Property holding the area code; guessed (`*CD`, `code`) when absent.
    pub code_field: Option<String>,
    /// Property holding the area name; guessed (`*NM`, `name`) when absent.
    pub name_field: Option<String>,
    /// CRS of the coordinates when the file does not say (`EPSG:27700`, `EPSG:4326`).
    pub crs: Option<String>,
    /// For per-phase planning areas.
    pub phase: Option<crate::model::Phase>,
}

/// A CSV table with optional column renames (`our name = "their column"`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableInput {
    /// Path to `.csv`, `.csv.gz` or a workbook (`.xlsx`, `.xls`, `.ods`; see `sheet`).
    pub path: String,
    /// The sheet, when the file is a workbook (`.xlsx`, `.xls`, `.ods`); it may be left out when
    /// the workbook has one sheet.
    pub sheet: Option<String>,
    /// Title lines to skip before the header row.
    #[serde(default)]
    pub skip_lines: usize,
    /// The file holds figures that may not be published as they are (a council's own rolls by
    /// year group, its forecasts, a pupil-level file). What is published (`publish`, serving
    /// beyond this computer) is then under disclosure control: pupil counts rounded to 5, counts
    /// of 1 to 4 suppressed ([`crate::model::disclosure`]). A confidential table whose figures are
    /// not pupil counts (deprivation, planning-area names) cannot be controlled so: publishing
    /// refuses it.
    #[serde(default)]
    pub confidential: bool,
    /// Column mapping overrides.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
}

/// A council's admissions allocations for one year's entry (e.g. Leeds' 2024 "Allocation for
/// Reception and Junior School places").
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdmissionsInput {
    /// Path to `.csv` or a workbook.
    pub path: String,
    /// The sheet, when the file is a workbook.
    pub sheet: Option<String>,
    /// Title lines to skip before the header row (Leeds' files: 1).
    #[serde(default)]
    pub skip_lines: usize,
    /// The academic year of the entry (2024 for places from September 2024).
    pub year: i32,
    /// Column mapping overrides (keys: code, allocated, name, pan, min_age).
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
}

/// Live births by year (ONS *Births in England and Wales* by local authority of usual residence,
/// or the births component of the mid-year estimates).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BirthsInput {
    /// Path to `.csv` or a workbook.
    pub path: String,
    /// The sheet, when the file is a workbook.
    pub sheet: Option<String>,
    /// Title lines to skip before the header row.
    #[serde(default)]
    pub skip_lines: usize,
    /// What a year counts: `calendar` (January to December, as ONS births by local authority)
    /// or `mid_year` (the twelve months to 30 June, as the mid-year estimates' births).
    pub period: BirthsPeriod,
    /// The authority's code, when the file lists several areas (`E08000035`).
    pub area: Option<String>,
    /// Column mapping overrides (keys: year, births, area).
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
}

/// What a year of a births table counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BirthsPeriod {
    /// January to December of the year.
    Calendar,
    /// The twelve months to 30 June of the year.
    MidYear,
}

/// The school census pupils-by-stage table.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageInput {
    /// Path to `.csv`, `.csv.gz` or a workbook (`.xlsx`, `.xls`, `.ods`; see `sheet`).
    pub path: String,
    /// The sheet, when the file is a workbook (`.xlsx`, `.xls`, `.ods`); it may be left out when
    /// the workbook has one sheet.
    pub sheet: Option<String>,
    /// Title lines to skip before the header row.
    #[serde(default)]
    pub skip_lines: usize,
    /// The academic year of the January census it counts (2022 for January 2023, 2022/23).
    /// Default: the manifest's `census_year`.
    pub year: Option<i32>,
    /// The file holds figures that may not be published as they are (a council's own rolls by
    /// year group, its forecasts, a pupil-level file). What is published (`publish`, serving
    /// beyond this computer) is then under disclosure control: pupil counts rounded to 5, counts
    /// of 1 to 4 suppressed ([`crate::model::disclosure`]). A confidential table whose figures are
    /// not pupil counts (deprivation, planning-area names) cannot be controlled so: publishing
    /// refuses it.
    #[serde(default)]
    pub confidential: bool,
    /// Column mapping overrides (keys: urn, early_years, nursery, reception, ks1 … ks5).
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
}

/// The schools register.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchoolsInput {
    /// Path to the GIAS establishment CSV.
    pub path: String,
    /// The sheet, when the file is a workbook (`.xlsx`, `.xls`, `.ods`); it may be left out when
    /// the workbook has one sheet.
    pub sheet: Option<String>,
    /// Column mapping overrides (keys: urn, la_code, establishment_number, name, status, phase, type,
    /// low_age, high_age, capacity, pupils, fsm_pct, ofsted, easting, northing, latitude, longitude, lsoa).
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
}

/// Population by LSOA.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PopulationInput {
    /// Path.
    pub path: String,
    /// The sheet, when the file is a workbook (`.xlsx`, `.xls`, `.ods`); it may be left out when
    /// the workbook has one sheet.
    pub sheet: Option<String>,
    /// `syoa` (columns `0`…`89`, `90+`) or `iod_file6` (IoD 2019 File 6 denominators).
    #[serde(default = "default_pop_format")]
    pub format: PopulationFormat,
    /// For multi-year tables, the year to use (value of the `year` column). Default: the latest.
    pub year: Option<i32>,
    /// Column mapping overrides (keys: code, year, total).
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    /// Earlier single-year-of-age estimates for any areas of the authority (wards of an older
    /// geography, the district itself), summed to the authority: more years to fit the
    /// projection's ratios on and to back-test it further ahead ([`crate::forecast::population`]).
    #[serde(default)]
    pub history: Vec<PopulationHistoryInput>,
}

/// An earlier population estimate by single year of age, used only as the authority's sums.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PopulationHistoryInput {
    /// Path (columns `0` … `89` and `90+` or `90`; every row is summed).
    pub path: String,
    /// The sheet, when the file is a workbook.
    pub sheet: Option<String>,
    /// The mid-year it estimates.
    pub year: i32,
}

fn default_pop_format() -> PopulationFormat {
    PopulationFormat::Syoa
}

/// Layout of a population table.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PopulationFormat {
    /// Single year of age columns `0`…`90+`.
    Syoa,
    /// IoD 2019 File 6 (total and 0–15 only).
    IodFile6,
}

/// A capacity table.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapacityInput {
    /// Path.
    pub path: String,
    /// The sheet, when the file is a workbook (`.xlsx`, `.xls`, `.ods`); it may be left out when
    /// the workbook has one sheet.
    pub sheet: Option<String>,
    /// What the key column holds.
    #[serde(default = "default_key")]
    pub key: CapacityKey,
    /// When true, the table's capacity and roll replace the register's. Default false: the table
    /// supplies planning-area codes, the register supplies current capacity and roll.
    #[serde(default)]
    pub use_for_capacity: bool,
    /// The academic year the table's capacities describe (SCAP 2015: 2014, the May 2015 collection
    /// of 2014/15 capacity). Shown beside every figure taken from it.
    pub year: Option<i32>,
    /// Column mapping overrides (keys: key, pupils, capacity, primary_capacity, secondary_capacity,
    /// pa_primary, pa_secondary).
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
}

fn default_key() -> CapacityKey {
    CapacityKey::Laestab
}

/// Key of a capacity table.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CapacityKey {
    /// DfE URN.
    Urn,
    /// LA code × 10000 + establishment number (SCAP `LAEstab`). Survives academy conversion.
    Laestab,
}

/// Points used as a population proxy.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PointsInput {
    /// Path to a CSV.
    pub path: String,
    /// The sheet, when the file is a workbook (`.xlsx`, `.xls`, `.ods`); it may be left out when
    /// the workbook has one sheet.
    pub sheet: Option<String>,
    /// Easting column (EPSG:27700). Default `Eastings`.
    pub x: Option<String>,
    /// Northing column. Default `Northings`.
    pub y: Option<String>,
}

/// Analysis settings; every one has a documented default.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Schools up to this distance outside every area of a layer are assigned to the nearest area
    /// (generalised boundaries clip real school sites). Default 250 m.
    pub snap_distance_m: f64,
    /// Operating margin added to pupils when computing places needed. Default 0.02 (2%).
    pub operating_margin: f64,
    /// Upper bounds of the status bands, as spare-place fractions: deficit below `deficit_below`,
    /// tight below `tight_below`, healthy up to `healthy_below`, surplus above.
    pub bands: Bands,
    /// How LSOAs are apportioned to coarser areas: `population` (needs weighting points, falls back
    /// to area), `area`, or `best_fit`.
    pub apportionment: crate::model::WeightMethod,
    /// Cohort-survival forecasting.
    pub forecast: ForecastSettings,
    /// How a capacity covering Years 7–13 is split between secondary and sixth form: `roll`
    /// (default: in proportion to the school's pupils in each) or `year_groups` (5 : 2).
    pub sixth_form_split: SixthFormSplit,
    /// Pupils per dwelling for housing sites (scenarios and the housing table). No default:
    /// DfE publishes no national figure; use the authority's pupil yield data.
    pub yields: Option<crate::model::Yields>,
}

/// Settings of placeplan's own forecasts.
#[derive(Clone, Debug, Deserialize, serde::Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ForecastSettings {
    /// Years of ratios averaged (1–10). Default 3, the usual LA practice.
    pub window: usize,
    /// Optional weights of the averaged ratios, latest first (e.g. [0.5, 0.3, 0.2]).
    pub weights: Option<Vec<f64>>,
    /// Years forecast for primary (SCAP: 5).
    pub primary_years: usize,
    /// Years forecast for secondary (SCAP: 7).
    pub secondary_years: usize,
}

/// The most years placeplan forecasts ahead, whatever the manifest asks.
pub const MAX_FORECAST_YEARS: usize = 25;

impl ForecastSettings {
    /// Years forecast for a phase (post-16 follows secondary), at most [`MAX_FORECAST_YEARS`].
    #[must_use]
    pub fn years(&self, phase: crate::model::Phase) -> usize {
        match phase {
            crate::model::Phase::Primary => self.primary_years,
            _ => self.secondary_years,
        }
        .min(MAX_FORECAST_YEARS)
    }
}

impl Default for ForecastSettings {
    fn default() -> Self {
        Self {
            window: 3,
            weights: None,
            primary_years: 5,
            secondary_years: 7,
        }
    }
}

/// How a Years 7–13 capacity is split between secondary and sixth form (an estimate either way).
#[derive(Clone, Copy, Debug, Deserialize, serde::Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SixthFormSplit {
    /// In proportion to the school's census pupils in Years 7–11 and 12–13.
    Roll,
    /// By year groups: 5 : 2.
    YearGroups,
}

/// Status band thresholds (fractions of capacity).
#[derive(Clone, Copy, Debug, Deserialize, serde::Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Bands {
    /// Spare below this is a deficit. Default 0.0.
    pub deficit_below: f64,
    /// Spare below this is tight. Default 0.02.
    pub tight_below: f64,
    /// Spare up to this is healthy; above it is surplus. Default 0.10.
    pub healthy_below: f64,
    /// A school is flagged with at least this surplus fraction … Default 0.25.
    pub school_flag_fraction: f64,
    /// … and at least this many spare places. Default 30.
    pub school_flag_places: f64,
}

impl Default for Bands {
    fn default() -> Self {
        Self {
            deficit_below: 0.0,
            tight_below: 0.02,
            healthy_below: 0.10,
            school_flag_fraction: 0.25,
            school_flag_places: 30.0,
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            snap_distance_m: 250.0,
            operating_margin: 0.02,
            bands: Bands::default(),
            apportionment: crate::model::WeightMethod::Population,
            forecast: ForecastSettings::default(),
            sixth_form_split: SixthFormSplit::Roll,
            yields: None,
        }
    }
}

/// What a command that works on LSOAs reads of a manifest ([`Manifest::only`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Needs<'a> {
    /// A boundary layer besides the LSOAs (the one a command reports on). One the manifest does
    /// not list (a derived layer) keeps the whole manifest.
    pub layer: Option<&'a str>,
    /// The schools register, with what resolves its places (capacity tables, rolls and pupils by
    /// stage, which split all-through places between phases).
    pub schools: bool,
    /// The weighting points even for the LSOAs alone (their population-weighted centroids); they
    /// are kept anyway when a layer besides the LSOAs is, to apportion the LSOAs onto it.
    pub centroids: bool,
}

impl Manifest {
    /// The manifest with only what `needs` names, the LSOA layer, deprivation and the population
    /// (the latest year): the figures of the LSOAs, and of the one layer kept, are those of the
    /// whole manifest, made by the same code, without reading or joining the rest. Returns it with
    /// the names of what was left out.
    #[must_use]
    pub fn only(&self, needs: Needs<'_>) -> (Manifest, Vec<String>) {
        // A layer the manifest does not list (derived planning areas, made from the schools and
        // the wards; a mistyped id) needs everything: the whole manifest, and its own errors.
        if needs.layer.is_some_and(|id| !self.boundaries.iter().any(|b| b.id.as_str() == id)) {
            return (self.clone(), Vec::new());
        }
        let mut m = self.clone();
        let mut out = Vec::new();
        m.boundaries.retain(|b| {
            let keep = b.kind == crate::model::LayerKind::Lsoa || needs.layer == Some(b.id.as_str());
            if !keep {
                out.push(format!("layer {}", b.id));
            }
            keep
        });
        let mut drop = |name: &str, gone: bool| {
            if gone {
                out.push(name.to_owned());
            }
        };
        if !needs.schools {
            drop("schools", m.schools.take().is_some());
            drop("capacity", !std::mem::take(&mut m.capacity).is_empty());
            drop("rolls", m.rolls.take().is_some());
            drop("pupils by stage", m.pupils_by_stage.take().is_some());
        }
        let other_layer = m.boundaries.iter().any(|b| b.kind != crate::model::LayerKind::Lsoa);
        if !needs.centroids && !other_layer {
            drop("weighting points", m.weighting_points.take().is_some());
            m.without_centroids = true;
            drop("LSOA centroids", true);
        }
        drop("forecasts", m.forecasts.take().is_some());
        drop("housing", m.housing.take().is_some());
        drop("admissions", m.admissions.take().is_some());
        drop("births", m.births.take().is_some());
        if let Some(p) = m.population.as_mut() {
            drop("earlier population estimates", !std::mem::take(&mut p.history).is_empty());
        }
        (m, out)
    }

    /// Parses manifest text; `name` is used in messages.
    ///
    /// # Errors
    /// [`ManifestError::Parse`] for bad TOML, unknown keys or bad values; duplicate layer ids.
    pub fn parse(text: &str, name: &str) -> Result<Self, ManifestError> {
        let m: Manifest = toml::from_str(text).map_err(|e| ManifestError::Parse {
            path: name.to_owned(),
            message: e.to_string(),
        })?;
        let mut seen = std::collections::HashSet::new();
        for b in &m.boundaries {
            if !seen.insert(b.id.clone()) {
                return Err(ManifestError::DuplicateLayer {
                    path: name.to_owned(),
                    id: b.id.to_string(),
                });
            }
        }
        Ok(m)
    }

    /// Reads and parses a manifest file.
    ///
    /// # Errors
    /// [`ManifestError`] when the file cannot be read or parsed.
    pub fn from_path(path: &Path) -> Result<Self, ManifestError> {
        let text = std::fs::read_to_string(path).map_err(|source| ManifestError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text, &path.display().to_string())
    }
}

crate::unit_enum!(BirthsPeriod { Calendar, MidYear });
