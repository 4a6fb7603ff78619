"""Static files in production: Daphne serves none itself; WhiteNoise serves what collectstatic gathered."""

import urllib.request

import pytest


def fetch(url: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.headers["Content-Type"], response.read()


@pytest.mark.parametrize(
    "path",
    [
        "/static/admin/css/base.css",
        "/static/web/site.css",
        "/static/web/vendor/htmx-2.0.11/htmx.min.js",
        "/static/web/vendor/chart.js-4.6.1/chart.umd.min.js",
    ],
)
def test_static_files_are_served_under_daphne_with_debug_off(live_site, path):
    status, content_type, body = fetch(live_site.url + path)

    assert status == 200
    assert content_type.split(";")[0] in {"text/css", "text/javascript", "application/javascript"}
    assert len(body) > 1000


def test_the_admin_login_page_links_its_stylesheet_and_the_home_page_its_own(live_site):
    assert b'href="/static/admin/css/base.css"' in fetch(live_site.url + "/admin/login/")[2]
    assert b'href="/static/web/site.css"' in fetch(live_site.url + "/")[2]
