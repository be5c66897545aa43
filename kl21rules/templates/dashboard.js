(function () {
  'use strict';
  var meta = JSON.parse(document.getElementById('kl-meta').textContent);
  var W = meta.w;
  var table = document.getElementById('m');
  var tbody = table.tBodies[0];
  var scroller = table.parentNode;
  // Every row, in the report's order: those drawn when the page opened, then those waiting in
  // the <template> (parsed, not laid out). Filters and sorting go through all of them; the table
  // holds the first `limit` rows that match, and more are drawn as it is scrolled.
  var rows = Array.prototype.slice.call(tbody.rows);
  var waiting = document.getElementById('more-rows');
  if (waiting) { rows = rows.concat(Array.prototype.slice.call(waiting.content.querySelectorAll('tr'))); }
  rows.forEach(function (tr, i) { tr._i = i; });
  var STEP = 200;
  var limit = tbody.rows.length;
  var order = rows;
  var matches = rows;
  var kindSel = document.getElementById('f-kind');
  var statusSel = document.getElementById('f-status');
  var sortSel = document.getElementById('f-sort');
  var query = document.getElementById('f-q');
  var shown = document.getElementById('shown');
  var hideStyle = document.createElement('style');
  document.head.appendChild(hideStyle);
  var details = null;

  function dept() {
    var checked = document.querySelector('input[name="dept"]:checked');
    return checked ? checked.value : '';
  }

  function draw() {
    var frag = document.createDocumentFragment();
    limit = Math.max(STEP, Math.min(limit, matches.length));
    for (var k = 0; k < matches.length && k < limit; k++) { frag.appendChild(matches[k]); }
    while (tbody.firstChild) { tbody.removeChild(tbody.firstChild); }
    tbody.appendChild(frag);
  }

  function more(all) {
    var n = tbody.rows.length;
    if (n >= matches.length) { return false; }
    var frag = document.createDocumentFragment();
    var end = all ? matches.length : Math.min(matches.length, n + STEP);
    for (var k = n; k < end; k++) { frag.appendChild(matches[k]); }
    tbody.appendChild(frag);
    limit = end;
    return true;
  }

  function apply(first) {
    var pack = dept(), kind = kindSel.value, status = statusSel.value;
    var q = query.value.trim().toLowerCase();
    var visible = [], rules = [];
    meta.rules.forEach(function (r, i) {
      if (!pack || r.pack === pack) { visible.push(i + 1); } else { rules.push(i + 2); }
    });
    var css = rules.map(function (n) {
      return '#m tr.rules > :nth-child(' + n + '),#m tbody tr > :nth-child(' + n + '),#m colgroup > :nth-child(' + n + ')';
    });
    if (pack) { css.push('#m tr.packs th:not([data-p="' + pack + '"])'); }
    hideStyle.textContent = css.length ? css.join(',') + '{display:none}' : '';
    table.style.width = (290 + 31 * visible.length) + 'px';
    var out = [];
    for (var k = 0; k < order.length; k++) {
      var tr = order[k], show = true;
      if (kind && tr.getAttribute('data-k') !== kind) { show = false; }
      if (show && q && tr.getAttribute('data-n').indexOf(q) < 0) { show = false; }
      if (show && status) {
        show = false;
        var cells = tr.cells;
        for (var j = 0; j < visible.length; j++) {
          var c = cells[visible[j]];
          if (c && (c.className === status || c.className.indexOf(status + ' ') === 0)) { show = true; break; }
        }
      }
      if (show) { out.push(tr); }
    }
    var same = out.length === matches.length && out.every(function (tr, i) { return tr === matches[i]; });
    matches = out;
    if (!(first && same)) { limit = STEP; draw(); }
    shown.textContent = W.showing.replace('{shown}', matches.length).replace('{total}', rows.length);
    resetFocus();
    document.body.setAttribute('data-ready', '1');
  }

  function sortRows() {
    var how = sortSel.value;
    order = rows.slice();
    if (how === 'name') {
      order.sort(function (a, b) { return a.cells[0].textContent.localeCompare(b.cells[0].textContent, document.documentElement.lang) || a._i - b._i; });
    } else if (how === 'kind') {
      order.sort(function (a, b) { return a.getAttribute('data-k').localeCompare(b.getAttribute('data-k')) || a._i - b._i; });
    } else if (how === 'fail') {
      order.sort(function (a, b) { return (+b.getAttribute('data-f')) - (+a.getAttribute('data-f')) || a._i - b._i; });
    }
  }

  scroller.addEventListener('scroll', function () {
    if (scroller.scrollTop + scroller.clientHeight > scroller.scrollHeight - 600) { more(false); }
  });

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = text; }
    return e;
  }

  var dialog = document.getElementById('dlg');
  var lastFocus = null;

  function open(tr, col) {
    if (details === null) { details = JSON.parse(document.getElementById('kl-details').textContent); }
    var S = details.s;
    var rule = meta.rules[col];
    var found = (details.rows[tr._i][String(col)] || []).map(function (f) {
      return [f[0], S[f[1]], S[f[2]], S[f[3]], S[f[4]], S[f[5]], f[6].map(function (e) { return S[e]; }), S[f[7]], S[f[8]]];
    });
    var unitName = tr.cells[0].querySelector('.un').textContent;
    var unitInfo = tr.cells[0].querySelector('.ui').textContent;
    document.getElementById('dlg-t').textContent = unitName + ' — ' + rule.id;
    document.getElementById('dlg-s').textContent = rule.title + ' · ' + unitInfo + ' · ' + W.file + ': ' + tr.cells[0].title;
    var list = document.getElementById('dlg-l');
    while (list.firstChild) { list.removeChild(list.firstChild); }
    if (!found.length) { list.appendChild(el('li', null, W.no_details)); }
    found.forEach(function (f) {
      // [class, status label, severity, period/item, due, message, evidence, clauses, waived]
      var li = el('li');
      var head = el('div');
      head.appendChild(el('span', 'st ' + f[0], f[1]));
      var bits = [W.severity + ': ' + f[2]];
      if (f[3]) { bits.push(W.period + ': ' + f[3]); }
      if (f[4]) { bits.push(W.finding_due + ': ' + f[4]); }
      head.appendChild(el('span', 'meta', bits.join(' · ')));
      li.appendChild(head);
      li.appendChild(el('div', 'msg', f[5]));
      if (f[6].length) {
        var ev = el('div', 'meta', W.evidence + ': ');
        f[6].forEach(function (p, i) { if (i) { ev.appendChild(document.createTextNode(', ')); } ev.appendChild(el('code', null, p)); });
        li.appendChild(ev);
      }
      li.appendChild(el('div', 'meta', W.clause + ' ' + f[7]));
      if (f[8]) { li.appendChild(el('div', 'meta', W.waived + ': ' + f[8])); }
      list.appendChild(li);
    });
    lastFocus = document.activeElement;
    if (typeof dialog.showModal === 'function') { dialog.showModal(); } else { dialog.setAttribute('open', ''); }
    document.getElementById('dlg-x').focus();
  }

  function close() {
    if (typeof dialog.close === 'function') { dialog.close(); } else { dialog.removeAttribute('open'); }
  }
  dialog.addEventListener('close', function () { if (lastFocus) { lastFocus.focus(); } });
  document.getElementById('dlg-x').addEventListener('click', close);
  dialog.addEventListener('click', function (e) { if (e.target === dialog) { close(); } });

  // The matrix is one tab stop: the current cell has tabindex 0, arrow keys move it, Enter or
  // Space opens it (a button in each of 60,000 cells made a large page slow to open).
  var current = null;

  function visibleCols() {
    var pack = dept(), out = [];
    meta.rules.forEach(function (r, i) { if (!pack || r.pack === pack) { out.push(i + 1); } });
    return out;
  }

  function focusCell(td, move) {
    if (!td) { return; }
    if (current && current !== td) { current.removeAttribute('tabindex'); current.removeAttribute('aria-label'); }
    current = td;
    var rule = meta.rules[td.cellIndex - 1];
    var label = td.className === 'x' ? W.no_finding : meta.labels[td.className.split(' ')[0]];
    td.setAttribute('tabindex', '0');
    td.setAttribute('aria-label', rule.id + ': ' + label + (td.className.indexOf(' v') > 0 ? ' (' + W.waived + ')' : ''));
    if (move) { td.focus(); }
  }

  function firstCell() {
    var cols = visibleCols();
    for (var k = 0; k < tbody.rows.length; k++) {
      if (cols.length) { return tbody.rows[k].cells[cols[0]]; }
    }
    return null;
  }

  function resetFocus() {
    var cols = visibleCols();
    if (current && current.parentNode.parentNode === tbody && cols.indexOf(current.cellIndex) >= 0) { return; }
    if (current) { current.removeAttribute('tabindex'); current.removeAttribute('aria-label'); current = null; }
    focusCell(firstCell(), false);
  }

  function step(td, dx, dy) {
    var cols = visibleCols(), at = cols.indexOf(td.cellIndex), tr = td.parentNode;
    if (dx) {
      var c = cols[at + dx];
      return c === undefined ? null : tr.cells[c];
    }
    var next = dy > 0 ? tr.nextElementSibling : tr.previousElementSibling;
    if (!next && dy > 0 && more(false)) { next = tr.nextElementSibling; }
    return next ? next.cells[td.cellIndex] : null;
  }

  tbody.addEventListener('keydown', function (e) {
    var td = e.target;
    if (!td || td.tagName !== 'TD') { return; }
    var moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    if (moves[e.key]) {
      var next = step(td, moves[e.key][0], moves[e.key][1]);
      if (next) { focusCell(next, true); }
      e.preventDefault();
    } else if (e.key === 'Enter' || e.key === ' ') {
      if (td.className !== 'x') { open(td.parentNode, td.cellIndex - 1); }
      e.preventDefault();
    }
  });

  tbody.addEventListener('click', function (e) {
    var td = e.target.closest ? e.target.closest('td') : null;
    if (!td) { return; }
    focusCell(td, true);
    if (td.className !== 'x') { open(td.parentNode, td.cellIndex - 1); }
  });
  function changed() { apply(false); }
  [kindSel, statusSel].forEach(function (s) { s.addEventListener('change', changed); });
  query.addEventListener('input', changed);
  sortSel.addEventListener('change', function () { sortRows(); apply(false); });
  Array.prototype.forEach.call(document.querySelectorAll('input[name="dept"]'), function (r) {
    r.addEventListener('change', changed);
  });
  window.addEventListener('beforeprint', function () {
    more(true);
    Array.prototype.forEach.call(document.querySelectorAll('details'), function (d) { d.setAttribute('open', ''); });
  });
  sortRows();
  apply(true);
}());
