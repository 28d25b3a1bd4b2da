// Pseudonyms, format v1 (docs/format.md, "quietboard pseudonyms"): a friendly
// two-word name, drawn at random or derived from a private phrase, WebCrypto
// only. Twin of generator/pseudonyms.py (tests/vectors/pseudonyms-v1.json).
// No DOM here, and nothing is stored: the phrase lives only in the caller.

import { concat } from "./members-format.js";

export const MIN_SECRET_CHARS = 12;
export const LIST_SIZE = 256;
const text = new TextEncoder();
const INFO = text.encode("quietboard pseudonym v1");
const WORD = /^[a-z]{3,9}$/;
// Python's str.isspace() set, written out (JavaScript's \s is another set).
const SPACES = /[\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/g;
const CHEROKEE = /^[\u13a0-\u13ff\uab70-\uabbf]$/;

// Unicode full case folding (Python's str.casefold) for one code point, after
// NFKC. Upper then lower case gives it, except for three kinds of letter:
// dotless i folds to itself, capital sharp s to "ss", and Cherokee folds to
// its capitals. tests/browser/test_pseudonym.py checks every code point.
function fold(ch) {
  if (ch === "\u0131") return ch;
  if (ch === "\u1e9e") return "ss";
  if (CHEROKEE.test(ch)) return ch.toUpperCase();
  return ch.toUpperCase().toLowerCase();
}

export function canonical(value) {
  if (typeof value !== "string" || !value.isWellFormed()) {
    throw new Error("the text is not valid Unicode");
  }
  const folded = Array.from(value.normalize("NFKC"), fold).join("");
  return folded.replace(SPACES, " ").replace(/^ | $/g, "");
}

export const displayName = (adjective, noun) =>
  [adjective, noun].map((word) => word[0].toUpperCase() + word.slice(1)).join(" ");

export function checkNames(data) {
  const ok =
    data?.v === 1 &&
    Object.keys(data).length === 3 &&
    [data.adjectives, data.nouns].every(
      (words) =>
        Array.isArray(words) &&
        words.length === LIST_SIZE &&
        words.every((w) => typeof w === "string" && WORD.test(w)),
    ) &&
    new Set([...data.adjectives, ...data.nouns]).size === 2 * LIST_SIZE;
  if (!ok) throw new Error("not a version 1 word list");
  return data;
}

// The word list ships next to this module (theme/names.json), same origin.
export async function loadNames(url = new URL("../names.json", import.meta.url)) {
  const response = await fetch(url, { credentials: "omit", referrerPolicy: "no-referrer" });
  if (!response.ok) throw new Error("the word list could not be loaded");
  return checkNames(await response.json());
}

// 256 words per list: one random byte each is an unbiased choice.
export function randomName(names) {
  const [a, n] = crypto.getRandomValues(new Uint8Array(2));
  return displayName(names.adjectives[a], names.nouns[n]);
}

// Format v1, steps 1 to 5. The error never contains the phrase.
export async function derivedName(secret, board, names) {
  const phrase = canonical(secret);
  if ([...phrase].length < MIN_SECRET_CHARS) {
    throw new RangeError(`a private phrase needs at least ${MIN_SECRET_CHARS} characters`);
  }
  const place = canonical(board);
  if (!place) throw new Error("the board's name is empty");
  const params = { name: "HMAC", hash: "SHA-256" };
  const key = await crypto.subtle.importKey("raw", text.encode(phrase), params, false, ["sign"]);
  const message = concat(INFO, Uint8Array.of(0), text.encode(place));
  const tag = new Uint8Array(await crypto.subtle.sign("HMAC", key, message));
  return displayName(names.adjectives[tag[0]], names.nouns[tag[1]]);
}
