// Deno's and Bun's program: imports the package by name (both resolve its "node" condition) and
// prints the scenario's result as one JSON line. Arguments: endpoint, AccessKeyId, AccessKeySecret.
import * as sms from "aliyun-globe-sms";
import { scenario } from "./scenario.mjs";

const [endpoint, accessKeyId, accessKeySecret, runtime] = globalThis.Deno ? globalThis.Deno.args : process.argv.slice(2);
const result = await scenario(sms, { endpoint, credentials: { accessKeyId, accessKeySecret }, runtime });
console.log(JSON.stringify(result));
