from django.urls import path

from guanjia.residents import case_views, collect_views, desk_views, signing_views, views, visit_views

app_name = "residents"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("privacy/", views.privacy, name="privacy"),
    path("unit/", views.choose_unit, name="choose_unit"),
    path("my-data/", views.my_data, name="my_data"),
    path("repairs/", case_views.case_list, {"kind": "repair"}, name="repairs"),
    path("repairs/new/", case_views.case_new, {"kind": "repair"}, name="repair_new"),
    path("repairs/<int:pk>/", case_views.case_detail, {"kind": "repair"}, name="repair"),
    path("repairs/<int:pk>/sign/", signing_views.sign, name="repair_sign"),
    path("complaints/", case_views.case_list, {"kind": "complaint"}, name="complaints"),
    path("complaints/new/", case_views.case_new, {"kind": "complaint"}, name="complaint_new"),
    path("complaints/<int:pk>/", case_views.case_detail, {"kind": "complaint"}, name="complaint"),
    path("visits/", visit_views.visit_list, name="visits"),
    path("visits/<int:pk>/answer/", visit_views.visit_answer_page, name="visit_answer"),
    path("parcels/", collect_views.parcels, name="parcels"),
    path("parcels/<int:pk>/code/", collect_views.parcel_show_code, name="parcel_code"),
    path("visitors/", collect_views.visitor_passes, name="visitor_passes"),
    path("notices/", collect_views.notices, name="notices"),
    path("fees/", collect_views.fees, name="fees"),
    # The desk's side (staff login): online reports waiting to be accepted.
    path("desk/", desk_views.inbox, name="desk_inbox"),
    path("desk/<int:pk>/accept/", desk_views.accept, name="desk_accept"),
    path("desk/photos/<int:pk>/", desk_views.photo, name="desk_photo"),
    # The technician's side (staff login): ask the customer to sign the repair order on their phone (R10).
    path("desk/repairs/<int:pk>/ask-signature/", signing_views.ask, name="ask_signature"),
]
