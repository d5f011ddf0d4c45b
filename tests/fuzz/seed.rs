//! Writes the seed corpus of every target into `corpus/TARGET/` (the demo borough, the
//! bad-input corpus and, when `../shared/data` or PLACEPLAN_REAL_DATA is there, the real
//! files, each cut to 64 kB).

#[path = "targets.rs"]
mod targets;

fn main() -> std::io::Result<()> {
    let here = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = here.join("../..");
    let real = std::env::var_os("PLACEPLAN_REAL_DATA")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/data"));
    let real = real.is_dir().then_some(real);
    for target in targets::TARGETS {
        let dir = here.join("corpus").join(target);
        std::fs::create_dir_all(&dir)?;
        let seeds = targets::seeds(&root, target, 64 * 1024, real.as_deref());
        for (i, s) in seeds.iter().enumerate() {
            std::fs::write(dir.join(format!("seed-{i:03}")), s)?;
        }
        println!("{target}: {} seeds", seeds.len());
    }
    Ok(())
}
