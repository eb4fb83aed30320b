#!/usr/bin/env node
// Builds the npm package into pkg/ (git-ignored): cargo (release, wasm32) → wasm-bindgen
// --target web → wasm-opt -Oz → template files. `npm pack pkg/` is the release artefact.
//
// It installs what it lacks — the wasm32 target, the wasm-bindgen CLI at the version pinned in
// Cargo.lock (a CLI of another version would not match the crate), the npm dev dependencies
// (binaryen's wasm-opt among them) — and is quick when everything is there.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const template = join(root, "pkg-template");
const out = join(root, "pkg");
const target = "wasm32-unknown-unknown";
const crateName = "aliyun_globe_sms";

function run(command, args, options = {}) {
  execFileSync(command, args, { cwd: root, stdio: "inherit", ...options });
}

function output(command, args) {
  try {
    return execFileSync(command, args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    return "";
  }
}

function step(text) {
  console.log(`build: ${text}`);
}

// 1. The wasm32 target.
if (!output("rustup", ["target", "list", "--installed"]).split("\n").includes(target)) {
  step(`installing the ${target} target`);
  run("rustup", ["target", "add", target]);
}

// 2. The wasm-bindgen CLI, same version as the crate in Cargo.lock.
const lock = readFileSync(join(root, "Cargo.lock"), "utf8");
const bindgenVersion = /name = "wasm-bindgen"\nversion = "([^"]+)"/.exec(lock)?.[1];
if (!bindgenVersion) throw new Error("wasm-bindgen is not in Cargo.lock");
if (!output("wasm-bindgen", ["--version"]).includes(bindgenVersion)) {
  step(`installing wasm-bindgen-cli ${bindgenVersion} (about two minutes, once)`);
  // Without --locked: the CLI's own lock file pins a crate that no longer builds here.
  run("cargo", ["install", "wasm-bindgen-cli", "--version", bindgenVersion]);
}

// 3. npm dev dependencies (wasm-opt comes from the binaryen package: Debian's is too old).
const wasmOpt = join(root, "node_modules", ".bin", "wasm-opt");
if (!existsSync(wasmOpt)) {
  step("installing npm dev dependencies");
  run("npm", ["ci", "--no-audit", "--no-fund"]);
}

// 4. The release wasm (opt-level 3, LTO, one codegen unit: Cargo.toml's release profile).
step("cargo build --release --target wasm32-unknown-unknown");
run("cargo", ["build", "--release", "--locked", "--lib", "--target", target]);

// 5. JS glue for one `--target web` build shared by every entry.
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "sandbox"), { recursive: true });
step("wasm-bindgen --target web");
run("wasm-bindgen", [
  "--target", "web",
  "--out-dir", out,
  "--out-name", crateName,
  "--omit-default-module-path",
  "--remove-name-section",
  "--remove-producers-section",
  join(root, "target", target, "release", `${crateName}.wasm`),
]);

// 6. Size: -Oz. The feature flags are those rustc enables by default for wasm32 today.
const wasmFile = join(out, `${crateName}_bg.wasm`);
step("wasm-opt -Oz");
run(wasmOpt, [
  "-Oz",
  "--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext",
  "--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue",
  "--strip-debug", "--strip-producers",
  wasmFile, "-o", wasmFile,
]);

// 7. One public .d.ts: our shapes and the exported functions with their docs (from the generated
// file, up to wasm-bindgen's loader types, whose internals are typed `any`), plus the entries'
// own exports. The generated .d.ts files are not shipped.
const generated = readFileSync(join(out, `${crateName}.d.ts`), "utf8");
const cut = generated.indexOf("export type InitInput");
if (cut < 0) throw new Error("unexpected wasm-bindgen .d.ts layout");
const declarations = generated.slice(0, cut).replace(/^\/\* tslint:disable \*\/\n\/\* eslint-disable \*\/\n/, "");
// The entries hide the WebAssembly functions' last parameter (the Node entry fills it from the
// environment), so the public signatures leave it out.
const hidden = /, environment: EnvironmentCredentials\)/g;
if ((declarations.match(hidden) ?? []).length !== 12) throw new Error("expected 12 exports taking environment credentials");
const publicDeclarations = declarations.replace(hidden, ")").replace("at: SignAt | null | undefined", "at?: SignAt");
writeFileSync(join(out, "index.d.ts"), publicDeclarations.trimEnd() + "\n" + readFileSync(join(template, "index.extra.d.ts"), "utf8"));
rmSync(join(out, `${crateName}.d.ts`));
rmSync(join(out, `${crateName}_bg.wasm.d.ts`));

// 8. Template files; the package version follows Cargo.toml.
for (const file of ["node.js", "browser.js", "errors.js", "signing.js", "reports.js", "body.js", "journal.js", "journal.d.ts", "redis.js", "redis.d.ts", "cli.js"]) copyFileSync(join(template, file), join(out, file));
// The command line's modules (issue 14), beside cli.js.
mkdirSync(join(out, "cli"), { recursive: true });
for (const file of readdirSync(join(template, "cli"))) if (file.endsWith(".js")) copyFileSync(join(template, "cli", file), join(out, "cli", file));
copyFileSync(join(root, "README.md"), join(out, "README.md"));
for (const file of readdirSync(join(template, "sandbox"))) {
  if (file.endsWith(".js") || file === "index.d.ts") copyFileSync(join(template, "sandbox", file), join(out, "sandbox", file));
}
const version = /^version = "([^"]+)"/m.exec(readFileSync(join(root, "Cargo.toml"), "utf8"))?.[1];
const manifest = JSON.parse(readFileSync(join(template, "package.json"), "utf8"));
manifest.version = version;
writeFileSync(join(out, "package.json"), JSON.stringify(manifest, null, 2) + "\n");

const wasmBytes = readFileSync(wasmFile);
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(
  `build: pkg/ ready — wasm ${kib(wasmBytes.length)} (gzip ${kib(gzipSync(wasmBytes, { level: 9 }).length)}), ` +
    `glue ${kib(statSync(join(out, `${crateName}.js`)).size)}`,
);
