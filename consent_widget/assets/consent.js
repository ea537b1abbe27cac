/* Cookie-consent widget runtime (contract: consent.d.ts). The build fills in the config below. */
(() => {
  if (window.consentWidget) return; // loaded twice: the first copy owns the page

  const C = __CONSENT_CONFIG__,
    D = document,
    K = C.cookie,
    cats = C.categories,
    // One asset per page language: the build chose the words (and the date format) for <html lang>.
    lang = C.lang,
    T = C.texts,
    gpc = navigator.globalPrivacyControl === true,
    sec = location.protocol == 'https:' ? '; Secure' : '';
  let dec = null, bar, pad, dlg, bc, old; // dec: the decision in force, kept in memory for the page's lifetime

  // Blocked storage (sandboxes, privacy settings) or a corrupt record must never break the page.
  const safe = f => {
    try {
      return f();
    } catch (e) {}
  };
  const jar = () => (safe(() => D.cookie) || '').split('; ').map(s => s.split('='));
  const bake = s => safe(() => (D.cookie = s));
  // An older revision asks again; a GPC record stands only while the signal is on. Any number
  // is a valid `ts`: a clock set at or before 1970 (a reset machine) makes it 0 or negative.
  const parse = v =>
    safe(() => {
      const d = JSON.parse(decodeURIComponent(v));
      old = d.rev < C.revision; // asked again because the policy changed: the banner says so
      return d.v === 1 && !old && Number.isFinite(d.ts) && d.cats && (d.how != 'gpc' || gpc) && d;
    }) || null;

  const on = (id, d = dec) => cats.some(c => c.id == id && (c.required || (d && d.cats[id] === true)));
  // Ask until the visitor chose; an automatic GPC record is enough only if GPC covers every category.
  const ask = () => !dec || (dec.how == 'gpc' && !cats.every(c => c.required || c.gpc));

  // Properties where the element has them, attributes (role, aria-*) otherwise.
  // Children become text nodes: registry strings never turn into markup.
  const el = (name, props, ...kids) => {
    const e = D.createElement(name);
    for (const k in props) k in e ? (e[k] = props[k]) : e.setAttribute(k, props[k]);
    e.append(...kids);
    return e;
  };
  const btn = (text, onclick) => el('button', { type: 'button', className: 'cw-btn', onclick }, text);
  // Accept and reject always sit beside the third action, styled the same (equal prominence).
  const acts = (text, fn) =>
    el('div', { className: 'cw-acts' },
      btn(T.acceptAll, () => decide('accept', () => true)),
      btn(T.rejectAll, () => decide('reject', () => false)),
      btn(text, fn));

  // Google Consent Mode v2; gtag.js needs the Arguments object itself in dataLayer.
  function gtag() {
    (window.dataLayer = window.dataLayer || []).push(arguments);
  }
  const gcm = type => {
    const m = C.consentMode,
      s = type == 'default' ? { wait_for_update: 500 } : {};
    for (const k in m) s[k] = type == 'update' && m[k].some(id => on(id)) ? 'granted' : 'denied';
    if (m) gtag('consent', type, s);
  };

  // Opted-in placeholders become real scripts in document order; replacing them means once only.
  const run = () =>
    D.querySelectorAll('script[type="text/plain"][data-consent]').forEach(s => {
      if (!on(s.dataset.consent)) return;
      const n = el('script', { async: false, text: s.text }); // async=false: external ones keep order
      for (const a of s.attributes) /^(type|data-(consent|src))$/.test(a.name) || n.setAttribute(a.name, a.value);
      if (s.dataset.src) n.src = s.dataset.src;
      s.replaceWith(n);
    });

  // Vendor cookies may sit on this host or on any parent domain.
  const doms = [''];
  if (!/^[\d.]+$|:/.test(location.hostname))
    for (let h = location.hostname; h.includes('.'); h = h.slice(h.indexOf('.') + 1)) doms.push('; domain=' + h);
  // c.purge: one pattern for the names the category's vendors declare (cookies, storage keys).
  const purge = c => {
    const re = RegExp(c.purge);
    for (const [n] of jar())
      if (re.test(n)) for (const d of doms) bake(`${n}=; max-age=0; path=/${d + sec}`); // tags set their cookies on path=/
    safe(() => [localStorage, sessionStorage].map(s => Object.keys(s).map(k => re.test(k) && s.removeItem(k))));
  };

  // Fixed and non-modal; first in the DOM so keyboard and screen reader users meet it first.
  // The spacer ends <body> so the last content can scroll above the banner. Its negative margin cancels
  // its height, so nothing moves, not even a footer pushed down by a flex body with min-height (Material).
  const banner = show => {
    if (show && !bar) {
      // One block per sentence (the build splits them): a whole paragraph drawn this late could
      // be the page's Largest Contentful Paint, and hold that back until the scripts have run.
      bar = el('div', { className: 'cw-banner', role: 'region', 'aria-label': T.bannerTitle },
        el('h2', null, T.bannerTitle),
        // Asked again after a policy change: say when first (on phones the text scrolls), and
        // link (new tab) to what changed.
        el('p', null, old && C.change ? link(...C.change) : '', ' ', ...T.bannerText.map(s => el('span', null, s)),
          ' ', C.policy ? el('a', { href: C.policy }, T.policyLink) : ''),
        acts(T.settings, open));
      pad = el('div', { className: 'cw-spacer' });
      D.body.prepend(bar);
      D.body.append(pad);
      new ResizeObserver(() => {
        const h = bar.offsetHeight + 'px';
        D.documentElement.style.scrollPaddingBottom = pad.style.height = h;
        pad.style.marginTop = '-' + h;
      }).observe(bar);
    }
    if (bar) bar.hidden = pad.hidden = !show;
  };

  // The new-tab warning is part of the visible link text, so of its accessible name too.
  const link = (href, text) =>
    href ? el('a', { href, target: '_blank', rel: 'noopener noreferrer' }, text, ' ' + T.newTab) : '';
  // v.optOut: the link's words, from the build (an opt-out, or how to opt out; its language).
  const vendor = v => {
    const dl = el('dl');
    // v.country ("Country: United States") is a second description of the recipient.
    for (const k of ['operator', 'data', 'purpose'])
      dl.append(el('dt', null, T[k]), el('dd', null, v[k]), k == 'operator' && v.country ? el('dd', null, v.country) : '');
    // The note on the opt-out page (what it does, where it works) right under its link, as in the table.
    return el('div', null, el('h4', null, v.service), dl,
      el('p', null, link(v.optOutUrl, v.optOut), v.optOutNote || ''),
      el('p', null, link(v.privacyUrl, T.privacyPolicy)));
  };
  const section = c => {
    const vs = C.vendors.filter(v => v.category == c.id);
    const sw = el('input', {
      type: 'checkbox', role: 'switch', disabled: !!c.required,
      // Before any decision: the registry's default, except what GPC opts out of.
      checked: dec || c.required ? on(c.id) : !(gpc && c.gpc) && c.default,
    });
    return el('section', null,
      el('h3', null, el('label', null, c.title, c.required ? el('span', null, ' ' + T.alwaysOn) : '', sw)),
      el('p', null, c.description),
      vs.length ? el('details', null, el('summary', null, T.vendors), ...vs.map(vendor)) : '');
  };

  // Native modal dialog: focus trap, Esc and focus return come from the platform.
  // Its content is rebuilt from the current state on every open and on news from other tabs.
  const open = () => {
    const head = el('h2', { tabIndex: -1 }, T.dialogTitle);
    dlg = dlg || el('dialog', { className: 'cw-dialog', 'aria-label': T.dialogTitle });
    dlg.replaceChildren(
      el('div', null, head, el('button', { type: 'button', 'aria-label': T.close, onclick: () => dlg.close() }, '×')),
      el('p', null, T.dialogText),
      el('p', null, dec && dec.how != 'gpc'
        ? T.currentChoice.replace('{date}', new Date(dec.ts).toLocaleDateString(lang, { dateStyle: 'long' }))
        : T.noChoice),
      gpc ? el('p', null, T.gpcNotice) : '',
      ...cats.map(section),
      acts(T.save, () => decide('settings', (c, i) => dlg.querySelectorAll('input')[i].checked)));
    if (!dlg.open) D.body.append(dlg), dlg.showModal();
    head.focus();
  };

  // Apply a decision, ours or another tab's: consent signals go before any newly allowed script.
  const sync = d => {
    dec = d;
    gcm('update');
    banner(ask());
    run();
    if (dlg && dlg.open) open();
    D.dispatchEvent(new CustomEvent('consent:change', { detail: d }));
  };
  const commit = d => {
    for (const c of cats) on(c.id, d) || purge(c);
    const v = d ? encodeURIComponent(JSON.stringify(d)) : '';
    bake(`${K.name}=${v}; path=${K.path}; max-age=${d ? K.maxAgeDays * 86400 : 0}; SameSite=Lax${sec}`);
    // Other tabs get the value itself, so it spreads even if the browser ignored the cookie.
    safe(() => bc.postMessage(v));
    sync(d);
  };
  const decide = (how, pick) => {
    const d = { v: 1, rev: C.revision, id: dec && dec.id, ts: Date.now(), how, cats: {} };
    // 128 random bits; crypto.randomUUID would need a secure context.
    d.id = d.id || Array.from(crypto.getRandomValues(new Uint32Array(4)), n => n.toString(36)).join('-');
    cats.forEach((c, i) => (d.cats[c.id] = !!(c.required || pick(c, i))));
    if (dlg) dlg.close();
    commit(d);
  };

  const init = () => {
    // The first valid record: another app's `consent` cookie, or a stale one on a longer path, may come first.
    dec = jar().map(c => c[0] == K.name && parse(c[1])).find(d => d) || null;
    gcm('default');
    if (dec) gcm('update');
    if (!dec && gpc) decide('gpc', () => false);
    else banner(ask()), run();
    D.addEventListener('click', e => {
      // Without JS the link simply leads to the cookie section of the policy.
      if (e.target.closest?.('[data-consent-open]')) e.preventDefault(), open();
    });
    // Every current browser has BroadcastChannel; where it is blocked, tabs sync on their next load.
    bc = safe(() => new BroadcastChannel('consent-widget'));
    if (bc) bc.onmessage = e => sync(parse(e.data));
  };

  window.consentWidget = {
    get: () => dec,
    open,
    reset: () => commit(null),
  };
  if (D.readyState == 'loading') D.addEventListener('DOMContentLoaded', init);
  else init();
})();
