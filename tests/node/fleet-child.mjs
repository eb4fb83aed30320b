// One worker of a fleet (fleet.test.mjs, bench/fleet.mjs): the installed package imported by
// name, its Redis client (node-redis or ioredis) on the parent's redis-server, sending to the
// parent's sandbox. Arguments: one JSON object
//   { url, port, client: "node-redis" | "ioredis", list: { count, offset? }, qps, id?, leaseMs?,
//     timeoutMs?, markDelayMs?, message, result }
// With `id`, the worker runs the fleet campaign `id` over campaignList(count) (ledger.mjs);
// without, a campaign of its own over `count` numbers from `offset` (independent campaigns on
// one key); with `messages`, that many sendMessage calls instead. Every send takes its slot from
// the shared pacer. It writes
// { error, counts, pacerRoundTrips, fleetRoundTrips } as JSON to `result` (error: the SmsError's
// code, or null; REDIS_DOWN when it could not connect) and exits 0.

import { writeFileSync } from "node:fs";
import { isSmsError, sendCampaign, sendMessage } from "aliyun-globe-sms";
import { redisCampaign, redisPacer } from "aliyun-globe-sms/redis";
import { DEFAULT_KEY } from "aliyun-globe-sms/sandbox";
import { campaignList } from "./ledger.mjs";
import { CLIENTS } from "./redis-server.mjs";

const args = JSON.parse(process.argv[2]);
let connected;
try {
  connected = await CLIENTS[args.client](args.port);
} catch {
  // Redis is down (a test killed it): this worker never started, and sent nothing.
  writeFileSync(args.result, JSON.stringify({ error: "REDIS_DOWN", counts: null, pacerRoundTrips: 0, fleetRoundTrips: 0 }));
  process.exit(0);
}
const { client, close } = connected;
const pacer = redisPacer(client, { timeoutMs: args.timeoutMs ?? 5000 });
const fleet = args.id ? redisCampaign(client, { id: args.id, leaseMs: args.leaseMs, timeoutMs: args.timeoutMs ?? 5000 }) : undefined;
if (fleet && args.markDelayMs) {
  // The window between a claim and its mark is one round trip; a test that stops the worker in
  // it (SIGSTOP) widens it here, in the store this worker is given.
  const mark = fleet.mark;
  fleet.mark = async (...callArgs) => {
    await new Promise((resolve) => setTimeout(resolve, args.markDelayMs));
    return mark(...callArgs);
  };
}
const to = args.id
  ? campaignList(args.list.count).to
  : Array.from({ length: args.list.count }, (_, i) => `+852 6${String(args.list.offset + i).padStart(7, "0")}`);
let report;
if (args.messages) {
  // `messages` one-to-one sends (sendMessage) of this process's own numbers, one after another.
  let sent = 0;
  let error = null;
  for (const number of to.slice(0, args.messages)) {
    try {
      await sendMessage({ credentials: DEFAULT_KEY, endpoint: args.url, to: number, message: args.message, qps: args.qps, pacer });
      sent += 1;
    } catch (thrown) {
      if (!isSmsError(thrown)) throw thrown;
      error = thrown.code;
      break;
    }
  }
  writeFileSync(args.result, JSON.stringify({ error, counts: { sent }, pacerRoundTrips: pacer.stats.roundTrips, fleetRoundTrips: 0 }));
  await close();
  process.exit(0);
}
try {
  const ledger = await sendCampaign({ credentials: DEFAULT_KEY, endpoint: args.url, to, message: args.message, qps: args.qps, pacer, fleet });
  report = { error: null, counts: ledger.counts };
} catch (error) {
  if (!isSmsError(error)) throw error;
  report = { error: error.code, counts: error.ledger?.counts ?? null };
}
report.pacerRoundTrips = pacer.stats.roundTrips;
report.fleetRoundTrips = fleet?.stats.roundTrips ?? 0;
writeFileSync(args.result, JSON.stringify(report));
await close();
