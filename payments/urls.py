from django.urls import path

from payments import views

urlpatterns = [
    path("payments/transactions/", views.transaction_list, name="payments-transactions"),
    path("payments/deliveries/", views.delivery_list, name="payments-deliveries"),
    path("payments/deliveries/<int:delivery_id>/replay/", views.delivery_replay, name="payments-delivery-replay"),
    path("payments/unattributed/", views.unattributed_queue, name="payments-unattributed"),
    path("payments/transactions/<int:txn_id>/resolve/", views.transaction_resolve, name="payments-resolve"),
]
