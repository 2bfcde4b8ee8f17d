// A tiny connector-style file: values land as literals in code and escaped inside strings.
const CONFIG = {
  endpoints: {{endpoint}},
  timeoutMs: {{timeout_ms}},
  failOpen: {{fail_open}},
};
const BANNER = "bundlegen example for {{platform}} -- {{note}}";
{{#routes}}
console.log("route", {{path}});
{{/routes}}
module.exports = { CONFIG, BANNER };
