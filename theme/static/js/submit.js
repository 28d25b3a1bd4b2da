// The share page: write, preview, lock (HPKE to every moderator key), prove
// work, send only the locked envelope; or hand the locked text to the member.
// Nothing typed is stored, and no input that holds typed text has a name.

import { armor } from "./formats/armor.js";
import {
  MIN_SECRET_CHARS,
  canonical,
  derivedName,
  loadNames,
  randomName,
} from "./formats/pseudonyms.js";
import {
  MAX_WARNING,
  MAX_WARNINGS,
  MAX_WITHDRAW_BODY,
  WITHDRAWAL_CODE_CHARS,
  canonicalWithdrawal,
  proofOfWork,
  seal,
  verifier,
  withdrawalCode,
} from "./formats/submissions.js";

const $ = (id) => document.getElementById(id);
// The page's words live in the template's data-* attributes (data-need-body
// is dataset.needBody).
const say = (name, fill = {}) =>
  $("messages")
    .dataset[name.replace(/-(\w)/g, (_, c) => c.toUpperCase())]
    .replace(/\{(\w+)\}/g, (_, key) => fill[key] ?? "");
const form = $("compose");
const settings = form.dataset;
const target = { kind: "", post: "", section: "" };
let sealedText = "";
let lastWithdrawal = null;
const SEND_TIMEOUT_MS = 30000;
// quietboard's own preview server (`quietboard serve`, `quietboard demo`)
// answers a send with this header: that copy of the board has no form service.
const PREVIEW_HEADER = "Quietboard-Preview";
const NAME_CHOICES = ["name-random", "name-own", "name-phrase"];
let names = null;
let namesLoaded = null;
let randomPick = "";
let phraseRun = 0;

// Reply and report links carry the post in the fragment (never sent to the
// server); it is read once and taken out of the address bar and history.
function readFragment() {
  const params = new URLSearchParams(location.hash.slice(1));
  history.replaceState(null, "", location.pathname + location.search);
  const post = params.get("reply") || params.get("report") || "";
  const section = params.get("section") || "";
  if (!/^[a-z][a-z0-9-]{0,30}$/.test(section)) return;
  if (post && /^[a-z0-9-]{1,64}$/.test(post)) {
    Object.assign(target, { kind: params.has("reply") ? "reply" : "report", post, section });
  } else if (!post && !settings.sections.split(" ").includes(section)) {
    // A members' section (its name is never in the public page): offered
    // only to someone who came from it.
    $("section").append(new Option(section, section, true, true));
  }
}

const kind = () => target.kind === "reply" || target.kind === "report" ? target.kind : $("kind").value;

function showFields() {
  const current = kind();
  for (const node of form.querySelectorAll("[data-for]")) {
    node.hidden = !node.dataset.for.split(" ").includes(current);
  }
  $("body-label").textContent = say(current);
  $("kind-choice").hidden = current === "reply" || current === "report";
  const members = target.section && !settings.sections.split(" ").includes(target.section);
  if (current === "reply" || current === "report") {
    const context = target.kind === "reply" ? "replying" : "reporting";
    $("context").textContent = say(members ? `${context}-members` : context);
    $("context").hidden = false;
  }
  $("preview").hidden = true;
}

// The warnings as they will be posted: trimmed, without blanks or repeats.
const typedWarnings = () => [
  ...new Set($("cw").value.split(",").map((tag) => tag.trim()).filter(Boolean)),
];

// A small, safe preview: paragraphs, lists, quotes and emphasis, built as
// DOM nodes from text (never HTML), so nothing typed can run or load.
function inline(text) {
  const parts = [];
  const pattern = /(\*\*[^*]+\*\*|\*[^*]+\*|_[^_]+_|`[^`]+`)/g;
  let at = 0;
  for (const match of text.matchAll(pattern)) {
    parts.push(text.slice(at, match.index));
    const token = match[0];
    const tag = token.startsWith("**") ? "strong" : token.startsWith("`") ? "code" : "em";
    const node = document.createElement(tag);
    node.textContent = token.slice(tag === "strong" ? 2 : 1, tag === "strong" ? -2 : -1);
    parts.push(node);
    at = match.index + token.length;
  }
  parts.push(text.slice(at));
  return parts;
}

function preview(markdown) {
  const out = document.createDocumentFragment();
  for (const block of markdown.split(/\n\s*\n/)) {
    const lines = block.split("\n").filter((line) => line.trim());
    if (!lines.length) continue;
    let node;
    if (lines.every((line) => /^\s*([-*+]|\d+[.)])\s/.test(line))) {
      node = document.createElement(/^\s*\d/.test(lines[0]) ? "ol" : "ul");
      for (const line of lines) {
        const item = document.createElement("li");
        item.append(...inline(line.replace(/^\s*([-*+]|\d+[.)])\s+/, "")));
        node.append(item);
      }
    } else {
      const quote = lines.every((line) => line.startsWith(">"));
      node = document.createElement(quote ? "blockquote" : "p");
      lines.forEach((line, i) => {
        if (i) node.append(document.createElement("br"));
        node.append(...inline(quote ? line.replace(/^>\s?/, "") : line.replace(/^#+\s+/, "")));
      });
    }
    out.append(node);
  }
  return out;
}

// What will be posted, all as text: the title and the warnings (for the
// kinds that carry them), then the body.
function showPreview() {
  const current = kind();
  const title = current === "post" ? $("title").value.trim() : "";
  const warnings = current === "post" || current === "reply" ? typedWarnings() : [];
  $("preview-title").textContent = title;
  $("preview-title").hidden = !title;
  $("preview-cw-list").textContent = warnings.join(", ");
  $("preview-cw").hidden = !warnings.length;
  $("preview-text").replaceChildren(preview($("body").value));
  $("preview").hidden = false;
}

function payload(withdrawal) {
  const current = kind();
  const body = $("body").value.trim();
  const need = (ok, message) => {
    if (!ok) throw new UserError(say(message));
  };
  const out = { v: 1, kind: current };
  if (current === "withdraw") {
    out.code = canonicalWithdrawal($("withdrawal").value);
    need(out.code.length === WITHDRAWAL_CODE_CHARS, "need-code");
    need([...body].length <= MAX_WITHDRAW_BODY, "note-long");
    out.body = body;
    return out;
  }
  need(body, "need-body");
  if (current === "post") {
    out.section = $("section").value;
    out.title = $("title").value.trim();
    need(out.title, "need-title");
  } else if (current !== "feedback") {
    Object.assign(out, { section: target.section, post: target.post });
  }
  out.body = body;
  if (current === "post" || current === "reply") {
    out.cw = typedWarnings();
    need(
      out.cw.length <= MAX_WARNINGS && out.cw.every((tag) => [...tag].length <= MAX_WARNING),
      "cw-rules",
    );
    out.pseudonym = ""; // chosenName() fills it in: a phrase needs WebCrypto, which is async
    out.verifier = withdrawal.verifier;
  }
  return out;
}

class UserError extends Error {}

// The name choice: radios grouped by name (so arrow keys move between them),
// whose values are fixed words; the audit allows this one named group.
const nameChoice = () => NAME_CHOICES.find((id) => $(id).checked) ?? "name-random";

function choose(id) {
  for (const other of NAME_CHOICES) $(other).checked = other === id;
}

// A friendly random name for this post, shown before it is sent; a new one
// after each post. Without the word list the post is signed "A member".
function drawRandomName() {
  randomPick = names ? randomName(names) : "";
  $("random-name").textContent = randomPick ? say("appear", { name: randomPick }) : say("no-names");
}

// The phrase is only read from its field, never stored, and never leaves
// this page: only the name derived from it goes into the payload.
async function nameFromPhrase(typed) {
  await namesLoaded;
  if (!names) throw new UserError(say("no-names"));
  const length = [...canonical(typed)].length;
  if (length < MIN_SECRET_CHARS) {
    const more = MIN_SECRET_CHARS - length;
    throw new UserError(say("phrase-short", { min: MIN_SECRET_CHARS, more }));
  }
  return derivedName(typed, settings.board, names);
}

async function showDerivedName() {
  const run = ++phraseRun;
  const typed = $("phrase").value;
  let shown = "";
  if (typed) {
    try {
      shown = say("appear", { name: await nameFromPhrase(typed) });
    } catch (error) {
      shown = error instanceof UserError ? error.message : say("broken");
    }
  }
  // Typing is faster than deriving: only the latest phrase may show its name.
  if (run === phraseRun) $("phrase-name").textContent = shown;
}

function forgetPhrase() {
  phraseRun++;
  $("phrase").value = "";
  $("phrase-name").textContent = "";
}

async function chosenName() {
  const choice = nameChoice();
  if (choice === "name-own") {
    const own = $("pseudonym").value.trim();
    if (!own) throw new UserError(say("need-name"));
    return own;
  }
  if (choice === "name-phrase") {
    try {
      return await nameFromPhrase($("phrase").value);
    } catch (error) {
      if (!(error instanceof UserError) || !names) throw error;
      throw new UserError(say("need-phrase", { min: MIN_SECRET_CHARS }));
    }
  }
  await namesLoaded;
  return randomPick;
}

function status(message) {
  $("compose-status").textContent = message;
}

// The honeypot goes out empty: only robots that post the form themselves
// fill it (an autofilled field here must not turn a real post into spam).
// Returns null once sent, else why not (in the member's words) and whether
// trying again could help.
async function send(envelopeText) {
  const carrier = $("carrier");
  const body = new URLSearchParams({
    "form-name": carrier.elements["form-name"].value,
    envelope: envelopeText,
    website: "",
  });
  let response;
  try {
    response = await fetch(carrier.getAttribute("action"), {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: body.toString(),
      credentials: "omit",
      referrerPolicy: "no-referrer",
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
    });
  } catch {
    return { why: say("failed", { why: say("offline") }), retry: true };
  }
  if (response.ok) return null;
  if (response.headers.get(PREVIEW_HEADER) === "no-form-service") {
    return { why: say("local-preview"), retry: false };
  }
  return { why: say("failed", { why: say("refused") }), retry: true };
}

function finish(sectionId, withdrawal) {
  $("working").hidden = true;
  if (withdrawal) {
    $("code-text").textContent = withdrawal.code;
    $("withdrawal-code").hidden = false;
  }
  $(sectionId).hidden = false;
  $(sectionId).focus();
}

async function submit(event) {
  event.preventDefault();
  const button = $("send");
  if (button.disabled) return;
  button.disabled = true;
  const code = withdrawalCode();
  const withdrawal = { code, verifier: await verifier(code) };
  let data;
  try {
    data = payload(withdrawal);
    if ("pseudonym" in data) data.pseudonym = await chosenName();
    if (new TextEncoder().encode(JSON.stringify(data)).length > 32768) {
      throw new UserError(say("too-long"));
    }
  } catch (error) {
    status(error instanceof UserError ? error.message : say("broken"));
    button.disabled = false;
    return;
  }
  status("");
  $("working").hidden = false;
  try {
    const body = await seal(data, settings.keys.split(" "));
    const expected = 2 ** Number(settings.bits);
    const { envelope } = await proofOfWork(body, Number(settings.bits), (tried) => {
      // Chance of having finished by now; the work has no fixed length.
      const percent = Math.min(99, Math.round(100 * (1 - Math.exp(-tried / expected))));
      $("work").value = percent;
      status(say("working", { percent }));
    });
    sealedText = armor(envelope);
    // Sealed: the phrase has done its work and is forgotten at once.
    forgetPhrase();
  } catch {
    $("working").hidden = true;
    button.disabled = false;
    status(say("broken"));
    return;
  }
  lastWithdrawal = "verifier" in data ? withdrawal : null;
  await deliver();
  button.disabled = false;
}

// Send the sealed text; if that fails, hand it over (the typed words stay
// in the hidden form until it is sent, so nothing is lost either way).
async function deliver() {
  $("retry").disabled = true;
  status(say("sending"));
  const failure =
    settings.form === "netlify"
      ? await send(sealedText)
      : { why: say("no-service"), retry: false };
  status("");
  form.hidden = true;
  $("preview").hidden = true;
  $("retry").disabled = false;
  if (!failure) {
    form.reset();
    forgetPhrase();
    drawRandomName();
    sealedText = "";
    $("fallback").hidden = true;
    finish("sent", lastWithdrawal);
    return;
  }
  $("fallback-why").textContent = failure.why;
  $("retry").hidden = !failure.retry;
  $("sealed").value = sealedText;
  finish("fallback", lastWithdrawal);
}

async function copy() {
  try {
    await navigator.clipboard.writeText(sealedText);
    $("copy").textContent = say("copied");
  } catch {
    $("sealed").select();
    $("copy").textContent = say("copy-failed");
  }
}

function download() {
  const url = URL.createObjectURL(new Blob([sealedText], { type: "text/plain" }));
  const link = Object.assign(document.createElement("a"), {
    href: url,
    download: "quietboard-submission.txt",
  });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function start() {
  $("needs-script").hidden = true;
  if (!window.isSecureContext || !crypto.subtle) {
    form.hidden = true;
    $("needs-script").textContent = say("insecure");
    $("needs-script").hidden = false;
    return;
  }
  readFragment();
  form.addEventListener("submit", submit);
  // Enter in a one-line field would send at once, unread: only the button sends.
  form.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target instanceof HTMLInputElement) event.preventDefault();
  });
  $("kind").addEventListener("change", showFields);
  for (const id of NAME_CHOICES) $(id).addEventListener("change", () => choose(id));
  $("name-phrase").addEventListener("change", showDerivedName);
  // Typing in a choice's field makes it the choice.
  $("pseudonym").addEventListener("input", () => choose("name-own"));
  $("phrase").addEventListener("input", () => {
    choose("name-phrase");
    showDerivedName();
  });
  namesLoaded = loadNames().then(
    (list) => {
      names = list;
    },
    () => {
      $("name-phrase").disabled = true;
      $("phrase").disabled = true;
      if (nameChoice() === "name-phrase") choose("name-random");
    },
  ).then(() => {
    drawRandomName();
    showDerivedName();
  });
  $("retry").addEventListener("click", deliver);
  // Leaving the page (or putting it in the back-forward cache) forgets the
  // withdrawal code and the sealed text, for a shared device.
  addEventListener("pagehide", () => {
    forgetPhrase();
    $("code-text").textContent = "";
    $("withdrawal-code").hidden = true;
  });
  showFields();
  $("preview-button").addEventListener("click", showPreview);
  $("copy").addEventListener("click", copy);
  $("download").addEventListener("click", download);
  // The form was there to type in from the start; it sends only from now on,
  // with the sealing code loaded and every check above in place.
  $("send").disabled = false;
}

start();
