// platform.js -- hosts a generated Apigee bundle in the shared-flow harness host.js.
"use strict";
module.exports = function (api) {
  return {
    // budget: the JavaScript policy's timeLimit bounds the whole exchange: the worst case of the node
    // calls plus this margin in ms (platforms/apigee.yaml, limits.time.margin).
    apigee: { body: true, report: true, page: true, budget: 200, host: function (h) {
      return api.hostNode(h, "apigee/host.js", [h.origin]);
    } }
  };
};
