// Member access codes (docs/formats/codes.md): only the letters count. Case,
// spaces, hyphens and autocorrect's capitals do not. Twin of
// generator/formats/codes.py (tests/vectors/members-v2.json, "canonical").

export const canonicalCode = (typed) => typed.normalize("NFKC").toLowerCase().replace(/[^a-z]/g, "");
