// A campaign journal in a file (Node only): each entry is one line (the core ends every entry
// with its newline), appended and fsync'ed before `append` returns, so a request is on disk
// before it is sent. The file only stores: which entries prove what (sequence numbers,
// checksums, a torn last line) is decided by the core (src/journal.rs), the same for every
// journal.
import { closeSync, fsyncSync, openSync, readFileSync, ftruncateSync, writeSync } from "node:fs";

/** Reads the file, or returns null when there is none. */
function contents(path) {
  try {
    return readFileSync(path);
  } catch (error) {
    if (error && error.code === "ENOENT") return null;
    throw error;
  }
}

/**
 * A journal kept in the file at `path` (created by the first append). Pass the same path to
 * `resumeCampaign` after a crash: a path with no file reads as an empty journal, which
 * `resumeCampaign` refuses (JOURNAL_EMPTY) rather than start over.
 */
export function fileJournal(path) {
  // A crash can leave the last line torn (no newline): an append that never returned. It is cut
  // off before the first append of this run; appended to, it would hide the new entry. The core
  // marks the first entry after a torn one, so the cut is provably the torn line only.
  let tailChecked = false;
  return {
    read() {
      const bytes = contents(path);
      if (bytes === null) return [];
      // Each line with its newline; a last line without one is returned as it is (torn).
      const text = bytes.toString("utf8");
      const entries = [];
      let start = 0;
      while (start < text.length) {
        const end = text.indexOf("\n", start);
        if (end === -1) {
          entries.push(text.slice(start));
          break;
        }
        entries.push(text.slice(start, end + 1));
        start = end + 1;
      }
      return entries;
    },
    append(entry) {
      const fd = openSync(path, "a+");
      try {
        if (!tailChecked) {
          const bytes = contents(path) ?? Buffer.alloc(0);
          if (bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a) {
            ftruncateSync(fd, bytes.lastIndexOf(0x0a) + 1);
          }
          tailChecked = true;
        }
        writeSync(fd, entry);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    },
  };
}
