//! Integration tests: one binary, topic modules.

mod common;

mod autoscale;
mod backtest;
mod capacity;
mod charts;
mod cli;
mod compare;
mod completions;
mod corpus;
mod determinism;
mod exits;
mod fifo;
mod fit;
mod golden;
mod incidents;
mod network;
mod network_report;
mod network_theory;
mod output_hashes;
mod presets;
mod properties;
mod reference;
mod report;
mod resolved;
mod resource_examples;
mod resources;
mod scaleout;
mod scenarios;
mod schema;
mod schema_ranges;
mod sweep;
mod theory;
mod validation;
