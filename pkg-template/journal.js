// A campaign journal in a file (Node only): each entry is one line (the core ends every entry
// with its newline), appended and fsync'ed before `append` returns, so a request is on disk
// before it is sent. The file only stores: which entries prove what (sequence numbers,
// checksums, a torn last line) is decided by the core (src/journal.rs), the same for every
// journal.
import { closeSync, fsyncSync, ftruncateSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { resolve } from "node:path";
import { SmsError } from "./errors.js";

// One process writes a journal at a time. Two processes on one journal (`resume` typed in two
// terminals, `status` while `send` runs) would each read it, then each send the requests it
// shows as not sent: a double send the journal's checks only see afterwards. So `fileJournal`
// holds `<path>.lock`, made with O_EXCL (`wx`), holding the owner's pid, host and start, until
// `close()` or the process exits. A lock left by a process that is gone (SIGKILL, a crash) is
// taken over only when its host is this one and its pid is not running, and only under a second
// exclusive file, `<path>.lock.takeover`, so two processes recovering at once cannot both take it.
// Anything else (another host, an unreadable lock, a takeover left by a crash) is refused with
// the file to remove by hand: refusing is always safe, guessing is not.

/** Locks this process holds: absolute lock path → number of open fileJournals on it. */
const held = new Map();
let exitHook = false;

function lockedError(path, lockPath, why) {
  return new SmsError(
    `the journal ${path} is in use: ${why}. One process writes a journal at a time, so that two cannot send the same requests; ` +
      `wait for it to finish, or, once you know that process is gone, remove ${lockPath}`,
    { code: "JOURNAL_LOCKED", field: "journal" },
  );
}

/** The lock cannot be made (no such directory, no permission): neither can the journal. */
function lockFailed(path, lockPath, error) {
  return new SmsError(`the journal ${path} cannot be written: its lock ${lockPath} cannot be created (${error?.code ?? "failed"}); nothing was sent`, {
    code: "JOURNAL_FAILED",
    field: "journal",
  });
}

function readLock(lockPath) {
  try {
    const owner = JSON.parse(readFileSync(lockPath, "utf8"));
    return Number.isSafeInteger(owner?.pid) && typeof owner.host === "string" ? owner : null;
  } catch (error) {
    return error?.code === "ENOENT" ? undefined : null;
  }
}

function running(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: a process of another user has that pid: it runs.
    return error?.code !== "ESRCH";
  }
}

function createLock(lockPath) {
  const fd = openSync(lockPath, "wx");
  try {
    writeSync(fd, `${JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() })}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function removeQuietly(path) {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}

/** Takes `<path>.lock` for this process, or throws JOURNAL_LOCKED. */
function acquire(path) {
  const lockPath = `${resolve(path)}.lock`;
  if (held.has(lockPath)) {
    held.set(lockPath, held.get(lockPath) + 1);
    return lockPath;
  }
  try {
    createLock(lockPath);
  } catch (error) {
    if (error?.code !== "EEXIST") throw lockFailed(path, lockPath, error);
    takeOver(path, lockPath);
  }
  held.set(lockPath, 1);
  if (!exitHook) {
    exitHook = true;
    process.on("exit", () => {
      for (const lock of held.keys()) removeQuietly(lock);
    });
  }
  return lockPath;
}

function takeOver(path, lockPath) {
  const owner = readLock(lockPath);
  if (owner === null) throw lockedError(path, lockPath, `${lockPath} is not a lock this package wrote`);
  if (owner !== undefined) {
    const who = `process ${owner.pid} on ${owner.host} holds it since ${owner.since}`;
    if (owner.host !== hostname()) throw lockedError(path, lockPath, `${who} (another host: its process cannot be checked from here)`);
    if (owner.pid === process.pid || running(owner.pid)) throw lockedError(path, lockPath, who);
  }
  const takeoverPath = `${lockPath}.takeover`;
  try {
    closeSync(openSync(takeoverPath, "wx"));
  } catch (error) {
    if (error?.code !== "EEXIST") throw lockFailed(path, lockPath, error);
    throw lockedError(path, lockPath, `another process is taking over a lock left by a stopped one (${takeoverPath})`);
  }
  try {
    // Under the takeover file no other process replaces a stale lock; one may still have made a
    // fresh lock where none was (undefined above): then createLock fails and it holds the file.
    const again = readLock(lockPath);
    if (again !== undefined) {
      if (again === null || again.pid !== owner?.pid || again.host !== owner?.host) {
        throw lockedError(path, lockPath, "another process took it a moment ago");
      }
      removeQuietly(lockPath);
    }
    try {
      createLock(lockPath);
    } catch (error) {
      if (error?.code === "EEXIST") throw lockedError(path, lockPath, "another process took it a moment ago");
      throw lockFailed(path, lockPath, error);
    }
  } finally {
    removeQuietly(takeoverPath);
  }
}

function release(lockPath) {
  const count = held.get(lockPath);
  if (count === undefined) return;
  if (count > 1) {
    held.set(lockPath, count - 1);
    return;
  }
  held.delete(lockPath);
  removeQuietly(lockPath);
}

function closedError(path) {
  return new SmsError(`the journal ${path} was closed: open it again with fileJournal`, { code: "JOURNAL_FAILED", field: "journal" });
}

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
 * `resumeCampaign` refuses (JOURNAL_EMPTY) rather than start over. Holds `<path>.lock` for this
 * process until `close()` or exit (JOURNAL_LOCKED when another running process holds it).
 */
export function fileJournal(path) {
  let lockPath = acquire(path);
  // A crash can leave the last line torn (no newline): an append that never returned. It is cut
  // off before the first append of this run; appended to, it would hide the new entry. The core
  // marks the first entry after a torn one, so the cut is provably the torn line only.
  let tailChecked = false;
  return {
    read() {
      if (lockPath === null) throw closedError(path);
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
      if (lockPath === null) throw closedError(path);
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
    /** Lets another process take the journal; reading or appending after it is refused. */
    close() {
      if (lockPath !== null) release(lockPath);
      lockPath = null;
    },
  };
}
