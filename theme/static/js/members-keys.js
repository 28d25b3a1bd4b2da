// Where an unlocked section's key is kept: for this tab only (sessionStorage),
// or, if the member chose "remember on this device", in localStorage. Only
// the section's file name, content key and the code's expiry day are kept:
// never the code, never any text.

const NAME = "quietboard-members";

function read(store) {
  try {
    const grants = JSON.parse(store.getItem(NAME) || "[]");
    return Array.isArray(grants) ? grants : [];
  } catch {
    return [];
  }
}

export function storedGrants() {
  const all = [...read(localStorage), ...read(sessionStorage)];
  const seen = new Set();
  return all.filter((g) => g && typeof g.slot === "string" && !seen.has(g.slot) && seen.add(g.slot));
}

export function keep(grant, remember) {
  forget(grant.slot); // never in both places: "remember" off must not leave a copy behind
  const store = remember ? localStorage : sessionStorage;
  store.setItem(NAME, JSON.stringify([...read(store), grant]));
}

export function forget(slot) {
  for (const store of [localStorage, sessionStorage]) {
    const left = read(store).filter((g) => g.slot !== slot);
    if (left.length) store.setItem(NAME, JSON.stringify(left));
    else store.removeItem(NAME);
  }
}

export function forgetAll() {
  localStorage.removeItem(NAME);
  sessionStorage.removeItem(NAME);
}
