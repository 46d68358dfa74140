// The press page: the preview follows the editor as the officer types (no build step; CSP allows only this file).
'use strict';
document.addEventListener('DOMContentLoaded', function () {
  var text = document.getElementById('reply-text');
  var preview = document.getElementById('reply-preview');
  if (!text || !preview) return;
  text.addEventListener('input', function () {
    preview.textContent = text.value;
  });
});
