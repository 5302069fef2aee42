// Fengqiao's service worker: keeps the field pages (the day's to-do, the quick report, the
// daily log entry) and their static files, so that a grid worker can capture with no
// network. It never touches a request that is not a GET, never keeps an API answer or any
// page but the field pages, and forgets the kept pages when someone signs out or in.
// What is captured offline is not here: the pages queue it in IndexedDB and send it.
"use strict";
const CONFIG = {{ config|safe }};
const CACHE = "fengqiao-field-" + CONFIG.version;
const PAGE_TIMEOUT_MS = 4000;
const PAGE_MAX_AGE_MS = 10 * 60 * 1000;

function keepPage(cache, url) {
  return fetch(url, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
    // A signed-out visit is redirected to the sign-in page: that is not a page to keep.
    if (response.ok && !response.redirected && response.type === "basic") {
      return cache.put(url, response);
    }
  }).catch(function () {});
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return cache.addAll(CONFIG.assets).then(function () {
        return Promise.all(CONFIG.pages.map(function (url) { return keepPage(cache, url); }));
      });
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("fengqiao-field-") === 0 && name !== CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function forgetPages() {
  return caches.open(CACHE).then(function (cache) {
    return Promise.all(CONFIG.pages.map(function (url) { return cache.delete(url); }));
  });
}

// A field page: from the network when it answers in time (and kept for later), otherwise
// as it was last kept; a page never kept falls back to the offline page.
function fieldPage(event, path) {
  return caches.open(CACHE).then(function (cache) {
    const fromNetwork = fetch(event.request).then(function (response) {
      if (response.ok && !response.redirected && response.type === "basic") {
        cache.put(path, response.clone());
      }
      return response;
    });
    event.waitUntil(fromNetwork.catch(function () {}));
    const late = new Promise(function (resolve) {
      setTimeout(resolve, PAGE_TIMEOUT_MS);
    });
    const kept = function () {
      return cache.match(path, { ignoreVary: true }).then(function (found) {
        return found || cache.match(CONFIG.offline, { ignoreVary: true });
      });
    };
    return Promise.race([fromNetwork, late]).then(function (response) {
      if (response) return response;
      // The network is slow: the kept page now, if there is one; else keep waiting.
      return kept().then(function (found) { return found || fromNetwork; });
    }).catch(function () {
      return kept().then(function (found) { return found || Response.error(); });
    });
  });
}

function asset(event) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(event.request).then(function (found) {
      const fresh = fetch(event.request).then(function (response) {
        if (response.ok) cache.put(event.request, response.clone());
        return response;
      });
      if (found) {
        event.waitUntil(fresh.catch(function () {}));
        return found;
      }
      return fresh;
    });
  });
}

self.addEventListener("fetch", function (event) {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (CONFIG.never.some(function (prefix) { return url.pathname.indexOf(prefix) === 0; })) return;
  if (url.pathname === CONFIG.login) {
    // Signing in or out: the kept pages were someone's own day; they go.
    event.waitUntil(forgetPages());
    return;
  }
  if (CONFIG.pages.indexOf(url.pathname) !== -1 && !url.search) {
    event.respondWith(fieldPage(event, url.pathname));
    return;
  }
  if (CONFIG.assets.indexOf(url.pathname) !== -1) {
    event.respondWith(asset(event));
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(function () {
      return caches.open(CACHE).then(function (cache) {
        return cache.match(CONFIG.offline, { ignoreVary: true });
      }).then(function (found) { return found || Response.error(); });
    }));
  }
});

// A field page asks for the other field pages to be kept fresh (a page missing, or kept
// more than a few minutes ago), so that all of them work offline for whoever is signed in.
self.addEventListener("message", function (event) {
  if (!event.data || event.data.type !== "refresh-pages") return;
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return Promise.all(CONFIG.pages.map(function (url) {
      return cache.match(url, { ignoreVary: true }).then(function (found) {
        const date = found && Date.parse(found.headers.get("Date") || "");
        if (!found || !date || Date.now() - date > PAGE_MAX_AGE_MS) return keepPage(cache, url);
      });
    }));
  }));
});
