from django.urls import path

from guanjia.repairs import views

app_name = "repairs"
urlpatterns = [
    path("price-list/", views.price_list, name="price_list"),
    path("price-list/<int:pk>/fee/", views.price_item_fee, name="price_item_fee"),
]
