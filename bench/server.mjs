// The local server both clients send to (figures 2 and 4): the package's sandbox, throttling off,
// in its own process so its CPU and memory are not the client's. Prints one JSON line
// `{ url, endpoint, key }` once listening; stops when its standard input closes.
import { DEFAULT_KEY, startSandbox } from "aliyun-globe-sms/sandbox";

const sandbox = await startSandbox({ qps: Infinity });
process.stdout.write(JSON.stringify({ url: sandbox.url, endpoint: sandbox.endpoint, key: DEFAULT_KEY }) + "\n");
process.stdin.resume();
process.stdin.on("end", async () => {
  await sandbox.close();
  process.exit(0);
});
