//! The fuzz targets (`tests/fuzz/targets.rs`) on the stable toolchain: every reader is given a
//! few hundred deterministic mutations of its seeds (byte flips, cuts, splices, numbers and
//! separators that readers must refuse) and must not panic. The long coverage-guided run is
//! `cargo +nightly fuzz run --fuzz-dir tests/fuzz TARGET` (see tests/fuzz/README.md).

use crate::common;
#[path = "fuzz/targets.rs"]
mod targets;

/// xorshift64*: the same mutations on every machine and every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }
}

const TOKENS: &[&[u8]] = &[
    b"-1",
    b"1e308",
    b"NaN",
    b"inf",
    b"N/A",
    b"\0",
    b",",
    b"\"",
    b"\n",
    b"\r",
    b"{",
    b"]",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"99999999999999999999",
    b"-0",
    b"E01",
    b"null",
    b"[[",
    b"\xe9",
    b"\x92",
];

fn mutate(rng: &mut Rng, seeds: &[Vec<u8>], input: &[u8]) -> Vec<u8> {
    let mut b = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(b.len() + 1);
        match rng.below(7) {
            0 if !b.is_empty() => {
                let i = rng.below(b.len());
                b[i] ^= 1 << rng.below(8);
            }
            1 => b.truncate(at),
            2 => {
                let end = (at + rng.below(64)).min(b.len());
                b.drain(at..end);
            }
            3 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                b.splice(at..at, t.iter().copied());
            }
            4 if !b.is_empty() => {
                let from = rng.below(b.len());
                let piece: Vec<u8> = b[from..(from + rng.below(128)).min(b.len())].to_vec();
                b.splice(at..at, piece);
            }
            5 => {
                let other = &seeds[rng.below(seeds.len())];
                let from = rng.below(other.len() + 1);
                b.truncate(at);
                b.extend_from_slice(&other[from..]);
            }
            _ => {
                let i = rng.below(b.len() + 1);
                b.insert(i.min(b.len()), (rng.next() & 0xFF) as u8);
            }
        }
    }
    b
}

#[test]
fn every_reader_survives_mutated_inputs() {
    let dir = common::real_data_dir();
    let real = dir.is_dir().then_some(dir);
    let per_target = 500;
    let mut total = 0;
    for (t, target) in targets::TARGETS.iter().enumerate() {
        let seeds = targets::seeds(std::path::Path::new(env!("CARGO_MANIFEST_DIR")), target, 16 * 1024, real.as_deref());
        assert!(seeds.len() > 1, "{target} has seeds");
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (t as u64 + 1));
        for s in &seeds {
            targets::run(target, s);
        }
        for _ in 0..per_target {
            let base = &seeds[rng.below(seeds.len())];
            let input = mutate(&mut rng, &seeds, base);
            targets::run(target, &input);
            total += 1;
        }
    }
    assert_eq!(total, targets::TARGETS.len() * per_target);
}

/// Every input the coverage-guided fuzzer ever crashed on (`tests/fuzz/regressions/TARGET/`),
/// run again: each must now load, or fail with problems, without a panic.
#[test]
fn every_input_that_once_crashed_now_loads_or_is_refused() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz/regressions");
    let mut n = 0;
    for target in targets::TARGETS {
        let Ok(dir) = std::fs::read_dir(root.join(target)) else { continue };
        let mut files: Vec<std::path::PathBuf> = dir.filter_map(|e| e.ok().map(|e| e.path())).collect();
        files.sort();
        for f in files {
            let data = std::fs::read(&f).expect("regression input");
            targets::run(target, &data);
            n += 1;
        }
    }
    assert!(n >= 2, "the regression inputs are there ({n})");
}
