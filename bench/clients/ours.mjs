// Our package, imported by name: run.mjs installs the packed tarball into the temp project that
// holds a copy of bench/, so "aliyun-globe-sms" resolves to that installed copy.
import { batchSend, signRequest } from "aliyun-globe-sms";
import { FROM, TYPE } from "../fixtures.mjs";

const SCHEMES = { v1: "1.0", acs3: "ACS3" };

export const name = "ours";

/**
 * A client bound to one key and endpoint. `sign` validates, builds and signs (fresh timestamp
 * and random nonce each call, as for a send) and returns `{ method, url, headers, body }`.
 */
export function client({ key, scheme, endpointUrl }) {
  const base = {
    credentials: { accessKeyId: key.accessKeyId, accessKeySecret: key.accessKeySecret },
    signatureVersion: SCHEMES[scheme],
    from: FROM,
    type: TYPE,
    ...(endpointUrl ? { endpoint: endpointUrl } : {}),
  };
  return {
    sign: ({ to, messages }) => signRequest({ ...base, to, message: messages }),
    send: async ({ to, messages }) => {
      const result = await batchSend({ ...base, to, message: messages });
      return result.sent.length + result.failed.length;
    },
  };
}
