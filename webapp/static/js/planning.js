// The family planning, enhanced. Without this file every cell is still a labelled checkbox and
// the buttons below the grid do the work; this only adds:
// - one Tab stop per grid and arrow keys inside it (roving focus), Home/End along a row
//   (Enter does not submit from the grid: the action buttons are below it);
// - Shift+click or Shift+Space to tick a whole range (rows × days between two cells);
// - a live count « N jours sélectionnés »;
// - a right-click (or Menu key) menu offering the same buttons, never the only way.
(function () {
  "use strict";

  var form = document.querySelector("form[data-planning]");
  if (!form) {
    return;
  }
  var counter = form.querySelector("[data-selection-count]");
  var anchor = null; // the last cell ticked or unticked: where a Shift range starts
  var labelShift = false; // a Shift+click on a label reaches the checkbox as a second click
  var menu = null;
  var menuOpener = null;

  function toArray(list) {
    return Array.prototype.slice.call(list);
  }

  function boxesIn(scope) {
    return toArray(scope.querySelectorAll("input.cell__box"));
  }

  function place(box) {
    var td = box.closest("td");
    return { table: td.closest("table"), row: td.parentElement.sectionRowIndex, col: td.cellIndex };
  }

  function rowsOf(table) {
    return table.tBodies[0].rows;
  }

  function boxAt(table, row, col) {
    var tr = rowsOf(table)[row];
    var td = tr && tr.cells[col];
    return td ? td.querySelector("input.cell__box") : null;
  }

  // --- the count -----------------------------------------------------------------------
  function updateCount() {
    if (!counter) {
      return;
    }
    var n = form.querySelectorAll("input.cell__box:checked").length;
    var text = n === 0 ? counter.dataset.none : n === 1 ? counter.dataset.one : counter.dataset.many.replace("{n}", n);
    if (counter.textContent !== text) {
      counter.textContent = text;
    }
    counter.hidden = false;
  }

  // --- moving inside a grid ---------------------------------------------------------------
  function rove(table, box) {
    boxesIn(table).forEach(function (b) {
      b.tabIndex = b === box ? 0 : -1;
    });
  }

  function alongRow(box, step) {
    var at = place(box);
    var cells = rowsOf(at.table)[at.row].cells;
    for (var col = at.col + step; col > 0 && col < cells.length; col += step) {
      var found = boxAt(at.table, at.row, col);
      if (found) {
        return found;
      }
    }
    return null;
  }

  function nearestInRow(table, row, col) {
    var cells = rowsOf(table)[row].cells;
    var best = null;
    var distance = Infinity;
    for (var c = 1; c < cells.length; c += 1) {
      var found = cells[c].querySelector("input.cell__box");
      if (found && Math.abs(c - col) < distance) {
        best = found;
        distance = Math.abs(c - col);
      }
    }
    return best;
  }

  function acrossRows(box, step) {
    var at = place(box);
    var rows = rowsOf(at.table);
    for (var row = at.row + step; row >= 0 && row < rows.length; row += step) {
      var found = nearestInRow(at.table, row, at.col);
      if (found) {
        return found;
      }
    }
    return null;
  }

  function rowEnd(box, last) {
    var at = place(box);
    var inRow = boxesIn(rowsOf(at.table)[at.row]);
    return inRow.length ? inRow[last ? inRow.length - 1 : 0] : null;
  }

  // --- ranges ------------------------------------------------------------------------------
  function tickRange(from, to, value) {
    var a = place(from);
    var b = place(to);
    if (a.table !== b.table) {
      return;
    }
    for (var row = Math.min(a.row, b.row); row <= Math.max(a.row, b.row); row += 1) {
      for (var col = Math.min(a.col, b.col); col <= Math.max(a.col, b.col); col += 1) {
        var box = boxAt(a.table, row, col);
        if (box) {
          box.checked = value;
        }
      }
    }
  }

  function onKey(event) {
    var box = event.target;
    if (!box.classList || !box.classList.contains("cell__box")) {
      return;
    }
    if (event.key === " " && event.shiftKey) {
      event.preventDefault();
      var value = !box.checked;
      if (anchor && anchor !== box) {
        tickRange(anchor, box, value);
      }
      box.checked = value;
      anchor = box;
      updateCount();
      return;
    }
    if (event.key === "Enter") {
      event.preventDefault(); // no accidental « Demander une réservation »: the buttons are below the grid
      return;
    }
    var next;
    switch (event.key) {
      case "ArrowRight": next = alongRow(box, 1); break;
      case "ArrowLeft": next = alongRow(box, -1); break;
      case "ArrowDown": next = acrossRows(box, 1); break;
      case "ArrowUp": next = acrossRows(box, -1); break;
      case "Home": next = rowEnd(box, false); break;
      case "End": next = rowEnd(box, true); break;
      default: return;
    }
    event.preventDefault();
    if (next) {
      rove(place(next).table, next);
      next.focus();
    }
  }

  function onClick(event) {
    var target = event.target;
    if (target.closest && target.closest("label.cell__label")) {
      labelShift = event.shiftKey; // the browser now clicks the checkbox itself
      return;
    }
    if (!target.classList || !target.classList.contains("cell__box")) {
      return;
    }
    var shift = event.shiftKey || labelShift;
    labelShift = false;
    if (shift && anchor && anchor !== target) {
      tickRange(anchor, target, target.checked);
    }
    anchor = target;
    updateCount();
  }

  // --- the right-click menu ----------------------------------------------------------------
  function menuItems() {
    return menu ? toArray(menu.querySelectorAll("button")) : [];
  }

  function closeMenu(giveFocusBack) {
    if (!menu) {
      return;
    }
    menu.remove();
    menu = null;
    if (giveFocusBack && menuOpener) {
      menuOpener.focus();
    }
  }

  function run(button) {
    if (button.dataset.act === "absence") {
      // The motive is needed first: go to it; the family then presses « Déclarer une absence ».
      var box = document.getElementById("absence");
      var radio = box.querySelector("input[type=radio]:checked") || box.querySelector("input[type=radio]");
      box.scrollIntoView({ block: "center" });
      (radio || button).focus();
      return;
    }
    if (form.requestSubmit) {
      form.requestSubmit(button);
    } else {
      button.click();
    }
  }

  function openMenu(x, y, opener) {
    closeMenu(false);
    var wanted = {};
    boxesIn(form).forEach(function (b) {
      if (b.checked) {
        wanted[b.dataset.action] = true;
      }
    });
    var buttons = toArray(form.querySelectorAll("button[data-act]")).filter(function (b) {
      return wanted[b.dataset.act];
    });
    if (!buttons.length) {
      return;
    }
    menu = document.createElement("ul");
    menu.className = "context-menu";
    menu.setAttribute("role", "menu");
    menu.setAttribute("aria-label", counter && counter.textContent ? counter.textContent : buttons[0].textContent);
    buttons.forEach(function (original) {
      var li = document.createElement("li");
      var item = document.createElement("button");
      li.setAttribute("role", "none");
      item.type = "button";
      item.setAttribute("role", "menuitem");
      item.tabIndex = -1;
      item.textContent = original.textContent;
      item.addEventListener("click", function () {
        closeMenu(false);
        run(original);
      });
      li.appendChild(item);
      menu.appendChild(li);
    });
    menu.addEventListener("keydown", onMenuKey);
    document.body.appendChild(menu);
    var width = menu.offsetWidth;
    var height = menu.offsetHeight;
    menu.style.left = Math.max(4, Math.min(x, window.innerWidth - width - 4)) + "px";
    menu.style.top = Math.max(4, Math.min(y, window.innerHeight - height - 4)) + "px";
    menuOpener = opener;
    menuItems()[0].focus();
  }

  function onMenuKey(event) {
    var items = menuItems();
    var index = items.indexOf(document.activeElement);
    var next = null;
    switch (event.key) {
      case "ArrowDown": next = items[(index + 1) % items.length]; break;
      case "ArrowUp": next = items[(index - 1 + items.length) % items.length]; break;
      case "Home": next = items[0]; break;
      case "End": next = items[items.length - 1]; break;
      case "Escape": event.preventDefault(); closeMenu(true); return;
      case "Tab": event.preventDefault(); closeMenu(true); return;
      default: return;
    }
    event.preventDefault();
    next.focus();
  }

  function onContextMenu(event) {
    var td = event.target.closest("td");
    var box = td && td.querySelector("input.cell__box");
    if (!box) {
      return; // a cell without an action: the browser's own menu
    }
    event.preventDefault();
    if (!box.checked) {
      box.checked = true;
      anchor = box;
      updateCount();
    }
    var x = event.clientX;
    var y = event.clientY;
    if (!x && !y) { // opened from the keyboard (Menu key, Shift+F10)
      var rect = td.getBoundingClientRect();
      x = rect.left;
      y = rect.bottom;
    }
    openMenu(x, y, box);
  }

  // --- wiring ------------------------------------------------------------------------------
  toArray(form.querySelectorAll("table[data-grid]")).forEach(function (table) {
    var all = boxesIn(table);
    if (!all.length) {
      return;
    }
    rove(table, all.filter(function (b) { return b.checked; })[0] || all[0]);
    table.addEventListener("focusin", function (event) {
      if (event.target.classList.contains("cell__box")) {
        rove(table, event.target);
      }
    });
    table.addEventListener("keydown", onKey);
    table.addEventListener("click", onClick);
    table.addEventListener("contextmenu", onContextMenu);
  });
  form.addEventListener("change", updateCount);
  document.addEventListener("mousedown", function (event) {
    if (menu && !menu.contains(event.target)) {
      closeMenu(false);
    }
  });
  window.addEventListener("resize", function () { closeMenu(false); });
  window.addEventListener("scroll", function () { closeMenu(false); }, true);
  updateCount();
}());
