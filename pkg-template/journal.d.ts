import type { CampaignJournal } from "./index.js";

/** A campaign journal in a file: `fileJournal`'s result. */
export interface FileJournal extends CampaignJournal {
  /**
   * Lets another process take the journal (removes `<path>.lock` when no other `fileJournal` of
   * this process holds it). Reading or appending afterwards throws `JOURNAL_FAILED`.
   */
  close(): void;
}

/**
 * A campaign journal in a file (Node only): one JSON entry per line, each append written and
 * fsync'ed before it returns. Pass the same path to `resumeCampaign` after a crash.
 *
 * One process writes a journal at a time: this holds `<path>.lock` until `close()` or the
 * process exits, and throws an `SmsError` `JOURNAL_LOCKED` when another running process holds it.
 * A lock left by a process that is gone (same host, pid not running) is taken over.
 */
export function fileJournal(path: string): FileJournal;
