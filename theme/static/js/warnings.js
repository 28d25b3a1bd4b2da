// The reader's choice of content warnings to hide: a post (or reply) whose
// warnings include a chosen one is left out of the page entirely, not just
// collapsed, and a line says how many were left out. The choice is kept in
// sessionStorage only, so it ends with the tab (and with quick exit).
// Posts carry their warnings in data-cw="tag,tag"; the words come from the
// template (_post.html, warning_settings).

const KEY = "quietboard-hidden-warnings";
const $ = (id) => document.getElementById(id);
const fold = (tag) => tag.trim().toLocaleLowerCase();
const tagsOf = (post) => post.dataset.cw.split(",").map((tag) => tag.trim()).filter(Boolean);
let shown = "";

function chosen() {
  try {
    const tags = JSON.parse(sessionStorage.getItem(KEY) || "[]");
    return Array.isArray(tags) ? tags.filter((tag) => typeof tag === "string") : [];
  } catch {
    return [];
  }
}

function choose(tags) {
  try {
    if (tags.length) sessionStorage.setItem(KEY, JSON.stringify(tags));
    else sessionStorage.removeItem(KEY);
  } catch {
    // Storage switched off: the choice lasts for this page only.
  }
}

// One checkbox per warning on this page, and per warning chosen on another.
function drawChoices(labels, hide) {
  const key = [...labels.keys()].join("\n");
  if (key === shown) return; // redrawing would move the focus off a checkbox
  shown = key;
  const boxes = [...labels].map(([folded, label]) => {
    const box = document.createElement("input");
    box.type = "checkbox";
    box.value = folded;
    box.checked = hide.has(folded);
    const line = document.createElement("label");
    line.append(box, " ", label);
    return line;
  });
  $("cw-choices").replaceChildren(...boxes);
}

function apply() {
  const hide = new Set(chosen());
  const posts = [...document.querySelectorAll("[data-cw]")];
  const labels = new Map(); // folded -> as first written on this page
  for (const post of posts) for (const tag of tagsOf(post)) if (!labels.has(fold(tag))) labels.set(fold(tag), tag);
  for (const tag of hide) if (!labels.has(tag)) labels.set(tag, tag);
  let hidden = 0;
  for (const post of posts) {
    post.hidden = tagsOf(post).some((tag) => hide.has(fold(tag)));
    hidden += post.hidden;
  }
  $("cw-settings").hidden = labels.size === 0;
  drawChoices(new Map([...labels].sort(([a], [b]) => a.localeCompare(b))), hide);
  const count = $("cw-hidden");
  count.textContent = hidden ? count.dataset[hidden === 1 ? "one" : "many"].replace("{n}", hidden) : "";
}

function start() {
  if (!$("cw-settings")) return;
  $("cw-choices").addEventListener("change", () => {
    const boxes = $("cw-choices").querySelectorAll("input:checked");
    choose([...boxes].map((box) => box.value));
    apply();
  });
  // The members' area draws its posts after unlocking, and again on every view.
  const view = $("member-view");
  if (view) new MutationObserver(apply).observe(view, { childList: true, subtree: true });
  apply();
}

start();
