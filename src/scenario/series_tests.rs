use super::*;

const JSON: &str = r#"{
    "MetricDataResults": [
        {
            "Id": "sent",
            "Label": "NumberOfMessagesSent",
            "Timestamps": ["2026-11-03T14:02:00+00:00", "2026-11-03T14:01:00+00:00", "2026-11-03T14:00:00+00:00"],
            "Values": [30.0, 20.0, 10.0],
            "StatusCode": "Complete"
        }
    ],
    "Messages": []
}"#;

fn values(s: &Series) -> Vec<(i64, f64)> {
    s.points.iter().map(|p| (p.at_ms, p.value)).collect()
}

#[test]
fn cloudwatch_newest_first_comes_out_in_time_order() {
    let s = parse(JSON, None).unwrap();
    let t0 = timestamp_ms("2026-11-03T14:00:00Z").unwrap();
    assert_eq!(s.name, "sent");
    assert_eq!(
        values(&s),
        vec![(t0, 10.0), (t0 + 60_000, 20.0), (t0 + 120_000, 30.0)]
    );
}

#[test]
fn pages_one_after_another_are_joined() {
    let page2 = JSON
        .replace("14:02", "14:05")
        .replace("14:01", "14:04")
        .replace("14:00", "14:03");
    let s = parse(&format!("{JSON}\n{page2}"), None).unwrap();
    assert_eq!(s.points.len(), 6);
    assert!(s.points.windows(2).all(|w| w[0].at_ms < w[1].at_ms));
    let overlapping = parse(&format!("{JSON}\n{JSON}"), None).unwrap_err();
    assert!(overlapping.contains("appears twice"), "{overlapping}");
}

#[test]
fn several_metrics_need_a_name() {
    let two = JSON.replace(
        "\n    ],",
        r#", {"Id": "age", "Label": "ApproximateAgeOfOldestMessage", "Timestamps": ["2026-11-03T14:00:00Z"], "Values": [4]}
    ],"#,
    );
    let err = parse(&two, None).unwrap_err();
    assert!(err.contains("\"age\"") && err.contains("metric ="), "{err}");
    assert_eq!(parse(&two, Some("age")).unwrap().points.len(), 1);
    assert_eq!(
        parse(&two, Some("ApproximateAgeOfOldestMessage"))
            .unwrap()
            .name,
        "age"
    );
    assert!(parse(&two, Some("nope")).unwrap_err().contains("no metric"));
}

#[test]
fn malformed_exports_say_what_was_expected() {
    for (text, says) in [
        ("{\"Foo\": 1}", "MetricDataResults"),
        ("{\"MetricDataResults\": [", "get-metric-data"),
        (
            &JSON.replace("[30.0, 20.0, 10.0]", "[30.0, 20.0]"),
            "3 timestamps but 2 values",
        ),
        (&JSON.replace("20.0", "-2"), "entry 1: -2 is not allowed"),
        (
            &JSON.replace("2026-11-03T14:01:00+00:00", "yesterday"),
            "\"yesterday\" is not a timestamp",
        ),
        ("{\"MetricDataResults\": []}", "empty"),
    ] {
        let err = parse(text, None).unwrap_err();
        assert!(err.contains(says), "{text}: {err}");
    }
}

#[test]
fn csv_with_or_without_header_iso_or_epoch() {
    let with = "timestamp,value\n2026-11-03T14:00:00Z,5\n2026-11-03T14:01:00Z,7\n";
    let without = "1793714400,5\n1793714460,7\n";
    let a = parse(with, None).unwrap();
    let b = parse(without, None).unwrap();
    assert_eq!(values(&a), values(&b));
    assert_eq!(a.points[0].at_ms, 1_793_714_400_000);
    let named = parse("host,Value,TIMESTAMP\na,3,2026-11-03 14:00:00\n", None).unwrap();
    assert_eq!(values(&named), vec![(1_793_714_400_000, 3.0)]);
}

#[test]
fn csv_rows_out_of_order_duplicated_or_malformed_name_their_row() {
    for (text, says) in [
        ("timestamp,value\n1000,1\n900,2\n", "row 3: "),
        ("timestamp,value\n1000,1\n1000,2\n", "row 3: "),
        ("timestamp,value\n1000,-1\n", "row 2: -1 is not allowed"),
        (
            "timestamp,value\n1000,many\n",
            "row 2: \"many\" is not a number",
        ),
        ("timestamp,value\n1000\n", "row 2: no value"),
        (
            "time,count\n1000,1\n",
            "needs columns `timestamp` and `value`",
        ),
        ("timestamp,value\n", "no data points"),
    ] {
        let err = parse(text, None).unwrap_err();
        assert!(err.contains(says), "{text:?}: {err}");
    }
    assert!(
        parse("1,2\n", Some("x"))
            .unwrap_err()
            .contains("remove `metric`")
    );
}

#[test]
fn timestamps_round_trip() {
    let t = timestamp_ms("2026-11-03T14:05:00.250+01:00").unwrap();
    assert_eq!(format_ms(t), "2026-11-03T13:05:00Z");
    assert_eq!(t % 1000, 250);
}
