"""A finding read from an image: the console shows the kept image with the words' box drawn
over it (inline SVG, no script), the image served as evidence from the console's own route."""

from __future__ import annotations

from .conftest import Console, make_finding
from .test_evidence import PNG, evidence


def test_image_finding_shows_the_picture_with_its_box(console: Console) -> None:
    image_url = "http://127.0.0.1:9/images/poster.png"
    kept = evidence(console, "evidence/ab/poster.png", PNG, "image")
    page = console.page(url=image_url, title="图片：首页", text="年化收益20%\n保本保息",
                        evidence=[kept])
    finding = make_finding(rule="guaranteed_principal", evidence="保本保息", source=image_url,
                           kind="image", page_id=page.id, extra={
                               "page_url": "http://127.0.0.1:9/", "image_url": image_url,
                               "image_sha256": kept["sha256"], "image_size": [480, 240],
                               "box": [30, 120, 210, 170], "words": "保本保息"})
    console.add(finding)
    client = console.client("finance")
    html = client.get(f"/review/finding/{finding.id}").get_data(as_text=True)
    assert '<svg viewBox="0 0 480 240"' in html
    assert '<rect class="ocr-box" x="30" y="120" width="180" height="50"' in html
    src = f'/evidence/{page.id}/evidence/ab/poster.png'
    # never loaded from the crawled site: only links to it
    assert f'<image href="{src}"' in html and '<image href="http' not in html
    assert 'src="http' not in html
    assert "“保本保息”" in html and kept["sha256"] in html and "<script" not in html.split(
        '<svg viewBox', 1)[1].split("</figure>", 1)[0]
    shown = client.get(src)
    assert shown.status_code == 200 and shown.mimetype == "image/png" and shown.data == PNG
    assert shown.headers["Content-Security-Policy"].startswith("sandbox;")
