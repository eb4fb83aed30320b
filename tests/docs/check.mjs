// The map must lead somewhere (issue 17): every relative link in the repository's Markdown
// resolves (the file, and a `#heading` in it), and every repository path or spec file a source
// file names exists. Run by `make test-docs` (tests/docs/check.test.mjs) over the tracked files;
// `checkTree(root, files)` takes any tree, so the test can feed it a broken one.

import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, normalize, relative, sep } from "node:path";

/**
 * GitHub's anchor for a heading: lower case, inline code and emphasis marks dropped, every
 * character that is not a letter, digit, space, `-` or `_` dropped, each space to `-` (not
 * trimmed: `f(): { a }` ends in `-`). A repeated heading gets `-1`, `-2`, … in document order.
 */
export function headingSlugs(markdown) {
  const slugs = new Set();
  const seen = new Map();
  for (const { text } of headings(markdown)) {
    const base = text
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    slugs.add(n === 0 ? base : `${base}-${n}`);
  }
  return slugs;
}

/** The lines of `markdown` outside fenced code blocks, with their 1-based numbers. */
function proseLines(markdown) {
  const out = [];
  let fence = null;
  markdown.split("\n").forEach((line, i) => {
    const open = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (fence) {
      if (open && open[1][0] === fence[0] && open[1].length >= fence.length) fence = null;
      return;
    }
    if (open) {
      fence = open[1];
      return;
    }
    out.push({ line: i + 1, text: line });
  });
  return out;
}

function headings(markdown) {
  return proseLines(markdown)
    .map(({ line, text }) => ({ line, match: /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(text) }))
    .filter(({ match }) => match)
    .map(({ line, match }) => ({ line, text: match[1] }));
}

/** `[text](target)` and `[label]: target` links of the prose (not inside code spans). */
export function markdownLinks(markdown) {
  const links = [];
  for (const { line, text } of proseLines(markdown)) {
    const prose = text.replace(/(`+)[^`]*?\1/g, (span) => " ".repeat(span.length));
    for (const m of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) links.push({ line, target: m[1] });
    const definition = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(\s|$)/.exec(prose);
    if (definition) links.push({ line, target: definition[1] });
  }
  return links;
}

const EXTERNAL = /^[a-z][a-z0-9+.-]*:/i;

/** Problems of one Markdown file's relative links: `{ file, line, target, problem }`. */
function checkMarkdown(root, file, texts) {
  const problems = [];
  const text = texts(file);
  for (const { line, target } of markdownLinks(text)) {
    if (EXTERNAL.test(target)) continue;
    const [pathPart, anchor] = splitAnchor(target);
    let path = file;
    if (pathPart !== "") {
      path = normalize(join(dirname(file), decodeURIComponent(pathPart)));
      if (path.startsWith(`..${sep}`) || path === "..") {
        problems.push({ file, line, target, problem: "leaves the repository" });
        continue;
      }
      if (!existsSync(join(root, path))) {
        problems.push({ file, line, target, problem: "no such file" });
        continue;
      }
    }
    if (anchor !== undefined && path.endsWith(".md")) {
      if (!statSync(join(root, path)).isFile() || !headingSlugs(texts(path)).has(anchor.toLowerCase())) {
        problems.push({ file, line, target, problem: `no heading #${anchor} in ${path}` });
      }
    }
  }
  return problems;
}

function splitAnchor(target) {
  const at = target.indexOf("#");
  return at === -1 ? [target, undefined] : [target.slice(0, at), target.slice(at + 1)];
}

// Paths from the repository's root as the comments write them (`src/ledger.rs`,
// `docs/spec/operations.md §3`, `tests/fixtures/golden/`), and spec files named alone.
const ROOTS = ["src", "tests", "pkg-template", "www", "bench", "benches", "docs", "fuzz", ".ci"];
const REPO_PATH = new RegExp(`(?<![\\w./-])(?:${ROOTS.map((r) => r.replace(".", "\\.")).join("|")})/[\\w./-]*[\\w]`, "g");
const SPEC_NAME = /(?<![\w./-])([A-Z][A-Za-z]*\.md|[a-z]+(?:-[a-z]+)+\.md)(?![\w/-])/g;
const SOURCE = /\.(rs|js|mjs|cjs|ts|sh|toml|html|css)$|^Makefile$|^\.ci\/run$/;

/**
 * The folders and files `.gitignore` names without a wildcard (`/tests/browser/screenshots/`):
 * made by the build or the tests, so absent from a fresh clone, yet fine to name.
 */
function generatedPaths(root) {
  let text = "";
  try {
    text = readFileSync(join(root, ".gitignore"), "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#") && !/[*?[!]/.test(line))
    .map((line) => line.replace(/^\/+|\/+$/g, ""));
}

/** Problems of the paths source files name: `{ file, line, target, problem }`. */
function checkCitations(root, files, texts) {
  const problems = [];
  const names = new Set(files.map((f) => basename(f)));
  const generated = generatedPaths(root);
  const isGenerated = (target) => generated.some((g) => target === g || target.startsWith(`${g}/`));
  for (const file of files.filter((f) => SOURCE.test(f) || SOURCE.test(basename(f)))) {
    texts(file)
      .split("\n")
      .forEach((text, i) => {
        for (const m of text.matchAll(REPO_PATH)) {
          const target = m[0].replace(/\.+$/, "");
          // A glob or a generated name (`tests/*.rs`, `pkg/`) is not a path to follow.
          if (!existsSync(join(root, target)) && !isGenerated(target)) {
            problems.push({ file, line: i + 1, target, problem: "no such file or folder" });
          }
        }
        for (const m of text.matchAll(SPEC_NAME)) {
          if (!names.has(m[1])) problems.push({ file, line: i + 1, target: m[1], problem: "no file of that name in the repository" });
        }
      });
  }
  return problems;
}

/**
 * Every problem of the tree at `root` whose (tracked) files are `files`, paths relative to
 * `root` with `/`: Markdown links, and the paths source files name. Empty when the map holds.
 */
export function checkTree(root, files) {
  const cache = new Map();
  const texts = (file) => {
    if (!cache.has(file)) cache.set(file, readFileSync(join(root, file), "utf8"));
    return cache.get(file);
  };
  const markdown = files.filter((f) => f.endsWith(".md"));
  return [...markdown.flatMap((f) => checkMarkdown(root, f, texts)), ...checkCitations(root, files, texts)].map((p) => ({
    ...p,
    file: relative(root, join(root, p.file)),
  }));
}
