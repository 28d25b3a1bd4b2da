// Expiry between builds: every post carries the day it leaves the board
// (data-expires, the earliest of its own and its thread's). A page shown on
// or after that day, in the reader's own time zone, removes the post, even
// if the site has not been rebuilt since. Without JavaScript the next build
// and deploy remove it instead.
//
// A classic script in <head>, so it runs before anything is painted: posts
// stay invisible (board.css) until the expired ones are gone. The check runs
// again whenever the page is shown (back/forward cache) or the tab comes
// back into view, so a tab left open past midnight does not keep a post.

(() => {
  const root = document.documentElement;
  root.classList.add("expiry-pending");
  const pad = (n) => String(n).padStart(2, "0");

  function removeExpired() {
    const now = new Date();
    const today = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
    for (const element of document.querySelectorAll("[data-expires]")) {
      if (element.dataset.expires <= today) element.remove();
    }
    const notice = document.querySelector("[data-expires-notice]");
    if (notice && !document.querySelector("article.post[data-expires]")) {
      notice.hidden = false;
      document.title = notice.querySelector("h1").textContent;
    }
    root.classList.remove("expiry-pending");
  }

  document.addEventListener("DOMContentLoaded", removeExpired);
  window.addEventListener("pageshow", (event) => event.persisted && removeExpired());
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") removeExpired();
  });
})();
