// A fleet on Redis (issue 15), Node only: the shared pacer (`pacer` option) and the shared
// campaign store (`fleet` option) of src/wasm/types.d.ts on the caller's own Redis client,
// node-redis (`createClient()`) or ioredis (`new Redis()`), connected; the package depends on
// neither. This file only stores and orders: what a slot, claim, mark or entry may be, and what
// the stored entries prove, is decided by the core (src/fleet.rs), the same as for a file journal.
//
// Every operation is one Lua script, for three reasons: it is one round trip (a send waits for
// it); Redis runs a script alone, so "take the next slot", "claim a free request" and "mark it
// only while the claim holds" cannot interleave with another worker's; and the clock is the
// server's (`redis.call('TIME')`), one clock for every host, so their skew cannot put two sends
// of one key closer than the interval or end a lease early. A reply that Redis does not give in
// `timeoutMs` rejects, and the package stops before sending (FLEET_UNAVAILABLE).
//
// Keys: `{ags:pace:<hash>}` per AccessKeyId and operation, and `{ags:fleet:<hash>}:head|marks|
// outcomes|leases` per campaign. The hashes come from the core (neither the AccessKeyId nor the
// campaign id is stored); the braces keep a campaign's keys in one Redis Cluster slot.
import { createHash } from "node:crypto";

/** Milliseconds as a whole number from TIME (seconds, microseconds). */
const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/** Reads a lease "owner until" into who, untilms. */
const LEASE = `local function lease(held)
  if not held then return nil, 0 end
  local sep = string.find(held, ' ', 1, true)
  if not sep then return nil, 0 end
  return string.sub(held, 1, sep - 1), tonumber(string.sub(held, sep + 1)) or 0
end
`;

const SCRIPTS = {
  // KEYS[1] the pace's next free slot. ARGV: interval (ms). Reserves the next free slot at or
  // after now (the one after it is an interval later) and returns the wait until it.
  // Reserving ahead queues the processes fairly, one round trip each.
  take: `${NOW}
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
local at = math.max(now, nxt)
local after = at + tonumber(ARGV[1])
redis.call('SET', KEYS[1], string.format('%.0f', after), 'PX', string.format('%.0f', after - now + 60000))
return at - now`,
  // KEYS[1] the pace's last send. ARGV: interval (ms). Right before a send: 0 and the send is
  // recorded now, when the previous send
  // was recorded at least interval ago; else the wait until then. A reserved slot alone is not
  // enough: a process that was late for its slot (descheduled, a cold first fetch) sends later
  // than reserved, and the next one, on time, would follow it closer than the interval.
  send: `${NOW}
local last = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
local ready = last + tonumber(ARGV[1])
if now < ready then return ready - now end
redis.call('SET', KEYS[1], string.format('%.0f', now), 'PX', string.format('%.0f', tonumber(ARGV[1]) + 60000))
return 0`,
  // KEYS[1] the pace's last send. A send of the key had left by now (a process's first send was
  // answered, or a send left later than its record: src/wasm/send.rs), so the next send counts
  // from here if that is later than the record.
  left: `${NOW}
local last = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
if now > last then
  redis.call('SET', KEYS[1], string.format('%.0f', now), 'PX', 3600000)
end
return 1`,
  // KEYS: the pace's next slot, its last send. ARGV: ms, interval. No send before now + ms (the
  // service throttled someone), for slots already reserved too.
  penalize: `${NOW}
local after = now + tonumber(ARGV[1])
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
if after > nxt then
  redis.call('SET', KEYS[1], string.format('%.0f', after), 'PX', string.format('%.0f', after - now + 60000))
end
local last = tonumber(redis.call('GET', KEYS[2]) or '0') or 0
local gate = after - tonumber(ARGV[2])
if gate > last then
  redis.call('SET', KEYS[2], string.format('%.0f', gate), 'PX', string.format('%.0f', after - now + 60000))
end
return 1`,
  // KEYS[1] head. ARGV: the header entry. The first worker's header stays; all get it back.
  open: `redis.call('SET', KEYS[1], ARGV[1], 'NX')
return redis.call('GET', KEYS[1])`,
  // KEYS: head, marks, outcomes. One snapshot of all three.
  read: `return { redis.call('GET', KEYS[1]) or false, redis.call('HGETALL', KEYS[2]), redis.call('HGETALL', KEYS[3]) }`,
  // KEYS: marks, outcomes, leases, head. ARGV: requests, owner, lease ms. The first request with
  // no mark whose lease is free, ended or the owner's own: claimed, {k, 0}. Else {-1, ms until
  // the first lease held by another (a claim, or a mark in flight) ends}, or {-1, -1}: none left.
  // {-2, 0}: the campaign's header is gone (Redis lost what it held, marks too): nothing claimed.
  claim: `${NOW}${LEASE}
if redis.call('EXISTS', KEYS[4]) == 0 then return { -2, 0 } end
local owner = ARGV[2]
local wait = -1
local function soonest(untilms)
  if untilms > now and (wait < 0 or untilms - now < wait) then wait = untilms - now end
end
for k = 0, tonumber(ARGV[1]) - 1 do
  local f = tostring(k)
  if redis.call('HEXISTS', KEYS[2], f) == 0 then
    local who, untilms = lease(redis.call('HGET', KEYS[3], f))
    if redis.call('HEXISTS', KEYS[1], f) == 1 then
      soonest(untilms)
    elseif who == nil or untilms <= now or who == owner then
      redis.call('HSET', KEYS[3], f, owner .. ' ' .. string.format('%.0f', now + tonumber(ARGV[3])))
      return { k, 0 }
    else
      soonest(untilms)
    end
  end
end
return { -1, wait }`,
  // KEYS: marks, leases, head. ARGV: k, owner, entry, lease ms. Stored only while the owner's
  // claim holds and k has no mark: 1; else 0 (not sent); -2 the header is gone (as for claim).
  // The lease then covers the send. The same entry already stored is 1 too: a client that sends
  // a command again after a reconnect (ioredis does) must not read its own mark as a lost claim
  // (the entry holds the owner's random name: no other worker's is the same).
  mark: `${NOW}${LEASE}
if redis.call('EXISTS', KEYS[3]) == 0 then return -2 end
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[3] then return 1 end
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
local who, untilms = lease(redis.call('HGET', KEYS[2], ARGV[1]))
if who ~= ARGV[2] or untilms <= now then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2] .. ' ' .. string.format('%.0f', now + tonumber(ARGV[4])))
return 1`,
  // KEYS: marks, leases. ARGV: k, owner. The owner gives up its claim of k, which has no mark
  // (it stopped before marking): 1; else 0 and nothing changes.
  release: `${LEASE}
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
local who = lease(redis.call('HGET', KEYS[2], ARGV[1]))
if who ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[2], ARGV[1])
return 1`,
  // KEYS: marks, leases, head. ARGV: k, mark. The marker's send left nothing (not_sent): its
  // mark goes, and the request is free to claim. 1 once the mark is not there (removed now, or
  // by this same command sent before); -2 the header is gone.
  unmark: `if redis.call('EXISTS', KEYS[3]) == 0 then return -2 end
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[2], ARGV[1])
end
return 1`,
  // KEYS: marks, outcomes, leases. ARGV: k, mark, outcome. Stored over its own mark only: 1
  // (also when this same outcome is already there: the command sent again).
  finish: `if redis.call('HGET', KEYS[2], ARGV[1]) == ARGV[3] then return 1 end
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
redis.call('HDEL', KEYS[3], ARGV[1])
return 1`,
};

const SHA = Object.fromEntries(Object.entries(SCRIPTS).map(([name, text]) => [name, createHash("sha1").update(text).digest("hex")]));

/** How to send one command on `client`: ioredis has `call`, node-redis `sendCommand`. */
function commander(client) {
  if (client && typeof client.call === "function") return (args) => client.call(...args);
  if (client && typeof client.sendCommand === "function") return (args) => client.sendCommand(args);
  throw new TypeError("aliyun-globe-sms/redis: pass a connected node-redis or ioredis client");
}

/** Rejects when `promise` has not settled in `ms`. */
function within(promise, ms) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`aliyun-globe-sms/redis: no answer from Redis in ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Runs the named script: EVALSHA, and EVAL once when Redis does not have it (a restart). */
function runner(client, timeoutMs) {
  const send = commander(client);
  const stats = { roundTrips: 0 };
  async function run(name, keys, args) {
    const tail = [String(keys.length), ...keys, ...args.map(String)];
    stats.roundTrips += 1;
    try {
      return await within(Promise.resolve(send(["EVALSHA", SHA[name], ...tail])), timeoutMs);
    } catch (error) {
      if (!String(error?.message ?? error).includes("NOSCRIPT")) throw error;
      stats.roundTrips += 1;
      return within(Promise.resolve(send(["EVAL", SCRIPTS[name], ...tail])), timeoutMs);
    }
  }
  return { run, stats };
}

function timeout(options) {
  const ms = options?.timeoutMs ?? 5000;
  if (!Number.isInteger(ms) || ms < 1) throw new TypeError("aliyun-globe-sms/redis: timeoutMs must be a positive whole number");
  return ms;
}

/**
 * The `pacer` option: every send for one AccessKeyId and operation, in every process using
 * this Redis, takes its slot here. `stats.roundTrips` counts the commands sent.
 */
export function redisPacer(client, options = {}) {
  const { run, stats } = runner(client, timeout(options));
  return {
    stats,
    take: (key, intervalMs) => run("take", [`{${key}}:next`], [intervalMs]),
    send: (key, intervalMs) => run("send", [`{${key}}:sent`], [intervalMs]),
    left: (key) => run("left", [`{${key}}:sent`], []),
    penalize: (key, ms, intervalMs) => run("penalize", [`{${key}}:next`, `{${key}}:sent`], [ms, intervalMs]),
  };
}

/** `[f1, v1, f2, v2, ...]` (HGETALL) as `[[f1, v1], ...]`. */
function pairs(flat) {
  const out = [];
  if (!Array.isArray(flat)) return null;
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([String(flat[i]), String(flat[i + 1])]);
  return out;
}

/**
 * The `fleet` option: one campaign, named `id` in every worker, kept in this Redis. `leaseMs`:
 * how long a claim holds a request before another worker may take it over (default 60 s; it
 * covers the mark's round trip and the request's send: the slot is taken before the claim).
 * `stats.roundTrips` counts the commands sent.
 */
export function redisCampaign(client, options = {}) {
  if (typeof options.id !== "string" || options.id.length === 0) {
    throw new TypeError("aliyun-globe-sms/redis: redisCampaign needs { id }, the campaign's name in every worker");
  }
  const { run, stats } = runner(client, timeout(options));
  const keys = (key, ...names) => names.map((name) => `{${key}}:${name}`);
  return {
    id: options.id,
    leaseMs: options.leaseMs,
    stats,
    open: (key, head) => run("open", keys(key, "head"), [head]),
    async read(key) {
      const [head, marks, outcomes] = await run("read", keys(key, "head", "marks", "outcomes"), []);
      return { head: typeof head === "string" ? head : null, marks: pairs(marks), outcomes: pairs(outcomes) };
    },
    claim: (key, requests, owner, leaseMs) => run("claim", keys(key, "marks", "outcomes", "leases", "head"), [requests, owner, leaseMs]),
    mark: (key, k, owner, entry, leaseMs) => run("mark", keys(key, "marks", "leases", "head"), [k, owner, entry, leaseMs]),
    unmark: (key, k, mark) => run("unmark", keys(key, "marks", "leases", "head"), [k, mark]),
    release: (key, k, owner) => run("release", keys(key, "marks", "leases"), [k, owner]),
    finish: (key, k, mark, outcome) => run("finish", keys(key, "marks", "outcomes", "leases"), [k, mark, outcome]),
  };
}

