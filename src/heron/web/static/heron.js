// Small conveniences on top of pages that work without JavaScript.
"use strict";

// "/" focuses the search box (unless the reader is typing somewhere already).
document.addEventListener("keydown", (event) => {
  const target = event.target;
  const typing = target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
  const field = document.querySelector(`[data-focus-key="${CSS.escape(event.key)}"]`);
  if (field instanceof HTMLElement) {
    event.preventDefault();
    field.focus();
  }
});

// A button per stack trace to open or close all its frames at once.
document.addEventListener("DOMContentLoaded", () => {
  for (const list of document.querySelectorAll("ol.frames")) {
    const frames = list.querySelectorAll(":scope > li > details");
    if (frames.length < 2) continue;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "link toggle-frames";
    const label = () => ([...frames].every((d) => d.open) ? "Collapse all frames" : "Expand all frames");
    button.textContent = label();
    button.addEventListener("click", () => {
      const open = ![...frames].every((d) => d.open);
      for (const details of frames) details.open = open;
      button.textContent = label();
    });
    list.before(button);
  }

  // Times: show the reader's local time on hover (the page says UTC).
  for (const time of document.querySelectorAll("time[datetime]")) {
    const moment = new Date(time.getAttribute("datetime"));
    if (!Number.isNaN(moment.getTime())) time.title = moment.toLocaleString();
  }
});
