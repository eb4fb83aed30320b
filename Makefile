# The project's commands. Each installs what it lacks and is quick when it is there.
#   make demo    build the package, start the sandbox, send a sample batch, print every recipient's fate and
#                each accepted message's delivery, then serve the page (www/) with its signing endpoint
#                until Ctrl+C (DEMO_ONCE=1: exit)
#   make test    every test: the docs' links and cited paths (test-docs), Rust (unit, golden vectors,
#                properties, clippy, core purity), sandbox (Node),
#                the npm package (Node suites, packaging, types) on its packed tarball, and the same
#                tarball in Deno, Bun, workerd and a Web Worker in Chromium (test-runtimes), and the
#                page in www/ driven in Chromium (test-browser)
#   make bench   native timing of the core on the 1000-recipient golden batch, then make bench-node
#                and make bench-campaign
#   make bench-node  the npm package beside Alibaba's official Node SDK (bench/README.md); ~1 minute
#   make bench-campaign  campaigns: 20,000 recipients at the sandbox's 1 call/s, 100,000 at qps 50; ~40 s
#   make bench-fleet  4 processes sharing one key's 1 call/s through Redis, 30 requests, twice; ~80 s
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
NPM_STAMP := node_modules/.package-lock.json
# pkg/package.json is the last file build.mjs writes: its age is the build's.
PKG_STAMP := pkg/package.json
PKG_SOURCES := Cargo.toml Cargo.lock rust-toolchain.toml README.md $(shell find src pkg-template -type f)

.PHONY: demo test test-docs test-rust test-core-purity test-sandbox test-node test-runtimes test-browser bench bench-node bench-campaign bench-fleet redis-server

demo: $(PKG_STAMP)
	node www/demo.mjs

test: test-docs test-rust test-sandbox test-node test-runtimes test-browser

# Every relative link in the Markdown resolves (file and #heading), and every repository path or
# spec file a source file names exists (tests/docs/check.mjs); seconds.
test-docs:
	node --test tests/docs/

test-rust: test-core-purity
	cargo clippy --all-targets --locked -- -D warnings
	cargo clippy --lib --locked --target wasm32-unknown-unknown -- -D warnings
	cargo test --locked

# The core must stay free of JavaScript types: only src/wasm/ may name them (the core is plain Rust, tested with cargo test; the bindings convert).
test-core-purity:
	@if grep -rnE 'wasm_bindgen|js_sys|web_sys|gloo' src --exclude-dir=wasm; then \
	  echo "error: src/ outside src/wasm/ names a JS binding crate (above)"; exit 1; \
	else echo "core purity: src/ outside src/wasm/ names no wasm_bindgen, js_sys, web_sys or gloo"; fi

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund

test-sandbox: $(NPM_STAMP)
	node --test tests/sandbox/

$(PKG_STAMP): $(NPM_STAMP) $(PKG_SOURCES)
	node pkg-template/build.mjs

# npm pack pkg/ → install into a temp project → node --test there (tests/node, tests/package,
# tests/types), importing the package by name; publint and attw on the same tarball. The fleet
# suite (tests/node/fleet.test.mjs) starts its own redis-server (Debian's, installed here when
# missing) on 127.0.0.1 and a free port.
test-node: $(PKG_STAMP) redis-server
	node tests/package/run.mjs

redis-server:
	@command -v redis-server >/dev/null || { apt-get update -qq && apt-get install -y -qq redis-server >/dev/null; }

# tests/runtimes on the same kind of tarball: Deno, Bun and workerd come from npm (devDependencies);
# the Web Worker runs in Debian's Chromium, installed here when missing. A runtime that cannot run
# on this machine is skipped with its reason printed.
test-runtimes: $(PKG_STAMP)
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; } \
	  || echo "test-runtimes: could not install chromium; the Web Worker test will say it is skipped"
	TEST_SUITES=runtimes node tests/package/run.mjs

# tests/browser: playwright-core drives Debian's Chromium (the script installs it when missing) through
# www/ as a person would, against a sandbox and the page server in the test's process; under a minute.
test-browser: $(PKG_STAMP)
	bash tests/browser/install-chromium.sh
	node --test tests/browser/

bench:
	cargo bench --locked --bench core
	$(MAKE) bench-node
	$(MAKE) bench-campaign

# Prints figures and ratios, asserts nothing; builds pkg/ first when it is missing.
bench-node: $(NPM_STAMP)
	node bench/run.mjs

# Rate, throttled answers and peak RSS of campaigns (bench/campaign.mjs says how); asserts nothing.
bench-campaign: $(NPM_STAMP)
	node bench/campaign.mjs

# Pace, throttled answers and Redis round trips of 4 processes on one key (bench/fleet.mjs);
# asserts nothing.
bench-fleet: $(NPM_STAMP) redis-server
	node bench/fleet.mjs
