// The dedicated Web Worker's module, served over HTTP to Chromium. The import below is rewritten to
// the URL of the package's "browser" condition (what a CDN or bundler resolves); the module
// loads its .wasm from beside that file, its default, with no help.
import * as sms from "%PACKAGE_ENTRY%";
import { scenario } from "/scenario.mjs";

self.onmessage = async (event) => {
  try {
    const result = await scenario(sms, event.data);
    self.postMessage({ scope: self.constructor.name, result });
  } catch (error) {
    self.postMessage({ scope: self.constructor.name, error: { code: error?.code, message: String(error?.message ?? error) } });
  }
};
