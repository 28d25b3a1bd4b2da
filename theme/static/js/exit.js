// Quick exit, after GOV.UK's "Exit this page": the "Exit this page" link, or
// Shift pressed three times, blanks the page at once, forgets everything the
// board kept in this browser (member keys in this tab and any "remembered" on
// this device, content warning choices, the confidentiality promise) and
// replaces this history entry with an everyday site, so Back does not return.
// Without this module the link is still an ordinary link to that site.
// What it does not erase is explained on /quick-exit/ (theme/templates/exit.html).

const PRESSES = 3;
// GOV.UK's figure: slow presses still count, for people who cannot press fast.
const BETWEEN_PRESSES_MS = 5000;

const link = document.getElementById("exit");
const status = document.getElementById("exit-status");
let presses = 0;
let timer = null;
let lastKeyHadShift = false;

function leave() {
  const destination = link.href;
  document.documentElement.classList.add("exiting");
  document.title = "";
  document.body.replaceChildren(); // nothing readable stays on screen or in the page
  for (const store of [sessionStorage, localStorage]) {
    try {
      store.clear(); // only this board's origin; in other tabs of the board, members.js locks
    } catch {
      // Storage switched off: nothing was kept.
    }
  }
  location.replace(destination);
}

function reset() {
  presses = 0;
  clearTimeout(timer);
  status.textContent = "";
}

// Counts Shift released on its own; Shift held for a capital letter (the
// previous key came up with Shift down) or any other key starts again.
function onKeyUp(event) {
  if (event.key === "Shift" && !lastKeyHadShift) {
    presses += 1;
    clearTimeout(timer);
    if (presses >= PRESSES) {
      leave();
      return;
    }
    status.textContent = status.dataset[presses === PRESSES - 1 ? "one" : "two"];
    timer = setTimeout(reset, BETWEEN_PRESSES_MS);
  } else if (presses) {
    reset();
  }
  lastKeyHadShift = event.shiftKey;
}

if (link && status) {
  link.addEventListener("click", (event) => {
    event.preventDefault();
    leave();
  });
  addEventListener("keyup", onKeyUp, true);
}
