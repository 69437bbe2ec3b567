/* handoff: the little of jQuery and Bootstrap Table the Great Expectations Data Docs
 * need, without the network (handoff/audit.py, offline_data_docs). GX's index page
 * fills its tables with $(…).bootstrapTable({columns, data}); this draws them as plain
 * tables (a row opens its page when clicked), runs $(document).ready callbacks and
 * switches Bootstrap tabs. Written for handoff (the project's licence). */
(function () {
  function one(target) {
    var nodes = typeof target === "string" ? document.querySelectorAll(target) : [target];
    var api = {
      bootstrapTable: function (options) {
        if (typeof options !== "object") { return api; }
        nodes.forEach(function (table) {
          var columns = (options.columns || []).filter(function (c) { return c.visible !== false && c.visible !== "false"; });
          var head = "<thead><tr>" + columns.map(function (c) { return "<th>" + (c.title || c.field) + "</th>"; }).join("") + "</tr></thead>";
          var rows = (options.data || []).map(function (row) {
            var link = row._table_row_link_path ? ' data-href="' + row._table_row_link_path + '" style="cursor:pointer"' : "";
            return "<tr" + link + ">" + columns.map(function (c) { return "<td>" + (row[c.field] == null ? "" : row[c.field]) + "</td>"; }).join("") + "</tr>";
          }).join("");
          table.innerHTML = head + "<tbody>" + rows + "</tbody>";
          table.classList.add("table");
          table.addEventListener("click", function (event) {
            var tr = event.target.closest("tr[data-href]");
            if (tr && !event.target.closest("a")) { window.location = tr.getAttribute("data-href"); }
          });
        });
        return api;
      },
      on: function () { return api; },
      ready: function (callback) {
        if (document.readyState !== "loading") { callback(); } else { document.addEventListener("DOMContentLoaded", callback); }
        return api;
      },
    };
    return api;
  }
  window.$ = window.jQuery = function (target) {
    if (typeof target === "function") { return one(document).ready(target); }
    return one(target);
  };
  document.addEventListener("click", function (event) {
    var tab = event.target.closest('[data-toggle="tab"], [data-bs-toggle="tab"]');
    if (!tab) { return; }
    event.preventDefault();
    var pane = document.querySelector(tab.getAttribute("href") || tab.getAttribute("data-target"));
    if (!pane) { return; }
    tab.closest(".nav").querySelectorAll(".nav-link").forEach(function (l) { l.classList.remove("active"); });
    tab.classList.add("active");
    pane.parentElement.querySelectorAll(".tab-pane").forEach(function (p) { p.classList.remove("active", "show"); });
    pane.classList.add("active", "show");
  });
})();
