// platform.js -- hosts a generated Apigee bundle in the shared-flow harness host.js.
"use strict";
module.exports = function (api) {
  return {
    // budget: request_timeout is the JavaScript policy's timeLimit, the bound of the whole exchange.
    apigee: { body: true, report: true, page: true, budget: true, host: function (h) {
      return api.hostNode(h, "apigee/host.js", [h.origin]);
    } }
  };
};
