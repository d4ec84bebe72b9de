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

// Keyboard shortcuts: `?` lists them; they can be turned off (remembered in
// this browser), and never fire while typing in a box.
(() => {
  const dialog = document.getElementById("shortcuts");
  const button = document.getElementById("shortcuts-button");
  const toggle = document.getElementById("shortcuts-on");
  if (!dialog || !button || !toggle) return;
  const KEY = "taskd.shortcuts";
  const enabled = () => window.localStorage.getItem(KEY) !== "off";
  toggle.checked = enabled();
  toggle.addEventListener("change", () => {
    window.localStorage.setItem(KEY, toggle.checked ? "on" : "off");
  });
  button.hidden = false;
  button.addEventListener("click", () => dialog.showModal());

  const rows = () => [...document.querySelectorAll("#task-list tr[data-task]")];
  let selected = null;
  function select(row) {
    rows().forEach((r) => r.classList.remove("selected"));
    selected = row?.dataset.task ?? null;
    if (!row) return;
    row.classList.add("selected");
    row.querySelector("a.title")?.focus();
  }
  // The row picked with j/k, or the one holding the focus.
  function current() {
    const focused = document.activeElement?.closest?.("tr[data-task]");
    if (focused) return focused;
    return rows().find((row) => row.dataset.task === selected) ?? null;
  }
  function press(row, path) {
    row?.querySelector(`form[action$="/${path}"] button`)?.click();
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    const target = event.target;
    const typing =
      target instanceof HTMLInputElement ||
      target instanceof HTMLTextAreaElement ||
      target instanceof HTMLSelectElement ||
      target?.isContentEditable;
    if (typing || dialog.open || !enabled()) return;
    const all = rows();
    const row = current();
    const at = row ? all.indexOf(row) : -1;
    switch (event.key) {
      case "?":
        dialog.showModal();
        break;
      case "n":
        document.getElementById("q")?.focus();
        break;
      case "/":
        document.querySelector('input[name="search"]')?.focus();
        break;
      case "j":
        select(all[Math.min(at + 1, all.length - 1)] ?? null);
        break;
      case "k":
        select(all[Math.max(at - 1, 0)] ?? null);
        break;
      case "x":
        if (row?.querySelector('form[action$="/done"]')) press(row, "done");
        else press(row, "reopen");
        break;
      case "s":
        if (row?.querySelector('form[action$="/start"]')) press(row, "start");
        else press(row, "stop");
        break;
      case "e":
        row?.querySelector("a.title")?.click();
        break;
      case "#":
        press(row, "delete");
        break;
      case "u":
        document.querySelector(".notice form button")?.click();
        break;
      default:
        return;
    }
    event.preventDefault();
  });
})();
