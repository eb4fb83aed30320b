// The sandbox's own date format and segment count, as pure functions (internal modules: not part
// of the package's exports, tested here because reports and answers are built from them).

import assert from "node:assert/strict";
import { test } from "node:test";
import { outcomeFor } from "../../pkg-template/sandbox/numbers.js";
import { rfc2822, segmentsOf } from "../../pkg-template/sandbox/text.js";

test("rfc2822: +0800, to the second, zero-padded day, across a date and a year boundary", () => {
  assert.equal(rfc2822(Date.parse("2021-11-25T02:27:00.000Z")), "Thu, 25 Nov 2021 10:27:00 +0800");
  assert.equal(rfc2822(Date.parse("2018-12-24T08:58:22.999Z")), "Mon, 24 Dec 2018 16:58:22 +0800");
  assert.equal(rfc2822(Date.parse("2025-12-31T16:00:00.000Z")), "Thu, 01 Jan 2026 00:00:00 +0800");
  assert.equal(rfc2822(Date.parse("2024-02-28T18:30:05.000Z")), "Thu, 29 Feb 2024 02:30:05 +0800");
});

test("segmentsOf: GSM-7 basic and extension sets, UCS-2 for anything else, UTF-16 units", () => {
  assert.equal(segmentsOf(""), 0);
  assert.equal(segmentsOf("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ!\"#¤%&'()*+,-./:;<=>?¡ÄÖÑÜ§¿äöñüà"), 1);
  assert.equal(segmentsOf("€".repeat(80)), 1);
  assert.equal(segmentsOf("€".repeat(81)), 2);
  assert.equal(segmentsOf("|^{}[]~\\".repeat(10)), 1); // 8 characters × 2 septets × 10 = 160
  assert.equal(segmentsOf(`${"|^{}[]~\\".repeat(10)}a`), 2);
  assert.equal(segmentsOf("a".repeat(459)), 3);
  assert.equal(segmentsOf("a".repeat(460)), 4);
  assert.equal(segmentsOf("`"), 1, "a backtick is not GSM-7: UCS-2, still one segment");
  assert.equal(segmentsOf("`".repeat(71)), 2);
  assert.equal(segmentsOf("😀".repeat(35)), 1, "70 UTF-16 units");
  assert.equal(segmentsOf("😀".repeat(36)), 2);
  assert.equal(segmentsOf("ç"), 1);
  assert.equal(segmentsOf("ç".repeat(71)), 2, "ç (small) is not in the basic set, only Ç is");
});

test("outcomeFor: the documented last-four-digits rule", () => {
  assert.equal(outcomeFor("6591239999"), "undelivered");
  assert.equal(outcomeFor("6591238888"), "expired");
  assert.equal(outcomeFor("6591237777"), "pending");
  for (const n of ["6591234567", "6591239998", "6591230888", "9999123456"]) assert.equal(outcomeFor(n), "delivered", n);
});
