// Web push on the staff portal (delivery/_push_subscribe.html): registers the portal's
// service worker, then lets the staff member turn notifications on or off for this browser.
// Every text is in the page (translated there); this script only shows the one that applies.
// No inline script anywhere: the Content-Security-Policy allows only this site's files.
(function () {
  "use strict";
  if (window.chinhthongPush) {
    return; // included twice on one page
  }
  window.chinhthongPush = true;

  function keyBytes(base64url) {
    var padded = base64url + "===".slice((base64url.length + 3) % 4);
    var raw = atob(padded.replace(/-/g, "+").replace(/_/g, "/"));
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) {
      bytes[i] = raw.charCodeAt(i);
    }
    return bytes;
  }

  // iPhone and iPad (iPadOS says it is a Mac, with a touch screen) deliver web push only to a
  // site added to the Home Screen and opened from there.
  function isIOS() {
    var ua = navigator.userAgent || "";
    return /iPad|iPhone|iPod/.test(ua) || (/Macintosh/.test(ua) && navigator.maxTouchPoints > 1);
  }

  function standalone() {
    return navigator.standalone === true ||
      (window.matchMedia && window.matchMedia("(display-mode: standalone)").matches);
  }

  function supported() {
    return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  }

  // Pages that include only the snippet get the manifest link too (installability).
  function linkManifest(section) {
    if (!document.querySelector('link[rel="manifest"]') && section.dataset.manifest) {
      var link = document.createElement("link");
      link.rel = "manifest";
      link.href = section.dataset.manifest;
      document.head.appendChild(link);
    }
  }

  function setUp(section) {
    var buttons = {
      subscribe: section.querySelector('[data-action="subscribe"]'),
      unsubscribe: section.querySelector('[data-action="unsubscribe"]'),
    };

    function show(state) {
      section.querySelectorAll(".push-state").forEach(function (p) {
        p.hidden = p.dataset.state !== state;
      });
      buttons.subscribe.hidden = !(state === "off" || state === "error");
      buttons.unsubscribe.hidden = state !== "on";
      section.dataset.pushState = state;
    }

    function post(url, body) {
      return fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": section.dataset.csrf },
        body: JSON.stringify(body),
      }).then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      });
    }

    function remembered() {
      try {
        return window.localStorage.getItem("chinhthong-push");
      } catch (error) {
        return null; // storage blocked: tell the server every time
      }
    }

    function remember(mark) {
      try {
        window.localStorage.setItem("chinhthong-push", mark);
      } catch (error) {
        // storage blocked or full
      }
    }

    linkManifest(section);
    if (isIOS() && !standalone()) {
      show("ios");
      // Registered anyway: the worker is ready once the portal is opened from the Home Screen.
      if ("serviceWorker" in navigator) {
        navigator.serviceWorker.register(section.dataset.serviceWorker, { scope: section.dataset.scope });
      }
      return;
    }
    if (!supported()) {
      show("unsupported");
      return;
    }
    var registration = navigator.serviceWorker.register(section.dataset.serviceWorker, {
      scope: section.dataset.scope,
    });

    function refresh() {
      return registration.then(function (reg) {
        return reg.pushManager.getSubscription();
      }).then(function (subscription) {
        if (Notification.permission === "denied") {
          show("denied");
        } else if (subscription) {
          show("on");
          // Tell the server again once a day (it forgets subscriptions a push service said are
          // gone, and the browser may have renewed this one).
          var mark = subscription.endpoint + " " + new Date().toDateString();
          if (remembered() === mark) {
            return null;
          }
          return post(section.dataset.subscribe, subscription.toJSON()).then(function () {
            remember(mark);
          }).catch(function () {});
        } else {
          show("off");
        }
      });
    }

    buttons.subscribe.addEventListener("click", function () {
      buttons.subscribe.disabled = true;
      Notification.requestPermission().then(function (permission) {
        if (permission !== "granted") {
          show(permission === "denied" ? "denied" : "off");
          return null;
        }
        return registration.then(function (reg) {
          return reg.pushManager.subscribe({
            userVisibleOnly: true,
            applicationServerKey: keyBytes(section.dataset.key),
          });
        }).then(function (subscription) {
          return post(section.dataset.subscribe, subscription.toJSON());
        }).then(function () {
          show("on");
        });
      }).catch(function () {
        show("error");
      }).finally(function () {
        buttons.subscribe.disabled = false;
      });
    });

    buttons.unsubscribe.addEventListener("click", function () {
      buttons.unsubscribe.disabled = true;
      registration.then(function (reg) {
        return reg.pushManager.getSubscription();
      }).then(function (subscription) {
        if (!subscription) {
          return null;
        }
        var endpoint = subscription.endpoint;
        return subscription.unsubscribe().then(function () {
          return post(section.dataset.unsubscribe, { endpoint: endpoint });
        });
      }).then(function () {
        show("off");
      }).catch(function () {
        show("error");
      }).finally(function () {
        buttons.unsubscribe.disabled = false;
      });
    });

    refresh().catch(function () {
      show("error");
    });
  }

  function start() {
    var section = document.getElementById("push-notifications");
    if (section) {
      setUp(section);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
