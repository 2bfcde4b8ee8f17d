// platform.js -- hosts a generated IBM DataPower bundle (pre and post user-defined policies) in the
// GatewayScript harness host.js.
"use strict";
module.exports = function (api) {
  return {
    "ibm-datapower": { body: true, report: true, page: true, host: function (h) {
      return api.hostNode(h, "ibm/host.js", [h.origin]);
    } }
  };
};
