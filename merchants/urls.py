from django.urls import path

from merchants import views

urlpatterns = [
    path("vendors/", views.vendor_list, name="vendor-list"),
    path("vendors/new/", views.vendor_new, name="vendor-new"),
    path("vendors/import/", views.vendor_import_page, name="vendor-import"),
    path("vendors/import/template.xlsx", views.import_template, name="vendor-import-template"),
    path("vendors/import/<int:job_id>/", views.vendor_import_job, name="vendor-import-job"),
    path("vendors/import/<int:job_id>/confirm/", views.vendor_import_confirm, name="vendor-import-confirm"),
    path("vendors/<str:code>/", views.vendor_detail, name="vendor-detail"),
    path("vendors/<str:code>/edit/", views.vendor_edit, name="vendor-edit"),
    path("vendors/<str:code>/status/", views.vendor_status, name="vendor-status"),
    path("vendors/<str:code>/close/", views.vendor_close, name="vendor-close"),
    path("vendors/<str:code>/wallet-accounts/", views.wallet_account_new, name="wallet-account-new"),
    path("vendors/<str:code>/codes/<int:code_id>/reissue/", views.payment_code_reissue, name="payment-code-reissue"),
    path("vendors/<str:code>/codes/<int:code_id>/revoke/", views.payment_code_revoke, name="payment-code-revoke"),
    path(
        "vendors/<str:code>/wallet-accounts/<int:account_id>/issue/",
        views.payment_code_issue,
        name="payment-code-issue",
    ),
]
