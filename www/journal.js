// The page's campaigns in IndexedDB (issue 16): what was composed and sent, and each campaign's
// journal, so a reload or a crash mid-campaign loses nothing and a batch already sent is
// recognised when Send is pressed again.
//
// The journal only stores (README.md "sendCampaign … resumeCampaign": any `{ append, read }`
// durable when `append` resolves, giving every entry back exactly as given, in order); what the
// entries prove is decided by the package (src/journal.rs). So `append` resolves only when its
// transaction has completed with "strict" durability (flushed, not only handed to the OS).
//
// Nothing secret is kept here: the numbers, texts and options of a batch, the signing mode (never
// a key), the package's journal entries (which hold a key only as part of a SHA-256 fingerprint),
// counts for the resume offer, and a SHA-256 identity of the batch.

const NAME = "aliyun-globe-sms-page";
const VERSION = 1;
/** Campaign records, by `id`: what `runCampaign` in app.js needs to resume or recognise one. */
const CAMPAIGNS = "campaigns";
/** Journal entries `{ campaign, entry }`, keyed by an increasing number: their order is the journal's. */
const ENTRIES = "entries";

let opening = null;
/**
 * Where campaigns go when the browser refuses IndexedDB (some private modes, storage disabled):
 * in memory, so sending and the "send again" guard still work for the page's life, but nothing
 * survives a reload. `durable()` tells the page which.
 */
const memory = { campaigns: new Map(), entries: [] };

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** The database, or null when this browser will not open one. */
function open() {
  opening ??= new Promise((resolve, reject) => {
    if (typeof indexedDB === "undefined") throw new Error("no IndexedDB");
    const req = indexedDB.open(NAME, VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      db.createObjectStore(CAMPAIGNS, { keyPath: "id" });
      db.createObjectStore(ENTRIES, { autoIncrement: true }).createIndex("campaign", "campaign");
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
    req.onblocked = () => reject(new Error("the page's database is held by another tab of an older version"));
  }).catch(() => null);
  return opening;
}

/** Whether campaigns outlive a reload here (IndexedDB), or only the page (memory). */
export async function durable() {
  return (await open()) !== null;
}

/** Runs `fn(stores)` in one transaction and resolves with its value once the transaction is durable. */
async function transact(names, mode, fn) {
  const db = await open();
  const tx = db.transaction(names, mode, { durability: "strict" });
  const done = new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error("the transaction was aborted"));
  });
  const stores = Object.fromEntries([names].flat().map((n) => [n, tx.objectStore(n)]));
  const value = await fn(stores);
  await done;
  return value;
}

/** The journal of campaign `id`, as sendCampaign, resumeCampaign and recordReports take it. */
export function campaignJournal(id) {
  return {
    async append(entry) {
      if (!(await open())) {
        memory.entries.push({ campaign: id, entry });
        return;
      }
      await transact(ENTRIES, "readwrite", ({ entries }) => {
        entries.add({ campaign: id, entry });
      });
    },
    async read() {
      if (!(await open())) return memory.entries.filter((e) => e.campaign === id).map((e) => e.entry);
      // The index lists equal keys in primary-key order: the order they were appended in.
      return transact(ENTRIES, "readonly", async ({ entries }) =>
        (await request(entries.index("campaign").getAll(IDBKeyRange.only(id)))).map((e) => e.entry),
      );
    },
  };
}

export async function saveCampaign(record) {
  if (!(await open())) {
    memory.campaigns.set(record.id, structuredClone(record));
    return;
  }
  await transact(CAMPAIGNS, "readwrite", ({ campaigns }) => {
    campaigns.put(record);
  });
}

export async function listCampaigns() {
  if (!(await open())) return [...memory.campaigns.values()].map((r) => structuredClone(r));
  return transact(CAMPAIGNS, "readonly", ({ campaigns }) => request(campaigns.getAll()));
}

const LOCK_PREFIX = "aliyun-globe-sms-campaign:";
/** What `withCampaignLock` resolves with when another tab holds the campaign. */
export const BUSY = Symbol("busy");

/**
 * Runs `fn` holding campaign `id`'s lock (Web Locks, shared by this origin's tabs), so one tab at a
 * time sends, resumes or records reports for it: two writers would break its journal's chain
 * (README.md: "One writer per journal"), and two tabs resuming it would both send the rest.
 * Resolves with `fn`'s value, or `BUSY` at once when another tab holds it.
 */
export function withCampaignLock(id, fn) {
  if (!globalThis.navigator?.locks) return fn();
  return navigator.locks.request(`${LOCK_PREFIX}${id}`, { ifAvailable: true }, (lock) => (lock ? fn() : BUSY));
}

/** The campaigns a tab of this origin is sending or recording right now. */
export async function campaignsInUse() {
  if (!globalThis.navigator?.locks) return new Set();
  const { held } = await navigator.locks.query();
  return new Set(held.filter((l) => l.name.startsWith(LOCK_PREFIX)).map((l) => l.name.slice(LOCK_PREFIX.length)));
}

/** A SHA-256 of what makes a batch the same batch: its numbers, texts, sender ID, type and TaskId. */
export async function batchIdentity(batch) {
  const text = JSON.stringify([batch.to, batch.message, batch.from, batch.type, batch.taskId]);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
