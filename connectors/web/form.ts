/**
 * The embeddable public comment form (`GET /comments/form`): a small Russian page a municipal site puts in
 * an <iframe>. It posts JSON to /api/comments and shows the result with textContent only. Pure: returns
 * the page; every interpolated value is HTML-escaped.
 */

import { escapeHtml } from '../../src/lib/html';

export interface FormOptions {
  /** Id of the watched source (a `web` source) the comments belong to; validated by the route. */
  source?: string | null;
  /** Heading, e.g. the site's name. */
  title?: string | null;
  /** A CSP nonce for the inline script. */
  nonce: string;
}

/** Security headers of the form page: framing allowed (it is meant to be embedded), nothing else loaded. */
export function formHeaders(nonce: string): Record<string, string> {
  return {
    'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; connect-src 'self'; form-action 'self'; base-uri 'none'`,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  };
}

/** The page. */
export function renderCommentForm(o: FormOptions): string {
  const title = escapeHtml(o.title?.trim() || 'Сообщить о проблеме');
  const source = escapeHtml(o.source ?? '');
  return `<!doctype html>
<html lang="ru">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>
  body { font: 16px/1.4 system-ui, sans-serif; margin: 0; padding: 12px; color: #1b1f24; background: #fff; }
  form { display: grid; gap: 10px; max-width: 560px; }
  label { display: grid; gap: 4px; font-weight: 600; }
  input, textarea { font: inherit; padding: 8px; border: 1px solid #9aa4ad; border-radius: 6px; font-weight: 400; }
  textarea { min-height: 8em; resize: vertical; }
  button { font: inherit; padding: 10px 16px; border: 0; border-radius: 6px; background: #0b5cad; color: #fff; cursor: pointer; justify-self: start; }
  button[disabled] { opacity: .6; }
  .hint { color: #5b6670; font-size: 14px; font-weight: 400; }
  #result { padding: 10px; border-radius: 6px; }
  #result.ok { background: #e6f4ea; } #result.err { background: #fdecea; }
</style>
</head>
<body>
<h1>${title}</h1>
<form id="comment" novalidate>
  <input type="hidden" name="source" value="${source}">
  <label>Опишите проблему<textarea name="text" required minlength="3" maxlength="10000"></textarea></label>
  <label>Адрес или место <span class="hint">(улица, дом, населённый пункт)</span><input name="place" maxlength="500"></label>
  <label>Ваше имя<input name="name" maxlength="200" autocomplete="name"></label>
  <label>Телефон или e-mail для ответа <span class="hint">(необязательно; хранится только в зашифрованном виде)</span><input name="contact" maxlength="200" autocomplete="email"></label>
  <button type="submit">Отправить</button>
  <p id="result" role="status" aria-live="polite" hidden></p>
</form>
<script nonce="${escapeHtml(o.nonce)}">
(function () {
  var form = document.getElementById('comment');
  var result = document.getElementById('result');
  function show(ok, text) { result.hidden = false; result.className = ok ? 'ok' : 'err'; result.textContent = text; }
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var body = {};
    ['text', 'place', 'name', 'contact', 'source'].forEach(function (k) {
      var v = form.elements[k].value.trim();
      if (v) body[k] = v;
    });
    if (!body.text || body.text.length < 3) { show(false, 'Опишите проблему (не короче 3 символов).'); return; }
    var button = form.querySelector('button');
    button.disabled = true;
    fetch('/api/comments', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      .then(function (r) { return r.json().catch(function () { return {}; }).then(function (j) { return { status: r.status, body: j }; }); })
      .then(function (r) {
        if (r.status === 202) {
          show(true, 'Спасибо! Обращение принято' + (r.body.id ? ' (номер ' + r.body.id + ')' : '') + '. Ответ будет опубликован на сайте.');
          form.elements.text.value = '';
        } else {
          var details = (r.body.details || []).map(function (d) { return d.message; }).join('; ');
          show(false, (r.body.error || 'Не удалось отправить') + (details ? ': ' + details : ''));
        }
      })
      .catch(function () { show(false, 'Нет связи с сервером. Попробуйте ещё раз.'); })
      .then(function () { button.disabled = false; });
  });
})();
</script>
</body>
</html>
`;
}
