// A stand-in for Google's gtag.js, served for www.googletagmanager.com. Like the real one it
// reads the dataLayer queue and every later push, obeys Consent Mode, and for each `config`:
// G-… sets _ga and _ga_<id> on the site's domain and sends a beacon to Google Analytics;
// AW-… sets _gcl_au, keeps _gcl_ls in localStorage and requests a conversion pixel.
(() => {
  const dataLayer = (window.dataLayer = window.dataLayer || []);
  // For the tests: how long dataLayer was when each copy of gtag.js started.
  (window.__gtagLoads = window.__gtagLoads || []).push(dataLayer.length);
  const consent = {};
  const configured = new Set();
  const done = new Set();
  // Like the real tag's cookie_domain 'auto': the site's domain, or none on an IP address.
  const domain = /^[\d.]+$/.test(location.hostname) ? '' : `; domain=${location.hostname}`;
  const cookie = (name, value) =>
    (document.cookie = `${name}=${value}; path=/; max-age=63072000${domain}`);
  const fire = () => {
    for (const id of configured) {
      if (done.has(id)) continue;
      if (id.startsWith('G-') && consent.analytics_storage === 'granted') {
        cookie('_ga', 'GA1.1.1234567890.1700000000');
        cookie('_ga_' + id.slice(2), 'GS1.1.1700000000.1.0.1700000000.0.0.0');
        navigator.sendBeacon(`https://region1.google-analytics.com/g/collect?v=2&tid=${id}`);
        done.add(id);
      }
      if (id.startsWith('AW-') && consent.ad_storage === 'granted') {
        cookie('_gcl_au', '1.1.1234567890.1700000000');
        localStorage.setItem('_gcl_ls', '{"schema":"gcl"}');
        new Image().src = `https://googleads.g.doubleclick.net/pagead/viewthroughconversion/${id.slice(3)}/`;
        done.add(id);
      }
    }
  };
  const handle = entry => {
    if (entry[0] === 'consent') Object.assign(consent, entry[2]);
    if (entry[0] === 'config') configured.add(entry[1]);
  };
  dataLayer.forEach(handle);
  const push = dataLayer.push.bind(dataLayer);
  dataLayer.push = (...entries) => {
    const length = push(...entries);
    entries.forEach(handle);
    fire();
    return length;
  };
  fire();
})();
