# The project's commands. Each installs what it lacks and is quick when it is there.
#   make test    every test: Rust (unit, golden vectors, properties, clippy, core purity), sandbox (Node)
#   make bench   native timing of the core on the 1000-recipient golden batch
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
NPM_STAMP := node_modules/.package-lock.json

.PHONY: test test-rust test-core-purity test-sandbox bench

test: test-rust test-sandbox

test-rust: test-core-purity
	cargo clippy --all-targets --locked -- -D warnings
	cargo test --locked

# The core must stay free of JavaScript types: only src/wasm/ may name them (STYLE.md, core vs bindings).
test-core-purity:
	@if grep -rnE 'wasm_bindgen|js_sys|web_sys|gloo' src --exclude-dir=wasm; then \
	  echo "error: src/ outside src/wasm/ names a JS binding crate (above)"; exit 1; \
	else echo "core purity: src/ outside src/wasm/ names no wasm_bindgen, js_sys, web_sys or gloo"; fi

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund

test-sandbox: $(NPM_STAMP)
	node --test tests/sandbox/

bench:
	cargo bench --locked --bench core
