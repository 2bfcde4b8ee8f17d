// create-response/index.js -- EdgeWorkers' create-response module for the e2e harness.
export function createResponse(status, headers, body, denyReason) {
  return { status: status, headers: headers || {}, body: body === undefined ? "" : body, denyReason: denyReason };
}
