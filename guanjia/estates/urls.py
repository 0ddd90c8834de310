from django.urls import path

from guanjia.estates import views

app_name = "estates"
urlpatterns = [
    path("customers/", views.customer_list, name="customer_list"),
    path("customers/search/", views.customer_search, name="customer_search"),
    path("customers/<int:pk>/", views.customer_detail, name="customer_detail"),
    path("customers/<int:pk>/reveal-phone/", views.customer_reveal_phone, name="customer_reveal_phone"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
]
