//! Loader tests for the incident keys: faults, crash, schedule and traces.

use std::fs;
use std::path::Path;

use super::*;
use crate::time::SimTime;

const BASE: &str = "duration = \"1h\"\n[[producers]]\nname = \"web\"\nrate = 5\n[consumers]\ncount = 4\nprocessing = \"100ms\"\n";

fn load_in(dir: &Path, text: &str) -> Result<Scenario, ScenarioError> {
    load_str(text, &dir.join("s.toml"), &[])
}

fn load(text: &str) -> Result<Scenario, ScenarioError> {
    load_in(Path::new("dir"), text)
}

fn error(text: &str) -> String {
    load(text).unwrap_err().to_string()
}

fn with_fault(fault: &str) -> String {
    format!("{BASE}[[faults]]\n{fault}\n")
}

#[test]
fn every_fault_kind_loads() {
    let sc = load(&format!(
        "{BASE}{}",
        [
            "kind = \"consumer-outage\"\nat = \"10m\"\nduration = \"5m\"\ncount = 2",
            "kind = \"queue-outage\"\nat = \"20m\"\nduration = \"1m\"",
            "kind = \"spike\"\nat = \"0s\"\nduration = \"1h\"\nfactor = 2.5\nproducer = \"web\"",
            "kind = \"slowdown\"\nat = \"30m\"\nduration = \"10m\"\nfactor = 3",
            "kind = \"error-burst\"\nat = \"40m\"\nduration = \"10m\"\nerror_rate = 0.5",
        ]
        .map(|f| format!("[[faults]]\n{f}\n"))
        .concat()
    ))
    .unwrap();
    assert_eq!(sc.faults.len(), 5);
    assert_eq!(
        sc.faults[0].kind,
        FaultKind::ConsumerOutage {
            down: Down::Count(2)
        }
    );
    assert_eq!(sc.faults[0].end(), SimTime::from_secs(900));
    assert_eq!(
        sc.faults[2].kind,
        FaultKind::Spike {
            factor: 2.5,
            producer: Some("web".into())
        }
    );
}

#[test]
fn faults_must_end_inside_the_horizon() {
    let e = error(&with_fault(
        "kind = \"slowdown\"\nat = \"50m\"\nduration = \"20m\"\nfactor = 2",
    ));
    assert!(e.contains("faults.0: the fault (at 50m for 20m)"), "{e}");
    assert!(e.contains("after the scenario's duration"), "{e}");
}

#[test]
fn fault_durations_and_factors_must_be_positive() {
    let e = error(&with_fault(
        "kind = \"slowdown\"\nat = \"5m\"\nduration = \"0s\"\nfactor = 2",
    ));
    assert!(e.contains("faults.0.duration"), "{e}");
    for factor in ["0", "-1", "nan"] {
        let e = error(&with_fault(&format!(
            "kind = \"spike\"\nat = \"5m\"\nduration = \"1m\"\nfactor = {factor}"
        )));
        assert!(e.contains("faults.0.factor"), "factor {factor}: {e}");
    }
}

#[test]
fn fault_keys_must_belong_to_the_kind() {
    let e = error(&with_fault(
        "kind = \"queue-outage\"\nat = \"5m\"\nduration = \"1m\"\nfactor = 2",
    ));
    assert!(e.contains("faults.0.factor"), "{e}");
    assert!(e.contains("does not take"), "{e}");
    let e = error(&with_fault(
        "kind = \"earthquake\"\nat = \"5m\"\nduration = \"1m\"",
    ));
    assert!(e.contains("consumer-outage"), "{e}");
    let e = error(&with_fault(
        "kind = \"spike\"\nat = \"5m\"\nduration = \"1m\"\nfactor = 2\nproducer = \"mobile\"",
    ));
    assert!(e.contains("faults.0.producer") && e.contains("web"), "{e}");
}

#[test]
fn fault_errors_point_at_the_line() {
    let e = error(&with_fault(
        "kind = \"error-burst\"\nat = \"5m\"\nduration = \"1m\"\nerror_rate = 1.5",
    ));
    // BASE has 7 lines, then `[[faults]]`, kind, at, duration, error_rate.
    assert!(e.contains("s.toml:12:"), "{e}");
}

#[test]
fn crash_needs_a_positive_mtbf_and_a_restart() {
    let crash = |c: &str| format!("{BASE}crash = {c}\n");
    let sc = load(&crash("{ mtbf = \"6h\", restart = \"30s\" }")).unwrap();
    let c = sc.consumers().crash.clone().unwrap();
    assert_eq!(c.mtbf, Some(SimTime::from_secs(6 * 3600)));
    let e = error(&crash("{ mtbf = \"0s\", restart = \"30s\" }"));
    assert!(e.contains("consumers.crash.mtbf"), "{e}");
    let e = error(&crash("{ mtbf = \"1h\" }"));
    assert!(e.contains("consumers.crash.restart"), "{e}");
    let sc = load(&crash("{ per_message = 0.01, restart = \"5s\" }")).unwrap();
    let c = sc.consumers().crash.clone().unwrap();
    assert_eq!((c.mtbf, c.per_message), (None, 0.01));
    let e = error(&crash("{ restart = \"5s\" }"));
    assert!(
        e.contains("consumers.crash.mtbf") && e.contains("per_message"),
        "{e}"
    );
    let e = error(&crash("{ per_message = 1.5, restart = \"5s\" }"));
    assert!(e.contains("consumers.crash.per_message"), "{e}");
}

#[test]
fn schedules_start_at_zero_and_go_forward() {
    let with = |s: &str| BASE.replace("rate = 5", &format!("schedule = {s}"));
    let sc = load(&with("[[\"0s\", 5], [\"30m\", 20]]")).unwrap();
    assert_eq!(sc.producers[0].schedule.len(), 2);
    // The mean rate over the hour: (5 + 20) / 2.
    assert!((sc.producers[0].rate - 12.5).abs() < 1e-9);
    for (bad, key) in [
        ("[[\"10s\", 5]]", "schedule"),
        ("[[\"0s\", 5], [\"30m\", 6], [\"20m\", 7]]", "schedule"),
        ("[[\"0s\", -5]]", "schedule"),
        ("[[\"0s\", 5], [\"2h\", 6]]", "schedule"),
        ("[[\"0s\", 0]]", "schedule"),
        ("[\"0s\", 5]", "schedule"),
    ] {
        let e = error(&with(bad));
        assert!(e.contains(&format!("producers.0.{key}")), "{bad}: {e}");
    }
    let both = BASE.replace("rate = 5", "rate = 5\nschedule = [[\"0s\", 5]]");
    assert!(error(&both).contains("producers.0"));
}

fn with_trace(dir: &Path, csv: &str) -> Result<Scenario, ScenarioError> {
    fs::write(dir.join("t.csv"), csv).unwrap();
    let text = BASE.replace("rate = 5", "arrivals = { trace = \"t.csv\" }");
    load_in(dir, &text)
}

fn trace_times(sc: &Scenario) -> Vec<u64> {
    match &sc.producers[0].arrivals {
        Arrivals::Trace { times, .. } => times.to_vec(),
        other => panic!("not a trace: {other:?}"),
    }
}

#[test]
fn traces_read_one_time_per_line_or_a_time_column() {
    let dir = tempfile::tempdir().unwrap();
    let sc = with_trace(dir.path(), "0.5\n1\n\n# comment\n1\n7200\n").unwrap();
    // Times at or after the 1 h horizon are dropped.
    assert_eq!(trace_times(&sc), vec![500_000, 1_000_000, 1_000_000]);
    let sc = with_trace(dir.path(), "id,time,source\na,0.25,web\nb,\"2.5\",cron\n").unwrap();
    assert_eq!(trace_times(&sc), vec![250_000, 2_500_000]);
    // The producer's rate is the trace's mean rate over the horizon.
    assert!((sc.producers[0].rate - 2.0 / 3600.0).abs() < 1e-12);
}

#[test]
fn bad_trace_rows_are_named_by_row() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("1\n2\nsoon\n", "t.csv:3", "not a number"),
        ("1\n2\n-3\n", "t.csv:3", ">= 0"),
        ("time\n5\n4\n", "t.csv:3", "must not decrease"),
        ("when,who\n1,a\n", "t.csv", "no `time` column"),
        ("", "t.csv", "no send time"),
        ("7200\n", "t.csv", "no send time"),
    ];
    for (csv, place, what) in cases {
        let e = with_trace(dir.path(), csv).unwrap_err().to_string();
        assert!(e.contains(place) && e.contains(what), "{csv:?}: {e}");
        assert!(e.contains("producers.0.arrivals"), "{e}");
    }
    let missing = BASE.replace("rate = 5", "arrivals = { trace = \"nope.csv\" }");
    let e = load_in(dir.path(), &missing).unwrap_err().to_string();
    assert!(e.contains("cannot read") && e.contains("nope.csv"), "{e}");
}

#[test]
fn a_spike_that_can_only_reach_trace_producers_is_refused_at_its_position() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("t.csv"), "1\n2\n").unwrap();
    let trace = BASE.replace("rate = 5", "arrivals = { trace = \"t.csv\" }");
    let spike = "[[faults]]\nkind = \"spike\"\nat = \"1m\"\nduration = \"1m\"\nfactor = 5\n";
    // Every producer replays a trace: a spike on all of them cannot act.
    let e = load_in(dir.path(), &format!("{trace}{spike}")).unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("s.toml:9:8") && text.contains("faults.0.kind"),
        "{text}"
    );
    assert!(
        text.contains("spike cannot act") && text.contains("trace"),
        "{text}"
    );
    // Named: the producer's key, naming it and the producers a spike can reach.
    let two =
        format!("{trace}[[producers]]\nname = \"api\"\nrate = 1\n{spike}producer = \"web\"\n");
    let text = load_in(dir.path(), &two).unwrap_err().to_string();
    assert!(text.contains("faults.0.producer"), "{text}");
    assert!(
        text.contains("\"web\"") && text.contains("producer = one of api"),
        "{text}"
    );
    // A spike on every producer acts on the ones with a rate.
    let all = format!("{trace}[[producers]]\nname = \"api\"\nrate = 1\n{spike}");
    assert!(load_in(dir.path(), &all).is_ok());
}

#[test]
fn the_peak_scheduled_rate_adds_up_producers() {
    let text = BASE.replace(
        "rate = 5",
        "schedule = [[\"0s\", 5], [\"20m\", 30], [\"40m\", 10]]",
    ) + "[[producers]]\nrate = 2\n";
    let sc = load(&text).unwrap();
    assert_eq!(
        sc.peak_scheduled_rate(),
        Some((SimTime::from_secs(1200), 32.0))
    );
    assert_eq!(load(BASE).unwrap().peak_scheduled_rate(), None);
}
