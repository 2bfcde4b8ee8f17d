const URL = {{endpoint}};
const TIMEOUT_MS = {{timeout}};
const NOTE = "note: {{note}}";
