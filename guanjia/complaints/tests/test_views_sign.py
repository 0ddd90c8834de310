"""C20: the customer signs the opinion form on a tablet or phone; the PNG is kept, served only to staff who may
see the complaint, and never replaced."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from guanjia.complaints.models import ComplaintSignature
from guanjia.testing.images import signature_data_url

from .test_views_board import register


def png_data_url(width: int = 300, height: int = 120) -> str:
    return signature_data_url(size=(width, height))


def test_c20_sign_page_shows_the_opinion_form_summary_and_canvas(world, web_as):
    complaint = register(world, description="楼道灯不亮")
    html = web_as(world.front_desk).get(reverse("complaints:sign", args=[complaint.pk])).content.decode()
    assert "客户意见受理表" in html and complaint.number in html and "楼道灯不亮" in html
    assert 'id="signature-pad"' in html and "signature_pad.umd.min.js" in html
    assert 'value="李明"' in html  # signer defaults to the customer


def test_c20_signature_png_is_stored_and_served_to_staff_only(world, web_as, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    complaint = register(world)
    client = web_as(world.front_desk)
    url = reverse("complaints:sign", args=[complaint.pk])
    response = client.post(url, {"signer_name": "李明", "opinion": "满意", "image": png_data_url()})
    assert response.status_code == 302
    signature = ComplaintSignature.objects.get()
    assert (signature.signer_name, signature.opinion, signature.collected_by) == ("李明", "满意", world.front_desk)

    image_url = reverse("complaints:signature_image", args=[signature.pk])
    page = client.get(url).content.decode()
    assert image_url in page and "已保存的签名" in page
    served = client.get(image_url)
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content).startswith(b"\x89PNG")
    outsider = Client()
    outsider.force_login(world.outsider)
    assert outsider.get(image_url).status_code == 404

    # Signing again adds a second signature; the first is kept as it was.
    again = client.post(url, {"signer_name": "李明", "opinion": "补充", "image": png_data_url(320, 140)})
    assert again.status_code == 302, again.content.decode()[-3000:]
    assert ComplaintSignature.objects.count() == 2
    assert ComplaintSignature.objects.get(pk=signature.pk).sha256 == signature.sha256


def test_c20_garbage_instead_of_a_png_is_refused(world, web_as, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    complaint = register(world)
    client = web_as(world.front_desk)
    url = reverse("complaints:sign", args=[complaint.pk])
    for garbage in ("hello", "data:image/png;base64,bm90IGEgcG5n", "data:image/jpeg;base64,/9j/4AAQ", ""):
        response = client.post(url, {"signer_name": "李明", "image": garbage})
        assert response.status_code == 400
        assert "field-error" in response.content.decode() or "请在签名框内签名" in response.content.decode()
    assert not ComplaintSignature.objects.exists()


def test_c20_outsider_cannot_sign(world, web_as):
    complaint = register(world)
    url = reverse("complaints:sign", args=[complaint.pk])
    assert web_as(world.outsider).post(url, {"signer_name": "x", "image": png_data_url()}).status_code == 404
    assert not ComplaintSignature.objects.exists()


def test_sign_page_renders_in_english(world, web_as):
    complaint = register(world)
    client = web_as(world.front_desk)
    client.cookies["django_language"] = "en"
    assert client.get(reverse("complaints:sign", args=[complaint.pk])).status_code == 200
