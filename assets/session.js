/* A session that ended (signed out elsewhere, expired, user disabled) answers Dash's
   requests with 401: reload, so the server sends the page to the login form. */
(function () {
    const fetch = window.fetch;
    window.fetch = function () {
        return fetch.apply(this, arguments).then(function (response) {
            if (response.status === 401 && response.url.indexOf('/_dash-') !== -1) {
                window.location.reload();
            }
            return response;
        });
    };
})();
