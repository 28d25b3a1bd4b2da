// The members' area: unlock with a code or an invite link, read, lock.
// Decryption happens here, in the reader's browser; see docs/formats/members.md.

import {
  CHUNK_PIECE,
  SECTION_VERSION,
  checkKeyring,
  dayNumber,
  deriveCodeKeys,
  openChunk,
  openKeyringWith,
} from "./formats/members.js";
import { Unopenable, b64, concat, unb64 } from "./formats/primitives.js";

// The page's words live in the template (translatable with the rest of the
// theme); this module only picks one: say("opaque"), say("replyFrom", { who }).
const say = (name, fill = {}) =>
  (document.getElementById("unlock-status").dataset[name] ?? "").replace(
    /\{(\w+)\}/g,
    (_, key) => fill[key] ?? "",
  );
// The text around a {placeholder}, to put an element (a <time>) in its place.
const around = (name, key) => {
  const text = say(name, { [key]: "\u0000" });
  const at = text.indexOf("\u0000");
  return at < 0 ? [text, ""] : [text.slice(0, at), text.slice(at + 1)];
};
// Set for this tab once the member confirms the group's confidentiality promise.
const PROMISED = "quietboard-promised";
const here = (name) => new URL(`../../members/${name}`, import.meta.url);
const $ = (id) => document.getElementById(id);
let opened = [];

class Offline extends Error {}

// Never from or into the HTTP cache: sealed files are ciphertext, but a cached
// copy would tell whoever uses this browser next that it opened the members'
// area, and which parts of a section (docs/threat-model.md, "Caching").
async function fetchBytes(name) {
  let response;
  try {
    response = await fetch(here(name), { cache: "no-store", credentials: "omit" });
  } catch {
    throw new Offline();
  }
  if (!response.ok) throw new Error("missing");
  return new Uint8Array(await response.arrayBuffer());
}

const json = (bytes) => JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
const u32 = (bytes, at) => new DataView(bytes.buffer, bytes.byteOffset).getUint32(at);

// An unlocked section's key is kept for this tab only (sessionStorage) or, if
// the member chose "remember on this device", in localStorage: the section's
// file name, content key and the code's expiry day, never the code or any text.
const KEYS = "quietboard-members";
const stores = () => [localStorage, sessionStorage];

function read(store) {
  try {
    const grants = JSON.parse(store.getItem(KEYS) || "[]");
    return Array.isArray(grants) ? grants : [];
  } catch {
    return [];
  }
}

function storedGrants() {
  const seen = new Set();
  return stores().flatMap(read).filter((g) => g && typeof g.slot === "string" && !seen.has(g.slot) && seen.add(g.slot));
}

function keep(grant, remember) {
  forget(grant.slot); // never in both places: "remember" off must not leave a copy behind
  const store = remember ? localStorage : sessionStorage;
  store.setItem(KEYS, JSON.stringify([...read(store), grant]));
}

function forget(slot) {
  for (const store of stores()) {
    const left = read(store).filter((g) => g.slot !== slot);
    if (left.length) store.setItem(KEYS, JSON.stringify(left));
    else store.removeItem(KEYS);
  }
}

const forgetAll = () => stores().forEach((store) => store.removeItem(KEYS));

// One section, read a chunk at a time: the list first, a post's text when it
// is opened (docs/formats/members.md, "Reading a section").
class Sealed {
  constructor(grant) {
    this.grant = grant;
    this.key = unb64(grant.key, 32);
    this.slot = unb64(grant.slot, 16);
    this.chunks = new Map();
  }

  chunk(number) {
    if (!this.chunks.has(number)) {
      const opening = fetchBytes(`${this.grant.slot}.${number}.bin`)
        .then((envelope) => openChunk(this.key, this.slot, number, envelope))
        .then((chunk) => {
          if (this.head && (chunk.edition !== this.head.edition || chunk.count !== this.head.count)) {
            throw new Unopenable(); // another build's chunk
          }
          return chunk;
        });
      opening.catch(() => this.chunks.delete(number));
      this.chunks.set(number, opening);
    }
    return this.chunks.get(number);
  }

  // Bytes START..END of the section's stream, from the chunks that hold them.
  async bytes(start, end) {
    const first = Math.floor(start / CHUNK_PIECE);
    const last = Math.floor((end - 1) / CHUNK_PIECE);
    if (end > this.end || start > end) throw new Unopenable();
    const numbers = Array.from({ length: last - first + 1 }, (_, i) => first + i);
    const pieces = (await Promise.all(numbers.map((n) => this.chunk(n)))).map((c) => c.piece);
    const from = start - first * CHUNK_PIECE;
    return concat(...pieces).subarray(from, from + end - start);
  }

  async list() {
    this.head = await this.chunk(0);
    const length = u32(this.head.piece, 0); // the stream's frame: its payload's length
    const listed = u32(this.head.piece, 4);
    this.end = 4 + length;
    if (this.end > this.head.count * CHUNK_PIECE || 8 + listed > this.end) throw new Unopenable();
    this.textsAt = 8 + listed;
    const section = json(await this.bytes(8, this.textsAt));
    if (section.v !== SECTION_VERSION || !Array.isArray(section.posts)) throw new Unopenable();
    return section;
  }

  async text(post) {
    const start = this.textsAt + post.at;
    const text = json(await this.bytes(start, start + post.len));
    if (text.id !== post.id || !Array.isArray(text.replies)) throw new Unopenable();
    return text;
  }
}

async function openSection(grant) {
  const reader = new Sealed(grant);
  return { ...(await reader.list()), reader, slot: grant.slot };
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  node.append(...children.filter((c) => c !== null && c !== ""));
  return node;
}

function trusted(html) {
  const template = document.createElement("template");
  template.innerHTML = html; // sanitised at build time and authenticated by AES-GCM
  return template.content;
}

const today = () => new Date(dayNumber() * 86400000).toISOString().slice(0, 10);
const current = (item) => item.expires > today();
// Two forms (one, other) cover the languages the theme ships; see docs/translating.md.
const plurals = new Intl.PluralRules(document.documentElement.lang || "en");
const plural = (n) => say(plurals.select(n) === "one" ? "repliesOne" : "repliesOther", { n });

function byline(item, extra = "") {
  const line = el("p", { class: "byline" });
  if (item.role_label) line.append(el("span", { class: "badge" }, item.role_label), " ");
  if (item.byline) line.append(item.byline, " · ");
  line.append(el("time", { datetime: item.day }, item.day_label), extra);
  return line;
}

function body(item) {
  const text = el("div", { class: "text" }, trusted(item.html));
  const note = item.role_label ? el("p", { class: "role-note" }, say("roleNote")) : "";
  if (!item.cw.length) return [text, note];
  const summary = el("summary", {}, ...warning(item.cw), ". ", el("span", { class: "cw-open" }, say("show")));
  return [el("details", { class: "cw" }, summary, text), note];
}

// warnings.js hides the posts whose warnings the reader chose.
const cwData = (tags) => (tags.length ? { "data-cw": tags.join(",") } : {});

const warning = (tags) => [el("span", { class: "cw-label" }, say("warning")), ` ${tags.join(", ")}`];

function listView() {
  const view = [];
  for (const section of opened) {
    const posts = section.posts.filter(current);
    view.push(el("h2", {}, section.section.title));
    if (section.section.description) view.push(el("p", {}, section.section.description));
    if (say("share")) view.push(el("p", {}, el("a", { href: share(`section=${section.section.name}`) }, say("share"))));
    if (!posts.length) view.push(el("p", {}, say("nothing")));
    const list = el("ul", { class: "posts" });
    for (const post of posts) {
      const replies = post.replies.filter((expires) => expires > today()).length;
      const item = el("li", { class: "summary", ...cwData(post.cw) }, el("a", { class: "title", href: `#p=${post.id}` }, post.title));
      item.append(byline(post, replies ? ` · ${plural(replies)}` : ""));
      if (post.cw.length) {
        item.append(el("p", { class: "cw-tags" }, ...warning(post.cw)));
      }
      list.append(item);
    }
    if (posts.length) view.push(list);
  }
  return view;
}

// Links to the share page; the fragment never reaches a server.
const share = (fragment) => `${new URL("../../share/", import.meta.url).pathname}#${fragment}`;
const actions = (id, name) =>
  say("share") &&
  el("p", { class: "post-actions" },
    el("a", { href: share(`reply=${id}&section=${name}`) }, say("replyTo")),
    el("a", { href: share(`report=${id}&section=${name}`) }, say("report")));

// A post's text comes from its section's chunks when it is opened. If they
// no longer open, the site may have been rebuilt since the list was read:
// the list is read again once, and only then is the key given up.
async function postView(id) {
  for (const [at, section] of opened.entries()) {
    let post = section.posts.find((p) => p.id === id && current(p));
    if (!post) continue;
    let text;
    try {
      text = await section.reader.text(post);
    } catch (error) {
      if (error instanceof Offline) return [el("p", {}, say("offline"))];
      const again = await openSection(section.reader.grant);
      opened[at] = again;
      post = again.posts.find((p) => p.id === id && current(p));
      if (!post) break;
      text = await again.reader.text(post);
    }
    post = { ...post, ...text, replies: text.replies };
    const replies = post.replies.filter(current);
    const heading = el("h2", { id: "post-title", tabindex: "-1" }, post.title);
    const [before, after] = around("leaves", "day");
    const expiry = el("p", { class: "expiry" }, before, el("time", { datetime: post.expires }, post.expires_label), after);
    const list = el("ol");
    for (const reply of replies) {
      list.append(el("li", cwData(reply.cw), el("article", { class: "reply", "aria-label": say("replyFrom", { who: reply.byline || reply.role_label }) }, byline(reply), ...body(reply))));
    }
    return [
      el("p", { class: "crumb" }, el("a", { href: "#" }, section.section.title)),
      el("article", { class: "post", "aria-labelledby": "post-title", ...cwData(post.cw) }, heading, byline(post), ...body(post), expiry, actions(post.id, section.section.name)),
      el("section", { class: "replies", "aria-label": say("repliesLabel") }, el("h3", {}, replies.length ? plural(replies.length) : say("noreplies")), replies.length ? list : ""),
    ];
  }
  return [el("p", {}, say("gone")), el("p", {}, el("a", { href: "#" }, say("back")))];
}

let shown = 0;

async function render() {
  const turn = ++shown;
  const match = /^#p=([a-z0-9]{8,32})$/.exec(location.hash);
  if (!match) {
    $("member-view").replaceChildren(...listView());
    return;
  }
  $("member-view").replaceChildren(el("p", { class: "status" }, say("opening")));
  let view;
  try {
    view = await postView(match[1]);
  } catch (error) {
    if (turn !== shown) return;
    const slots = opened.map((section) => section.slot);
    slots.forEach(forget); // the one opaque error, as for a section that does not open
    showLocked(say(error instanceof Offline ? "offline" : "opaque"));
    return;
  }
  if (turn !== shown) return; // the reader moved on meanwhile
  $("member-view").replaceChildren(...view);
  const heading = $("post-title");
  if (heading) heading.focus();
}

function showLocked(message = "") {
  opened = [];
  $("member-view").replaceChildren();
  $("unlocked").hidden = true;
  $("promise").hidden = true;
  $("locked").hidden = false;
  $("unlock-status").textContent = message;
}

function promised() {
  try {
    return sessionStorage.getItem(PROMISED) === "yes";
  } catch {
    return false;
  }
}

// Nothing decrypted reaches the page until the member has confirmed the
// promise in this tab; asked once per tab for the whole members' area.
function showUnlocked(moveFocus = false) {
  $("locked").hidden = true;
  $("unlock-status").textContent = "";
  if (!promised()) {
    $("unlocked").hidden = true;
    $("promise").hidden = false;
    if (moveFocus) $("promise-heading").focus();
    return;
  }
  $("promise").hidden = true;
  $("unlocked").hidden = false;
  render();
  const first = $("member-view").querySelector("h2");
  if (moveFocus && first && !document.activeElement?.closest("#member-view")) {
    first.tabIndex = -1;
    first.focus();
  }
}

function lock() {
  forgetAll();
  history.replaceState(null, "", location.pathname);
  showLocked(say("locked"));
  $("code").focus();
}

// The page carries the keyring's salt and PBKDF2 count (they never change once
// a code is issued), so the slow key derivation runs while the keyring
// downloads. The keyring's own values decide: if they differ (a page from
// another build), the derivation runs again with them.
function derivedEarly(code) {
  const { salt, iterations } = $("unlock").dataset;
  if (!salt) return null;
  try {
    const hint = { salt: unb64(salt), iterations: Number(iterations) };
    const keys = deriveCodeKeys(code, hint.salt, hint.iterations);
    keys.catch(() => {}); // judged once the keyring is here
    return { ...hint, keys };
  } catch {
    return null;
  }
}

async function openKeyringFile(code) {
  const early = derivedEarly(code);
  const keyring = JSON.parse(new TextDecoder().decode(await fetchBytes("keyring.json")));
  const salt = checkKeyring(keyring);
  const same = early && b64(early.salt) === b64(salt) && early.iterations === keyring.iterations;
  const keys = await (same ? early.keys : deriveCodeKeys(code, salt, keyring.iterations));
  return openKeyringWith(keyring, keys, dayNumber());
}

async function unlockWith(code, remember) {
  const button = $("unlock-button");
  button.disabled = true;
  $("unlock-status").textContent = say("opening");
  try {
    const grant = await openKeyringFile(code);
    const stored = { slot: b64(grant.slot), key: b64(grant.contentKey), expires: grant.expires };
    keep(stored, remember);
    let section;
    try {
      section = await openSection(stored);
    } catch (error) {
      forget(stored.slot);
      throw error;
    }
    opened = opened.filter((s) => s.slot !== stored.slot).concat([section]);
    $("code").value = "";
    showUnlocked(true);
  } catch (error) {
    showLocked(say(error instanceof Offline ? "offline" : "opaque"));
  } finally {
    button.disabled = false;
  }
}

async function reopen() {
  const grants = storedGrants();
  for (const grant of grants) {
    try {
      if (grant.expires && grant.expires <= dayNumber()) throw new Error("expired");
      opened.push(await openSection(grant));
    } catch (error) {
      if (!(error instanceof Offline)) forget(grant.slot);
    }
  }
  if (opened.length) showUnlocked();
  else if (grants.length) showLocked(say("again"));
}

function start() {
  // The invite's code leaves the address bar and this history entry first of all.
  let invited = null;
  if (location.hash.startsWith("#code=")) {
    try {
      invited = decodeURIComponent(location.hash.slice(6));
    } catch {
      invited = "";
    }
    history.replaceState(null, "", location.pathname + location.search);
  }
  // Shown by default (not in <noscript>), so that a browser that blocks or
  // cannot run this module also says why nothing opens.
  $("needs-script").hidden = true;
  if (!window.isSecureContext || !globalThis.crypto?.subtle) {
    $("unlock-status").textContent = say("insecure");
    return;
  }
  $("unlock").hidden = false;
  $("show-code").addEventListener("change", (event) => {
    $("code").type = event.target.checked ? "text" : "password";
  });
  $("unlock").addEventListener("submit", (event) => {
    event.preventDefault();
    if (!$("code").value.trim()) {
      $("unlock-status").textContent = say("empty");
      return;
    }
    unlockWith($("code").value, $("remember").checked);
  });
  $("lock").addEventListener("click", lock);
  $("decline").addEventListener("click", lock);
  $("agree").addEventListener("click", () => {
    try {
      sessionStorage.setItem(PROMISED, "yes");
    } catch {
      // Storage switched off: asked again on the next page, never skipped.
    }
    showUnlocked(true);
  });
  addEventListener("hashchange", () => opened.length && promised() && render());
  // Back to a page kept whole by the browser after quick exit or Lock elsewhere
  // in this tab: the keys are gone, so is what they opened.
  addEventListener("pageshow", (event) => {
    if (event.persisted && opened.length && !storedGrants().length) showLocked(say("locked"));
  });
  // Lock in one tab locks every tab that remembered the key.
  addEventListener("storage", (event) => {
    if (event.key === null || (event.key === KEYS && !event.newValue)) {
      if (opened.length) showLocked(say("locked"));
    }
  });
  if (invited !== null) unlockWith(invited, false);
  else reopen();
}

start();
