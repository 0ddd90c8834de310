// Small behaviours shared by every page. No framework: htmx does the server round-trips.
document.addEventListener("click", (event) => {
  const toggle = event.target.closest("[data-toggle-nav]");
  if (toggle) {
    const nav = document.getElementById(toggle.getAttribute("aria-controls"));
    const open = nav.classList.toggle("open");
    toggle.setAttribute("aria-expanded", String(open));
    return;
  }
  // A click elsewhere closes an open drop-down menu (the 管理 menu of the navigation).
  document.querySelectorAll("details.nav-more[open]").forEach((menu) => {
    if (!menu.contains(event.target)) menu.removeAttribute("open");
  });
});

document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  document.querySelectorAll("details.nav-more[open]").forEach((menu) => menu.removeAttribute("open"));
});

// A <select data-autosubmit> submits its form when changed (the Content-Security-Policy forbids onchange=).
document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-autosubmit]");
  if (select && select.form) select.form.submit();
});

// A [data-print] button prints the page (the Content-Security-Policy forbids onclick=).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
