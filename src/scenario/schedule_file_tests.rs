use std::collections::BTreeMap;
use std::path::Path;

use super::*;

fn files(name: &str, text: &str) -> DataFiles {
    DataFiles::stored(
        Path::new("."),
        BTreeMap::from([(name.to_owned(), text.to_owned())]),
    )
}

fn table(text: &str) -> toml::Value {
    toml::from_str::<toml::Table>(&format!("s = {text}")).unwrap()["s"].clone()
}

fn read_csv(csv: &str, spec: &str) -> Checked<ReadSchedule> {
    read(
        "producers.0.schedule",
        &table(spec),
        &files("sent.csv", csv),
    )
}

const MINUTES: &str = "timestamp,value\n600,60\n660,120\n780,30\n";

#[test]
fn counts_per_period_become_rates_and_gaps_are_zero() {
    let r = read_csv(MINUTES, "{ file = \"sent.csv\" }").unwrap();
    assert_eq!(r.spec.period, SimTime::from_secs(60));
    let steps = steps(&r, 600_000, SimTime::from_secs(3600));
    let at = |s: u64, rate: f64| RateStep {
        from: SimTime::from_secs(s),
        rate,
    };
    // 60 in the first minute is 1/s, 120 is 2/s; the minute at 720 is
    // missing (0), then 30 is 0.5/s, and nothing after the last period.
    assert_eq!(
        steps,
        vec![
            at(0, 1.0),
            at(60, 2.0),
            at(120, 0.0),
            at(180, 0.5),
            at(240, 0.0)
        ]
    );
}

#[test]
fn a_later_epoch_shifts_the_file_and_scale_multiplies() {
    let r = read_csv(MINUTES, "{ file = \"sent.csv\", scale = 2.0 }").unwrap();
    let steps = steps(&r, 540_000, SimTime::from_secs(150));
    assert_eq!(steps[0].rate, 0.0);
    assert_eq!(steps[1].from, SimTime::from_secs(60));
    assert_eq!(steps[1].rate, 2.0);
    assert_eq!(steps.last().unwrap().from, SimTime::from_secs(120));
    assert_eq!(steps.len(), 3, "periods at or after the horizon are cut");
}

#[test]
fn a_period_that_does_not_match_the_data_is_refused() {
    let e = read_csv(MINUTES, "{ file = \"sent.csv\", period = \"30s\" }").unwrap_err();
    assert_eq!(e.key, "producers.0.schedule.period");
    assert!(
        e.message.contains("1 empty periods") && e.message.contains("period = \"1m\""),
        "{e:?}"
    );
    let e = read_csv(MINUTES, "{ file = \"sent.csv\", period = \"45s\" }").unwrap_err();
    assert!(e.message.contains("not a whole number"), "{e:?}");
    let e = read_csv(MINUTES, "{ file = \"sent.csv\", period = \"5m\" }").unwrap_err();
    assert!(e.message.contains("1m apart"), "{e:?}");
    assert!(read_csv(MINUTES, "{ file = \"sent.csv\", period = \"1m\" }").is_ok());
    let single = read_csv("600,5\n", "{ file = \"sent.csv\" }").unwrap_err();
    assert!(single.message.contains("single data point"), "{single:?}");
}

#[test]
fn bad_tables_and_files_name_the_key() {
    for (spec, key, says) in [
        (
            "{ period = \"1m\" }",
            "producers.0.schedule.file",
            "is required",
        ),
        (
            "{ file = \"sent.csv\", rate = 3 }",
            "producers.0.schedule",
            "unknown field `rate`",
        ),
        (
            "{ file = \"sent.csv\", scale = 0 }",
            "producers.0.schedule.scale",
            "out of range",
        ),
        (
            "{ file = \"other.csv\" }",
            "producers.0.schedule.file",
            "other.csv",
        ),
    ] {
        let e = read_csv(MINUTES, spec).unwrap_err();
        assert_eq!(e.key, key, "{spec}");
        assert!(e.message.contains(says), "{spec}: {e:?}");
    }
    let e = read_csv("timestamp,value\n600,1\n500,2\n", "{ file = \"sent.csv\" }").unwrap_err();
    assert!(e.message.contains("sent.csv: row 3"), "{e:?}");
}
