//! What-if plans over a running server (`placeplan::server::plans`): `POST /api/plans` answers
//! what `placeplan scenario diff` says of the same file; a plan comes back by its id, as TOML and
//! as rows; bad plans are 400s that say what is wrong; a plan and its inverse change nothing.

use crate::common;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use placeplan::dataset::Dataset;
use placeplan::server::router;
use placeplan::server::state::{AppState, ServeOptions};
use proptest::prelude::*;
use serde_json::Value;
use std::sync::{Arc, OnceLock};
use tower::ServiceExt;

fn state() -> Arc<AppState> {
    static STATE: OnceLock<Arc<AppState>> = OnceLock::new();
    Arc::clone(STATE.get_or_init(|| {
        let (m, src) = placeplan::demo::embedded::demo().expect("demo");
        Arc::new(AppState::new(Dataset::load(&m, &src, &|_| {}), ServeOptions::default()))
    }))
}

/// One request; a 503 "busy" is tried again, as its `Retry-After` asks: the tests of this file
/// share one server, whose limit of plans and reports at once (one on two cores) another test's
/// plan may be holding.
async fn send(state: &Arc<AppState>, req: Request<Body>) -> (StatusCode, Vec<u8>) {
    let (parts, body) = req.into_parts();
    let body = body.collect().await.expect("request body").to_bytes();
    for _ in 0..200 {
        let mut again = Request::from_parts(parts.clone(), Body::from(body.clone()));
        *again.extensions_mut() = parts.extensions.clone();
        let resp = router(Arc::clone(state)).oneshot(again).await.expect("answers");
        let status = resp.status();
        let bytes = resp.into_body().collect().await.expect("body").to_bytes().to_vec();
        if status != StatusCode::SERVICE_UNAVAILABLE || !bytes.starts_with(br#"{"error":"busy""#) {
            return (status, bytes);
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("the server stayed busy for 5 s");
}

async fn post(state: &Arc<AppState>, toml: &str) -> (StatusCode, Value) {
    let req = Request::post("/api/plans")
        .header(header::CONTENT_TYPE, "application/toml")
        .body(Body::from(toml.to_owned()))
        .expect("request");
    let (status, body) = send(state, req).await;
    (status, serde_json::from_slice(&body).expect("JSON"))
}

async fn get(state: &Arc<AppState>, uri: &str) -> (StatusCode, Vec<u8>) {
    send(state, Request::get(uri).body(Body::empty()).expect("request")).await
}

fn scenario_file() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("boundaries/demo/scenario-inner-east.toml")
}

#[tokio::test]
async fn a_posted_plan_is_what_scenario_diff_says_of_the_file() {
    let s = state();
    let text = std::fs::read_to_string(scenario_file()).expect("scenario");
    let (status, answer) = post(&s, &text).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let out = common::placeplan()
        .args(["scenario", "diff", "base"])
        .arg(scenario_file())
        .arg("--json")
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let cli: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let changes = answer["changes"].as_array().expect("changes");
    assert!(!changes.is_empty(), "the plan changes figures");
    assert_eq!(answer["changes"], cli["changes"], "the browser's plan and scenario diff agree");
    assert_eq!(answer["notes"], cli["notes"]);

    // Its id is its text's: the same plan, the same link.
    let id = answer["id"].as_str().expect("id").to_owned();
    assert_eq!(answer["link"], format!("/#plan={id}"));
    assert_eq!(answer["plan"]["expand"][0]["urn"], 190008, "the plan as data, for the editor");
    assert_eq!(post(&s, &text).await.1["id"], id.as_str());
    let (status, again) = get(&s, &format!("/api/plans/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(serde_json::from_slice::<Value>(&again).expect("JSON")["changes"], answer["changes"]);
    let (status, toml) = get(&s, &format!("/api/plans/{id}/plan.toml")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(String::from_utf8(toml).expect("text"), text, "the saved plan is the one sent");

    // The plan's exports: its figures, not the data's.
    let (status, csv) = get(&s, &format!("/api/export?level=la&format=csv&csv=plain&plan={id}")).await;
    assert_eq!(status, StatusCode::OK);
    let (_, base_csv) = get(&s, "/api/export?level=la&format=csv&csv=plain").await;
    assert_ne!(csv, base_csv, "the plan's authority figures differ");
    let la = changes.iter().find(|c| c["layer"] == "la").expect("the authority changes");
    let places = format!("{}", la["capacity"][1].as_f64().unwrap_or_default());
    assert!(
        String::from_utf8_lossy(&csv).contains(&places),
        "the plan's places {places} are in its export"
    );
    let (status, _) = get(&s, "/api/export?level=la&format=csv&plan=0123456789abcdef0123456789abcdef").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The plan's rows: a changed area shows the plan's figures, the served data keeps its own.
    let c = changes.iter().find(|c| c["layer"] != "la").expect("an area changes");
    let q = format!(
        "layer={}&phase={}&year={}",
        c["layer"].as_str().unwrap_or_default(),
        c["phase"].as_str().unwrap_or_default(),
        c["year"]
    );
    let row = |body: Vec<u8>| -> Value {
        let rows: Vec<Value> = serde_json::from_slice(&body).expect("rows");
        rows.into_iter().find(|r| r["code"] == c["code"]).expect("the area's row")
    };
    let plan_row = row(get(&s, &format!("/api/plans/{id}/summary?{q}")).await.1);
    let base_row = row(get(&s, &format!("/api/summary?{q}")).await.1);
    assert_eq!(base_row["pupils"].as_f64(), c["pupils"][0].as_f64());
    assert_eq!(plan_row["pupils"].as_f64(), c["pupils"][1].as_f64());
    assert_eq!(plan_row["capacity"].as_f64(), c["capacity"][1].as_f64());
}

#[tokio::test]
async fn bad_plans_say_what_is_wrong() {
    let s = state();
    let year = s.ds.census_year + 1;
    let cases = [
        (
            format!("name = \"x\"\n[[expand]]\nurn = 999999\nplaces = 30\nfrom = {year}\n"),
            "no open school with URN 999999",
        ),
        (
            format!("name = \"x\"\n[[expand]]\nurn = 190008\nplaces = 30\nfrom = {}\n", year + 40),
            "after the last forecast year",
        ),
        (
            format!(
                "name = \"x\"\n[[open]]\nname = \"Far Away Primary\"\nphase = \"primary\"\ncapacity = 420\nfrom = {year}\neasting = 100000\nnorthing = 900000\n"
            ),
            "outside the authority",
        ),
        ("name = \"x\"\n[[expand]\n".to_owned(), "not valid TOML"),
        (
            "name = \"x\"\n[settings]\noperating_margin = 2\n".to_owned(),
            "operating_margin 2 is not a fraction from 0 to 0.5",
        ),
        (
            "name = \"x\"\n[settings.bands]\ntight_below = 0.2\nhealthy_below = 0.1\n".to_owned(),
            "bands out of order",
        ),
        ("name = \"x\"\n[[demolish]]\nurn = 1\n".to_owned(), "not valid TOML"),
    ];
    for (toml, says) in cases {
        let (status, v) = post(&s, &toml).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{toml}: {v}");
        let m = v["message"].as_str().unwrap_or_default();
        assert!(m.contains(says), "{toml}: {m:?} should say {says:?}");
    }
    for (uri, status) in [
        ("/api/plans/0123456789abcdef0123456789abcdef", StatusCode::NOT_FOUND),
        ("/api/plans/..%2f..%2fetc%2fpasswd", StatusCode::NOT_FOUND),
        ("/api/plans/0123456789abcdef0123456789abcdef/plan.toml", StatusCode::NOT_FOUND),
    ] {
        let (got, body) = get(&s, uri).await;
        assert_eq!(got, status, "{uri}: {}", String::from_utf8_lossy(&body));
        assert!(serde_json::from_slice::<Value>(&body).is_ok(), "{uri}: a JSON error");
    }
    let big = format!("name = \"{}\"\n", "x".repeat(20_000));
    let (status, _) = post(&s, &big).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn saved_plans_come_back_after_a_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (m, src) = placeplan::demo::embedded::demo().expect("demo");
    let ds = Dataset::load(&m, &src, &|_| {});
    let opts = ServeOptions {
        plans_dir: Some(dir.path().to_path_buf()),
        ..ServeOptions::default()
    };
    let first = Arc::new(AppState::new(ds.clone(), opts.clone()));
    let text = std::fs::read_to_string(scenario_file()).expect("scenario");
    let (_, answer) = post(&first, &text).await;
    assert_eq!(answer["saved"], true);
    let id = answer["id"].as_str().expect("id");
    assert!(dir.path().join(format!("{id}.toml")).is_file());
    let second = Arc::new(AppState::new(ds, opts));
    let (status, again) = get(&second, &format!("/api/plans/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(serde_json::from_slice::<Value>(&again).expect("JSON")["changes"], answer["changes"]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    /// Places added at a school and taken away again in the same year change no figure.
    #[test]
    fn a_plan_and_its_inverse_change_nothing(school in 0usize..1000, places in 1u32..400, ahead in 1i32..5) {
        let ds = &state().ds;
        let open: Vec<u32> = ds.schools.iter().filter(|s| s.open && s.counts()).map(|s| s.urn.0).collect();
        let urn = open[school % open.len()];
        let from = ds.census_year + ahead;
        let toml = format!(
            "name = \"there and back\"\n[[expand]]\nurn = {urn}\nplaces = {places}\nfrom = {from}\n[[expand]]\nurn = {urn}\nplaces = -{places}\nfrom = {from}\n"
        );
        let plan: placeplan::scenario::Scenario = toml::from_str(&toml).expect("plan");
        let there = ds.with_plan(&plan).expect("applies");
        prop_assert!(placeplan::analysis::diff::diff(ds, &there).is_empty());
    }
}

#[tokio::test]
async fn a_plan_may_try_another_margin_and_bands() {
    let s = state();
    let toml =
        "name = \"Wider tight band\"\n[settings]\noperating_margin = 0.05\n[settings.bands]\ntight_below = 0.08\nhealthy_below = 0.15\n";
    let (status, answer) = post(&s, toml).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let changes = answer["changes"].as_array().expect("changes");
    assert!(!changes.is_empty(), "a wider band changes statuses");
    for c in changes {
        assert_eq!(c["capacity"][0], c["capacity"][1], "the rule changes no places: {c}");
        assert_eq!(c["pupils"][0], c["pupils"][1], "nor pupils: {c}");
    }
    // Every status is the one the new bands give the row's spare fraction; the margin is 5%.
    let band = |spare: f64, cap: f64| {
        let f = spare / cap;
        if f < 0.0 {
            "deficit"
        } else if f < 0.08 {
            "tight"
        } else if f <= 0.15 {
            "healthy"
        } else {
            "surplus"
        }
    };
    let mut moved_to_tight = 0;
    for c in changes {
        let (spare, cap) = (
            c["spare"][1].as_f64().unwrap_or_default(),
            c["capacity"][1].as_f64().unwrap_or_default(),
        );
        if cap > 0.0 {
            assert_eq!(c["status"][1], band(spare, cap), "{c}");
        }
        moved_to_tight += usize::from(c["status"][0] == "healthy" && c["status"][1] == "tight");
        // An area's margin shortfall is its own; the authority's sums its areas'.
        let (before, after) = (
            c["margin_shortfall"][0].as_f64().unwrap_or_default(),
            c["margin_shortfall"][1].as_f64().unwrap_or_default(),
        );
        if c["layer"] == "la" {
            assert!(after >= before, "a wider margin never needs fewer places: {c}");
        } else {
            let pupils = c["pupils"][1].as_f64().unwrap_or_default();
            assert!((after - (pupils * 1.05 - cap).max(0.0)).abs() < 0.01, "{c}");
        }
    }
    assert!(moved_to_tight > 0, "some healthy areas are tight under the wider band");
    assert_eq!(
        answer["described"][0],
        "Sufficiency rule: operating margin 5%, tight below 8% spare, healthy up to 15% spare"
    );
}

#[tokio::test]
async fn ward_pages_and_profiles_of_a_plan_give_its_figures() {
    let s = state();
    let text = std::fs::read_to_string(scenario_file()).expect("scenario");
    let (_, answer) = post(&s, &text).await;
    let id = answer["id"].as_str().expect("id").to_owned();
    let changes = answer["changes"].as_array().expect("changes");
    // A changed planning-area row: its profile under the plan has the plan's figures.
    let c = changes.iter().find(|c| c["layer"] == "localities").expect("a locality changes");
    let code = c["code"].as_str().unwrap_or_default();
    let figure = |body: &[u8]| -> (f64, f64) {
        let v: Value = serde_json::from_slice(body).expect("profile");
        let r = v["figures"]
            .as_array()
            .and_then(|f| f.iter().find(|r| r["phase"] == c["phase"] && r["year"] == c["year"]).cloned())
            .expect("the row of the changed year");
        (r["capacity"].as_f64().unwrap_or_default(), r["pupils"].as_f64().unwrap_or_default())
    };
    let (status, body) = get(&s, &format!("/api/areas/localities/{code}?plan={id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        figure(&body),
        (
            c["capacity"][1].as_f64().unwrap_or_default(),
            c["pupils"][1].as_f64().unwrap_or_default()
        )
    );
    let (_, body) = get(&s, &format!("/api/areas/localities/{code}")).await;
    assert_eq!(
        figure(&body),
        (
            c["capacity"][0].as_f64().unwrap_or_default(),
            c["pupils"][0].as_f64().unwrap_or_default()
        )
    );
    let (status, _) = get(&s, &format!("/api/areas/localities/{code}?plan=0123456789abcdef0123456789abcdef")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A changed ward: its page and JSON under the plan name the plan and give its forecast.
    let w = changes.iter().find(|c| c["layer"] == "wards").expect("a ward changes");
    let code = w["code"].as_str().unwrap_or_default();
    let (status, json) = get(&s, &format!("/api/wards/{code}?plan={id}")).await;
    assert_eq!(status, StatusCode::OK);
    let facts: Value = serde_json::from_slice(&json).expect("ward JSON");
    assert_eq!(facts["plan"]["name"], answer["name"]);
    assert_eq!(facts["plan"]["changes"], answer["described"]);
    let (_, base_json) = get(&s, &format!("/api/wards/{code}")).await;
    let base: Value = serde_json::from_slice(&base_json).expect("ward JSON");
    assert!(base.get("plan").is_none(), "the data as it is names no plan");
    assert_ne!(facts["headline"], base["headline"], "the plan's forecast figures differ");
    let (status, page) = get(&s, &format!("/ward/{code}?plan={id}")).await;
    assert_eq!(status, StatusCode::OK);
    let page = String::from_utf8(page).expect("HTML");
    assert!(page.contains("What-if plan:"), "the page says it is a plan's");
    assert!(page.contains(&format!("plan={id}")), "its links keep the plan");
    let (_, base_page) = get(&s, &format!("/ward/{code}")).await;
    assert!(!String::from_utf8_lossy(&base_page).contains("What-if plan:"));
}

#[tokio::test]
async fn no_more_than_the_kept_plans_are_held() {
    let (m, src) = placeplan::demo::embedded::demo().expect("demo");
    let s = Arc::new(AppState::new(Dataset::load(&m, &src, &|_| {}), ServeOptions::default()));
    let year = s.ds.census_year + 1;
    let mut ids = Vec::new();
    for k in 0..40 {
        let (status, a) = post(
            &s,
            &format!("name = \"m{k}\"\n[[expand]]\nurn = 190008\nplaces = {}\nfrom = {year}\n", 30 + k),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{a}");
        ids.push(a["id"].as_str().expect("id").to_owned());
        assert!(
            s.plans.len() <= placeplan::server::plans::KEPT,
            "{} plans held after {}",
            s.plans.len(),
            k + 1
        );
    }
    assert_eq!(s.plans.len(), placeplan::server::plans::KEPT);
    let (status, _) = get(&s, &format!("/api/plans/{}", ids[39])).await;
    assert_eq!(status, StatusCode::OK, "the newest is kept");
}
