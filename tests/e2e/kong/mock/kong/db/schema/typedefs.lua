-- typedefs.lua -- the few kong.db.schema.typedefs the plugin's schema uses, with Kong's definitions.
return {
  no_consumer = { type = "foreign", reference = "consumers", eq = ngx.null },
  protocols_http = { type = "set", required = true, default = { "grpc", "grpcs", "http", "https" },
                     elements = { type = "string", one_of = { "grpc", "grpcs", "http", "https" } } },
  url = { type = "string", match = "^https?://" },
}
