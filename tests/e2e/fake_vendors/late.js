// A tag that writes late, as ad tags do after a timer or an idle callback: nothing at once;
// a first-party cookie 2.5 s after it runs, and a localStorage key once the page is idle and
// another second has passed.
(() => {
  const domain = /^[\d.]+$/.test(location.hostname) ? '' : `; domain=${location.hostname}`;
  setTimeout(() => {
    document.cookie = `_late_id=1.1700000000; path=/; max-age=7776000${domain}`;
  }, 2500);
  const idle = window.requestIdleCallback || (f => setTimeout(f, 50));
  idle(() => setTimeout(() => localStorage.setItem('_late_key', '1'), 1000));
})();
