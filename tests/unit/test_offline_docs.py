"""The Great Expectations Data Docs load nothing from the network (README, "Publishing,
audit and schedules"): a page shaped like GX's keeps its content, loses its CDN
stylesheets, scripts and logo, and links handoff's own stylesheet and script."""

from __future__ import annotations

from pathlib import Path

from handoff.audit import offline_data_docs

PAGE = """<html><head>
<link rel="shortcut icon" href="../static/images/favicon.ico" type="image/x-icon"/>
<link rel="stylesheet" href="https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css"/>
<link rel="stylesheet" type="text/css" href="https://cdnjs.cloudflare.com/ajax/libs/x.css">
<script src="https://code.jquery.com/jquery-3.7.1.min.js"></script>
<script src="https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js" integrity="sha384-x" crossorigin="anonymous"></script>
</head><body><img src="https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/logo-long.png?d=1&dataContextId=2"/>
<a href="https://greatexpectations.io">Great Expectations</a><p>marts__dim_leads</p></body></html>
"""


def test_data_docs_pages_are_made_offline(tmp_path: Path) -> None:
    site = tmp_path / "local_site"
    page = site / "expectations" / "marts__dim_leads.html"
    page.parent.mkdir(parents=True)
    page.write_text(PAGE)
    offline_data_docs(site)
    html = page.read_text()
    assert "https://maxcdn" not in html and "cdnjs" not in html
    assert "code.jquery.com" not in html and "stackpath" not in html
    assert "amazonaws" not in html
    assert '<link rel="stylesheet" href="../static/styles/handoff-offline.css">' in html
    assert '<script src="../static/styles/handoff-offline.js"></script>' in html
    assert 'src="../static/images/logo-long.png"' in html
    # content and plain links stay
    assert "marts__dim_leads" in html and 'href="https://greatexpectations.io"' in html
    assert 'href="../static/images/favicon.ico"' in html
    assert (site / "static" / "styles" / "handoff-offline.css").exists()
    assert (site / "static" / "styles" / "handoff-offline.js").exists()
    # a second pass changes nothing
    offline_data_docs(site)
    assert page.read_text() == html
