// load.mjs -- imports a generated Fastly source with its "fastly:*" imports pointed at the
// stand-ins next to this file (Node has no such scheme): a copy in a temporary folder.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));

/** The source text with each `from "fastly:NAME"` importing ./fastly-modules/NAME.mjs instead. */
export function fastlyLocal(src) {
  return src.replace(/from\s+"fastly:([a-z-]+)"/g, function (_, name) {
    const stub = path.join(here, name + ".mjs");
    if (!fs.existsSync(stub)) throw new Error("no stand-in for fastly:" + name);
    return "from " + JSON.stringify(pathToFileURL(stub).href);
  });
}

/** Imports the Fastly source at `file` (rewritten, with `extra` appended); returns the module. */
export async function importFastly(file, extra) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fastly-src-"));
  try {
    const copy = path.join(dir, "index.mjs");
    fs.writeFileSync(copy, fastlyLocal(fs.readFileSync(file, "utf8")) + (extra || ""));
    return await import(pathToFileURL(copy).href);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
