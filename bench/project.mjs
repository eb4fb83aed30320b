// A bench's own project (bench/campaign.mjs, bench/fleet.mjs): pkg/ packed and installed into a
// fresh project under .tmp/, as a user installs it, with the bench file (and this one, which it
// imports) copied beside it, to run there as the child that imports the package by name.

import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Installs the package into `.tmp/bench-<name>-…` beside a copy of `benchFile`. */
export function installBench(root, name, benchFile) {
  if (!existsSync(join(root, "pkg", "package.json"))) {
    console.log("bench: pkg/ missing, building it (node pkg-template/build.mjs)");
    execFileSync(process.execPath, [join(root, "pkg-template", "build.mjs")], { cwd: root, stdio: "inherit" });
  }
  const wasm = join(root, "pkg", "aliyun_globe_sms_bg.wasm");
  if (statSync(join(root, "pkg-template")).mtimeMs > statSync(wasm).mtimeMs) {
    console.log("bench: NOTE pkg/ may be older than pkg-template/: `node pkg-template/build.mjs` measures the current code");
  }
  mkdirSync(join(root, ".tmp"), { recursive: true });
  const project = mkdtempSync(join(root, ".tmp", `bench-${name}-`));
  execFileSync("npm", ["init", "-y"], { cwd: project, stdio: "ignore" });
  const packed = JSON.parse(execFileSync("npm", ["pack", join(root, "pkg"), "--pack-destination", project, "--json"], { cwd: project, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }))[0];
  execFileSync("npm", ["install", "--offline", "--no-audit", "--no-fund", "--no-package-lock", `./${packed.filename}`], { cwd: project, stdio: ["ignore", "ignore", "inherit"] });
  copyFileSync(benchFile, join(project, basename(benchFile)));
  copyFileSync(fileURLToPath(import.meta.url), join(project, "project.mjs"));
  return { project, version: packed.version };
}

/** Runs `<project>/<file> --child <args>` in a fresh node; resolves with its last JSON line. */
export function runChild(project, file, args, nodeFlags = []) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [...nodeFlags, join(project, file), "--child", JSON.stringify(args)], { cwd: project, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    proc.stdout.on("data", (chunk) => (out += chunk));
    proc.on("error", reject);
    proc.on("close", (code) => (code === 0 ? resolve(JSON.parse(out.trim().split("\n").at(-1))) : reject(new Error(`child exited with ${code}`))));
  });
}
