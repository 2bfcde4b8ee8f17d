// store.js -- settings the platform keeps in its own store (secrets and variables), read at run time
// over the values generated into CONFIG; include it after config.js.

const CN_STORE_URL = /^https?:\/\/[^\s\/?#@]+(\/[^\s?#]*)?$/;
const CN_STORE_TOKEN = /^[A-Za-z0-9._~+\/=-]{16,256}$/;

/** Applies the store's values, looked up by name in `values` (a Worker's env), to CONFIG:
 *  names.token (a secret), names.endpoints (an array, or a string of URLs separated by commas or
 *  spaces) and names.mode ("inline" or "async"). An unset or empty value keeps the generated one; an
 *  invalid value is logged with its name and reason and keeps the generated one too. */
function cnApplyStore(names, values) {
  const token = values[names.token];
  if (typeof token === "string" && token !== "") {
    if (CN_STORE_TOKEN.test(token)) CONFIG.token = token;
    else console.error(names.token + ": expected 16 to 256 characters of A-Z a-z 0-9 . _ ~ + / = -; the secret is ignored");
  }
  let endpoints = values[names.endpoints];
  if (typeof endpoints === "string") endpoints = endpoints.split(/[\s,]+/).filter(Boolean);
  if (Array.isArray(endpoints) && endpoints.length > 0) {
    const bad = endpoints.filter(function (e) { return typeof e !== "string" || !CN_STORE_URL.test(e); });
    if (bad.length === 0) CONFIG.endpoints = endpoints;
    else console.error(names.endpoints + ": " + JSON.stringify(bad[0]) + " is not an http(s) URL without user, query or fragment; the generated endpoints stay");
  }
  const mode = values[names.mode];
  if (typeof mode === "string" && mode !== "") {
    if (mode === "inline" || mode === "async") CONFIG.mode = mode;
    else console.error(names.mode + ": expected inline or async, not " + JSON.stringify(mode) + "; the generated mode stays");
  }
}
