// A page rendered in answer to a form post (a form refused with what was
// typed in it) names its GET address on <body data-address>. Showing that
// address instead of the post's keeps reload, back and bookmarks on the
// page rather than posting the form again.
(function () {
  "use strict";
  var address = document.body && document.body.getAttribute("data-address");
  if (!address || address.charAt(0) !== "/" || address.charAt(1) === "/") {
    return;
  }
  if (location.pathname + location.search !== address) {
    history.replaceState(history.state, "", address);
  }
})();
