// The members' area: unlock with a code or an invite link, read, lock.
// Decryption happens here, in the reader's browser; see docs/format.md.

import { b64, dayNumber, openItem, openKeyring, unb64 } from "./members-format.js";
import { forget, forgetAll, keep, storedGrants } from "./members-keys.js";

const OPAQUE =
  "That code did not open anything here. Check it and try again, or ask a moderator for a new one.";
const OFFLINE = "The board could not be reached. Check your connection and try again.";
const AGAIN = "Please type your access code again.";
const INSECURE =
  "This page can only decrypt the members' area when it is opened from its https:// address " +
  "(or from http://127.0.0.1 in a preview), not from a file or a plain http:// address.";
const SECTION_ITEM = "section";
const here = (name) => new URL(`../../members/${name}`, import.meta.url);
const $ = (id) => document.getElementById(id);
let opened = [];

class Offline extends Error {}

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

async function openSection(grant) {
  const envelope = await fetchBytes(`${grant.slot}.bin`);
  const key = unb64(grant.key, 32);
  const payload = await openItem(key, unb64(grant.slot, 16), SECTION_ITEM, envelope);
  const section = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(payload));
  if (section.v !== 1 || !Array.isArray(section.posts)) throw new Error("format");
  return section;
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
const plural = (n) => `${n} ${n === 1 ? "reply" : "replies"}`;

function byline(item, extra = "") {
  const line = el("p", { class: "byline" });
  if (item.role_label) line.append(el("span", { class: "badge" }, item.role_label), " ");
  if (item.byline) line.append(item.byline, " · ");
  line.append(el("time", { datetime: item.day }, item.day_label), extra);
  return line;
}

function body(item) {
  const text = el("div", { class: "text" }, trusted(item.html));
  if (!item.cw.length) return text;
  const summary = el(
    "summary",
    {},
    el("span", { class: "cw-label" }, "Content warning:"),
    ` ${item.cw.join(", ")}. `,
    el("span", { class: "cw-open" }, "Show"),
  );
  return el("details", { class: "cw" }, summary, text);
}

function listView() {
  const view = [];
  for (const section of opened) {
    const posts = section.posts.filter(current);
    view.push(el("h2", {}, section.section.title));
    if (section.section.description) view.push(el("p", {}, section.section.description));
    if (!posts.length) view.push(el("p", {}, "Nothing here yet."));
    const list = el("ul", { class: "posts" });
    for (const post of posts) {
      const replies = post.replies.filter(current).length;
      const item = el("li", { class: "summary" }, el("a", { class: "title", href: `#p=${post.id}` }, post.title));
      item.append(byline(post, replies ? ` · ${plural(replies)}` : ""));
      if (post.cw.length) {
        item.append(el("p", { class: "cw-tags" }, el("span", { class: "cw-label" }, "Content warning:"), ` ${post.cw.join(", ")}`));
      }
      list.append(item);
    }
    if (posts.length) view.push(list);
  }
  return view;
}

function postView(id) {
  for (const section of opened) {
    const post = section.posts.find((p) => p.id === id && current(p));
    if (!post) continue;
    const replies = post.replies.filter(current);
    const heading = el("h2", { id: "post-title", tabindex: "-1" }, post.title);
    const expiry = el("p", { class: "expiry" }, "This post leaves the board on ", el("time", { datetime: post.expires }, post.expires_label), ".");
    const list = el("ol");
    for (const reply of replies) {
      list.append(el("li", {}, el("article", { class: "reply", "aria-label": `Reply from ${reply.byline || reply.role_label}` }, byline(reply), body(reply))));
    }
    return [
      el("p", { class: "crumb" }, el("a", { href: "#" }, section.section.title)),
      el("article", { class: "post", "aria-labelledby": "post-title" }, heading, byline(post), body(post), expiry),
      el("section", { class: "replies", "aria-label": "Replies" }, el("h3", {}, replies.length ? plural(replies.length) : "No replies yet"), replies.length ? list : ""),
    ];
  }
  return [el("p", {}, "This post is no longer on the board."), el("p", {}, el("a", { href: "#" }, "Back to the list"))];
}

function render() {
  const match = /^#p=([a-z0-9]{8,32})$/.exec(location.hash);
  $("member-view").replaceChildren(...(match ? postView(match[1]) : listView()));
  const heading = match && $("post-title");
  if (heading) heading.focus();
}

function showLocked(message = "") {
  opened = [];
  $("member-view").replaceChildren();
  $("unlocked").hidden = true;
  $("locked").hidden = false;
  $("unlock-status").textContent = message;
}

function showUnlocked() {
  $("locked").hidden = true;
  $("unlocked").hidden = false;
  $("unlock-status").textContent = "";
  render();
}

async function unlockWith(code, remember) {
  const button = $("unlock-button");
  button.disabled = true;
  $("unlock-status").textContent = "Opening…";
  try {
    const keyring = JSON.parse(new TextDecoder().decode(await fetchBytes("keyring.json")));
    const grant = await openKeyring(keyring, code, dayNumber());
    const stored = { slot: b64(grant.slot), key: b64(grant.contentKey), expires: grant.expires };
    const section = await openSection(stored);
    keep(stored, remember);
    opened = opened.filter((s) => s.slot !== stored.slot).concat([{ ...section, slot: stored.slot }]);
    $("code").value = "";
    showUnlocked();
  } catch (error) {
    showLocked(error instanceof Offline ? OFFLINE : OPAQUE);
  } finally {
    button.disabled = false;
  }
}

async function reopen() {
  const grants = storedGrants();
  for (const grant of grants) {
    try {
      if (grant.expires && grant.expires <= dayNumber()) throw new Error("expired");
      opened.push({ ...(await openSection(grant)), slot: grant.slot });
    } catch (error) {
      if (!(error instanceof Offline)) forget(grant.slot);
    }
  }
  if (opened.length) showUnlocked();
  else if (grants.length) showLocked(AGAIN);
}

function start() {
  // Shown by default (not in <noscript>), so that a browser that blocks or
  // cannot run this module also says why nothing opens.
  $("needs-script").hidden = true;
  if (!window.isSecureContext || !globalThis.crypto?.subtle) {
    $("unlock-status").textContent = INSECURE;
    return;
  }
  $("unlock").hidden = false;
  $("show-code").addEventListener("change", (event) => {
    $("code").type = event.target.checked ? "text" : "password";
  });
  $("unlock").addEventListener("submit", (event) => {
    event.preventDefault();
    if (!$("code").value.trim()) {
      $("unlock-status").textContent = "Type the access code a moderator gave you.";
      return;
    }
    unlockWith($("code").value, $("remember").checked);
  });
  $("lock").addEventListener("click", () => {
    forgetAll();
    history.replaceState(null, "", location.pathname);
    showLocked("Locked. This browser no longer holds the key.");
    $("code").focus();
  });
  addEventListener("hashchange", () => opened.length && render());
  if (location.hash.startsWith("#code=")) {
    let code = "";
    try {
      code = decodeURIComponent(location.hash.slice(6));
    } catch {}
    // The invite's code leaves the address bar and this history entry at once.
    history.replaceState(null, "", location.pathname + location.search);
    unlockWith(code, false);
  } else {
    reopen();
  }
}

start();
