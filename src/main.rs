//! The `placeplan` binary: parse arguments, run, exit with a meaningful code.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    use std::io::IsTerminal;
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(log_filter(
            std::env::var("PLACEPLAN_LOG").ok().as_deref(),
        )))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let cli = placeplan::cli::Cli::parse();
    ExitCode::from(placeplan::cli::run(cli))
}

/// `PLACEPLAN_LOG`: a bare level (`info`, `debug`) applies to placeplan and its request log only,
/// everything else staying at `warn`; a full filter naming modules (`geo=debug,placeplan=info`)
/// is used as given. Default `warn`. The `geo` crate's warnings are left out unless asked for:
/// it warns when it meets an invalid polygon, and placeplan hands it invalid polygons on purpose
/// when it repairs them (tile clipping, the authority outline) and keeps only valid results.
fn log_filter(v: Option<&str>) -> String {
    match v.map(str::trim) {
        None | Some("") => "warn,geo=error".into(),
        Some(f) if f.contains('=') || f.contains(',') => f.into(),
        Some(level) => format!("warn,geo=error,placeplan={level},tower_http={level}"),
    }
}

#[cfg(test)]
mod tests {
    use super::log_filter;

    #[test]
    fn a_bare_level_is_placeplans_own() {
        assert_eq!(log_filter(None), "warn,geo=error");
        assert_eq!(log_filter(Some("info")), "warn,geo=error,placeplan=info,tower_http=info");
        assert_eq!(log_filter(Some("geo=debug")), "geo=debug");
    }
}
