// A stand-in for Meta's fbevents.js (connect.facebook.net): sets _fbp on the site's domain and
// sends its PageView as an image request to www.facebook.com.
(() => {
  const domain = /^[\d.]+$/.test(location.hostname) ? '' : `; domain=${location.hostname}`;
  document.cookie = `_fbp=fb.1.1700000000.123456789; path=/; max-age=7776000${domain}`;
  new Image().src = 'https://www.facebook.com/tr/?id=1234&ev=PageView';
})();
