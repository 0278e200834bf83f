/* trynow demo bar (/demo/{id}): countdown, expiring warning, Extend (disabled at the lifetime
 * cap, saying why), End demo. The access token lives only in this tab's sessionStorage and
 * travels only as Authorization: Bearer. */
(() => {
  'use strict';
  const body = document.body;
  const id = body.dataset.demoId;
  const warnMs = Number(body.dataset.warningSeconds) * 1000;
  const KEY = 'trynow.token.' + id;
  const $ = (s) => document.getElementById(s);
  const handoff = $('trynow-handoff');
  if (handoff) {
    try {
      sessionStorage.setItem(KEY, JSON.parse(handoff.textContent).token);
    } finally {
      handoff.remove();
      history.replaceState(null, '', location.pathname); // a reload is a GET, not a re-POST
    }
  }
  const token = sessionStorage.getItem(KEY);
  const bar = $('bar');
  const api = (method, path) => fetch('/v1/demos/' + id + (path || ''), {
    method, cache: 'no-store', headers: { Authorization: 'Bearer ' + token },
  });
  const two = (n) => String(n).padStart(2, '0');
  const clock = (ms) => { const s = Math.max(0, Math.ceil(ms / 1000)); return Math.floor(s / 60) + ':' + two(s % 60); };
  const at = (iso) => new Date(iso).toLocaleTimeString();
  let demo = null;
  let endsAt = 0; // local clock, from remaining_seconds (immune to clock skew)
  let over = false;

  function show(el, text) { el.textContent = text || ''; el.hidden = !text; }

  function ended(text) {
    over = true;
    sessionStorage.removeItem(KEY);
    bar.dataset.state = 'ended';
    show($('warning'), '');
    $('extend').disabled = true;
    $('end').disabled = true;
    show($('status'), text);
  }

  function update(d) {
    demo = d;
    if (d.status !== 'assigned') return ended('This demo has ended.');
    endsAt = Date.now() + d.remaining_seconds * 1000;
    const frame = $('demo');
    if (!frame.src) {
      frame.src = d.url;
      $('open').href = d.url;
      $('open').hidden = false;
    }
    const capped = Date.parse(d.expires_at) >= Date.parse(d.max_expires_at);
    $('extend').disabled = capped;
    show($('cap'), capped ? 'Extend is not available: this demo has reached its maximum lifetime and ends at ' +
      at(d.max_expires_at) + '.' : '');
    tick();
  }

  function tick() {
    if (over || !demo) return;
    const left = endsAt - Date.now();
    $('countdown').textContent = clock(left);
    $('countdown').setAttribute('datetime', demo.expires_at);
    const warn = left <= warnMs;
    bar.dataset.state = warn ? 'expiring' : 'live';
    show($('warning'), warn ? 'Your demo ends in less than ' + Math.ceil(warnMs / 60000) +
      ' minute(s).' + ($('extend').disabled ? '' : ' Extend it to keep going.') : '');
    if (left <= 0) refresh();
  }

  async function refresh() {
    let r;
    try { r = await api('GET'); } catch (e) { return; }
    if (r.ok) return update(await r.json());
    if (r.status === 404 || r.status === 403) ended('This demo has ended.');
  }

  async function extend() {
    $('extend').disabled = true;
    show($('status'), '');
    const r = await api('POST', '/extend').catch(() => null);
    if (r && r.ok) return update(await r.json());
    const e = r ? await r.json().catch(() => ({})) : {};
    if (/\/max-lifetime-reached$/.test(e.type || '')) {
      show($('cap'), 'Extend is not available: this demo has reached its maximum lifetime.');
      return;
    }
    $('extend').disabled = false;
    show($('status'), 'Could not extend: ' + (e.detail || 'the service did not answer') + '.');
  }

  async function end() {
    $('end').disabled = true;
    const r = await api('DELETE').catch(() => null);
    if (!r || !(r.ok || r.status === 404)) {
      $('end').disabled = false;
      return show($('status'), 'Could not end the demo; please try again.');
    }
    const url = demo && demo.url;
    ended('Ending your demo…');
    if (url) setTimeout(() => location.replace(url), 1000);
  }

  if (!token) {
    bar.dataset.state = 'no-token';
    $('no-token').hidden = false;
    $('extend').disabled = true;
    $('end').disabled = true;
    return;
  }
  $('extend').addEventListener('click', extend);
  $('end').addEventListener('click', end);
  setInterval(tick, 1000);
  setInterval(() => { if (!over) refresh(); }, 10000);
  refresh();
})();
