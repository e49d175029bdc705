/* The unread-alerts count on the nav's Alerts link, refreshed every minute. */
"use strict";
(() => {
  const badge = document.getElementById("alert-badge");
  if (!badge) return;
  async function refresh() {
    try {
      const { data } = await LIR.api("GET", "/notifications?unread=true&limit=1");
      badge.hidden = data.unread === 0;
      badge.textContent = data.unread > 99 ? "99+" : String(data.unread);
      badge.setAttribute("aria-label", `${data.unread} unread alert${data.unread === 1 ? "" : "s"}`);
    } catch { /* the badge is a hint; the Alerts page shows errors */ }
  }
  window.addEventListener("lir:alerts-changed", refresh);
  refresh();
  setInterval(refresh, 60_000);
})();
