// The shipped declarations, as a user's compiler sees them: a strict consumer that uses every
// export compiles (NodeNext and bundler resolution, through the `types` conditions of the
// installed package), and no shipped .d.ts declares `any`. Run from the consumer project by
// tests/package/run.mjs, with DEV_ROOT naming the repository whose TypeScript it uses.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import * as sms from "aliyun-globe-sms";
import * as sandbox from "aliyun-globe-sms/sandbox";
import * as journal from "aliyun-globe-sms/journal";
import * as redis from "aliyun-globe-sms/redis";

const HERE = dirname(fileURLToPath(import.meta.url));
const INSTALLED = join(HERE, "..", "..", "node_modules", "aliyun-globe-sms");
const DEV_ROOT = process.env.DEV_ROOT;

/** Every .d.ts the package ships. */
function declarationFiles(dir = INSTALLED) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return declarationFiles(path);
    return name.endsWith(".d.ts") ? [path] : [];
  });
}

/** The code of a declaration file: comments removed, so prose ("any recipient") cannot match. */
function withoutComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
}

describe("types", { skip: DEV_ROOT ? false : "run through tests/package/run.mjs" }, () => {
  for (const config of ["tsconfig.json", "tsconfig.bundler.json"]) {
    test(`tsc --strict --noEmit -p ${config}: the consumer compiles, and its expected errors stay errors`, async () => {
      const tsc = join(DEV_ROOT, "node_modules", "typescript", "bin", "tsc");
      const result = await new Promise((resolve) => {
        execFile(process.execPath, [tsc, "--strict", "--noEmit", "-p", join(HERE, config)], { timeout: 180_000 }, (error, stdout, stderr) =>
          resolve({ code: error ? (error.code ?? 1) : 0, out: `${stdout}${stderr}` }),
        );
      });
      assert.equal(result.code, 0, result.out);
    });
  }

  test("the consumer names every runtime export of each entry point", () => {
    const consumer = readFileSync(join(HERE, "consumer.ts"), "utf8");
    const imported = Object.fromEntries(
      [...consumer.matchAll(/import \{([^}]+)\} from "([^"]+)"/g)].map((m) => [
        m[2],
        m[1].split(",").map((name) => name.trim()).filter((name) => name && !name.startsWith("type ")).sort(),
      ]),
    );
    assert.deepEqual(imported, {
      "aliyun-globe-sms": Object.keys(sms).sort(),
      "aliyun-globe-sms/sandbox": Object.keys(sandbox).sort(),
      "aliyun-globe-sms/journal": Object.keys(journal).sort(),
      "aliyun-globe-sms/redis": Object.keys(redis).sort(),
    });
  });
});

test("no shipped .d.ts declares `any` (comments do not count)", () => {
  const files = declarationFiles();
  assert.deepEqual(files.map((f) => relative(INSTALLED, f)).sort(), ["index.d.ts", "journal.d.ts", "redis.d.ts", "sandbox/index.d.ts"]);
  for (const file of files) {
    const lines = withoutComments(readFileSync(file, "utf8")).split("\n");
    const hits = lines.map((line, i) => [i + 1, line]).filter(([, line]) => /\bany\b/.test(line));
    assert.deepEqual(hits, [], `${relative(INSTALLED, file)} uses any`);
  }
});

test("the any-check itself: a declaration with `any` is found, prose about any is not", () => {
  assert.match(withoutComments("export function f(x: any): void;"), /\bany\b/);
  assert.doesNotMatch(withoutComments("/** any recipient */\n// any\nexport function f(x: unknown): void;"), /\bany\b/);
});
