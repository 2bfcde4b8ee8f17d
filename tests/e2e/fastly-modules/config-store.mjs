// config-store.mjs -- stand-in for js-compute's "fastly:config-store": the stores linked to the
// service are globalThis.__fastlyStores.config ({name: {key: value}}), as the host was told.
export class ConfigStore {
  constructor(name) {
    const stores = (globalThis.__fastlyStores || {}).config || {};
    if (!Object.prototype.hasOwnProperty.call(stores, name)) throw new TypeError("ConfigStore: no config store named " + name);
    this.items = stores[name];
  }
  get(key) {
    return Object.prototype.hasOwnProperty.call(this.items, key) ? String(this.items[key]) : null;
  }
}
