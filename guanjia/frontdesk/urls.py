from django.urls import path

from guanjia.frontdesk import views

app_name = "frontdesk"
urlpatterns = [
    path("", views.home, name="home"),
    path("units/", views.unit_lookup, name="unit_lookup"),
    path("custody/receive/", views.receive, name="receive"),
    path("custody/pickup/", views.pickup_by_code, name="pickup_by_code"),
    path("custody/lend/", views.lend, name="lend"),
    path("custody/slips/", views.slip_register, name="slip_register"),
    path("custody/<int:pk>/hand-over/", views.hand_over, name="hand_over"),
    path("custody/<int:pk>/resend-code/", views.resend_code, name="resend_code"),
    path("custody/<int:pk>/return/", views.take_back, name="take_back"),
    path("custody/<int:pk>/release/", views.slip_release, name="slip_release"),
    path("custody/<int:pk>/dispose/", views.dispose, name="dispose"),
    path("visitors/", views.visitor_register, name="visitor_register"),
    path("visitors/passes/", views.visitor_pass_create, name="visitor_pass_create"),
    path("visitors/<int:pk>/phone/", views.visitor_phone, name="visitor_phone"),
    path("visitors/<int:pk>/<slug:action>/", views.visitor_action, name="visitor_action"),
    path("archive/units/<int:unit_pk>/", views.archive_record, name="archive_record"),
]
