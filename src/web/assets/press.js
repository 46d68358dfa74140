// The press pages: the preview follows the editor as the officer types; the queue's live part is re-fetched every
// 30 s (as the overview's, dashboard.js). No build step; CSP allows only this file.
'use strict';
document.addEventListener('DOMContentLoaded', function () {
  var text = document.getElementById('reply-text');
  var preview = document.getElementById('reply-preview');
  if (text && preview) {
    text.addEventListener('input', function () {
      preview.textContent = text.value;
    });
  }
  var live = document.getElementById('press-live');
  var src = live && live.getAttribute('data-src');
  if (!live || !src) return;
  setInterval(function () {
    fetch(src, { credentials: 'same-origin', headers: { accept: 'text/html' } })
      .then(function (r) {
        if (r.redirected || r.status === 401) { window.location.reload(); return null; }
        return r.ok ? r.text() : null;
      })
      .then(function (html) {
        if (html === null) return;
        live.innerHTML = html; // server-rendered, every citizen's text already escaped
        live.setAttribute('data-refreshed', String(Date.now()));
      })
      .catch(function () { /* offline for a moment: try again next time */ });
  }, 30000);
});
