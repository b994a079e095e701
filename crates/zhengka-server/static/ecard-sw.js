// The e-card's service worker (served as /web/ecard/sw.js, scope /web/ecard/):
// keeps the QR page and its scripts so the live QR works offline once loaded.
// Each is asked of the network first (the page carries the session's CSRF
// token; a new script version is picked up at once) and taken from the cache
// only when the network fails. Nothing else is kept: the key and the
// credential live in the page's IndexedDB.
"use strict";

var CACHE = "zhengka-ecard-v1";
var PAGE = "/web/ecard/qr";
var ASSETS = [
  "/web/static/app.css",
  "/web/static/app.js",
  "/web/static/ecard-qr.js",
  "/web/static/vendor/qrcode-generator.js",
];

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (c) { return c.addAll(ASSETS); }).then(function () {
      return self.skipWaiting();
    })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) { return n !== CACHE; }).map(function (n) {
        return caches.delete(n);
      }));
    }).then(function () { return self.clients.claim(); })
  );
});

// Network first, so an update is picked up at once; the cached copy when
// the network fails (offline).
function networkFirst(req, key) {
  return fetch(req).then(function (res) {
    if (res.ok) {
      var copy = res.clone();
      caches.open(CACHE).then(function (c) { c.put(key, copy); });
    }
    return res;
  }).catch(function () {
    return caches.match(key).then(function (hit) { return hit || Response.error(); });
  });
}

self.addEventListener("fetch", function (event) {
  var req = event.request;
  if (req.method !== "GET") return;
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === PAGE || ASSETS.indexOf(url.pathname) >= 0) {
    event.respondWith(networkFirst(req, url.pathname));
  }
});
