// Kurultai pages: countdowns, the time zone cookie and live updates.
// Everything works without this script; it only keeps pages current.
(function () {
  "use strict";
  var doc = document.documentElement;
  var lang = doc.lang || "en";
  var units = { en: ["d", "h", "m", "in ", "overdue by "], tr: ["g", "s", "dk", "", " gecikmiş"], ru: ["д", "ч", "мин", "через ", "просрочено на "] };
  var u = units[lang] || units.en;

  // Tell the server the browser's time zone once, so dates show in it.
  if (!/(^|; )kurultai_tz=/.test(document.cookie) && window.Intl) {
    var tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (tz) {
      document.cookie = "kurultai_tz=" + encodeURIComponent(tz) + "; path=/; max-age=31536000; SameSite=Strict" +
        (location.protocol === "https:" ? "; Secure" : "");
    }
  }

  function fmt(ms) {
    var m = Math.floor(Math.abs(ms) / 60000), d = Math.floor(m / 1440), h = Math.floor((m % 1440) / 60);
    m = m % 60;
    if (d > 0) return d + u[0] + " " + h + u[1];
    if (h > 0) return h + u[1] + " " + m + u[2];
    return m + u[2];
  }
  function tick() {
    var now = Date.now();
    var els = document.querySelectorAll(".countdown[data-due]");
    for (var i = 0; i < els.length; i++) {
      var el = els[i], left = Date.parse(el.getAttribute("data-due")) - now;
      if (isNaN(left)) continue;
      var text = left > 0 ? (lang === "tr" ? fmt(left) + " içinde" : u[3] + fmt(left))
                          : (lang === "tr" ? fmt(left) + u[4] : u[4] + fmt(left));
      if (el.textContent !== text) el.textContent = text;
      el.classList.toggle("overdue", left <= 0);
      el.classList.toggle("due", left > 0);
      el.classList.toggle("soon", left > 0 && left < 3600000);
    }
  }
  tick();
  setInterval(tick, 30000);

  // Live updates: the server sends only what this user may see.
  if (!document.body.hasAttribute("data-live") || !window.EventSource) return;
  var bar = document.getElementById("live"), text = document.getElementById("live-text");
  var reload = document.getElementById("live-reload");
  if (reload) reload.addEventListener("click", function () { location.reload(); });
  function show(msg) {
    if (!bar) return;
    text.textContent = msg;
    bar.hidden = false;
  }
  var here = location.pathname;
  var es = new EventSource("/events");
  es.addEventListener("object", function (e) {
    var o = JSON.parse(e.data);
    var relevant = here === "/" || here.indexOf("/intel") === 0 ||
      (o.situation && here.indexOf("/situations/" + o.situation) === 0) || here.indexOf("/situations/" + o.id) === 0 ||
      (here === "/early-warning" && (o.type === "grouping" || o.type === "x-kurultai-ew-event"));
    if (relevant) show(bar.getAttribute("data-new") || "");
  });
  es.addEventListener("notify", function (e) { show(JSON.parse(e.data).text); });
  es.addEventListener("resync", function () { show(""); });
  es.addEventListener("expired", function () { es.close(); location.href = "/login?next=" + encodeURIComponent(location.pathname); });
})();
