// The technician's 实际维修项目 step (R07): the search box filters the price items as they are typed, on the
// phone, without a request. Ticked items always stay in view; the categories (folded by default) open while
// they hold a match, and one with nothing left to show is hidden.
(function () {
  "use strict";

  document.querySelectorAll("[data-item-search]").forEach(function (search) {
    const form = search.closest("form");
    if (!form) return;
    const none = form.querySelector("[data-item-none]");

    function filter() {
      const words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      let found = 0;
      form.querySelectorAll("[data-item-group]").forEach(function (group) {
        let visible = 0;
        group.querySelectorAll("[data-item]").forEach(function (row) {
          const text = (row.dataset.itemText || "").toLowerCase();
          const ticked = row.querySelector("input[type=checkbox]").checked;
          const typed = words.every(function (w) { return text.indexOf(w) !== -1; });
          row.hidden = !(ticked || typed);
          if (ticked || typed) visible += 1;
          if (typed && !ticked) found += 1;
        });
        if (group.tagName === "DETAILS") {
          // A category opens while its items match what is typed, and folds again when the box is cleared
          // (unless something in it is ticked).
          group.hidden = words.length > 0 && visible === 0;
          group.open = words.length > 0 ? visible > 0 : group.querySelector("input[type=checkbox]:checked") !== null;
        } else {
          group.hidden = visible === 0;
        }
      });
      if (none) none.hidden = words.length === 0 || found > 0;
    }

    search.addEventListener("input", filter);
    search.addEventListener("search", filter);
    // Enter in the search box must not send the form.
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault();
    });
  });
})();
