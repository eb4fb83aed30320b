import type { FleetStore, SharedPacer } from "./index.js";

/** A connected node-redis (`createClient()`) or ioredis (`new Redis()`) client. */
export type RedisClient =
  | { call(command: string, ...args: (string | number)[]): Promise<unknown> }
  | { sendCommand(args: string[]): Promise<unknown> };

export interface RedisStoreOptions {
  /** Milliseconds to wait for each Redis reply before stopping (FLEET_UNAVAILABLE). @default 5000 */
  timeoutMs?: number;
}

/** Commands sent so far (each operation is one, plus one when Redis had to load a script). */
export interface RedisStats {
  roundTrips: number;
}

/**
 * The `pacer` option on Redis: every send for one AccessKeyId (and operation), in every process
 * sharing this Redis, takes its slot atomically from it (Lua scripts on the server's clock: the
 * slot, then the send once the previous one is an interval old).
 */
export function redisPacer(client: RedisClient, options?: RedisStoreOptions): SharedPacer & { stats: RedisStats };

export interface RedisCampaignOptions extends RedisStoreOptions {
  /** The campaign's name, the same in every worker. */
  id: string;
  /** How long a claim holds a request before another worker may take it over (1000 to 3600000). @default 60000 */
  leaseMs?: number;
}

/** The `fleet` option on Redis: one campaign worked by many processes, none sent twice. */
export function redisCampaign(client: RedisClient, options: RedisCampaignOptions): FleetStore & { stats: RedisStats };

