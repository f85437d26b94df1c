// Brief page enhancements: Print, the Cite dialog (the Cite link works without JS), and
// switching the Sources list's style in place (the ?style= links work without JS).
(function () {
  'use strict';
  var SOURCE_STYLE_KEY = 'briefdesk.sourceStyle';
  var wrap = document.querySelector('.source-list-wrap');
  if (wrap && window.fetch) {
    var links = document.querySelectorAll('[data-source-style]');
    var switchTo = function (style, remember) {
      var url = new URL(window.location.href);
      url.searchParams.set('style', style);
      url.searchParams.set('partial', 'sources');
      return fetch(url.toString(), { headers: { Accept: 'text/html' } })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.text();
        })
        .then(function (html) {
          wrap.innerHTML = html;
          wrap.setAttribute('data-current-style', style);
          // What prints and downloads follows the chosen style: "Cite as:" and the PDF link.
          document.querySelectorAll('.cite-as__entry').forEach(function (el) {
            el.hidden = el.getAttribute('data-style') !== style;
          });
          var pdf = document.querySelector('[data-action="pdf"]');
          if (pdf) {
            var pdfUrl = new URL(pdf.href);
            if (style === wrap.getAttribute('data-default-style')) pdfUrl.searchParams.delete('style');
            else pdfUrl.searchParams.set('style', style);
            pdf.href = pdfUrl.toString();
          }
          links.forEach(function (a) {
            if (a.getAttribute('data-source-style') === style) a.setAttribute('aria-current', 'true');
            else a.removeAttribute('aria-current');
          });
          if (remember) {
            try { window.localStorage.setItem(SOURCE_STYLE_KEY, style); } catch (e) { /* ignore */ }
          }
        });
    };
    links.forEach(function (a) {
      a.addEventListener('click', function (event) {
        event.preventDefault();
        var style = a.getAttribute('data-source-style');
        switchTo(style, true).then(function () {
          var url = new URL(window.location.href);
          url.searchParams.set('style', style);
          window.history.replaceState(null, '', url.pathname + url.search + '#sources');
        }, function () { window.location.href = a.href; });
      });
    });
    var explicit = new URL(window.location.href).searchParams.get('style');
    var saved = null;
    try { saved = window.localStorage.getItem(SOURCE_STYLE_KEY); } catch (e) { /* ignore */ }
    if (!explicit && saved && saved !== wrap.getAttribute('data-current-style') &&
        document.querySelector('[data-source-style="' + saved + '"]')) {
      switchTo(saved, false).catch(function () { /* keep the default list */ });
    }
  }
  var STORAGE_KEY = 'briefdesk.citeStyle';

  var printButton = document.querySelector('[data-action="print"]');
  if (printButton) {
    printButton.classList.remove('js-only');
    printButton.addEventListener('click', function () { window.print(); });
  }

  var dialog = document.getElementById('cite-dialog');
  var opener = document.querySelector('[data-action="cite"]');
  if (!dialog || !opener || typeof dialog.showModal !== 'function') return;

  var radios = dialog.querySelectorAll('input[name="cite-style"]');
  var texts = dialog.querySelectorAll('.cite-style');
  var status = dialog.querySelector('.cite-status');

  function show(style) {
    var found = false;
    texts.forEach(function (el) {
      var match = el.getAttribute('data-style') === style;
      el.hidden = !match;
      found = found || match;
    });
    radios.forEach(function (r) { r.checked = r.value === style; });
    status.textContent = '';
    return found;
  }

  function current() {
    var checked = dialog.querySelector('input[name="cite-style"]:checked');
    return checked ? checked.value : radios[0].value;
  }

  try {
    var saved = window.localStorage.getItem(STORAGE_KEY);
    if (saved && !show(saved)) show(radios[0].value);
  } catch (e) { /* storage may be unavailable */ }

  opener.addEventListener('click', function (event) {
    event.preventDefault();
    dialog.showModal();
    var checked = dialog.querySelector('input[name="cite-style"]:checked');
    if (checked) checked.focus();
  });

  radios.forEach(function (radio) {
    radio.addEventListener('change', function () {
      show(radio.value);
      try { window.localStorage.setItem(STORAGE_KEY, radio.value); } catch (e) { /* ignore */ }
    });
  });

  dialog.querySelector('[data-cite="close"]').addEventListener('click', function () {
    dialog.close();
  });
  // Clicking the backdrop closes too.
  dialog.addEventListener('click', function (event) {
    if (event.target === dialog) dialog.close();
  });
  dialog.addEventListener('close', function () { opener.focus(); });

  dialog.querySelector('[data-cite="copy"]').addEventListener('click', function () {
    var el = dialog.querySelector('.cite-text[data-style="' + current() + '"]');
    var text = el.getAttribute('data-text');
    function done() { status.textContent = 'Citation copied.'; }
    function fallback() {
      var range = document.createRange();
      range.selectNodeContents(el);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      status.textContent = 'Press Ctrl+C (or ⌘C) to copy the selected citation.';
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, fallback);
    } else {
      fallback();
    }
  });
})();
