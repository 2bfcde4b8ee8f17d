// platform.js -- hosts a generated Apigee bundle in the shared-flow harness host.js.
"use strict";
module.exports = function (api) {
  return {
    apigee: { body: true, report: true, page: true, host: function (h) {
      return api.hostNode(h, "apigee/host.js", [h.origin]);
    } }
  };
};
