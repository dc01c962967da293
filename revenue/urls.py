from django.urls import path

from revenue import views
from revenue.models import DocumentFormat

urlpatterns = [
    path("revenue/verify/", views.verify, name="revenue-verify"),
    path("revenue/bands/", views.city_bands, name="revenue-bands"),
    path("markets/<str:code>/revenue-watch/", views.market_watch, name="market-revenue-watch"),
]
for _format in DocumentFormat.values:
    urlpatterns += [
        path(
            f"v/<str:token>/revenue.{_format}",
            views.vendor_link_book,
            {"format": _format},
            name=f"vendor-link-revenue-{_format}",
        ),
        path(
            f"vendors/<str:code>/revenue.{_format}",
            views.vendor_book,
            {"format": _format},
            name=f"vendor-revenue-{_format}",
        ),
    ]
