// Progressive enhancement for the task list and a task's page: every page
// works without it.
//
// A task's page: leaving it (Start, Stop, Delete, a note, a link) with
// edits in its form not saved asks first, as the browser asks for any page.
"use strict";

(() => {
  const form = document.querySelector("form.task-form");
  if (!form) return;
  // Against what the page was drawn with, not what the script first saw:
  // a browser that fills the form again on Back has the edits still
  // unsaved.
  const edited = () =>
    [...form.elements].some((field) => {
      if (field instanceof HTMLSelectElement) {
        return [...field.options].some((option) => option.selected !== option.defaultSelected);
      }
      if (field.type === "checkbox" || field.type === "radio") {
        return field.checked !== field.defaultChecked;
      }
      return "defaultValue" in field && field.value !== field.defaultValue;
    });
  // Drawn again after a refused save: what it shows is not saved yet.
  const refused = form.dataset.unsaved === "true";
  let saving = false;
  form.addEventListener("submit", () => {
    saving = true;
  });
  // Back to this page from the browser's cache: not saving any more.
  window.addEventListener("pageshow", () => {
    saving = false;
  });
  window.addEventListener("beforeunload", (event) => {
    if (saving || !(refused || edited())) return;
    event.preventDefault();
    // Older browsers show the dialog only for a returnValue set.
    event.returnValue = "";
  });
})();

// Live updates: the list follows the user's task changes, made here or
// anywhere else (the CLI, the TUI, another browser), through the event
// stream, and says so to screen readers.

(() => {
  const region = () => document.getElementById("task-list");
  const status = document.getElementById("live-status");
  if (!region() || !window.EventSource) return;

  let pending = null;
  let refreshing = false;

  // Where the focus is, so that it can be put back on the same control of
  // the same task's row (or a control of the same name) once the list is
  // drawn again.
  function focusMark() {
    const focused = document.activeElement;
    if (!focused || !region()?.contains(focused)) return null;
    const row = focused.closest("tr[data-task]");
    return {
      task: row?.dataset.task ?? null,
      label: focused.getAttribute("aria-label"),
      title: focused.matches("a.title"),
    };
  }
  function refocus(mark) {
    if (!mark) return;
    const row = mark.task
      ? region().querySelector(`tr[data-task="${CSS.escape(mark.task)}"]`)
      : null;
    // Its row gone (done elsewhere, filtered out): the focus goes nowhere
    // rather than to another task's control.
    if (mark.task && !row) return;
    const within = row ?? region();
    const again = mark.title
      ? within.querySelector("a.title")
      : [...within.querySelectorAll("[aria-label]")].find(
          (element) => element.getAttribute("aria-label") === mark.label,
        );
    again?.focus();
  }

  // The list as the server renders it now, swapped in where it stands; the
  // focused control keeps the focus if it is still there. A page drawn in
  // answer to a form (a quick add refused) names the list it shows: that
  // is what is fetched, not the form's address.
  async function refresh() {
    if (refreshing) {
      schedule();
      return;
    }
    refreshing = true;
    try {
      const source = region()?.dataset.source || window.location.href;
      const response = await fetch(source, {
        headers: { Accept: "text/html" },
        credentials: "same-origin",
        cache: "no-store",
      });
      if (!response.ok || response.redirected) return;
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = page.getElementById("task-list");
      const current = region();
      if (!fresh || !current) return;
      const mark = focusMark();
      current.replaceWith(document.adoptNode(fresh));
      refocus(mark);
      document.dispatchEvent(new CustomEvent("tasks:redrawn"));
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
  // Said once, at the top of the page, when the list stops following
  // changes: a page that looks live but is not misleads.
  function stopped(text) {
    if (document.getElementById("live-stopped")) return;
    const notice = document.createElement("p");
    notice.id = "live-stopped";
    notice.className = "notice stopped";
    notice.setAttribute("role", "alert");
    const link = document.createElement("a");
    link.href = region()?.dataset.source || window.location.pathname + window.location.search;
    link.textContent = "Reload the page";
    notice.append(`${text} `, link);
    document.querySelector("main")?.prepend(notice);
  }
  stream.addEventListener("logout", (event) => {
    let reason = "";
    try {
      reason = JSON.parse(event.data).reason;
    } catch {}
    // An expired stream is opened again by the browser; a revoked login is
    // over.
    if (reason === "revoked") {
      stream.close();
      stopped(
        "This session has ended (logged out elsewhere, or the account was deactivated): " +
          "this list no longer follows changes.",
      );
    }
  });
  // The browser gives up on a stream the server refuses (a login that ran
  // out or was revoked); on a lost connection it tries again by itself.
  stream.addEventListener("error", () => {
    if (stream.readyState === EventSource.CLOSED) {
      stopped("This list no longer follows changes.");
    }
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
  // The list drawn again by a live update: the picked row stays picked.
  document.addEventListener("tasks:redrawn", () => {
    rows()
      .find((row) => row.dataset.task === selected)
      ?.classList.add("selected");
  });
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
