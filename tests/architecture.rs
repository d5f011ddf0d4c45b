//! The crate's layers (README "Architecture"): no top-level module names a module above it, so the
//! module graph has no cycle, and no library type derives a command-line trait.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, bottom first. A module may name modules of its own layer or below.
const LAYERS: &[&[&str]] = &[
    &["ids", "problem", "text", "crs", "source", "table", "geometry", "codec"],
    &["model"],
    &["manifest"],
    &["readers"],
    &["join"],
    &["base"],
    &["snapshot"],
    &["stats"],
    &["forecast"],
    &["scenario"],
    &["projection"],
    &["results"],
    &["dataset"],
    &["analysis"],
    &["map", "check", "demo"],
    &["export", "report"],
    &["server"],
    &["publish"],
    &["cli"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("src is readable").flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// `crate::X` names per top-level module, unit tests and comments left out.
fn edges() -> BTreeMap<String, BTreeSet<String>> {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in files {
        let rel = f.strip_prefix(&src).expect("under src");
        let top = rel
            .components()
            .next()
            .expect("a component")
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_owned();
        if top == "lib" || top == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&f).expect("readable");
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for line in code.lines() {
            let line = line.split("//").next().unwrap_or_default();
            for (i, _) in line.match_indices("crate::") {
                let name: String = line[i + 7..].chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect();
                // `crate::record!` and `crate::unit_enum!` are macros (of `codec`, the bottom layer), not modules.
                let macro_call = line[i + 7 + name.len()..].starts_with('!');
                if !name.is_empty() && name != top && !macro_call {
                    out.entry(top.clone()).or_default().insert(name);
                }
            }
        }
    }
    out
}

#[test]
fn every_module_is_in_a_layer() {
    for (m, to) in edges() {
        assert!(layer_of(&m).is_some(), "module {m} is in no layer of tests/architecture.rs");
        for t in to {
            assert!(layer_of(&t).is_some(), "module {t} (named by {m}) is in no layer");
        }
    }
}

#[test]
fn no_module_names_a_module_above_it() {
    let mut upward = Vec::new();
    for (m, to) in edges() {
        let (Some(lm), true) = (layer_of(&m), true) else { continue };
        for t in to {
            if layer_of(&t).is_some_and(|lt| lt > lm) {
                upward.push(format!("{m} → {t}"));
            }
        }
    }
    assert!(upward.is_empty(), "imports from a layer above: {upward:?}");
}

#[test]
fn no_library_type_derives_a_command_line_trait() {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    for f in files.iter().filter(|f| !f.starts_with(src.join("cli")) && !f.ends_with("main.rs")) {
        let text = std::fs::read_to_string(f).expect("readable");
        assert!(!text.contains("clap::"), "{} uses clap outside the CLI", f.display());
    }
}

/// With `autotests = false` a test file runs only as a module of `tests/suite.rs`: every file of
/// `tests/` is one of its modules, so none is left out of `cargo test` unnoticed.
#[test]
fn every_test_file_is_a_module_of_the_suite() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests");
    let suite = std::fs::read_to_string(dir.join("suite.rs")).expect("tests/suite.rs");
    let listed: BTreeSet<&str> = suite
        .lines()
        .filter_map(|l| l.trim().strip_prefix("mod ")?.strip_suffix(';'))
        .collect();
    let mut missing = Vec::new();
    for e in std::fs::read_dir(&dir).expect("tests is readable").flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if let Some(stem) = name.strip_suffix(".rs")
            && stem != "suite"
            && !listed.contains(stem)
        {
            missing.push(name);
        }
    }
    assert!(listed.len() > 10, "{listed:?}");
    assert!(
        missing.is_empty(),
        "test files that tests/suite.rs does not name, so never run: {missing:?}"
    );
}
