// secret-store.mjs -- stand-in for js-compute's "fastly:secret-store": the stores linked to the
// service are globalThis.__fastlyStores.secret ({name: {key: value}}), as the host was told.
class SecretStoreEntry {
  constructor(value) { this.value = value; }
  plaintext() { return this.value; }
}
export class SecretStore {
  constructor(name) {
    const stores = (globalThis.__fastlyStores || {}).secret || {};
    if (!Object.prototype.hasOwnProperty.call(stores, name)) throw new TypeError("SecretStore: no secret store named " + name);
    this.items = stores[name];
  }
  get(key) {
    return Promise.resolve(Object.prototype.hasOwnProperty.call(this.items, key) ? new SecretStoreEntry(String(this.items[key])) : null);
  }
}
