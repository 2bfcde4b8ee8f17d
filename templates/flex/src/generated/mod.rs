// mod.rs -- `make build` (its build-asset-files step) writes config.rs here from definition/gcl.yaml.
pub mod config;
