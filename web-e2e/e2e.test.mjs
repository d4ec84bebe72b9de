// The web app in headless Chromium (Debian's, or CHROMIUM), against a real
// taskd (target/debug/taskd, or TASKD) on a fresh database.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, existsSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createServer } from "node:net";
import { chromium } from "playwright-core";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const taskdBin = process.env.TASKD ?? join(root, "target", "debug", "taskd");
const chromiumBin = process.env.CHROMIUM ?? "/usr/bin/chromium";
const shots = process.env.SCREENSHOTS;
const PASSWORD = "correct horse battery";

let daemon, dir, base, browser;

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

before(async () => {
  assert.ok(existsSync(taskdBin), `no taskd at ${taskdBin}: cargo build -p taskd`);
  assert.ok(existsSync(chromiumBin), `no Chromium at ${chromiumBin}: apt-get install chromium`);
  dir = mkdtempSync(join(tmpdir(), "taskd-e2e-"));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  daemon = spawn(
    taskdBin,
    ["--database", join(dir, "taskd.sqlite3"), "--bind", `127.0.0.1:${port}`, "--registrations-per-hour", "0"],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  daemon.stderr.on("data", () => {});
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  browser = await chromium.launch({ executablePath: chromiumBin, args: ["--no-sandbox"] });
});

after(async () => {
  await browser?.close();
  daemon?.kill();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A page that fails the test on any console error or CSP violation. */
async function watchedPage(context) {
  const page = await context.newPage();
  const problems = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(message.text());
  });
  page.on("pageerror", (error) => problems.push(String(error)));
  return { page, problems };
}

async function register(page, username) {
  await page.goto(`${base}/register`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("Password again").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL(`${base}/`);
}

/** Runs `action`, which submits a form, and waits for the page it leads to. */
async function navigates(page, action) {
  await Promise.all([page.waitForNavigation(), action()]);
}

async function titles(page) {
  return page.locator("table.tasks .title").allTextContents();
}

async function screenshot(page, name) {
  if (!shots) return;
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

test("log in, quick add, complete, filter then reload, delete", async () => {
  const context = await browser.newContext({ colorScheme: "light", viewport: { width: 1100, height: 700 } });
  const { page, problems } = await watchedPage(context);
  await register(page, "alice");
  await page.getByRole("button", { name: "Log out" }).click();
  await page.waitForURL(/\/login$/);
  await page.getByLabel("Username").fill("alice");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(`${base}/`);

  for (const line of [
    "Pay rent project:home pri:H due:tomorrow",
    "Water the plants project:home +garden",
    "Write the quarterly report project:work +writing due:friday",
    "Call the plumber +phone pri:M",
  ]) {
    await page.getByLabel("New task").fill(line);
    await navigates(page, () => page.getByRole("button", { name: "Add", exact: true }).click());
  }
  assert.deepEqual((await titles(page)).sort(), [
    "Call the plumber",
    "Pay rent",
    "Water the plants",
    "Write the quarterly report",
  ]);
  await screenshot(page, "web-light");

  // Edit on the task's own page, add a note, then back to the same view.
  await navigates(page, () => page.getByRole("link", { name: "Call the plumber" }).click());
  await page.getByLabel("Title").fill("Call the plumber about the sink");
  await page.getByLabel("Priority").selectOption("high");
  await page.getByLabel("Due").fill("tomorrow");
  await navigates(page, () => page.getByRole("button", { name: "Save" }).click());
  assert.equal(new URL(page.url()).pathname, "/");
  assert.ok((await titles(page)).includes("Call the plumber about the sink"));
  await navigates(page, () => page.getByRole("link", { name: "Call the plumber about the sink" }).click());
  assert.equal(await page.getByLabel("Priority").inputValue(), "high");
  await page.getByLabel("New note").fill("Number is on the fridge");
  await navigates(page, () => page.getByRole("button", { name: "Add note" }).click());
  assert.ok(await page.getByText("Number is on the fridge").isVisible());
  await screenshot(page, "web-task");
  await navigates(page, () => page.getByRole("link", { name: "All tasks" }).click());

  await navigates(page, () => page.getByRole("button", { name: "Done: Water the plants" }).click());
  assert.ok(!(await titles(page)).includes("Water the plants"));
  // The notice offers the undo; it brings the task back, and redo again.
  assert.match(await page.locator(".notice").textContent(), /Water the plants/);
  await navigates(page, () => page.getByRole("button", { name: "Undo" }).click());
  assert.ok((await titles(page)).includes("Water the plants"));
  await navigates(page, () => page.getByRole("button", { name: "Redo" }).click());
  assert.ok(!(await titles(page)).includes("Water the plants"));

  await page.getByLabel("Project", { exact: true }).fill("home");
  await page.getByLabel("Status").selectOption("all");
  await page.getByRole("button", { name: "Filter" }).click();
  await page.waitForURL(/project=home/);
  await page.reload();
  assert.equal(await page.getByLabel("Project", { exact: true }).inputValue(), "home");
  assert.deepEqual((await titles(page)).sort(), ["Pay rent", "Water the plants"]);

  await navigates(page, () => page.getByRole("button", { name: "Delete: Pay rent" }).click());
  assert.deepEqual(await titles(page), ["Water the plants"]);
  assert.deepEqual(problems, []);
  await context.close();
});

test("dark mode and a phone-sized screen", async () => {
  const context = await browser.newContext({ colorScheme: "dark", viewport: { width: 390, height: 844 }, isMobile: true });
  const { page, problems } = await watchedPage(context);
  await register(page, "bob");
  const long = "y".repeat(150);
  const longTag = "t".repeat(60);
  const longProject = "p".repeat(80);
  for (const line of ["Buy milk +errands due:tomorrow", "Book the dentist pri:H", "Read a book project:leisure", `${long} +${longTag} project:${longProject}`]) {
    await page.getByLabel("New task").fill(line);
    await navigates(page, () => page.getByRole("button", { name: "Add", exact: true }).click());
  }
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(background, "rgb(21, 21, 23)");
  // Nothing wider than the screen, even a title, a tag and a project of
  // one long word each, here, on a wider screen, and on the task's page.
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `the page is ${width} px wide`);
  await screenshot(page, "web-phone-dark");
  // The Project and Pri columns are hidden here: a task's own cell says them.
  const reading = page.locator("table.tasks tr", { hasText: "Read a book" });
  assert.ok(!(await reading.locator("td.project").isVisible()));
  assert.ok(await reading.locator(".narrow-only", { hasText: "leisure" }).isVisible());
  const dentist = page.locator("table.tasks tr", { hasText: "Book the dentist" });
  assert.ok(await dentist.locator(".narrow-only", { hasText: "pri H" }).isVisible());
  await page.setViewportSize({ width: 1100, height: 700 });
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 1100, `the page is ${wide} px wide on a 1100 px screen`);
  // On a wide screen their columns say them, once.
  assert.ok(await reading.locator("td.project", { hasText: "leisure" }).isVisible());
  assert.ok(!(await reading.locator(".narrow-only").isVisible()));
  await page.setViewportSize({ width: 390, height: 844 });
  await navigates(page, () => page.locator("table.tasks a.title", { hasText: long }).click());
  const taskWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(taskWidth <= 390, `the task's page is ${taskWidth} px wide`);
  assert.deepEqual(problems, []);
  await context.close();
});

test("the whole flow with the keyboard alone", async () => {
  const context = await browser.newContext();
  const { page, problems } = await watchedPage(context);
  await page.goto(`${base}/register`);
  // The username box has the focus; Tab moves on, Enter sends. Chromium
  // may give an autofocus its focus only after the load event, and keys
  // typed before it would go nowhere: wait for it.
  await page.waitForFunction(() => document.activeElement?.getAttribute("name") === "username");
  await page.keyboard.type("carol");
  await page.keyboard.press("Tab");
  await page.keyboard.press("Tab");
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press("Tab");
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press("Enter");
  await page.waitForURL(`${base}/`);
  await page.getByLabel("New task").focus();
  await page.keyboard.type("Keyboard only task");
  await navigates(page, () => page.keyboard.press("Enter"));
  assert.deepEqual(await titles(page), ["Keyboard only task"]);
  // Tab to its Done button and press it.
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => document.activeElement?.getAttribute("aria-label"));
    if (focused === "Done: Keyboard only task") break;
  }
  await navigates(page, () => page.keyboard.press("Enter"));
  assert.deepEqual(await titles(page), []);
  assert.deepEqual(problems, []);
  await context.close();
});

async function logIn(page, username) {
  await page.goto(`${base}/login`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(PASSWORD);
  await navigates(page, () => page.getByRole("button", { name: "Log in" }).click());
}

test("leaving a task's page with unsaved edits asks first", async () => {
  const context = await browser.newContext();
  const { page, problems } = await watchedPage(context);
  await register(page, "fiona");
  await page.getByLabel("New task").fill("Paint the shed");
  await navigates(page, () => page.getByRole("button", { name: "Add", exact: true }).click());
  await navigates(page, () => page.getByRole("link", { name: "Paint the shed" }).click());
  const asked = [];
  page.on("dialog", (dialog) => {
    asked.push(dialog.type());
    dialog.dismiss();
  });
  // Untouched, Start leaves at once.
  await navigates(page, () => page.getByRole("button", { name: "Start" }).click());
  assert.deepEqual(asked, []);
  // Typed, then Stop: the browser asks, and staying keeps what was typed.
  await page.getByLabel("Title").fill("Paint the shed green");
  await page.getByRole("button", { name: "Stop" }).click();
  await page.waitForTimeout(300);
  assert.deepEqual(asked, ["beforeunload"]);
  assert.equal(await page.getByLabel("Title").inputValue(), "Paint the shed green");
  // Save leaves without asking, and saves.
  await navigates(page, () => page.getByRole("button", { name: "Save" }).click());
  assert.deepEqual(asked, ["beforeunload"]);
  assert.ok((await titles(page)).includes("Paint the shed green"));
  assert.deepEqual(problems, []);
  await context.close();
});

test("two browsers of one user see each other's changes live", async () => {
  const first = await browser.newContext();
  const second = await browser.newContext();
  const { page: one, problems: oneProblems } = await watchedPage(first);
  const { page: two, problems: twoProblems } = await watchedPage(second);
  await register(one, "dave");
  await logIn(two, "dave");
  // The second page is open and idle when the first adds a task.
  await two.waitForFunction(() => document.getElementById("task-list") !== null);
  await new Promise((r) => setTimeout(r, 300));
  await one.getByLabel("New task").fill("Seen from the other browser");
  await navigates(one, () => one.getByRole("button", { name: "Add", exact: true }).click());
  const started = Date.now();
  await two.getByRole("link", { name: "Seen from the other browser" }).waitFor({ timeout: 2000 });
  const took = Date.now() - started;
  assert.ok(took < 2000, `took ${took} ms`);
  assert.match(await two.locator("#live-status").textContent(), /Tasks updated/);
  // And back: done in the second disappears from the first, no reload.
  await navigates(two, () => two.getByRole("button", { name: "Done: Seen from the other browser" }).click());
  await one.getByRole("link", { name: "Seen from the other browser" }).waitFor({ state: "detached", timeout: 2000 });
  assert.deepEqual(oneProblems, []);
  assert.deepEqual(twoProblems, []);
  await first.close();
  await second.close();
});

test("after a refused quick add the list stays live, keeps its focus, and says when its session ends", async () => {
  const context = await browser.newContext();
  const { page: one, problems } = await watchedPage(context);
  await register(one, "fay");
  await one.getByLabel("New task").fill("First task");
  await navigates(one, () => one.getByRole("button", { name: "Add", exact: true }).click());
  // Refused: the page is the form's answer, at the form's address.
  await one.getByLabel("New task").fill("Broken due:nonsense");
  await navigates(one, () => one.getByRole("button", { name: "Add", exact: true }).click());
  assert.match(await one.locator("p.error").textContent(), /due/);
  await one.locator("body").click({ position: { x: 5, y: 300 } });
  await one.keyboard.press("j");
  assert.equal(await one.evaluate(() => document.activeElement?.textContent), "First task");
  // Another tab of the same browser adds a task: this one shows it.
  const two = await context.newPage();
  await two.goto(`${base}/`);
  await two.getByLabel("New task").fill("Added in another tab");
  await navigates(two, () => two.getByRole("button", { name: "Add", exact: true }).click());
  await one.getByRole("link", { name: "Added in another tab" }).waitFor({ timeout: 2000 });
  assert.equal(await one.evaluate(() => document.activeElement?.textContent), "First task");
  assert.equal(await one.locator("tr.selected a.title").textContent(), "First task");
  // Logged out in the other tab: this one says it no longer follows.
  await navigates(two, () => two.getByRole("button", { name: "Log out" }).click());
  await one.locator("#live-stopped").waitFor({ timeout: 2000 });
  assert.match(await one.locator("#live-stopped").textContent(), /session has ended/);
  await screenshot(one, "live-stopped");
  // The refused form's 400 is the only thing the console said.
  assert.deepEqual(problems.filter((p) => !/Failed to load resource/.test(p)), []);
  await context.close();
});

test("keyboard shortcuts, and turned off", async () => {
  const context = await browser.newContext();
  const { page, problems } = await watchedPage(context);
  await register(page, "erin");
  // n: to quick add; typing there fires nothing.
  await page.keyboard.press("n");
  await page.keyboard.type("Press x to finish me");
  await navigates(page, () => page.keyboard.press("Enter"));
  await page.getByLabel("New task").fill("Second");
  await navigates(page, () => page.keyboard.press("Enter"));
  assert.deepEqual((await titles(page)).sort(), ["Press x to finish me", "Second"]);
  await page.locator("body").click({ position: { x: 5, y: 300 } });
  // j selects the first row, j the next, k back; x marks it done.
  await page.keyboard.press("j");
  await page.keyboard.press("j");
  await page.keyboard.press("k");
  const first = (await titles(page))[0];
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), first);
  await navigates(page, () => page.keyboard.press("x"));
  assert.ok(!(await titles(page)).includes(first));
  // u undoes it.
  await navigates(page, () => page.keyboard.press("u"));
  assert.ok((await titles(page)).includes(first));
  // ? lists them; the list turns them off, for good in this browser.
  await page.keyboard.press("?");
  assert.ok(await page.locator("#shortcuts").isVisible());
  await page.getByLabel("Keyboard shortcuts on").uncheck();
  await page.getByRole("button", { name: "Close" }).click();
  await page.reload();
  await page.locator("body").click({ position: { x: 5, y: 300 } });
  await page.keyboard.press("n");
  assert.notEqual(await page.evaluate(() => document.activeElement?.id), "q");
  await page.keyboard.press("?");
  assert.ok(!(await page.locator("#shortcuts").isVisible()));
  // The button still opens the list, to turn them on again.
  await page.getByRole("button", { name: "Keyboard shortcuts (?)" }).click();
  assert.ok(await page.locator("#shortcuts").isVisible());
  assert.deepEqual(problems, []);
  await context.close();
});

/** An account with `titles` as its tasks, made through the API. */
async function apiUserWithTasks(username, email, titles) {
  const json = { "content-type": "application/json" };
  const registered = await fetch(`${base}/api/register/`, {
    method: "POST", headers: json, body: JSON.stringify({ username, email, password: PASSWORD }),
  });
  assert.equal(registered.status, 201);
  const login = await fetch(`${base}/api/login/`, {
    method: "POST", headers: json, body: JSON.stringify({ username, password: PASSWORD }),
  });
  const { access } = await login.json();
  for (const title of titles) {
    const made = await fetch(`${base}/api/tasks/`, {
      method: "POST", headers: { ...json, authorization: `Bearer ${access}` }, body: JSON.stringify({ title }),
    });
    assert.equal(made.status, 201);
  }
}

test("the admin panel: a bulk delete, confirmed", async () => {
  const context = await browser.newContext({ colorScheme: "light", viewport: { width: 1100, height: 760 } });
  const { page, problems } = await watchedPage(context);
  await register(page, "root");
  const promoted = spawnSync(
    taskdBin,
    ["createsuperuser", "--database", join(dir, "taskd.sqlite3"), "--username", "root", "--yes"],
    { encoding: "utf8" },
  );
  assert.equal(promoted.status, 0, promoted.stderr);
  await apiUserWithTasks("frank", "frank@example.com", ["Plan the offsite", "Book the venue", "Order catering"]);
  await apiUserWithTasks("grace", "grace@example.com", ["Review the budget"]);
  await apiUserWithTasks("heidi", "heidi@example.com", []);

  await page.reload();
  await navigates(page, () => page.getByRole("link", { name: "Admin", exact: true }).first().click());
  await navigates(page, () => page.getByRole("link", { name: "Users", exact: true }).click());
  assert.match(await page.locator(".count").textContent(), /users/);
  await page.getByLabel("Select frank").check();
  await page.getByLabel("Select grace").check();
  await page.getByLabel("With the selected users").selectOption("delete");
  await screenshot(page, "admin-users");
  await navigates(page, () => page.getByRole("button", { name: "Go" }).click());
  // The confirmation names each user and what goes with them.
  const question = await page.locator("main").textContent();
  assert.match(question, /Delete 2 users and their 4 tasks\? This cannot be undone\./);
  assert.match(question, /frank \(frank@example\.com\), 3 tasks/);
  assert.match(question, /grace \(grace@example\.com\), 1 task/);
  await screenshot(page, "admin-confirm");
  await navigates(page, () => page.getByRole("button", { name: "Yes, delete" }).click());
  assert.match(await page.locator("h1").textContent(), /Deleted 2 users\./);
  await navigates(page, () => page.getByRole("link", { name: "Back to the users" }).click());
  const left = await page.locator("table.users tbody td:nth-child(2)").allTextContents();
  assert.ok(left.includes("heidi") && !left.includes("frank") && !left.includes("grace"), left.join());
  await navigates(page, () => page.locator(".admin-nav").getByRole("link", { name: "Admin" }).click());
  const recent = await page.locator("table.log").textContent();
  assert.match(recent, /Deleted user frank/);
  assert.match(recent, /Deleted, with 3 tasks\./);
  await screenshot(page, "admin-index");
  // On a phone, the page fits the screen; a wide table scrolls in its box.
  await page.setViewportSize({ width: 390, height: 844 });
  await navigates(page, () => page.locator(".admin-nav").getByRole("link", { name: "Users" }).click());
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `the page is ${width} px wide`);
  assert.deepEqual(problems, []);
  await context.close();
});
