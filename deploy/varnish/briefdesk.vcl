# Varnish in front of `briefdesk serve` (docs/deploy.md, "A front cache").
#
# Caches what briefdesk marks `Cache-Control: public` for s-maxage, and nothing for readers
# with a session (editors) or for other methods. briefdesk purges through Wagtail's purge
# batches: set FRONT_CACHE_PURGE_URLS=http://127.0.0.1:6081 (this Varnish) and every publish
# sends `PURGE /path` for each page that shows the change; a PURGE drops every variant (query
# string) of the path, as briefdesk's own page cache does.
vcl 4.1;

backend default {
    .host = "127.0.0.1";
    .port = "8000";
    .connect_timeout = 2s;
    .first_byte_timeout = 60s;
}

# Who may purge: the app servers. Add their addresses when they run on other machines.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(405, "Not allowed"));
        }
        if (req.http.X-Purge-All) {
            # A change any page may show (a view restriction, the Site, an image).
            ban("obj.http.x-url-path ~ .");
        } else {
            ban("obj.http.x-url-path == " + regsub(req.url, "\?.*$", ""));
        }
        return (synth(200, "Purged"));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    if (req.http.Authorization || req.http.Cookie ~ "(^|;\s*)sessionid=") {
        return (pass);
    }
    # Other cookies (the CSRF token, a reader's analytics) never change a public page.
    unset req.http.Cookie;
    return (hash);
}

sub vcl_backend_response {
    # For bans by path (the ban lurker reads object headers only).
    set beresp.http.x-url-path = regsub(bereq.url, "\?.*$", "");
    if (beresp.http.Cache-Control !~ "public") {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    # Responses with a cookie, `private` or `no-store` stay uncached (Varnish's built-in
    # rules, which run after this); s-maxage sets how long the rest are kept.
}

sub vcl_deliver {
    unset resp.http.x-url-path;
    if (obj.hits > 0) {
        set resp.http.X-Front-Cache = "HIT";
    } else {
        set resp.http.X-Front-Cache = "MISS";
    }
}
