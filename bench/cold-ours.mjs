// Cold start, ours (figure 3): a fresh process imports the package by name and builds its first
// signed request of the 100-recipient batch. run.mjs times it from spawn to exit.
import { signRequest } from "aliyun-globe-sms";
import { batch } from "./fixtures.mjs";

const { to, messages } = batch("ascii100");
const request = signRequest({
  credentials: { accessKeyId: "LTAI5tColdStartKey", accessKeySecret: "ColdStartSecret0123456789" },
  to,
  message: messages,
  from: "Alicloud",
});
if (!request.url.includes("Signature=")) throw new Error("no signature");
