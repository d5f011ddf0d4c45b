//! Coordinate reference systems. All analysis is in EPSG:27700 (British National Grid, metres);
//! WGS84 and Web Mercator appear only at the edges (reading CRS84 GeoJSON, writing tiles and GeoJSON).
//!
//! The datum shift is the OS 7-parameter Helmert (EPSG:1314, about 2 m RMS against OSTN15,
//! ≤ 5 m worst case): ample for ward/LSOA equity maps and catchments, and it reproduces PROJ
//! to 0.1 mm with the same `+towgs84` string.

mod grid;

pub use grid::Grid;

use geo::{Coord, MapCoords, MultiPolygon, Rect};
use proj4rs::Proj;
use proj4rs::transform::{Transform, TransformClosure, transform};
use std::sync::OnceLock;

/// EPSG:27700 with the OS Helmert datum shift, as a PROJ.4 string.
pub const BNG_PROJ: &str = "+proj=tmerc +lat_0=49 +lon_0=-2 +k=0.9996012717 +x_0=400000 +y_0=-100000 \
    +ellps=airy +towgs84=446.448,-125.157,542.06,0.15,0.247,0.842,-20.489 +units=m +no_defs";
const WGS84_PROJ: &str = "+proj=longlat +datum=WGS84 +no_defs";

/// A CRS placeplan can read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Crs {
    /// WGS84 longitude/latitude (EPSG:4326 in lon/lat order, i.e. OGC:CRS84).
    Wgs84,
    /// British National Grid (EPSG:27700).
    Bng,
}

impl Crs {
    /// Recognises `EPSG:4326`, `CRS84`, `urn:ogc:def:crs:EPSG::27700`, `27700`, and WKT (a
    /// shapefile's `.prj`, a GeoPackage's definition) of British National Grid or of WGS 84
    /// longitude/latitude. Any other CRS is `None`, never a near miss: Web Mercator and UTM name
    /// WGS 84 as their datum, and OSGB36 longitude/latitude (about 100 m from WGS 84) names
    /// `TOWGS84`, so a WKT is judged by what it is, not by the numbers it mentions.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        let u = s.trim().to_ascii_uppercase();
        if u.contains('[') {
            return Self::from_wkt(&u);
        }
        if u.contains("27700") {
            Some(Self::Bng)
        } else if u.contains("CRS84") || u.contains("4326") {
            Some(Self::Wgs84)
        } else {
            None
        }
    }

    /// A WKT (upper case): British National Grid by its name or its own authority code, WGS 84
    /// by a geographic CRS on the WGS 84 datum; anything else `None`.
    fn from_wkt(u: &str) -> Option<Self> {
        let projected = ["PROJCS[", "PROJCRS[", "PROJECTEDCRS["].iter().any(|k| u.starts_with(k));
        if projected {
            let bng = ["BRITISH_NATIONAL_GRID", "BRITISH NATIONAL GRID"].iter().any(|k| u.contains(k))
                || u.trim_end_matches([']', ' ']).ends_with("\"27700\"")
                || u.contains("ID[\"EPSG\",27700]");
            return bng.then_some(Self::Bng);
        }
        let geographic = ["GEOGCS[", "GEOGCRS[", "GEODCRS[", "GEOGRAPHICCRS["]
            .iter()
            .any(|k| u.starts_with(k));
        let wgs84 = ["WGS_1984", "WGS 84", "WGS 1984", "WORLD GEODETIC SYSTEM 1984"]
            .iter()
            .any(|k| u.contains(k));
        let other_datum = ["OSGB", "AIRY", "ETRS", "ED50", "NAD"].iter().any(|k| u.contains(k));
        (geographic && wgs84 && !other_datum).then_some(Self::Wgs84)
    }
}

/// Why a coordinate could not be transformed.
#[derive(Debug, thiserror::Error)]
pub enum CrsError {
    /// The projection library refused the point.
    #[error("cannot transform ({x}, {y}): {reason}")]
    Transform {
        /// Input x.
        x: f64,
        /// Input y.
        y: f64,
        /// Library message.
        reason: String,
    },
    /// A coordinate is outside the valid range of its CRS.
    #[error("coordinate ({x}, {y}) is outside the range of {crs}")]
    OutOfRange {
        /// Input x.
        x: f64,
        /// Input y.
        y: f64,
        /// The CRS name.
        crs: &'static str,
    },
}

struct Projs {
    bng: Proj,
    wgs: Proj,
}

fn projs() -> &'static Projs {
    static P: OnceLock<Projs> = OnceLock::new();
    P.get_or_init(|| Projs {
        // Both strings are constants checked by the unit tests below.
        #[expect(clippy::expect_used, reason = "constant PROJ strings, covered by tests")]
        bng: Proj::from_proj_string(BNG_PROJ).expect("valid BNG definition"),
        #[expect(clippy::expect_used, reason = "constant PROJ strings, covered by tests")]
        wgs: Proj::from_proj_string(WGS84_PROJ).expect("valid WGS84 definition"),
    })
}

struct P3(f64, f64, f64);
impl Transform for P3 {
    fn transform_coordinates<F: TransformClosure>(&mut self, f: &mut F) -> proj4rs::errors::Result<()> {
        let (x, y, z) = f(self.0, self.1, self.2)?;
        self.0 = x;
        self.1 = y;
        self.2 = z;
        Ok(())
    }
}

/// WGS84 lon/lat (degrees) → BNG easting/northing (metres).
///
/// # Errors
/// [`CrsError`] when the point is not a valid lon/lat or cannot be projected.
pub fn wgs84_to_bng(lon: f64, lat: f64) -> Result<Coord, CrsError> {
    if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
        return Err(CrsError::OutOfRange {
            x: lon,
            y: lat,
            crs: "WGS84 longitude/latitude",
        });
    }
    let p = projs();
    let mut pt = P3(lon.to_radians(), lat.to_radians(), 0.0);
    transform(&p.wgs, &p.bng, &mut pt).map_err(|e| CrsError::Transform {
        x: lon,
        y: lat,
        reason: e.to_string(),
    })?;
    Ok(Coord { x: pt.0, y: pt.1 })
}

/// BNG easting/northing (metres) → WGS84 lon/lat (degrees).
///
/// # Errors
/// [`CrsError`] when the point is far outside the grid or cannot be transformed.
pub fn bng_to_wgs84(e: f64, n: f64) -> Result<Coord, CrsError> {
    if !(-100_000.0..=800_000.0).contains(&e) || !(-100_000.0..=1_400_000.0).contains(&n) {
        return Err(CrsError::OutOfRange {
            x: e,
            y: n,
            crs: "British National Grid",
        });
    }
    let p = projs();
    let mut pt = P3(e, n, 0.0);
    transform(&p.bng, &p.wgs, &mut pt).map_err(|err| CrsError::Transform {
        x: e,
        y: n,
        reason: err.to_string(),
    })?;
    Ok(Coord {
        x: pt.0.to_degrees(),
        y: pt.1.to_degrees(),
    })
}

/// WGS84 lon/lat (degrees) → Web Mercator (EPSG:3857) metres, closed form.
#[must_use]
pub fn wgs84_to_web_mercator(lon: f64, lat: f64) -> Coord {
    const R: f64 = 6_378_137.0;
    let lat = lat.clamp(-85.051_128_78, 85.051_128_78);
    Coord {
        x: R * lon.to_radians(),
        y: R * (std::f64::consts::FRAC_PI_4 + lat.to_radians() / 2.0).tan().ln(),
    }
}

/// Side, in degrees, of the cells [`ToBng`] interpolates WGS84 → BNG in: about 5.6 km north to
/// south and 3.3 km east to west in Leeds.
pub const GRID_STEP_DEG: f64 = 0.05;

/// The most an interpolated point may miss the exact transform by at any of a cell's checks:
/// 0.1 mm. Cells that miss by more take the exact transform.
pub const GRID_TOLERANCE_M: f64 = 1e-4;

/// How one layer's coordinates reach BNG: as they are, exactly one by one, or interpolated from a
/// [`Grid`] of exact transforms over the layer's extent, checked cell by cell to within
/// [`GRID_TOLERANCE_M`].
pub enum ToBng {
    /// Already BNG.
    Identity,
    /// Each coordinate through proj4rs.
    Exact,
    /// Interpolated where the grid's checks pass, exact elsewhere.
    Interpolated(Grid),
}

impl ToBng {
    /// For `coords` coordinates in `from` lying within `bounds`: a grid when building it costs at
    /// most a quarter of the exact transforms it replaces, else exact.
    #[must_use]
    pub fn new(from: Crs, bounds: Option<Rect<f64>>, coords: usize) -> Self {
        match (from, bounds) {
            (Crs::Bng, _) => Self::Identity,
            (Crs::Wgs84, Some(b)) if Grid::cost(b, GRID_STEP_DEG).saturating_mul(4) <= coords => {
                Self::Interpolated(Grid::new(&wgs84_to_bng, b, GRID_STEP_DEG, GRID_TOLERANCE_M))
            }
            (Crs::Wgs84, _) => Self::Exact,
        }
    }

    /// One coordinate.
    ///
    /// # Errors
    /// [`CrsError`] when the exact transform refuses the point.
    pub fn point(&self, x: f64, y: f64) -> Result<Coord, CrsError> {
        match self {
            Self::Identity => Ok(Coord { x, y }),
            Self::Exact => wgs84_to_bng(x, y),
            Self::Interpolated(g) => g.get(x, y).map_or_else(|| wgs84_to_bng(x, y), Ok),
        }
    }

    /// Reprojects a polygon where it lies, without a copy.
    ///
    /// # Errors
    /// The first coordinate that cannot be transformed (the polygon is then partly transformed).
    pub fn multipolygon_in_place(&self, mp: &mut MultiPolygon<f64>) -> Result<(), CrsError> {
        use geo::MapCoordsInPlace;
        match self {
            Self::Identity => Ok(()),
            _ => mp.try_map_coords_in_place(|c| self.point(c.x, c.y)),
        }
    }
}

/// Reprojects a BNG polygon to WGS84 lon/lat.
///
/// # Errors
/// The first coordinate that cannot be transformed.
pub fn multipolygon_to_wgs84(mp: &MultiPolygon<f64>) -> Result<MultiPolygon<f64>, CrsError> {
    mp.try_map_coords(|c| bng_to_wgs84(c.x, c.y))
}

/// ESRI WKT of EPSG:27700 (OSGB 1936 / British National Grid), for .prj files and GeoPackages.
pub const BNG_WKT: &str = "PROJCS[\"OSGB_1936_British_National_Grid\",GEOGCS[\"GCS_OSGB_1936\",DATUM[\"D_OSGB_1936\",SPHEROID[\"Airy_1830\",6377563.396,299.3249646]],PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\",0.0174532925199433]],PROJECTION[\"Transverse_Mercator\"],PARAMETER[\"False_Easting\",400000.0],PARAMETER[\"False_Northing\",-100000.0],PARAMETER[\"Central_Meridian\",-2.0],PARAMETER[\"Scale_Factor\",0.9996012717],PARAMETER[\"Latitude_Of_Origin\",49.0],UNIT[\"Meter\",1.0]]";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leeds_point_round_trips() {
        let ll = bng_to_wgs84(429_000.0, 433_000.0).expect("in range");
        assert!((ll.x - -1.561_266).abs() < 1e-5 && (ll.y - 53.792_51).abs() < 1e-5, "{ll:?}");
        let back = wgs84_to_bng(ll.x, ll.y).expect("in range");
        assert!((back.x - 429_000.0).abs() < 1e-3 && (back.y - 433_000.0).abs() < 1e-3);
    }

    #[test]
    fn crs_names_are_recognised() {
        assert_eq!(Crs::parse("urn:ogc:def:crs:EPSG::27700"), Some(Crs::Bng));
        assert_eq!(Crs::parse("urn:ogc:def:crs:OGC:1.3:CRS84"), Some(Crs::Wgs84));
        assert_eq!(Crs::parse("EPSG:3035"), None);
    }

    #[test]
    fn wkt_is_judged_by_what_it_is() {
        let bng_esri = r#"PROJCS["OSGB_1936_British_National_Grid",GEOGCS["GCS_OSGB_1936",DATUM["D_OSGB_1936",SPHEROID["Airy_1830",6377563.396,299.3249646]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",400000.0],PARAMETER["False_Northing",-100000.0],PARAMETER["Central_Meridian",-2.0],PARAMETER["Scale_Factor",0.9996012717],PARAMETER["Latitude_Of_Origin",49.0],UNIT["Meter",1.0]]"#;
        let bng_epsg = r#"PROJCS["OSGB36 / British National Grid",GEOGCS["OSGB36",DATUM["Ordnance_Survey_of_Great_Britain_1936",SPHEROID["Airy 1830",6377563.396,299.3249646],TOWGS84[446.448,-125.157,542.06,0.15,0.247,0.842,-20.489]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433],AUTHORITY["EPSG","4277"]],PROJECTION["Transverse_Mercator"],UNIT["metre",1],AUTHORITY["EPSG","27700"]]"#;
        let wgs84 = r#"GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;
        let osgb36_lonlat = r#"GEOGCS["OSGB36",DATUM["Ordnance_Survey_of_Great_Britain_1936",SPHEROID["Airy 1830",6377563.396,299.3249646],TOWGS84[446.448,-125.157,542.06,0.15,0.247,0.842,-20.489]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433],AUTHORITY["EPSG","4277"]]"#;
        let web_mercator = r#"PROJCS["WGS 84 / Pseudo-Mercator",GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],AUTHORITY["EPSG","4326"]],PROJECTION["Mercator_1SP"],UNIT["metre",1],AUTHORITY["EPSG","3857"]]"#;
        let utm = r#"PROJCS["WGS 84 / UTM zone 30N",GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],AUTHORITY["EPSG","4326"]],PROJECTION["Transverse_Mercator"],UNIT["metre",1],AUTHORITY["EPSG","32630"]]"#;
        assert_eq!(Crs::parse(bng_esri), Some(Crs::Bng));
        assert_eq!(Crs::parse(bng_epsg), Some(Crs::Bng));
        assert_eq!(Crs::parse(wgs84), Some(Crs::Wgs84));
        assert_eq!(Crs::parse(osgb36_lonlat), None, "OSGB36 longitude/latitude is not WGS 84");
        assert_eq!(Crs::parse(web_mercator), None, "Web Mercator names WGS 84 but is metres");
        assert_eq!(Crs::parse(utm), None);
    }

    #[test]
    fn out_of_range_is_an_error_not_a_panic() {
        assert!(wgs84_to_bng(429_000.0, 433_000.0).is_err());
        assert!(bng_to_wgs84(-5e6, 0.0).is_err());
    }
}
