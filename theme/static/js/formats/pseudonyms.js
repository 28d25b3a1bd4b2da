// Pseudonyms, format v1 (docs/formats/pseudonyms.md): a friendly two-word
// name, drawn at random or derived from a private phrase, WebCrypto only.
// Twin of generator/formats/pseudonyms.py (tests/vectors/pseudonyms-v1.json).
// No DOM here, and nothing is stored: the phrase lives only in the caller.

import { concat, hmacSha256, random, utf8 } from "./primitives.js";

export const MIN_SECRET_CHARS = 12;
export const LIST_SIZE = 256;
const INFO = utf8("quietboard pseudonym v1");
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

// The word list ships with the theme (theme/names.json), same origin.
export async function loadNames(url = new URL("../../names.json", import.meta.url)) {
  const response = await fetch(url, { credentials: "omit", referrerPolicy: "no-referrer" });
  if (!response.ok) throw new Error("the word list could not be loaded");
  return checkNames(await response.json());
}

// 256 words per list: one random byte each is an unbiased choice.
export function randomName(names) {
  const [a, n] = random(2);
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
  const tag = await hmacSha256(utf8(phrase), concat(INFO, Uint8Array.of(0), utf8(place)));
  return displayName(names.adjectives[tag[0]], names.nouns[tag[1]]);
}
