# tests/golden.mk -- `make golden` regenerates tests/golden/: the JavaScript connectors rendered with fixed
# parameters, unpacked, so that a template change shows as a reviewable diff.
.PHONY: golden
golden: $(B)/bundlegen
	tests/golden/generate.sh tests/golden
	tests/golden-gateways.sh tests/golden
