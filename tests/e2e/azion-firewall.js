// azion-firewall.js -- stand-in for Azion's Edge Firewall event in workerd (prepended to function.js):
// a "firewall" listener runs on each fetch; its outcome is deny (403), continue (on to the origin) or respondWith.
(function () {
  const add = globalThis.addEventListener.bind(globalThis);
  globalThis.addEventListener = function (type, listener) {
    if (type !== "firewall") return add(type, listener);
    return add("fetch", function (fetchEvent) {
      fetchEvent.respondWith(new Promise(function (resolve, reject) {
        let decided = false;
        // Only the first outcome counts; a second one is a defect of the function, logged.
        const outcome = function (name, make) {
          if (decided) { console.error("firewall stand-in: second outcome " + name + " ignored"); return; }
          decided = true;
          Promise.resolve().then(make).then(function (res) {
            const headers = new Headers(res.headers);
            headers.set("x-azion-outcome", name);
            resolve(new Response(res.body, { status: res.status, headers: headers }));
          }, reject);
        };
        const event = {
          request: fetchEvent.request,
          deny: function () { outcome("deny", function () { return new Response("Forbidden\n", { status: 403 }); }); },
          drop: function () { outcome("drop", function () { throw new Error("dropped"); }); },
          continue: function () { outcome("continue", function () { return fetch(fetchEvent.request); }); },
          respondWith: function (r) { outcome("respondWith", function () { return r; }); },
          waitUntil: function (p) {
            // The function's work settled without an outcome: Azion requires one, so this is a failure.
            fetchEvent.waitUntil(Promise.resolve(p).then(function () {
              if (!decided) reject(new Error("firewall function ended without an outcome"));
            }, reject));
          }
        };
        try { listener(event); } catch (e) { reject(e); }
      }));
    });
  };
})();
