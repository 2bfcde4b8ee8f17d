// eval-config.mjs -- loads a generated connector file the way its runtime would (ES module or
// CommonJS, platform modules stubbed) and prints its CONFIG object as JSON: parsing, not reading text.
// Usage: node eval-config.mjs FILE
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { fastlyLocal } from "./fastly-modules/load.mjs";

const file = path.resolve(process.argv[2]);
const here = path.dirname(fileURLToPath(import.meta.url));
const src = fastlyLocal(fs.readFileSync(file, "utf8"));   // Fastly's "fastly:*" imports: the stand-ins
const commonjs = /^\s*exports\.\w+\s*=/m.test(src);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "eval-config-"));
try {
  fs.symlinkSync(path.join(here, "akamai-modules"), path.join(dir, "node_modules"));
  // The bundle's other scripts sit beside the copy, for an import or require of "./config.js" (as ES
  // modules beside an ES module).
  for (const f of fs.readdirSync(path.dirname(file)))
    if (f.endsWith(".js") && path.join(path.dirname(file), f) !== file) fs.copyFileSync(path.join(path.dirname(file), f), path.join(dir, f));
  if (!commonjs) fs.writeFileSync(path.join(dir, "package.json"), "{\"type\": \"module\"}\n");
  const copy = path.join(dir, commonjs ? "bundle.cjs" : "bundle.mjs");
  fs.writeFileSync(copy, src + "\nglobalThis.__connectorConfig = CONFIG;\n");
  globalThis.addEventListener = function () {};
  if (commonjs) createRequire(import.meta.url)(copy);
  else await import(pathToFileURL(copy).href);
  process.stdout.write(JSON.stringify(globalThis.__connectorConfig) + "\n");
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
