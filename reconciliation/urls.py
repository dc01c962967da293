from django.urls import path

from reconciliation import views

urlpatterns = [
    path("reconciliation/", views.run_list, name="reconciliation-runs"),
    path("reconciliation/runs/<int:run_id>/", views.run_detail, name="reconciliation-run"),
    path("reconciliation/runs/<int:run_id>/export.csv", views.run_csv, name="reconciliation-run-csv"),
    path("reconciliation/runs/<int:run_id>/report.pdf", views.run_pdf, name="reconciliation-run-pdf"),
    path("reconciliation/exceptions/", views.exception_list, name="reconciliation-exceptions"),
    path(
        "reconciliation/exceptions/<int:exception_id>/resolve/", views.exception_resolve, name="reconciliation-resolve"
    ),
    path("reconciliation/upload/", views.upload, name="reconciliation-upload"),
]
