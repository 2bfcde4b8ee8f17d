// mod.rs -- `make build` writes config.rs here from definition/gcl.yaml (cargo anypoint config-gen).
pub mod config;
