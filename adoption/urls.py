from django.urls import path

from adoption import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="adoption-dashboard"),
    path("dashboard/markets/<str:code>/", views.market_page, name="adoption-market"),
    path("dashboard/export/<str:table>.<str:format>", views.export, name="adoption-export"),
    path("dashboard/report.pdf", views.monthly_pdf, name="adoption-report"),
]
