import type { CampaignJournal } from "./index.js";

/**
 * A campaign journal in a file (Node only): one JSON entry per line, each append written and
 * fsync'ed before it returns. Pass the same path to `resumeCampaign` after a crash.
 */
export function fileJournal(path: string): CampaignJournal;
