// Cold start, official SDK (figure 3): a fresh process imports @alicloud/dysmsapi20180501, creates
// a Client and builds + signs its first request of the 100-recipient batch, its HTTP call
// replaced by the canned answer of figure 1 (clients/sdk.mjs). run.mjs times it from spawn to exit.
import { client, installCannedTransport } from "./clients/sdk.mjs";
import { batch } from "./fixtures.mjs";

installCannedTransport();
const sdk = client({ key: { accessKeyId: "LTAI5tColdStartKey", accessKeySecret: "ColdStartSecret0123456789" }, scheme: "acs3" });
const response = await sdk.sign(batch("ascii100"));
if (response.body.responseCode !== "OK") throw new Error("canned answer not read");
