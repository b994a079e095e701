// The e-card's live QR (/web/ecard/qr). The device key is made here with
// WebCrypto (ECDSA P-256, not extractable: the private key never leaves the
// browser), kept in IndexedDB with the card credential the server binds to
// it, and every 10 seconds the page signs a presentation (kind 3 of
// docs/credential-format.md, section 5.2):
//   COSE_Sign1([h'A10126' ({1: -7}), {}, claims, signature])
//   claims = {6: iat, 7: 16 random bytes, -65537: {0: 3, 12: card COSE bytes}}
// then zlib (CompressionStream "deflate"), Base45, "ZK1:", drawn as a QR in
// alphanumeric mode at level Q. It works offline once loaded; the credential
// is fetched again when the network is there, and a credential that is not
// valid (frozen card, suspended or ended permit, revoked device) is shown as
// its state instead of a QR. No inline script: the CSP forbids it.
"use strict";

(function () {
  var REFRESH_SECONDS = 10;
  var RECHECK_SECONDS = 60;
  var DB_NAME = "zhengka-ecard";
  var STORE = "devices";
  var ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

  // ---- bytes, CBOR, Base45 -------------------------------------------------

  function concat(parts) {
    var n = 0;
    parts.forEach(function (p) { n += p.length; });
    var out = new Uint8Array(n);
    var at = 0;
    parts.forEach(function (p) { out.set(p, at); at += p.length; });
    return out;
  }

  // A CBOR head: major type and argument (below 2^32), shortest form.
  function head(major, n) {
    var m = major << 5;
    if (n < 24) return new Uint8Array([m | n]);
    if (n < 0x100) return new Uint8Array([m | 24, n]);
    if (n < 0x10000) return new Uint8Array([m | 25, n >>> 8, n & 255]);
    return new Uint8Array([m | 26, (n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
  }

  function bstr(bytes) { return concat([head(2, bytes.length), bytes]); }

  function ascii(s) {
    var out = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }

  function fromBase64(s) {
    var bin = atob(s);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  function toBase64(bytes) {
    var bin = "";
    for (var i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin);
  }

  // RFC 9285.
  function base45(bytes) {
    var out = "";
    for (var i = 0; i + 1 < bytes.length; i += 2) {
      var n = bytes[i] * 256 + bytes[i + 1];
      out += ALPHABET[n % 45] + ALPHABET[Math.floor(n / 45) % 45] + ALPHABET[Math.floor(n / 2025)];
    }
    if (bytes.length % 2) {
      var last = bytes[bytes.length - 1];
      out += ALPHABET[last % 45] + ALPHABET[Math.floor(last / 45)];
    }
    return out;
  }

  function deflate(bytes) {
    var stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("deflate"));
    return new Response(stream).arrayBuffer().then(function (b) { return new Uint8Array(b); });
  }

  // The device's COSE_Key from WebCrypto's raw public key (04 || x || y):
  // {1: 2 (EC2), 3: -7 (ES256), -1: 1 (P-256), -2: x, -3: y}.
  function coseKey(raw) {
    if (raw.length !== 65 || raw[0] !== 4) throw new Error("unexpected public key");
    return concat([
      new Uint8Array([0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01]),
      new Uint8Array([0x21]), bstr(raw.slice(1, 33)),
      new Uint8Array([0x22]), bstr(raw.slice(33, 65)),
    ]);
  }

  var PROTECTED = new Uint8Array([0xa1, 0x01, 0x26]); // {1: -7}

  // A presentation of `card` (its COSE bytes) signed by `key` at `iat`.
  function present(card, key, iat) {
    var nonce = crypto.getRandomValues(new Uint8Array(16));
    var claims = concat([
      new Uint8Array([0xa3, 0x06]), head(0, iat),
      new Uint8Array([0x07]), bstr(nonce),
      new Uint8Array([0x3a, 0x00, 0x01, 0x00, 0x00, 0xa2, 0x00, 0x03, 0x0c]), bstr(card),
    ]);
    var tbs = concat([
      new Uint8Array([0x84, 0x6a]), ascii("Signature1"), bstr(PROTECTED),
      new Uint8Array([0x40]), bstr(claims),
    ]);
    // WebCrypto's ECDSA signature is r || s (IEEE P1363), as COSE wants.
    return crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key, tbs)
      .then(function (sig) {
        var cose = concat([
          new Uint8Array([0xd2, 0x84]), bstr(PROTECTED), new Uint8Array([0xa0]),
          bstr(claims), bstr(new Uint8Array(sig)),
        ]);
        return deflate(cose);
      })
      .then(function (z) { return "ZK1:" + base45(z); });
  }

  // ---- IndexedDB -------------------------------------------------------------

  function request(r) {
    return new Promise(function (ok, fail) {
      r.onsuccess = function () { ok(r.result); };
      r.onerror = function () { fail(r.error); };
    });
  }

  function openDb() {
    var r = indexedDB.open(DB_NAME, 1);
    r.onupgradeneeded = function () { r.result.createObjectStore(STORE, { keyPath: "holder" }); };
    return request(r);
  }

  function load(db, holder) {
    return request(db.transaction(STORE).objectStore(STORE).get(holder));
  }

  function save(db, record) {
    return request(db.transaction(STORE, "readwrite").objectStore(STORE).put(record));
  }

  function forget(db, holder) {
    return request(db.transaction(STORE, "readwrite").objectStore(STORE).delete(holder));
  }

  // ---- the page --------------------------------------------------------------

  var root = document.getElementById("ecard-qr");
  if (!root) return;
  var S = document.getElementById("qr-strings").dataset;
  var state = document.getElementById("qr-state");
  var box = document.getElementById("qr-box");
  var code = document.getElementById("qr-code");
  var countdown = document.getElementById("qr-countdown");
  var rebind = document.getElementById("qr-rebind");
  var holder = root.dataset.holder;
  var db = null;
  var record = null;
  var left = 0;

  function show(text, kind) {
    state.textContent = text;
    state.dataset.state = kind;
  }

  function hideQr(kind, text) {
    box.hidden = true;
    code.removeAttribute("data-qr");
    while (code.firstChild) code.removeChild(code.firstChild);
    rebind.hidden = kind !== "revoked";
    show(text, kind);
  }

  function draw(text) {
    var qr = qrcode(0, "Q");
    qr.addData(text, "Alphanumeric");
    qr.make();
    var n = qr.getModuleCount();
    var size = n + 8;
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 " + size + " " + size);
    svg.setAttribute("class", "qr");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", S.qrLabel);
    svg.setAttribute("shape-rendering", "crispEdges");
    var bg = document.createElementNS(ns, "rect");
    bg.setAttribute("width", size);
    bg.setAttribute("height", size);
    bg.setAttribute("fill", "#fff");
    svg.appendChild(bg);
    var d = "";
    for (var r = 0; r < n; r++) {
      for (var c = 0; c < n; c++) {
        if (qr.isDark(r, c)) d += "M" + (c + 4) + " " + (r + 4) + "h1v1h-1z";
      }
    }
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", d);
    path.setAttribute("fill", "#000");
    svg.appendChild(path);
    while (code.firstChild) code.removeChild(code.firstChild);
    code.appendChild(svg);
  }

  function tick() {
    countdown.textContent = S.countdown.replace("{n}", String(left));
  }

  // What the stored credential allows now: a QR, or a state to show.
  function usable() {
    if (!record) return "error";
    if (record.credential_status !== "valid") return record.credential_status;
    if (Date.parse(record.credential.exp) <= Date.now()) return "expired";
    return "valid";
  }

  function refreshQr() {
    var now = usable();
    if (now !== "valid") {
      hideQr(now, S[now] || S.error);
      return Promise.resolve();
    }
    var iat = Math.floor(Date.now() / 1000);
    return present(fromBase64(record.credential.cose), record.key, iat).then(function (text) {
      if (usable() !== "valid") return;
      draw(text);
      code.dataset.qr = text;
      code.dataset.iat = String(iat);
      box.hidden = false;
      rebind.hidden = true;
      show(navigator.onLine ? S.valid : S.offline, "valid");
      left = REFRESH_SECONDS;
      tick();
    });
  }

  function bind() {
    show(S.binding, "binding");
    var pair;
    return crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign"])
      .then(function (p) { pair = p; return crypto.subtle.exportKey("raw", p.publicKey); })
      .then(function (raw) {
        var key = toBase64(coseKey(new Uint8Array(raw)));
        var platform = (navigator.userAgentData && navigator.userAgentData.platform) || "";
        var name = (S.deviceName + (platform ? " (" + platform + ")" : "")).slice(0, 60);
        var body = new URLSearchParams({ csrf: root.dataset.csrf, public_key: key, name: name });
        return fetch(root.dataset.bindUrl, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/x-www-form-urlencoded" },
          body: body,
        });
      })
      .then(function (r) {
        return r.json().then(function (j) {
          if (!r.ok) throw new Error(j.error && j.error.code || String(r.status));
          return j;
        });
      })
      .then(function (j) {
        record = {
          holder: holder,
          device_id: j.device_id,
          key: pair.privateKey,
          credential: j.card_credential,
          credential_status: j.credential_status,
        };
        return save(db, record);
      });
  }

  // Ask the server for the device's current credential; offline, keep ours.
  function recheck() {
    if (!record || !navigator.onLine) return Promise.resolve();
    var url = root.dataset.credentialUrl.replace("{id}", encodeURIComponent(record.device_id));
    return fetch(url, { credentials: "same-origin" })
      .then(function (r) {
        if (r.status === 409 || r.status === 404) {
          record.credential_status = "revoked";
          return save(db, record);
        }
        if (!r.ok) return null;
        return r.json().then(function (j) {
          record.credential = j.card_credential;
          record.credential_status = j.credential_status;
          return save(db, record);
        });
      })
      .catch(function () {});
  }

  function failed(e) {
    var why = e && e.message;
    hideQr("error", why === "too_many_devices" ? S.tooMany : S.error + (why ? " (" + why + ")" : ""));
  }

  function start() {
    refreshQr();
    setInterval(function () {
      left -= 1;
      if (left <= 0) refreshQr(); else tick();
    }, 1000);
    setInterval(function () { recheck().then(refreshQr); }, RECHECK_SECONDS * 1000);
    window.addEventListener("online", function () { recheck().then(refreshQr); });
  }

  rebind.addEventListener("click", function () {
    rebind.hidden = true;
    forget(db, holder).then(bind).then(refreshQr).catch(failed);
  });

  if (!window.crypto || !crypto.subtle || !window.indexedDB || !window.CompressionStream ||
      typeof qrcode !== "function") {
    hideQr("unsupported", S.unsupported);
    return;
  }
  if ("serviceWorker" in navigator && root.dataset.sw) {
    navigator.serviceWorker.register(root.dataset.sw, { scope: "/web/ecard/" }).catch(function () {});
  }
  openDb()
    .then(function (d) { db = d; return load(db, holder); })
    .then(function (r) {
      if (r) { record = r; return recheck(); }
      return bind();
    })
    .then(start)
    .catch(failed);
})();
