// The baked site's search page: Pagefind's UI over the index the bake built (one bundle per
// shard, listed in pagefind-shards.json: bake/search.py), starting with the ?q= the header's
// search form sent.
(function () {
  'use strict';
  var root = document.getElementById('search');
  var script = document.querySelector('script[src$="pagefind-ui.js"]');
  if (!root || !script || typeof window.PagefindUI !== 'function') return;
  // The site's root, wherever --base-url put it: pagefind-ui.js is at <root>pagefind/.
  var base = script.src.replace(/pagefind\/pagefind-ui\.js$/, '');
  var start = function (bundles) {
    var ui = new window.PagefindUI({
      element: '#search',
      bundlePath: base + bundles[0],
      mergeIndex: bundles.slice(1).map(function (bundle) { return { bundlePath: base + bundle }; }),
      showSubResults: false,
      resetStyles: false
    });
    var query = new URL(window.location.href).searchParams.get('q');
    if (query) ui.triggerSearch(query);
  };
  fetch(base + 'pagefind-shards.json')
    .then(function (response) { return response.ok ? response.json() : null; })
    .catch(function () { return null; })
    .then(function (list) {
      start(list && list.bundles && list.bundles.length ? list.bundles : ['pagefind/']);
    });
})();
