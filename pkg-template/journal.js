// A campaign journal in a file (Node only): one JSON entry per line, each append written and
// fsync'ed before it returns, so a request is on disk before it is sent.
import { closeSync, fsyncSync, openSync, readFileSync, writeSync } from "node:fs";

/**
 * A journal kept in the file at `path` (created if missing). Pass the same path to
 * `resumeCampaign` after a crash.
 */
export function fileJournal(path) {
  return {
    read() {
      let text;
      try {
        text = readFileSync(path, "utf8");
      } catch (error) {
        if (error && error.code === "ENOENT") return [];
        throw error;
      }
      return text.split("\n").filter((line) => line.length > 0);
    },
    append(entry) {
      const fd = openSync(path, "a");
      try {
        writeSync(fd, entry + "\n");
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    },
  };
}
