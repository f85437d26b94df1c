// The baked site's search page: Pagefind's UI over the index the bake built, starting with
// the ?q= the header's search form sent.
(function () {
  'use strict';
  var root = document.getElementById('search');
  if (!root || typeof window.PagefindUI !== 'function') return;
  var ui = new window.PagefindUI({
    element: '#search',
    // Beside pagefind-ui.js, wherever --base-url put the site.
    bundlePath: document.querySelector('script[src$="pagefind-ui.js"]').src.replace(/[^/]*$/, ''),
    showSubResults: false,
    resetStyles: false
  });
  var query = new URL(window.location.href).searchParams.get('q');
  if (query) ui.triggerSearch(query);
})();
