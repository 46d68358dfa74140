/* otklik dashboard: draws the charts from the page's embedded JSON and refreshes the live part every 30 s. */
(function () {
  'use strict';
  var REFRESH_MS = 30000;
  var charts = [];

  function draw() {
    charts.forEach(function (c) { c.destroy(); });
    charts = [];
    var el = document.getElementById('chart-data');
    if (!el || typeof Chart === 'undefined') return;
    var data = JSON.parse(el.textContent || '{}');
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.animation = false;
    var topics = document.getElementById('chart-topics');
    if (topics && data.topics) {
      charts.push(new Chart(topics, {
        type: 'bar',
        data: data.topics,
        options: {
          maintainAspectRatio: false,
          scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'обращений' } } },
          plugins: { legend: { position: 'bottom', labels: { boxWidth: 12 } } },
        },
      }));
    }
    var dist = document.getElementById('chart-distribution');
    if (dist && data.distribution) {
      charts.push(new Chart(dist, {
        type: 'bar',
        data: { labels: data.distribution.labels, datasets: [{ label: 'обращений', data: data.distribution.data, backgroundColor: data.distribution.colors }] },
        options: {
          maintainAspectRatio: false,
          scales: { y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'обращений' } } },
          plugins: { legend: { display: false } },
        },
      }));
    }
    document.body.setAttribute('data-charts', String(charts.length));
  }

  function refresh() {
    var live = document.getElementById('live');
    if (!live) return;
    fetch('/?part=main', { credentials: 'same-origin', headers: { accept: 'text/html' } })
      .then(function (r) {
        if (r.redirected || r.status === 401) { window.location.reload(); return null; }
        return r.ok ? r.text() : null;
      })
      .then(function (html) {
        if (html === null) return;
        live.innerHTML = html; // server-rendered, every citizen's text already escaped
        draw();
      })
      .catch(function () { /* offline for a moment: try again next time */ });
  }

  document.addEventListener('DOMContentLoaded', function () {
    draw();
    if (document.getElementById('live')) setInterval(refresh, REFRESH_MS);
  });
})();
