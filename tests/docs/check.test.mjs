// `make test-docs`: the repository's links and cited paths resolve (tests/docs/check.mjs), and
// the check fails on a tree that breaks each rule. Paths of the broken tree are built from
// pieces, so this file names no missing path itself.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";

import { checkTree, headingSlugs, markdownLinks } from "./check.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

function tracked(root) {
  return execFileSync("git", ["ls-files", "-z"], { cwd: root, encoding: "utf8" }).split("\0").filter(Boolean);
}

const show = (problems) => problems.map((p) => `${p.file}:${p.line}: ${p.target}: ${p.problem}`).join("\n");

describe("the map resolves", () => {
  test("every relative link in the Markdown and every path a source file names exists", () => {
    // This file's own broken tree names missing paths on purpose.
    const files = tracked(ROOT).filter((f) => f !== "tests/docs/check.test.mjs");
    assert.ok(files.includes("README.md") && files.some((f) => f.startsWith("src/")), "the repository's tracked files");
    const problems = checkTree(ROOT, files);
    assert.deepEqual(problems, [], `broken:\n${show(problems)}`);
  });
});

describe("the check itself", () => {
  test("GitHub's heading anchors: case, punctuation, code, repeats", () => {
    const slugs = headingSlugs("# Install and send\n## `batchSend(options)`: one call\n```\n# not a heading\n```\n## Errors\n## Errors\n### `f(x): { a, b }`\n");
    assert.deepEqual([...slugs], ["install-and-send", "batchsendoptions-one-call", "errors", "errors-1", "fx--a-b-"]);
  });

  test("links in prose, not in code", () => {
    const links = markdownLinks("see [a](x.md#b) and `[c](y.md)`\n```\n[d](z.md)\n```\n[e]: w.md\n[f](https://example.invalid/)\n");
    assert.deepEqual(links.map((l) => l.target), ["x.md#b", "w.md", "https://example.invalid/"]);
  });

  test("fails on a broken link, a missing anchor, a cited file that is not there", () => {
    const root = mkdtempSync(join(tmpdir(), "docs-check-"));
    try {
      const spec = ["docs", "spec"].join("/");
      mkdirSync(join(root, spec), { recursive: true });
      mkdirSync(join(root, "src"));
      writeFileSync(join(root, spec, "ops.md"), "# Operations\n## QueryMessage\n");
      const missing = ["docs", "gone.md"].join("/");
      writeFileSync(
        join(root, "README.md"),
        [
          "# Title",
          "[fine](docs/spec/ops.md#querymessage) [self](#title) [web](https://example.invalid/x)",
          `[broken](${missing})`,
          "[no anchor](docs/spec/ops.md#sendmessage)",
          "[outside](../elsewhere.md)",
          "```",
          `[in code](${missing})`,
          "```",
        ].join("\n"),
      );
      const styleGuide = ["STY", "LE.md"].join("");
      const missingSpec = [spec, "nope.md"].join("/");
      // A folder the tests make (git-ignored) may be named before it exists.
      writeFileSync(join(root, ".gitignore"), "/tests/shots/\n*.tgz\n");
      writeFileSync(join(root, "src", "lib.rs"), `// cites docs/spec/ops.md §2 (fine)\n// cites ${missingSpec} §3\n// and ${styleGuide}, which is not here\n// keeps tests/shots/x.png\n`);
      const files = ["README.md", `${spec}/ops.md`, "src/lib.rs"];
      const problems = checkTree(root, files).map((p) => `${p.file}:${p.line} ${p.target}`);
      assert.deepEqual(problems, [
        `README.md:3 ${missing}`,
        "README.md:4 docs/spec/ops.md#sendmessage",
        "README.md:5 ../elsewhere.md",
        `src/lib.rs:2 ${missingSpec}`,
        `src/lib.rs:3 ${styleGuide}`,
      ]);
      // Mended, the same tree passes.
      writeFileSync(join(root, "README.md"), "# Title\n[fine](docs/spec/ops.md#querymessage)\n");
      writeFileSync(join(root, "src", "lib.rs"), "// cites docs/spec/ops.md §2\n");
      assert.deepEqual(checkTree(root, files), []);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
