// A campaign journal in a file (Node only): one JSON entry per line, each append written and
// fsync'ed before it returns, so a request is on disk before it is sent.
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
 * A journal kept in the file at `path` (created if missing). Pass the same path to
 * `resumeCampaign` after a crash.
 */
export function fileJournal(path) {
  // A crash can leave the last line torn (no newline): an append that never returned, which
  // resuming ignores. It is cut off before the first append of this run; appended to, it would
  // hide the new entry (a request written, then sent) from the next resume, or make the whole
  // journal unreadable.
  let tailChecked = false;
  return {
    read() {
      const bytes = contents(path);
      if (bytes === null) return [];
      return bytes.toString("utf8").split("\n").filter((line) => line.length > 0);
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
        writeSync(fd, entry + "\n");
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    },
  };
}
