from django.urls import path

from guanjia.repairs import views

app_name = "repairs"
urlpatterns = [
    path("", views.desk, name="desk"),
    path("new/", views.log, name="log"),
    path("customers/", views.customer_pick, name="customer_pick"),
    path("mine/", views.my_orders, name="my_orders"),
    path("timeliness/", views.timeliness, name="timeliness"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/print/", views.print_order, name="print"),
    path("<int:pk>/work/", views.work, name="work"),
    path("<int:pk>/do/<slug:name>/", views.step, name="step"),
    path("photos/<int:pk>/", views.photo_file, name="photo"),
    path("signatures/<int:pk>/", views.signature_file, name="signature"),
    path("price-list/", views.price_list, name="price_list"),
    path("price-list/<int:pk>/fee/", views.price_item_fee, name="price_item_fee"),
]
