// The platform builds its pages in the browser: the static HTML has no offer in it.
fetch('/api/products.json')
  .then(function (r) { return r.json(); })
  .then(function (data) {
    var app = document.getElementById('app');
    var html = '<h1>' + data.title + '</h1>';
    data.products.forEach(function (p) { html += '<div class="product"><h2>' + p.name + '</h2><p>' + p.pitch + '</p></div>'; });
    html += '<p><a href="/notice.html">最新公告</a> <a href="/invite.html">邀请好友</a> <a href="/app-download.html">下载APP</a></p>';
    app.innerHTML = html;
  });
// a tracker that would reach into the patrol's own network if the browser let it
fetch('http://127.0.0.3:8702/track').catch(function () {});
