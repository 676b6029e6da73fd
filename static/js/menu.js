// The main menu folds behind its button on narrow screens (portal.css).
// Without this script the button stays hidden and the menu stays open.
(function () {
  "use strict";
  var nav = document.querySelector(".main-nav");
  var button = nav && nav.querySelector(".menu-toggle");
  if (!button) {
    return;
  }
  function setOpen(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    nav.classList.toggle("is-open", open);
  }
  nav.classList.add("is-collapsible");
  button.hidden = false;
  setOpen(false);
  button.addEventListener("click", function () {
    setOpen(button.getAttribute("aria-expanded") !== "true");
  });
  nav.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && nav.classList.contains("is-open")) {
      setOpen(false);
      button.focus();
    }
  });
})();
