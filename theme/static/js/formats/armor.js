// Armor (docs/formats/armor.md): bytes as text that survives e-mail, chat and
// copy-and-paste, b64u in lines of 64 between two marker lines. Twin of
// generator/formats/armor.py, which also reads it back.

import { b64 } from "./primitives.js";

export const BEGIN = "-----BEGIN QUIETBOARD SUBMISSION-----";
export const END = "-----END QUIETBOARD SUBMISSION-----";
const LINE = 64;

export function armor(bytes) {
  const encoded = b64(bytes);
  const lines = [BEGIN];
  for (let at = 0; at < encoded.length; at += LINE) lines.push(encoded.slice(at, at + LINE));
  lines.push(END, "");
  return lines.join("\n");
}
