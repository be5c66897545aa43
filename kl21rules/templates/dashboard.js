(function () {
  'use strict';
  var meta = JSON.parse(document.getElementById('kl-meta').textContent);
  var W = meta.w;
  var table = document.getElementById('m');
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  rows.forEach(function (tr, i) { tr._i = i; });
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

  function apply() {
    var pack = dept(), kind = kindSel.value, status = statusSel.value;
    var q = query.value.trim().toLowerCase();
    var visible = [], rules = [];
    meta.rules.forEach(function (r, i) {
      if (!pack || r.pack === pack) { visible.push(i + 1); } else { rules.push(i + 2); }
    });
    var css = rules.map(function (n) {
      return '#m tr.rules > :nth-child(' + n + '),#m tbody tr > :nth-child(' + n + ')';
    });
    if (pack) { css.push('#m tr.packs th:not([data-p="' + pack + '"])'); }
    hideStyle.textContent = css.length ? css.join(',') + '{display:none}' : '';
    var count = 0;
    for (var k = 0; k < rows.length; k++) {
      var tr = rows[k], show = true;
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
      if (tr.hidden === show) { tr.hidden = !show; }
      if (show) { count++; }
    }
    shown.textContent = W.showing.replace('{shown}', count).replace('{total}', rows.length);
    document.body.setAttribute('data-ready', '1');
  }

  function sortRows() {
    var how = sortSel.value;
    var order = rows.slice();
    if (how === 'name') {
      order.sort(function (a, b) { return a.cells[0].textContent.localeCompare(b.cells[0].textContent, document.documentElement.lang) || a._i - b._i; });
    } else if (how === 'kind') {
      order.sort(function (a, b) { return a.getAttribute('data-k').localeCompare(b.getAttribute('data-k')) || a._i - b._i; });
    } else if (how === 'fail') {
      order.sort(function (a, b) { return (+b.getAttribute('data-f')) - (+a.getAttribute('data-f')) || a._i - b._i; });
    } else {
      order.sort(function (a, b) { return a._i - b._i; });
    }
    var frag = document.createDocumentFragment();
    order.forEach(function (tr) { frag.appendChild(tr); });
    tbody.appendChild(frag);
  }

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
    var rule = meta.rules[col];
    var found = details[tr._i][String(col)] || [];
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

  tbody.addEventListener('click', function (e) {
    var button = e.target.closest ? e.target.closest('td > button') : null;
    if (!button) { return; }
    var td = button.parentNode;
    open(td.parentNode, td.cellIndex - 1);
  });
  [kindSel, statusSel].forEach(function (s) { s.addEventListener('change', apply); });
  query.addEventListener('input', apply);
  sortSel.addEventListener('change', function () { sortRows(); apply(); });
  Array.prototype.forEach.call(document.querySelectorAll('input[name="dept"]'), function (r) {
    r.addEventListener('change', apply);
  });
  window.addEventListener('beforeprint', function () {
    Array.prototype.forEach.call(document.querySelectorAll('details'), function (d) { d.setAttribute('open', ''); });
  });
  sortRows();
  apply();
}());
