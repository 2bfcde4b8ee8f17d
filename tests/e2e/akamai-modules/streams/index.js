// streams/index.js -- EdgeWorkers' streams module for the e2e harness: the WHATWG streams of Node.js.
export const ReadableStream = globalThis.ReadableStream;
export const WritableStream = globalThis.WritableStream;
export const TransformStream = globalThis.TransformStream;
