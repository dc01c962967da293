from django.urls import path

from payments import views

urlpatterns = [
    path("transactions/", views.transaction_list, name="payments-transactions"),
    path("webhooks/deliveries/", views.delivery_list, name="payments-deliveries"),
    path("webhooks/deliveries/<int:delivery_id>/replay/", views.delivery_replay, name="payments-delivery-replay"),
    path("transactions/unattributed/", views.unattributed_queue, name="payments-unattributed"),
    path("transactions/unattributed/vendors/", views.vendor_suggestions, name="payments-vendor-suggestions"),
    path("transactions/<int:txn_id>/resolve/", views.transaction_resolve, name="payments-resolve"),
]
