//! Scenario parsing and validation must never panic, whatever the bytes;
//! a valid scenario small enough to simulate quickly is also run for one
//! replication (the engine must not panic either, and must conserve).

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(sc) = mqsim::scenario::load_str(text, Path::new("fuzz.toml"), &[]) else {
        return;
    };
    let messages = sc.arrival_rate() * sc.duration.as_secs_f64();
    let small = messages < 5_000.0
        && sc.duration.as_secs_f64() <= 3_600.0
        && sc.consumers.slots() <= 200
        && !sc.drain;
    if small {
        let r = mqsim::engine::run_replication(&sc, 0);
        assert!(r.conservation.holds(), "{:?}", r.conservation);
    }
});
