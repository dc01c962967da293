from django.urls import path

from printables import views

urlpatterns = [
    path("v/<str:token>/", views.vendor_link_page, name="vendor-link"),
    path("v/<str:token>/check", views.vendor_link_check, name="vendor-link-check"),
    path("v/<str:token>/manifest.webmanifest", views.vendor_link_manifest, name="vendor-link-manifest"),
    # Served by the stream process (printables.stream), named here for its URL.
    path("stream/v/<str:token>/", views.stream_elsewhere, name="stall-stream"),
    path("v/<str:token>/poster.pdf", views.vendor_link_poster, name="vendor-link-poster"),
    path("v/<str:token>/qr/<int:code_id>.png", views.vendor_link_qr, name="vendor-link-qr"),
    path("vendors/<str:code>/poster.pdf", views.vendor_poster, name="vendor-poster"),
    path("vendors/<str:code>/link-qr.svg", views.vendor_link_handover_qr, name="vendor-link-handover-qr"),
    path("vendors/<str:code>/link/reissue/", views.vendor_link_reissue, name="vendor-link-reissue"),
    path("markets/<str:code>/posters/", views.market_posters, name="market-posters"),
    path("markets/<str:code>/posters.pdf", views.market_posters_pdf, name="market-posters-pdf"),
]
