/*! trynow embed v1: <trynow-button template="hello">Try it now</trynow-button>. Size budget and
 * contract: api-gateway/src/main/resources/web/README.md. No framework, no build step. */
(() => {
  'use strict';
  if (!window.customElements || customElements.get('trynow-button')) return;
  const me = document.currentScript;
  const DEFAULT_GW = me && me.src ? new URL(me.src).origin : location.origin;
  const CSS =
    ':host{display:inline-block;font:inherit}button{font:inherit;padding:.5em 1em;cursor:pointer}' +
    'button[disabled]{cursor:progress}[part=msg]{margin:.4em 0 0}[hidden]{display:none}' +
    '[part=room]{margin:.5em 0 0;padding:.6em .8em;border:1px solid #8884;border-radius:6px}';
  const wait = (ms) => new Promise((r) => setTimeout(r, ms));
  const when = (s) =>
    s >= 5400 ? Math.round(s / 3600) + ' hours' : s >= 90 ? Math.round(s / 60) + ' minutes' :
      Math.max(1, Math.round(s)) + ' seconds';
  const uuid = () => (crypto.randomUUID ? crypto.randomUUID() :
    Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join(''));

  class TrynowButton extends HTMLElement {
    constructor() {
      super();
      const r = this.attachShadow({ mode: 'open' });
      r.innerHTML =
        '<style>' + CSS + '</style><button part="button" type="button"><slot>Try it now</slot></button>' +
        '<div part="room" hidden><span part="position" role="status" aria-live="polite"></span> ' +
        '<button part="cancel" type="button">Cancel</button></div>' +
        '<p part="msg" role="alert" hidden></p>';
      this.$ = (p) => r.querySelector('[part=' + p + ']');
      this.$('button').addEventListener('click', () => this.start());
      this.$('cancel').addEventListener('click', () => this.cancel());
    }

    get gateway() {
      return (this.getAttribute('gateway') || DEFAULT_GW).replace(/\/+$/, '');
    }

    /** Shows a message (or hides it with none); 'state' is reflected as an attribute for styling. */
    say(text, state) {
      const m = this.$('msg');
      m.textContent = text || '';
      m.hidden = !text;
      this.setAttribute('state', state || 'idle');
    }

    busy(on) {
      const b = this.$('button');
      b.disabled = on;
      b.setAttribute('aria-busy', String(on));
    }

    async start() {
      if (this.run) return;
      const run = (this.run = { key: uuid(), on: true });
      this.busy(true);
      this.say('Starting your demo…', 'starting');
      const headers = { 'Content-Type': 'application/json', 'Idempotency-Key': run.key };
      if (this.getAttribute('key')) headers['X-Api-Key'] = this.getAttribute('key');
      let res, body;
      try {
        res = await fetch(this.gateway + '/v1/demos', {
          method: 'POST', mode: 'cors', credentials: 'omit', cache: 'no-store', headers,
          body: JSON.stringify({ template: this.getAttribute('template') || '' }),
        });
        body = await res.json().catch(() => ({}));
      } catch (e) {
        return this.fail('The demo service cannot be reached from this page. Please try again later.');
      }
      if (res.status === 201) return this.open(body.id, body.access_token);
      if (res.status === 202) return this.queue(run, body);
      const retry = Number(res.headers.get('Retry-After')) || 60;
      if (res.status === 429) {
        return this.fail('Too many demos were started from your network. Please try again in ' +
          when(retry) + '.', 'limited');
      }
      if (res.status === 503) {
        return this.fail('All demos are busy right now. Please try again in ' + when(retry) + '.', 'busy');
      }
      if (/\/unknown-template$/.test(body.type || '')) return this.fail('This demo is not available.', 'unknown');
      if (res.status === 401 || res.status === 403) {
        return this.fail('This site may not start demos. Please tell its owner.', 'refused');
      }
      this.fail('Something went wrong (' + (body.detail || res.status) + '). Please try again.');
    }

    fail(text, state) {
      this.stop();
      this.say(text, state || 'error');
    }

    /** The waiting room: position and ETA over SSE (the signed ticket URL), polling as fallback. */
    queue(run, q) {
      run.rid = q.request_id;
      run.token = q.access_token;
      run.status = new URL(q.status_url, this.gateway).href;
      this.$('room').hidden = false;
      this.say('', 'queued');
      this.place(q.position, q.eta_seconds);
      if (window.EventSource && q.events_url) {
        const es = (run.es = new EventSource(new URL(q.events_url, this.gateway).href));
        const on = (k, f) => es.addEventListener(k, (e) => run.on && f(JSON.parse(e.data || '{}')));
        on('queued', (d) => this.place(d.position, d.eta_seconds));
        on('position', (d) => this.place(d.position, d.eta_seconds));
        on('assigned', () => this.check(run));
        on('state', () => this.check(run));
        on('expired', () => this.check(run));
        on('failed', () => this.check(run));
        es.onerror = () => { if (es.readyState === 2) this.poll(run); };
      } else {
        this.poll(run);
      }
      wait(15000).then(() => this.poll(run)); // a safety net even while the stream runs
    }

    place(position, eta) {
      if (!position) return;
      this.$('position').textContent = 'You are number ' + position + ' in line' +
        (eta ? ', about ' + when(eta) + ' to go.' : '.');
      this.setAttribute('position', String(position));
    }

    async poll(run) {
      if (run.polling) return;
      run.polling = true;
      while (run.on && this.run === run) {
        if (await this.check(run)) return;
        await wait(2000);
      }
    }

    /** Reads the request; opens the demo when assigned. True when the wait is over. */
    async check(run) {
      let r;
      try {
        r = await (await fetch(run.status, { cache: 'no-store', credentials: 'omit' })).json();
      } catch (e) {
        return false;
      }
      if (!run.on) return true;
      if (r.status === 'queued') this.place(r.position, r.eta_seconds);
      if (r.status === 'assigned' && r.demo) {
        this.open(r.demo.id, run.token);
        return true;
      }
      if (r.status === 'expired' || r.status === 'failed') {
        this.fail(r.status === 'expired' ? 'The wait took too long. Please try again.' :
          'The demo could not be started. Please try again.');
        return true;
      }
      return false;
    }

    /** Cancel: the request leaves the queue (or its demo is released if it was just assigned). */
    async cancel() {
      const run = this.run;
      if (!run || !run.rid) return;
      this.stop();
      this.say('Cancelled.', 'cancelled');
      await fetch(this.gateway + '/v1/requests/' + run.rid, {
        method: 'DELETE', credentials: 'omit', headers: { Authorization: 'Bearer ' + run.token },
      }).catch(() => {});
    }

    stop() {
      const run = this.run;
      if (run) {
        run.on = false;
        if (run.es) run.es.close();
      }
      this.run = null;
      this.$('room').hidden = true;
      this.removeAttribute('position');
      this.busy(false);
    }

    /**
     * Opens the demo page on the gateway. The token goes in the body of a POST (never in a URL);
     * the page keeps it in sessionStorage and sends it as Authorization: Bearer.
     */
    open(id, token) {
      this.stop();
      this.say('Opening your demo…', 'open');
      const f = document.createElement('form');
      f.method = 'post';
      f.action = this.gateway + '/demo/' + encodeURIComponent(id);
      f.target = this.getAttribute('target') || '_self';
      f.hidden = true;
      const t = document.createElement('input');
      t.type = 'hidden';
      t.name = 'access_token';
      t.value = token;
      f.appendChild(t);
      this.shadowRoot.appendChild(f);
      f.submit();
      f.remove();
    }
  }
  customElements.define('trynow-button', TrynowButton);
})();
