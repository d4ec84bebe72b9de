// Progressive enhancement for the task list: every page works without it.
//
// Live updates: the list follows the user's task changes, made here or
// anywhere else (the CLI, the TUI, another browser), through the event
// stream, and says so to screen readers.
"use strict";

(() => {
  const region = () => document.getElementById("task-list");
  const status = document.getElementById("live-status");
  if (!region() || !window.EventSource) return;

  let pending = null;
  let refreshing = false;

  // The list as the server renders it now, swapped in where it stands; the
  // focused control keeps the focus if it is still there.
  async function refresh() {
    if (refreshing) {
      schedule();
      return;
    }
    refreshing = true;
    try {
      const response = await fetch(window.location.href, {
        headers: { Accept: "text/html" },
        credentials: "same-origin",
        cache: "no-store",
      });
      if (!response.ok || response.redirected) return;
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = page.getElementById("task-list");
      const current = region();
      if (!fresh || !current) return;
      const focused = document.activeElement?.getAttribute("aria-label");
      current.replaceWith(document.adoptNode(fresh));
      if (focused) {
        const again = [...region().querySelectorAll("[aria-label]")].find(
          (element) => element.getAttribute("aria-label") === focused,
        );
        again?.focus();
      }
      if (status) {
        const count = region().querySelector(".count")?.textContent?.trim() ?? "";
        status.textContent = `Tasks updated. ${count}.`;
      }
    } catch {
      // The next change tries again.
    } finally {
      refreshing = false;
    }
  }

  // A burst of changes makes one refresh.
  function schedule() {
    clearTimeout(pending);
    pending = setTimeout(refresh, 150);
  }

  const stream = new EventSource("/api/events/");
  stream.addEventListener("task", schedule);
  stream.addEventListener("reset", schedule);
  stream.addEventListener("logout", (event) => {
    let reason = "";
    try {
      reason = JSON.parse(event.data).reason;
    } catch {}
    // An expired stream is opened again by the browser; a revoked login is
    // over: the next page load goes to the login page.
    if (reason === "revoked") stream.close();
  });
})();
