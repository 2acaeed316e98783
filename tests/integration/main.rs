//! Integration tests: one binary, topic modules.

mod common;

mod cli;
mod determinism;
mod golden;
mod scenarios;
mod theory;
