// Credentials for the command line: the official environment variables (read by the package's
// Node entry, node.js), or a profile of the official `aliyun` CLI's config file,
// ~/.aliyun/config.json: `{ current, profiles: [{ name, mode, access_key_id, access_key_secret,
// sts_token, … }] }`. Of its modes, AK and StsToken hold keys; the others (RamRoleArn,
// EcsRamRole, OIDC, …) need a call to STS first and are refused with their name.
// Nothing here prints a key, a secret, a token or the file's text.

import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { UsageError } from "./args.js";

/** The config file's path: the official CLI's place in the home directory. */
export function configPath() {
  return join(homedir(), ".aliyun", "config.json");
}

/** The parsed config file, or null when there is none or it cannot be read as JSON. */
function readConfig() {
  let text;
  try {
    text = readFileSync(configPath(), "utf8");
  } catch {
    return null;
  }
  try {
    const config = JSON.parse(text);
    return config && typeof config === "object" && Array.isArray(config.profiles) ? config : { unreadable: true };
  } catch {
    return { unreadable: true };
  }
}

function environment(name) {
  const value = process.env[name];
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** Every secret this process could know, so that none is accepted as an argument. */
export function knownSecrets() {
  const secrets = [environment("ALIBABA_CLOUD_ACCESS_KEY_SECRET"), environment("ALIBABA_CLOUD_SECURITY_TOKEN")];
  const config = readConfig();
  for (const profile of config?.profiles ?? []) {
    if (profile && typeof profile === "object") secrets.push(profile.access_key_secret, profile.sts_token);
  }
  return secrets.filter((s) => typeof s === "string" && s !== "");
}

/**
 * The `credentials` option for the package: from `--profile NAME` (or ALIBABA_CLOUD_PROFILE when
 * the environment holds no key), otherwise undefined, and the package's Node entry reads the
 * environment. Throws a UsageError when no source holds a key.
 */
export function credentialsFor(profileName) {
  const name = profileName ?? (environment("ALIBABA_CLOUD_ACCESS_KEY_ID") ? undefined : environment("ALIBABA_CLOUD_PROFILE"));
  if (name === undefined) {
    if (environment("ALIBABA_CLOUD_ACCESS_KEY_ID") && environment("ALIBABA_CLOUD_ACCESS_KEY_SECRET")) return undefined;
    throw new UsageError(
      "no credentials: set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (and ALIBABA_CLOUD_SECURITY_TOKEN for STS), or pass --profile NAME",
    );
  }
  const config = readConfig();
  if (config === null) throw new UsageError(`--profile: there is no ${configPath()} (made by \`aliyun configure\`)`);
  if (config.unreadable) throw new UsageError(`--profile: ${configPath()} is not the aliyun CLI's JSON config`);
  const profile = config.profiles.find((p) => p && typeof p === "object" && p.name === name);
  if (!profile) throw new UsageError(`--profile: no profile of that name in ${configPath()}`);
  const id = typeof profile.access_key_id === "string" ? profile.access_key_id : "";
  const secret = typeof profile.access_key_secret === "string" ? profile.access_key_secret : "";
  switch (profile.mode) {
    case "AK":
    case undefined:
      if (!id || !secret) throw new UsageError("--profile: the profile has no access_key_id / access_key_secret");
      return { accessKeyId: id, accessKeySecret: secret };
    case "StsToken": {
      const token = typeof profile.sts_token === "string" ? profile.sts_token : "";
      if (!id || !secret || !token) throw new UsageError("--profile: the StsToken profile lacks access_key_id, access_key_secret or sts_token");
      return { accessKeyId: id, accessKeySecret: secret, securityToken: token };
    }
    default: {
      const mode = typeof profile.mode === "string" && /^\w{1,40}$/.test(profile.mode) ? profile.mode : "this";
      throw new UsageError(`--profile: ${mode} mode is not supported here (AK and StsToken are); export the keys instead`);
    }
  }
}
