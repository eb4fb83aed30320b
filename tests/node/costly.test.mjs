// costlyCharacters (issue 16): which characters make a message dearer, where they are, and that
// it agrees with countSegments on the encoding, through the installed package.
import assert from "node:assert/strict";
import { test } from "node:test";
import { costlyCharacters, countSegments } from "aliyun-globe-sms";
import { assertSmsError, thrown } from "./harness.mjs";

test("one check mark in a Latin text: named with its UTF-16 position, and the only culprit", () => {
  const text = `${"Your order has shipped. ".repeat(3)}\u2713`;
  assert.deepEqual(costlyCharacters(text), {
    encoding: "UCS-2",
    total: 1,
    characters: [{ at: text.length - 1, length: 1, character: "\u2713", reason: "ucs2" }],
  });
  assert.equal(countSegments(text).encoding, "UCS-2");
  assert.equal(countSegments(text.slice(0, -1)).encoding, "GSM-7");
});

test("an emoji is two UTF-16 units; a GSM-7 text lists its two-septet characters", () => {
  assert.deepEqual(costlyCharacters("ok \u{1F600}!").characters, [{ at: 3, length: 2, character: "\u{1F600}", reason: "ucs2" }]);
  const gsm = costlyCharacters("Total: 5€ {net}");
  assert.equal(gsm.encoding, "GSM-7");
  assert.deepEqual(gsm.characters.map((c) => [c.at, c.character, c.reason]), [
    [8, "€", "gsmExtension"],
    [10, "{", "gsmExtension"],
    [14, "}", "gsmExtension"],
  ]);
  assert.deepEqual(costlyCharacters("plain text"), { encoding: "GSM-7", total: 0, characters: [] });
  assert.deepEqual(costlyCharacters(""), { encoding: "GSM-7", total: 0, characters: [] });
});

test("a Chinese text: every character counted, the first 50 listed", () => {
  const text = "您".repeat(120);
  const found = costlyCharacters(text);
  assert.deepEqual([found.encoding, found.total, found.characters.length, found.characters.at(-1).at], ["UCS-2", 120, 50, 49]);
  assert.equal(found.encoding, countSegments(text).encoding);
});

test("not a string: INVALID_OPTION naming text", () => {
  for (const value of [undefined, null, 42, {}, ["x"]]) {
    assertSmsError(thrown(() => costlyCharacters(value)), { code: "INVALID_OPTION", field: "text" });
  }
});
