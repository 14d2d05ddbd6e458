// The staff portal's service worker, served as /cong-chuc/sw.js (scope /cong-chuc/) by
// delivery/push_views.py. It shows each web push as a notification and opens the bulletin
// when the notification is clicked. The payload (delivery/push.py) is JSON:
// {title, body, url, urgent, tag, icon}, encrypted for this browser alone.
"use strict";

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

// Only this site's own pages are opened, whatever a payload says.
function sameOrigin(url) {
  try {
    var target = new URL(url, self.location.origin);
    return target.origin === self.location.origin ? target.href : null;
  } catch (error) {
    return null;
  }
}

self.addEventListener("push", function (event) {
  var data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (error) {
    data = { body: event.data ? event.data.text() : "" };
  }
  var home = new URL(self.registration.scope).href;
  var options = {
    body: data.body || "",
    icon: data.icon || undefined,
    badge: data.icon || undefined,
    tag: data.tag || undefined,
    renotify: Boolean(data.tag),
    requireInteraction: Boolean(data.urgent),
    lang: "vi",
    data: { url: sameOrigin(data.url || home) || home },
  };
  event.waitUntil(self.registration.showNotification(data.title || "chinhthong", options));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = (event.notification.data && event.notification.data.url) || self.registration.scope;
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (windows) {
      for (var i = 0; i < windows.length; i += 1) {
        if (windows[i].url === url && "focus" in windows[i]) {
          return windows[i].focus();
        }
      }
      return self.clients.openWindow(url);
    })
  );
});
