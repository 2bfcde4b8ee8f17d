// config.js -- the settings of this Cloudflare Workers bundle, as generated; worker.js imports CONFIG
// from here and is the same in every bundle of a version. Never the token (the secret EDGE_TOKEN).

{{<_shared/config.js}}{{$token}}{{/token}}{{/_shared/config.js}}
{{> _shared/config_fetch.js}}

export { CONFIG };
