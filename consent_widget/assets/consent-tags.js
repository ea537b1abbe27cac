/* What the registry's Google tags need beside gtag.js: the `config` call for each ID.
 * Gated like gtag.js itself and placed right after it, so the widget runs it once the vendor's
 * category is allowed, after gtag.js has loaded (document order). By then the widget has already
 * pushed its Consent Mode default and update into dataLayer, so gtag.js obeys them.
 * The build fills in vendor id → Google tag IDs below. */
(() => {
  const w = window,
    ids = __CONSENT_TAGS__[document.currentScript.dataset.vendor] || [];
  w.dataLayer = w.dataLayer || [];
  // gtag.js reads the Arguments objects themselves, not arrays.
  function gtag() {
    w.dataLayer.push(arguments);
  }
  w.gtag = w.gtag || gtag; // page scripts may send their own events
  // One `js` event per page, however many Google vendors are allowed.
  if (!w.dataLayer.some(a => a[0] == 'js')) gtag('js', new Date());
  for (const id of ids) gtag('config', id);
})();
