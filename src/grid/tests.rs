//! Grid expansion and `--vary` parsing.

use super::*;

fn axis(key: &str, values: &[&str]) -> SweepAxis {
    SweepAxis {
        key: key.into(),
        values: values.iter().map(|v| v.to_string()).collect(),
    }
}

#[test]
fn lists_and_ranges_parse() {
    assert_eq!(
        parse_vary("consumers.count=4,8,12").unwrap().values,
        ["4", "8", "12"]
    );
    assert_eq!(
        parse_vary("consumers.count=4..10:3").unwrap().values,
        ["4", "7", "10"]
    );
    assert_eq!(
        parse_vary("consumers.count=1..3").unwrap().values,
        ["1", "2", "3"]
    );
    assert_eq!(
        parse_vary("producers.0.rate=0.5..1.5:0.5").unwrap().values,
        ["0.5", "1", "1.5"]
    );
    // Strings need no shell quoting; TOML literals stay as written.
    let v = parse_vary("queue.visibility_timeout=30s,60s,\"2m\"").unwrap();
    assert_eq!(v.values, ["\"30s\"", "\"60s\"", "\"2m\""]);
    // Inline tables keep their commas; a ".." inside one is no range.
    let v = parse_vary(
        "consumers.on_error=release, { backoff = \"exponential\", base = \"1s\" },\
         { dist = \"empirical\", file = \"../x.csv\" }",
    )
    .unwrap();
    assert_eq!(
        v.values,
        [
            "\"release\"",
            "{ backoff = \"exponential\", base = \"1s\" }",
            "{ dist = \"empirical\", file = \"../x.csv\" }"
        ]
    );
}

#[test]
fn bad_vary_arguments_say_what_is_allowed() {
    for bad in [
        "consumers.count",
        "=1,2",
        "a..b=1",
        "consumers.count=",
        "x=5..1",
        "x=1..5:0",
        "x=1..y",
        "x=1,,2",
    ] {
        let e = parse_vary(bad).unwrap_err();
        assert!(e.starts_with("--vary"), "{bad}: {e}");
    }
    assert!(parse_vary("x=0..1000000").unwrap_err().contains("at most"));
}

#[test]
fn the_grid_is_the_cartesian_product_last_axis_fastest() {
    let g = grid(&[axis("a", &["1", "2"]), axis("b", &["x", "y", "z"])], 3).unwrap();
    assert_eq!(g.len(), 6);
    assert_eq!(g[0].overrides(), ["a=1", "b=x"]);
    assert_eq!(g[1].overrides(), ["a=1", "b=y"]);
    assert_eq!(g[5].overrides(), ["a=2", "b=z"]);
    // A --vary of a key in [sweep] replaces it.
    let g = grid(&[axis("a", &["1", "2"]), axis("a", &["7"])], 1).unwrap();
    assert_eq!(g.len(), 1);
    assert_eq!(g[0].overrides(), ["a=7"]);
    assert_eq!(grid(&[], 1).unwrap().len(), 1);
}

#[test]
fn oversized_grids_are_refused_up_front() {
    let many: Vec<String> = (0..1000).map(|i| i.to_string()).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    let e = grid(&[axis("a", &many), axis("b", &many)], 1).unwrap_err();
    assert!(e.contains("1000000 points"), "{e}");
    let e = grid(&[axis("a", &many)], 1000).unwrap_err();
    assert!(e.contains("runs"), "{e}");
}

#[test]
fn labels_are_safe_directory_names() {
    let p = Point {
        settings: vec![("queue.visibility_timeout".into(), "\"30s\"".into())],
    };
    assert_eq!(p.label(3), "003_queue.visibility_timeout=30s");
    let p = Point {
        settings: vec![("consumers.processing".into(), "{ dist = \"exp\" }".into())],
    };
    assert_eq!(p.label(0), "000_consumers.processing=dist-exp");
    let p = Point {
        settings: vec![
            (
                "consumers.on_error".into(),
                "{ backoff = \"exponential\", base = \"1s\" }".into(),
            ),
            ("x".into(), "-0.5".into()),
        ],
    };
    assert_eq!(
        p.label(1),
        "001_consumers.on_error=backoff-exponential-base-1s_x=-0.5"
    );
}

#[test]
fn labels_stay_short_and_unique_for_any_value() {
    let table = format!("{{ dist = \"empirical\", file = \"{}\" }}", "x".repeat(400));
    let labels: Vec<String> = (0..3)
        .map(|i| {
            let p = Point {
                settings: vec![("consumers.processing".into(), format!("{table}{i}"))],
            };
            p.label(i)
        })
        .collect();
    for l in &labels {
        assert!(l.len() <= LABEL_CHARS, "{l}");
        assert!(l.ends_with('~'), "a cut label says so: {l}");
    }
    assert_eq!(
        labels
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        3
    );
}
