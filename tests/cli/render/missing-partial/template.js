{{> nope.js}}
