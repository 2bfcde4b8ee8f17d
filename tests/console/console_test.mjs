// console_test.mjs -- the web console in a real browser: Debian's chromium driven by playwright-core.
// For every platform: pick it, check the form the schema gives, submit a bad value and read the
// API's own message beside the field, then download a bundle (two endpoints, reordered) and compare
// its bytes, its shown SHA-256 and its curl command with `bundlegen generate`. Then an older version
// beside its changelog, bearer-token mode, and the plain form with JavaScript off. Screenshots go to
// build/console/. Usage: node console_test.mjs BASE_URL TOKEN_BASE_URL TOKEN
import { chromium } from "playwright-core";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const [base, tokenBase, token] = process.argv.slice(2);
const REPO = new URL("../..", import.meta.url).pathname;
const BG = process.env.BUNDLEGEN_REL || join(REPO, "build/bundlegen");
const OUT = join(REPO, "build/console");
const TMP = join(OUT, "tmp");
rmSync(OUT, { recursive: true, force: true });
mkdirSync(TMP, { recursive: true });
let passed = 0, failed = 0;
const check = (cond, name, detail = "") => {
  if (cond) { passed++; console.log(`ok - ${name}`); }
  else { failed++; console.log(`not ok - ${name}`); if (detail) console.log(String(detail).split("\n").slice(0, 20).map(l => "    " + l).join("\n")); }
  return cond;
};
const sha256 = (b) => createHash("sha256").update(b).digest("hex");
const generate = (id, args) => {
  const out = join(TMP, `${id}-generated`);
  execFileSync(BG, ["generate", id, ...args, "--out", out, "--root", REPO], { stdio: "pipe" });
  return readFileSync(out);
};
const apiJson = async (url, headers = {}) => (await fetch(url, { headers })).json();

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
                                        args: ["--no-sandbox"], timeout: 60000 });
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.setDefaultTimeout(20000);
  await page.goto(base + "/");
  const platforms = (await apiJson(`${base}/v1/platforms`)).platforms;
  await page.waitForFunction(n => document.querySelectorAll("#platforms li").length === n, platforms.length);
  const listed = await page.$$eval("#platforms button", bs => bs.map(b => [b.dataset.id, b.querySelector("strong").textContent, b.querySelector(".runtime").textContent]));
  check(JSON.stringify(listed) === JSON.stringify(platforms.map(p => [p.id, p.name, p.runtime])),
        `the console lists the ${platforms.length} platforms with their names and runtimes`, JSON.stringify(listed));

  for (const p of platforms) {
    const desc = await apiJson(`${base}/v1/platforms/${p.id}`);
    await page.click(`#platforms button[data-id="${p.id}"]`);
    await page.waitForFunction(name => document.querySelector("#platform-title").textContent === name, p.name);
    await page.waitForFunction(() => document.querySelectorAll("#changelog .entry").length > 0);
    const fields = await page.$$eval(".field", fs => fs.map(f => f.dataset.field));
    check(JSON.stringify(fields) === JSON.stringify(desc.parameters.map(x => x.name)), `${p.id}: one field per parameter, in schema order`, fields);
    const secrets = desc.parameters.filter(x => x.secret && x.type !== "list").map(x => x.name);
    const pw = await page.$$eval("#fields input[type=password]", is => is.map(i => i.id.replace(/^param-/, "")));
    check(JSON.stringify(pw) === JSON.stringify(secrets), `${p.id}: secrets (${secrets.join(", ") || "none"}) are password fields`, pw);
    const enums = desc.parameters.filter(x => x.type === "enum");
    for (const e of enums) {
      const opts = await page.$$eval(`#param-${e.name} option`, os => os.map(o => o.value).filter(Boolean));
      check(JSON.stringify(opts) === JSON.stringify(e.values), `${p.id}: ${e.name} offers ${e.values.join(", ")}`, opts);
    }
    const ints = desc.parameters.filter(x => x.type === "integer" && x.min !== undefined);
    for (const i of ints.slice(0, 2)) {
      const [mn, mx] = await page.$eval(`#param-${i.name}`, el => [el.min, el.max]);
      check(mn === String(i.min) && mx === String(i.max), `${p.id}: ${i.name} is bounded ${i.min}..${i.max}`, [mn, mx]);
    }
    const metaText = await page.$eval(`.field[data-field="${desc.parameters[1].name}"] .desc`, e => e.textContent);
    check(metaText === (desc.parameters[1].description || ""), `${p.id}: descriptions are shown`, metaText);

    // A bad value: the API's message, as it returns it, beside the field.
    await page.fill('[data-item="endpoint"]', "ftp://node.example.com");
    await page.click("#download");
    await page.waitForFunction(() => document.querySelector("#error-endpoint").textContent !== "");
    const apiErr = await apiJson(`${base}/v1/bundles/${p.id}?endpoint=${encodeURIComponent("ftp://node.example.com")}`);
    const shown = await page.$eval("#error-endpoint", e => e.textContent);
    check(shown === apiErr.errors.find(e => e.parameter === "endpoint").message, `${p.id}: a bad endpoint shows the API's message beside the field`, shown);
    check(await page.$eval('.field[data-field="endpoint"]', f => f.classList.contains("invalid")), `${p.id}: and marks the field`);
    if (p.id === platforms[0].id) await page.screenshot({ path: join(OUT, "field-error.png"), fullPage: true });

    // Two endpoints, the second moved first: the bundle lists them in that order.
    await page.fill('[data-item="endpoint"]', "https://node-b.example.com");
    await page.click('[data-add="endpoint"]');
    await page.fill('.field[data-field="endpoint"] .list-item:nth-child(2) input', "https://node-a.example.com");
    await page.click('.field[data-field="endpoint"] .list-item:nth-child(2) .up');
    const [dl] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
    const file = join(TMP, dl.suggestedFilename());
    await dl.saveAs(file);
    const got = readFileSync(file);
    const want = generate(p.id, ["--endpoint", "https://node-a.example.com", "--endpoint", "https://node-b.example.com"]);
    check(got.equals(want), `${p.id}: the downloaded ${dl.suggestedFilename()} has the bytes of bundlegen generate (endpoints reordered)`,
          `${got.length} vs ${want.length} bytes`);
    check(dl.suggestedFilename() === p.file_name, `${p.id}: under its file name ${p.file_name}`, dl.suggestedFilename());
    await page.waitForSelector("#result:not([hidden])");
    check(await page.$eval("#result-sha256", e => e.textContent) === sha256(got), `${p.id}: the SHA-256 shown is the bytes'`);
    const curl = await page.$eval("#curl", e => e.textContent);
    const wantUrl = `${base}/v1/bundles/${p.id}?endpoint=${encodeURIComponent("https://node-a.example.com")}&endpoint=${encodeURIComponent("https://node-b.example.com")}`;
    check(curl === `curl -OJ '${wantUrl}'`, `${p.id}: the curl command fetches the same bundle`, curl);
    const viaCurl = execFileSync("curl", ["-s", "--max-time", "30", wantUrl]);
    check(viaCurl.equals(got), `${p.id}: and curl gets the same bytes`);
    await page.screenshot({ path: join(OUT, `${p.id}.png`), fullPage: true });
  }

  // An older version beside its changelog.
  const withOld = [];
  for (const p of platforms) if (p.versions.length > 1) withOld.push(p);
  if (check(withOld.length > 0, `${withOld.length} platforms have older versions`)) {
    const p = withOld[0], old = p.versions[p.versions.length - 1].version;
    await page.click(`#platforms button[data-id="${p.id}"]`);
    await page.waitForFunction(name => document.querySelector("#platform-title").textContent === name, p.name);
    await page.waitForFunction(() => document.querySelectorAll("#changelog .entry").length > 0);
    const versions = await page.$$eval("#version option", os => os.map(o => o.value));
    check(JSON.stringify(versions) === JSON.stringify(p.versions.map(v => v.version)), `${p.id}: the version picker lists ${versions.join(", ")}`);
    await page.selectOption("#version", old);
    check(await page.$eval("#changelog .entry.current", e => e.dataset.version) === old, `${p.id}: picking ${old} marks its changelog entry`);
    const entries = await page.$$eval("#changelog .entry h3", hs => hs.map(h => h.textContent));
    check(JSON.stringify(entries) === JSON.stringify(p.versions.map(v => v.version)), `${p.id}: the changelog shows every version`, entries);
    await page.fill('[data-item="endpoint"]', "https://node.example.com");
    const [dl] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
    const file = join(TMP, "old-" + dl.suggestedFilename());
    await dl.saveAs(file);
    check(readFileSync(file).equals(generate(p.id, ["--version", old, "--endpoint", "https://node.example.com"])),
          `${p.id} ${old}: the download is bundlegen generate --version ${old}`);
    await page.screenshot({ path: join(OUT, "older-version.png"), fullPage: true });
  }

  // Bearer-token mode: nothing until the token is given; the token stays in the page.
  const tpage = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  tpage.setDefaultTimeout(20000);
  await tpage.goto(tokenBase + "/");
  await tpage.waitForFunction(() => document.querySelector("#auth-error").textContent !== "");
  const unauth = await apiJson(`${tokenBase}/v1/platforms`);
  check(await tpage.$eval("#auth-error", e => e.textContent) === unauth.error, "token mode: the API's refusal is shown", unauth.error);
  await tpage.fill("#token", token);
  await tpage.press("#token", "Tab");
  await tpage.waitForFunction(n => document.querySelectorAll("#platforms li").length === n, platforms.length);
  check(true, "token mode: the platforms load once the token is given");
  await tpage.waitForFunction(() => document.querySelector("#platform-title").textContent !== "");
  await tpage.fill('[data-item="endpoint"]', "https://node.example.com");
  const [tdl] = await Promise.all([tpage.waitForEvent("download"), tpage.click("#download")]);
  const tfile = join(TMP, "token-" + tdl.suggestedFilename());
  await tdl.saveAs(tfile);
  check(readFileSync(tfile).equals(generate(platforms[0].id, ["--endpoint", "https://node.example.com"])), "token mode: the download is the generated bundle");
  const curl = await tpage.$eval("#curl", e => e.textContent);
  check(curl.includes('-H "Authorization: Bearer $BUNDLEGEN_SERVE_TOKEN"') && !curl.includes(token), "token mode: the curl command names the token without showing it", curl);
  const stored = await tpage.evaluate(() => JSON.stringify([localStorage, sessionStorage, document.cookie]));
  const cookies = await tpage.context().cookies();
  check(!stored.includes(token) && cookies.length === 0, "token mode: the token is in no storage and no cookie", stored);
  await tpage.screenshot({ path: join(OUT, "token-mode.png"), fullPage: true });

  // JavaScript off: the plain form downloads a bundle.
  const ctx = await browser.newContext({ javaScriptEnabled: false });
  const npage = await ctx.newPage();
  npage.setDefaultTimeout(20000);
  await npage.goto(base + "/");
  check(await npage.$eval("#app", e => e.hidden), "without JavaScript: the full console stays hidden");
  const opts = await npage.$$eval("#plain-platform option", os => os.map(o => o.value));
  check(JSON.stringify(opts) === JSON.stringify(platforms.map(p => p.id)), "without JavaScript: the plain form lists every platform", opts);
  await npage.selectOption("#plain-platform", "kong");
  await npage.fill("#plain-endpoint", "https://node.example.com");
  await npage.screenshot({ path: join(OUT, "no-javascript.png"), fullPage: true });
  const [ndl] = await Promise.all([npage.waitForEvent("download"), npage.click("#plain-form button")]);
  const nfile = join(TMP, "plain-" + ndl.suggestedFilename());
  await ndl.saveAs(nfile);
  check(readFileSync(nfile).equals(generate("kong", ["--endpoint", "https://node.example.com"])),
        "without JavaScript: the plain form's download is the generated bundle");
} catch (e) {
  check(false, "the browser run completes", e.stack || e);
} finally {
  await browser.close();
  rmSync(TMP, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed, 0 skipped`);
process.exit(failed ? 1 : 0);
