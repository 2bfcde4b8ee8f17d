// log/index.js -- EdgeWorkers' log module for the e2e harness: lines go to stderr.
export const logger = {
  log: function (format, ...args) {
    let i = 0;
    process.stderr.write("[ew log] " + String(format).replace(/%[sdio]/g, function () { return String(args[i++]); }) + "\n");
  }
};
