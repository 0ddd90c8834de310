from django.urls import path

from guanjia.estates import desk_views, views

app_name = "estates"
urlpatterns = [
    path("customers/", views.customer_list, name="customer_list"),
    path("customers/new/", desk_views.customer_new, name="customer_new"),
    path("customers/<int:pk>/edit/", desk_views.customer_edit, name="customer_edit"),
    path("customers/<int:pk>/move-in/", desk_views.customer_move, {"direction": "in"}, name="customer_move_in"),
    path("customers/<int:pk>/move-out/", desk_views.customer_move, {"direction": "out"}, name="customer_move_out"),
    path("estate/", desk_views.structure_page, name="structure"),
    path("units/new/", desk_views.unit_new, name="unit_new"),
    path("units/<int:pk>/change/", desk_views.unit_change, name="unit_change"),
    path("customers/search/", views.customer_search, name="customer_search"),
    path("customers/<int:pk>/", views.customer_detail, name="customer_detail"),
    path("customers/<int:pk>/reveal-phone/", views.customer_reveal_phone, name="customer_reveal_phone"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
]
