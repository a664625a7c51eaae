// sotay service worker, written by hand. The app shell is precached under a versioned cache
// name; the API is never cached (the app keeps its own data in IndexedDB and knows when it
// is offline). A new worker waits until the page asks it to take over.
const BUILD = "__BUILD_ID__";
const CACHE = "sotay-shell-" + BUILD;
// The page as the browser first loaded it ("./", so installing revalidates it instead of
// downloading it again under a second name). The 512 px install icons are left to the
// browser, which fetches them itself when it installs the app.
const SHELL = [
  "./",
  "boot.js",
  "sw-register.js",
  "sotay-frontend.js",
  "sotay-frontend_bg.wasm",
  "style.css",
  "manifest.webmanifest",
  "icons/icon.svg",
  "icons/icon-192.png",
];

self.addEventListener("install", (event) => {
  // No skipWaiting here: the page shows "Có phiên bản mới — Tải lại" and decides.
  // "no-cache" revalidates with the server: on a first visit the page has just downloaded
  // these files, so the worker gets 304s and takes them from the HTTP cache instead of
  // downloading the app twice; after an update it can never cache a stale file.
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL.map((u) => new Request(u, { cache: "no-cache" })))));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("sotay-shell-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "SKIP_WAITING") self.skipWaiting();
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  // Network only: the app handles offline itself.
  if (url.pathname.startsWith("/api/")) return;
  // The province console is another app (online only): never the PWA's shell or cache.
  if (url.pathname === "/console" || url.pathname.startsWith("/console/")) return;
  // Navigation: the cached shell, so the page always matches the cached wasm and opens at
  // once with no signal; the network only when nothing is cached yet.
  if (request.mode === "navigate") {
    event.respondWith(caches.match("./").then((hit) => hit || fetch(request)));
    return;
  }
  event.respondWith(
    caches.match(request, { ignoreSearch: true }).then((hit) => hit || fetch(request))
  );
});
