//! TopoJSON (`{"type": "Topology"}`): the polygons of one object, their rings stitched from the
//! shared arcs (quantised and delta-encoded when the topology has a `transform`). Neighbouring
//! areas get their common boundary from the same arc, so they meet exactly.
//!
//! The format is small and fixed (github.com/topojson/topojson-specification); the one Rust crate
//! for it builds on an old `geojson`, so it is decoded here.

use super::{RawFeature, build_polygons, position, value_to_string};
use crate::crs::Crs;
use crate::problem::{Problem, ProblemSink, Severity};
use crate::source::FileSource;
use geo::Coord;
use serde::Deserialize;
use serde_json::Value;
use std::cell::Cell;
use std::collections::BTreeMap;

#[derive(Deserialize)]
struct Topology {
    #[serde(default)]
    transform: Option<Transform>,
    #[serde(default)]
    arcs: Vec<Vec<Vec<f64>>>,
    #[serde(default)]
    objects: BTreeMap<String, Object>,
}

#[derive(Deserialize)]
struct Transform {
    scale: [f64; 2],
    translate: [f64; 2],
}

#[derive(Deserialize)]
struct Object {
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    geometries: Vec<Object>,
    #[serde(default)]
    arcs: Option<Value>,
    #[serde(default)]
    properties: Option<serde_json::Map<String, Value>>,
    #[serde(default)]
    id: Option<Value>,
}

/// Reads a `.topojson` file.
pub(super) fn read(
    rel: &str,
    object: Option<&str>,
    src: &FileSource,
    problems: &mut Vec<Problem>,
) -> Option<(Vec<RawFeature>, Option<Crs>)> {
    let file = src.display(rel);
    let text = crate::readers::read_text(rel, src, problems)?;
    from_text(&text, &file, object, problems)
}

/// Decodes the arcs into coordinates.
fn decode_arcs(t: &Topology) -> Vec<Vec<Coord>> {
    t.arcs
        .iter()
        .map(|arc| match &t.transform {
            Some(tr) => {
                let (mut x, mut y) = (0.0, 0.0);
                arc.iter()
                    .map(|p| {
                        x += p.first().copied().unwrap_or(f64::NAN);
                        y += p.get(1).copied().unwrap_or(f64::NAN);
                        Coord {
                            x: x * tr.scale[0] + tr.translate[0],
                            y: y * tr.scale[1] + tr.translate[1],
                        }
                    })
                    .collect()
            }
            None => arc.iter().map(|p| position(p)).collect(),
        })
        .collect()
}

/// A ring from its arc indices (`~i`, i.e. `-i - 1`, is arc `i` reversed): each arc's first point
/// is the previous arc's last, so it is dropped. `budget` is how many more points the topology may
/// still produce: a valid one uses each arc at most twice, so a file whose few bytes name one long
/// arc a million times is refused rather than held in memory.
fn stitch(indices: &[Value], arcs: &[Vec<Coord>], budget: &Cell<usize>) -> Result<Vec<Coord>, String> {
    let mut out: Vec<Coord> = Vec::new();
    for v in indices {
        let i = v.as_i64().ok_or_else(|| format!("arc index {v} is not a whole number"))?;
        let (k, reversed) = if i >= 0 { (i, false) } else { (!i, true) };
        let arc = usize::try_from(k)
            .ok()
            .and_then(|k| arcs.get(k))
            .ok_or_else(|| format!("arc {i} does not exist (the topology has {})", arcs.len()))?;
        let pts: Box<dyn Iterator<Item = &Coord>> = if reversed {
            Box::new(arc.iter().rev())
        } else {
            Box::new(arc.iter())
        };
        let left = budget
            .get()
            .checked_sub(arc.len())
            .ok_or("the geometries use the arcs more than twice over; not a valid topology")?;
        budget.set(left);
        let skip = usize::from(!out.is_empty());
        out.extend(pts.skip(skip).copied());
    }
    Ok(out)
}

/// The rings of each polygon of a geometry, or why not.
fn polygons(g: &Object, arcs: &[Vec<Coord>], budget: &Cell<usize>) -> Result<Vec<Vec<Vec<Coord>>>, String> {
    let rings_of = |v: &Value| -> Result<Vec<Vec<Coord>>, String> {
        v.as_array()
            .ok_or("polygon arcs are not a list")?
            .iter()
            .map(|r| stitch(r.as_array().ok_or("ring arcs are not a list")?, arcs, budget))
            .collect()
    };
    let arcs_of = || g.arcs.as_ref().ok_or("geometry has no arcs");
    match g.kind.as_deref() {
        Some("Polygon") => Ok(vec![rings_of(arcs_of()?)?]),
        Some("MultiPolygon") => arcs_of()?
            .as_array()
            .ok_or("multipolygon arcs are not a list")?
            .iter()
            .map(rings_of)
            .collect(),
        Some(other) => Err(format!("geometry is a {other}, expected Polygon or MultiPolygon")),
        None => Err("geometry has no type".into()),
    }
}

/// Reads TopoJSON `text`: the object named `object`, or the only one.
pub(super) fn from_text(
    text: &str,
    file: &str,
    object: Option<&str>,
    problems: &mut Vec<Problem>,
) -> Option<(Vec<RawFeature>, Option<Crs>)> {
    let topo: Topology = match serde_json::from_str(text) {
        Ok(t) => t,
        Err(e) => {
            problems.push(Problem::fatal(file, format!("not a readable TopoJSON topology: {e}")));
            return None;
        }
    };
    let names = || topo.objects.keys().map(|k| format!("{k:?}")).collect::<Vec<_>>().join(", ");
    let obj = match object {
        Some(name) => match topo.objects.get(name) {
            Some(o) => o,
            None => {
                problems.push(Problem::fatal(
                    file,
                    format!("the topology has no object {name:?}; its objects are {}", names()),
                ));
                return None;
            }
        },
        None if topo.objects.len() == 1 => topo.objects.values().next()?,
        None => {
            problems.push(Problem::fatal(
                file,
                format!("the topology has objects {}; say which with table = \"…\" in the manifest", names()),
            ));
            return None;
        }
    };
    let arcs = decode_arcs(&topo);
    let budget = Cell::new(2 * arcs.iter().map(Vec::len).sum::<usize>());
    let geometries: Vec<&Object> = if obj.kind.as_deref() == Some("GeometryCollection") {
        obj.geometries.iter().collect()
    } else {
        vec![obj]
    };
    let mut out = Vec::with_capacity(geometries.len());
    let mut sink = ProblemSink::new(file.to_owned(), problems);
    for (i, g) in geometries.into_iter().enumerate() {
        let location = format!("geometry {}", i + 1);
        let mut props: Vec<(String, String)> = g
            .properties
            .iter()
            .flatten()
            .filter_map(|(k, v)| value_to_string(v).map(|s| (k.clone(), s)))
            .collect();
        if let Some(id) = g.id.as_ref().and_then(value_to_string)
            && !props.iter().any(|(k, _)| k == "id")
        {
            props.push(("id".into(), id));
        }
        let before = budget.get();
        let polys = match polygons(g, &arcs, &budget) {
            Ok(p) => p,
            Err(e) => {
                // What a refused geometry would have used is not held against the rest.
                budget.set(before);
                sink.push(Severity::Error, &location, "geometry", format!("{e}; feature left out"));
                continue;
            }
        };
        let Some(geometry) = build_polygons(polys, &mut sink, &location) else {
            continue;
        };
        out.push(RawFeature { location, props, geometry });
    }
    if out.is_empty() {
        sink.push(Severity::Fatal, "file", "-", "no features could be read");
        return None;
    }
    Some((out, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two unit squares side by side sharing arc 1, quantised and delta-encoded.
    const TWO: &str = r#"{"type":"Topology","transform":{"scale":[0.5,0.5],"translate":[10,20]},
      "arcs":[[[2,0],[-2,0],[0,2],[2,0]],[[2,2],[0,-2]],[[2,2],[2,0],[0,-2],[-2,0]]],
      "objects":{"sq":{"type":"GeometryCollection","geometries":[
        {"type":"Polygon","arcs":[[0,1]],"properties":{"code":"A"}},
        {"type":"Polygon","arcs":[[2,-2]],"id":"B"}]}}}"#;

    #[test]
    fn arcs_are_decoded_and_shared() {
        let mut problems = Vec::new();
        let (f, crs) = from_text(TWO, "t.topojson", None, &mut problems).expect("reads");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(crs, None);
        assert_eq!(f.len(), 2);
        let a: Vec<Coord> = f[0].geometry.0[0].exterior().0.clone();
        let b: Vec<Coord> = f[1].geometry.0[0].exterior().0.clone();
        // Square A: (11,20) (10,20) (10,21) (11,21) back to (11,20) by the shared arc.
        assert_eq!(a.first(), Some(&Coord { x: 11.0, y: 20.0 }));
        assert!(a.contains(&Coord { x: 10.0, y: 21.0 }) && a.contains(&Coord { x: 11.0, y: 21.0 }));
        // Both hold the shared edge's two ends, exactly.
        for c in [Coord { x: 11.0, y: 21.0 }, Coord { x: 11.0, y: 20.0 }] {
            assert!(a.contains(&c) && b.contains(&c), "{c:?}");
        }
        assert!(b.contains(&Coord { x: 12.0, y: 21.0 }));
        assert_eq!(f[0].props, vec![("code".to_owned(), "A".to_owned())]);
        assert_eq!(f[1].props, vec![("id".to_owned(), "B".to_owned())]);
    }

    #[test]
    fn several_objects_need_a_name_and_bad_arcs_are_reported() {
        let two = TWO.replace(
            r#""objects":{"sq":"#,
            r#""objects":{"other":{"type":"GeometryCollection","geometries":[]},"sq":"#,
        );
        let mut problems = Vec::new();
        assert!(from_text(&two, "t.topojson", None, &mut problems).is_none());
        assert!(problems[0].to_string().contains("\"other\", \"sq\""), "{}", problems[0]);
        let mut problems = Vec::new();
        assert!(from_text(&two, "t.topojson", Some("sq"), &mut problems).is_some());
        let bad = TWO.replace("[[2,-2]]", "[[2,-9]]");
        let mut problems = Vec::new();
        let (f, _) = from_text(&bad, "t.topojson", None, &mut problems).expect("the clean rest loads");
        assert_eq!(f.len(), 1);
        assert!(problems[0].to_string().contains("arc -9 does not exist"), "{}", problems[0]);
    }

    #[test]
    fn an_arc_named_over_and_over_is_refused() {
        let many = format!("[[{}]]", vec!["0"; 50].join(","));
        let bad = TWO.replacen("[[0,1]]", &many, 1);
        let mut problems = Vec::new();
        let (f, _) = from_text(&bad, "t.topojson", None, &mut problems).expect("the clean rest loads");
        assert_eq!(f.len(), 1);
        assert!(
            problems.iter().any(|p| p.to_string().contains("more than twice over")),
            "{problems:?}"
        );
    }
}
