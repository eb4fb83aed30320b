// The sandbox's value is that it shares no code with the client it tests (issue 4): its files
// may import only Node built-ins and each other.

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "pkg-template", "sandbox");
const ALLOWED_BUILTINS = new Set(["node:http", "node:crypto", "node:url", "node:util"]);

test("sandbox files import only node built-ins and sibling sandbox files", () => {
  const files = readdirSync(DIR).filter((name) => name.endsWith(".js"));
  assert.ok(files.includes("index.js") && files.includes("verify.js"));
  const siblings = new Set(files.map((name) => `./${name}`));
  for (const file of files) {
    const text = readFileSync(join(DIR, file), "utf8");
    const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^;]*?from\s+"([^"]+)"/g)].map((m) => m[1]);
    const dynamic = [...text.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g)].map((m) => m[1]);
    assert.equal(/\brequire\(/.test(text), false, `${file} uses require`);
    for (const specifier of [...specifiers, ...dynamic]) {
      assert.ok(
        ALLOWED_BUILTINS.has(specifier) || siblings.has(specifier),
        `${file} imports ${specifier}`,
      );
    }
  }
});
