// The workerd test's worker, bundled by esbuild as wrangler does (conditions workerd, worker,
// browser: the package's browser entry) with the .wasm left as a module import; it is the
// README's worker example plus a /run route that runs the scenario inside workerd.
import * as sms from "aliyun-globe-sms";
import wasm from "aliyun-globe-sms/aliyun_globe_sms_bg.wasm";
import { scenario } from "./scenario.mjs";

let sign;
export default {
  async fetch(request, env) {
    await sms.ready(wasm);
    const credentials = { accessKeyId: env.ACCESS_KEY_ID, accessKeySecret: env.ACCESS_KEY_SECRET };
    if (new URL(request.url).pathname === "/run") {
      try {
        return Response.json(await scenario(sms, { endpoint: env.SANDBOX_URL, credentials, runtime: "workerd" }));
      } catch (error) {
        return Response.json({ error: { code: error?.code, message: String(error?.message ?? error) } }, { status: 500 });
      }
    }
    sign ??= sms.createSigningHandler({ credentials, endpoint: env.SANDBOX_URL, allow: { senderIds: ["Acme"] } });
    return sign(request);
  },
};
