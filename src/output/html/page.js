// gleaner's HTML view: the record panel, the type switches and, with #selftest,
// a check that every highlight sits on its record's text.
'use strict';
(() => {
  // What went wrong on the page, for the self-test to report.
  const problems = [];
  addEventListener('error', (e) => {
    problems.push('error: ' + (e.message || 'a resource failed to load'));
  }, true);
  addEventListener('unhandledrejection', (e) => {
    problems.push('unhandled rejection: ' + e.reason);
  });
  document.addEventListener('securitypolicyviolation', (e) => {
    problems.push('blocked by the content security policy: ' + e.violatedDirective);
  });

  const data = JSON.parse(document.getElementById('gleaner-data').textContent);
  const records = data.records;
  const panel = document.getElementById('panel');

  // Each record's highlight (one span per segment) and table row; each field's segments.
  const spans = records.map(() => []);
  const rows = records.map(() => null);
  const fieldSegments = new Map();
  for (const el of document.querySelectorAll('.text .r')) spans[+el.dataset.i]?.push(el);
  for (const tr of document.querySelectorAll('tr[data-i]')) rows[+tr.dataset.i] = tr;
  for (const seg of document.querySelectorAll('.s[data-f]')) {
    for (const key of seg.dataset.f.split(' ')) {
      if (!fieldSegments.has(key)) fieldSegments.set(key, []);
      fieldSegments.get(key).push(seg);
    }
  }

  const make = (tag, cls, text) => {
    const el = document.createElement(tag);
    if (cls) el.className = cls;
    if (text !== undefined) el.textContent = text;
    return el;
  };
  const span = (r) => r.start + '..' + r.end;

  let shown = -1; // the record highlighted and in the panel
  let pinned = -1; // the record kept by a click
  let here = []; // the records where it was clicked, innermost first

  // Highlights record i (or takes the highlight off): its spans, its row, its fields.
  function mark(i, on) {
    if (i < 0) return;
    for (const el of spans[i]) el.classList.toggle('on', on);
    rows[i]?.classList.toggle('on', on);
    const labels = new Map();
    records[i].fields.forEach((f, j) => {
      const segs = fieldSegments.get(i + '.' + j) || [];
      for (const seg of segs) seg.classList.toggle('fl', on);
      if (segs.length) {
        if (!labels.has(segs[0])) labels.set(segs[0], []);
        labels.get(segs[0]).push(f.name);
      }
    });
    for (const [seg, names] of labels) {
      if (on) seg.dataset.label = names.join(', ');
      else delete seg.dataset.label;
    }
  }

  function render(i) {
    panel.replaceChildren();
    if (i < 0) {
      panel.append(make('p', 'hint', 'Point at a highlight to see its record; click to keep it there, click again for the record around it.'));
      return;
    }
    const r = records[i];
    const title = make('h3', 't' + r.type);
    title.append(make('span', 'sw'), data.types[r.type]);
    if (i === pinned) title.append(make('span', 'kept', 'kept · Esc lets go'));
    panel.append(title, make('p', 'where', 'record ' + r.number + ' of ' + data.articles[r.article].id));
    const dl = make('dl');
    const row = (k, v, cls) => dl.append(make('dt', null, k), make('dd', cls, v));
    row('rule', r.rule);
    row('span', span(r) + ' (' + data.offsets + ')');
    row('text', r.text, 'quote');
    panel.append(dl);
    if (r.fields.length) {
      const table = make('table');
      const head = make('tr');
      for (const h of ['field', 'span', 'text', 'value']) head.append(make('th', null, h));
      table.append(head);
      for (const f of r.fields) {
        const tr = make('tr');
        tr.append(
          make('td', null, f.name),
          make('td', null, f.start === null ? '' : span(f)),
          make('td', 'quote', f.text ?? ''),
          make('td', 'value', f.value ?? ''));
        table.append(tr);
      }
      panel.append(make('h4', null, 'fields'), table);
    }
    if (i === pinned && here.length > 1) {
      panel.append(make('h4', null, 'records at this point, innermost first'));
      for (const j of here) {
        const b = make('button', 't' + records[j].type + (j === i ? ' on' : ''));
        b.append(make('span', 'sw'), data.types[records[j].type], make('span', 'n', span(records[j])));
        b.addEventListener('click', () => pin(j, here));
        panel.append(b);
      }
    }
  }

  function show(i) {
    if (i !== shown) {
      mark(shown, false);
      mark(i, true);
      shown = i;
    }
    render(i);
  }

  function pin(i, at) {
    pinned = i;
    here = at || [];
    show(i);
  }

  const recordAt = (target) => (target instanceof Element ? target.closest('.r') : null);
  for (const text of document.querySelectorAll('.text')) {
    text.addEventListener('mouseover', (e) => {
      const r = recordAt(e.target);
      if (r && +r.dataset.i !== shown) show(+r.dataset.i);
    });
    text.addEventListener('mouseleave', () => {
      if (shown !== pinned) show(pinned);
    });
    text.addEventListener('click', (e) => {
      const r = recordAt(e.target);
      if (!r) {
        pin(-1);
        return;
      }
      // Every record at this point, innermost first. A click on the text keeps the
      // innermost; clicking again moves outwards. A click on a lower line keeps its record.
      const chain = [...r.closest('.s').querySelectorAll('.r')].reverse().map((el) => +el.dataset.i);
      let i = +r.dataset.i;
      const at = chain.indexOf(pinned);
      if (at >= 0 && i === chain[0]) i = chain[(at + 1) % chain.length];
      pin(i, chain);
    });
  }

  // Scrolls record i to the middle of the view unless it is in sight; when the
  // panel is at the foot of the window, the view is what is above it.
  const reveal = (i) => {
    const first = spans[i][0];
    if (!first) return;
    const box = first.getBoundingClientRect();
    const foot = panel.getBoundingClientRect();
    const bottom = foot.left <= 0 ? foot.top : innerHeight;
    if (box.top < 0 || box.bottom > bottom) scrollBy(0, (box.top + box.bottom - bottom) / 2);
  };
  for (const tr of document.querySelectorAll('tr[data-i]')) {
    const go = () => {
      pin(+tr.dataset.i);
      reveal(+tr.dataset.i);
    };
    tr.addEventListener('click', go);
    tr.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        go();
      }
    });
  }
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') pin(-1);
  });
  for (const box of document.querySelectorAll('.legend input')) {
    box.addEventListener('change', () => document.body.classList.toggle('hide-t' + box.dataset.t, !box.checked));
  }

  // #r12 keeps record 12 (counted from 0 over the page) and scrolls to it.
  function fromHash() {
    const m = /^#r(\d+)$/.exec(location.hash);
    if (m && +m[1] < records.length) {
      pin(+m[1]);
      reveal(+m[1]);
    }
  }
  addEventListener('hashchange', fromHash);
  fromHash();

  // The self-test: each record's and field's highlight is exactly its text at its
  // offsets, drawn in its type's colour, its line below the lines of what it holds.
  function selftest() {
    const encoder = new TextEncoder();
    const length = data.offsets === 'bytes'
      ? (s) => encoder.encode(s).length
      : (s) => { let n = 0; for (const _ of s) n++; return n; };
    const fails = [];
    const fail = (what) => { if (fails.length < 50) fails.push(what); };
    const quote = JSON.stringify;
    const where = new Map(); // segment → [start, end]
    const perArticle = data.articles.map(() => 0);
    for (const r of records) perArticle[r.article]++;
    for (const article of document.querySelectorAll('article[data-a]')) {
      const a = +article.dataset.a;
      const rowCount = article.querySelectorAll('tbody tr').length;
      if (rowCount !== perArticle[a]) fail(`article ${a}: ${rowCount} table rows, ${perArticle[a]} records`);
      const text = article.querySelector('.text');
      if (!text) continue;
      let at = 0;
      for (const node of text.childNodes) {
        const n = length(node.textContent);
        if (node instanceof Element) where.set(node, [at, at + n]);
        at += n;
      }
      if (at !== data.articles[a].length) fail(`article ${a}: the page holds ${at} of its ${data.articles[a].length} ${data.offsets}`);
    }
    // Do these segments hold exactly `text`, from `start` to `end`?
    const check = (what, segs, start, end, text) => {
      if (start === end) {
        if (segs.length) fail(`${what}: empty, yet highlighted`);
        return;
      }
      if (!segs.length) return fail(`${what}: not highlighted`);
      if (new Set(segs).size !== segs.length) return fail(`${what}: highlighted twice in one segment`);
      const got = segs.map((s) => s.textContent).join('');
      if (got !== text) return fail(`${what}: the highlight holds ${quote(got)}, the record says ${quote(text)}`);
      let at = start;
      for (const seg of segs) {
        const w = where.get(seg);
        if (!w || w[0] !== at) return fail(`${what}: the highlight is not at ${at}`);
        at = w[1];
      }
      if (at !== end) fail(`${what}: the highlight ends at ${at}, not ${end}`);
    };
    let fields = 0;
    records.forEach((r, i) => {
      const what = `record ${i} (${data.types[r.type]} ${span(r)})`;
      if (data.articles[r.article].length === null) return;
      check(what, spans[i].map((el) => el.closest('.s')), r.start, r.end, r.text);
      for (const el of spans[i]) {
        const style = getComputedStyle(el);
        if (!el.classList.contains('t' + r.type) || style.borderBottomWidth !== '2px'
            || style.borderBottomColor === 'rgba(0, 0, 0, 0)') {
          return fail(`${what}: not drawn in its colour`);
        }
        const inner = el.querySelector(':scope > .r');
        if (inner && el.getBoundingClientRect().bottom < inner.getBoundingClientRect().bottom + 2) {
          return fail(`${what}: its line is hidden behind record ${inner.dataset.i}`);
        }
      }
      r.fields.forEach((f, j) => {
        if (f.start === null || f.end === null) return;
        fields++;
        check(`${what} field ${f.name}`, fieldSegments.get(i + '.' + j) || [], f.start, f.end, f.text ?? '');
      });
    });
    // The panel: each record kept shows its type, rule, text and fields, and marks
    // its own highlight, fields and table row only.
    records.forEach((r, i) => {
      const what = `record ${i} (${data.types[r.type]} ${span(r)})`;
      pin(i);
      const title = panel.querySelector('h3')?.textContent ?? '';
      const dd = [...panel.querySelectorAll('dd')].map((d) => d.textContent);
      const fieldRows = [...panel.querySelectorAll('table tr')].slice(1).map((tr) => tr.firstChild.textContent);
      if (!title.startsWith(data.types[r.type]) || dd[0] !== r.rule || dd[2] !== r.text) {
        fail(`${what}: the panel shows ${quote(title)} ${quote(dd)}`);
      }
      if (fieldRows.join() !== r.fields.map((f) => f.name).join()) fail(`${what}: the panel lists fields ${quote(fieldRows)}`);
      const article = document.getElementById('a' + r.article);
      const on = article.querySelectorAll('.text .on').length;
      const marked = article.querySelectorAll('.fl').length;
      const segs = new Set(r.fields.flatMap((f, j) => fieldSegments.get(i + '.' + j) || []));
      if (on !== spans[i].length || marked !== segs.size || !rows[i].classList.contains('on')) {
        fail(`${what}: ${on} spans and ${marked} field segments marked, not ${spans[i].length} and ${segs.size}`);
      }
    });
    // Clicks: on the text, the innermost record, then each one around it in turn;
    // pointing shows a record, leaving the text shows the kept one again.
    let deepest = null;
    for (const seg of document.querySelectorAll('.text .s')) {
      if (!deepest || seg.querySelectorAll('.r').length > deepest.length) deepest = [...seg.querySelectorAll('.r')].reverse();
    }
    if (deepest && deepest.length) {
      const chain = deepest.map((el) => +el.dataset.i);
      const got = [];
      for (let n = 0; n <= chain.length; n++) {
        deepest[0].click();
        got.push(pinned);
      }
      const want = chain.concat(chain[0]);
      if (got.join() !== want.join()) fail(`clicks kept records ${got}, not ${want}`);
      const listed = [...panel.querySelectorAll('button')].length;
      if (chain.length > 1 && listed !== chain.length) fail(`the panel lists ${listed} records at the click, not ${chain.length}`);
      deepest[deepest.length - 1].dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
      if (shown !== chain[chain.length - 1]) fail(`pointing at record ${chain[chain.length - 1]} shows ${shown}`);
      deepest[0].closest('.text').dispatchEvent(new MouseEvent('mouseleave'));
      if (shown !== chain[0]) fail(`leaving the text shows ${shown}, not the kept record ${chain[0]}`);
    }
    pin(-1);
    if (document.querySelectorAll('.on, .fl').length) fail('letting go leaves marks');
    // Going to a record (from its table row or #rN) brings it into view.
    const last = spans.findLastIndex((s) => s.length);
    if (last >= 0) {
      reveal(last);
      const box = spans[last][0].getBoundingClientRect();
      const foot = panel.getBoundingClientRect();
      if (box.top < 0 || box.bottom > (foot.left <= 0 ? foot.top : innerHeight)) fail(`record ${last} is out of view after going to it`);
      scrollTo(0, 0);
    }
    const out = make('pre');
    out.id = 'selftest';
    const bad = fails.concat(problems);
    out.dataset.status = bad.length ? 'fail' : 'ok';
    out.textContent = bad.length
      ? bad.join('\n')
      : `ok: ${data.articles.length} articles, ${records.length} records, ${fields} fields`;
    document.body.append(out);
  }
  if (location.hash === '#selftest') addEventListener('load', selftest);
})();
