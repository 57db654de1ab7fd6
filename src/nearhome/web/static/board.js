// Start the NHS.UK frontend components and report HTMX problems in the live region.
import { initAll } from "/static/nhsuk/nhsuk-frontend.min.js";

document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();

document.body.addEventListener("htmx:responseError", (event) => {
  const status = document.getElementById("board-status");
  if (!status) return;
  const code = event.detail.xhr.status;
  status.textContent = code === 403
    ? "That change was refused: your session may have changed. Reload the page and try again."
    : code === 404
      ? "That patient is no longer on your list. Reload the page."
      : "Something went wrong and nothing was saved. Reload the page and try again.";
});

document.body.addEventListener("htmx:sendError", () => {
  const status = document.getElementById("board-status");
  if (status) status.textContent = "The board could not be reached. Check your connection; nothing was saved.";
});

// After an in-place edit opens or fails, move focus to its first field or its error message.
document.body.addEventListener("htmx:afterSwap", (event) => {
  const target = event.detail.target;
  if (!(target instanceof HTMLElement)) return;
  const row = document.getElementById(target.id) || target;
  const focusable = row.querySelector(".board-inline-error, select, input:not([type=hidden])");
  if (focusable instanceof HTMLElement) focusable.focus();
});
