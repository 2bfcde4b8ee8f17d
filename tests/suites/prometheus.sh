#!/usr/bin/env bash
# prometheus.sh -- a real Prometheus scrapes edgenode and bundlegen serve; promtool lints both outputs;
# every query of node/dashboard.json answers through Prometheus's HTTP API (tests/telemetry/).
set -u
cd "$(dirname "$0")/../.."
exec python3 tests/telemetry/prometheus_test.py
