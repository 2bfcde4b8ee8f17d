const c = require("x");
{{> _shared/head.js}}
module.exports = HEAD;
