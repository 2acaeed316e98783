use std::collections::BTreeMap;
use std::path::Path;

use super::*;
use crate::scenario::{Scenario, ScenarioError, load_str_with};

const SENT: &str = "timestamp,value\n2026-11-27T14:00:00Z,600\n2026-11-27T14:01:00Z,900\n";
const VISIBLE: &str = "timestamp,value\n2026-11-27T13:59:00Z,5\n2026-11-27T14:00:00Z,10\n2026-11-27T14:01:00Z,40\n2026-11-27T14:02:00Z,20\n";

fn load(observed: &str, extra: &[(&str, &str)]) -> Result<Scenario, ScenarioError> {
    let text = format!(
        "duration = \"2m\"\n[queue]\n[[producers]]\nschedule = {{ file = \"sent.csv\" }}\n\
         [consumers]\ncount = 2\nprocessing = \"10ms\"\n[observed]\n{observed}\n"
    );
    let mut stored = BTreeMap::from([
        ("sent.csv".to_owned(), SENT.to_owned()),
        ("visible.csv".to_owned(), VISIBLE.to_owned()),
    ]);
    for (name, text) in extra {
        stored.insert((*name).to_owned(), (*text).to_owned());
    }
    let files = DataFiles::stored(Path::new("."), stored);
    load_str_with(&text, Path::new("incident.toml"), &[], &files)
}

fn message(e: ScenarioError) -> String {
    e.to_string()
}

#[test]
fn time_zero_is_the_schedule_files_epoch_and_earlier_points_are_dropped() {
    let sc = load("visible = \"visible.csv\"", &[]).unwrap();
    let o = sc.observed.unwrap();
    assert_eq!(o.start, "2026-11-27T14:00:00Z");
    let v = o.visible.unwrap();
    assert_eq!(v.dropped, 1);
    assert_eq!(
        v.points,
        vec![
            (SimTime::ZERO, 10.0),
            (SimTime::from_secs(60), 40.0),
            (SimTime::from_secs(120), 20.0)
        ]
    );
    assert_eq!(v.spacing, SimTime::from_secs(60));
    assert!(o.age.is_none());
}

#[test]
fn a_given_start_moves_time_zero() {
    let sc = load(
        "visible = { file = \"visible.csv\" }\nstart = \"2026-11-27T13:59:00Z\"",
        &[],
    )
    .unwrap();
    let v = sc.observed.unwrap().visible.unwrap();
    assert_eq!(v.dropped, 0);
    assert_eq!(v.points[1], (SimTime::from_secs(60), 10.0));
}

#[test]
fn the_written_scenario_loads_back_to_the_same_observations() {
    let sc = load(
        "visible = \"visible.csv\"\nstart = \"2026-11-27T13:59:00.250Z\"",
        &[],
    )
    .unwrap();
    let text = toml::to_string(&sc).unwrap();
    assert!(
        text.contains("start = \"2026-11-27T13:59:00.250Z\""),
        "{text}"
    );
    let files = DataFiles::stored(
        Path::new("."),
        BTreeMap::from([
            ("sent.csv".to_owned(), SENT.to_owned()),
            ("visible.csv".to_owned(), VISIBLE.to_owned()),
        ]),
    );
    let back = load_str_with(&text, Path::new("incident.toml"), &[], &files).unwrap();
    assert_eq!(back.observed, sc.observed);
}

#[test]
fn bad_observations_name_the_key_and_what_is_allowed() {
    let cases = [
        ("start = \"2026-11-27T14:00:00Z\"", "names no series"),
        (
            "visible = \"visible.csv\"\nqueue = \"orders\"",
            "leave queue out",
        ),
        (
            "visible = \"visible.csv\"\nstart = \"yesterday\"",
            "is not a timestamp",
        ),
        ("visible = \"missing.csv\"", "missing.csv is not among"),
        ("visible = \"visible.csv\"\nlevel = 3", "unknown field"),
        (
            "visible = \"visible.csv\"\nstart = \"2026-11-28T00:00:00Z\"",
            "do not fall within the simulated span",
        ),
        ("age = \"bad.csv\"", "row 3"),
        ("age = { metric = \"x\" }", "observed.age.file"),
    ];
    for (table, expected) in cases {
        let bad = "timestamp,value\n2026-11-27T14:00:00Z,1\n2026-11-27T14:00:00Z,2\n";
        let err = message(load(table, &[("bad.csv", bad)]).unwrap_err());
        assert!(err.contains(expected), "{table}: {err}");
        assert!(err.contains("observed"), "{table}: {err}");
    }
}
