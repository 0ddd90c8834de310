from django.urls import path, re_path

from guanjia.residents import api, signing_api

urlpatterns = [
    path("auth/code", api.ResidentCodeView.as_view(), name="resident-auth-code"),
    path("auth/token", api.ResidentTokenView.as_view(), name="resident-auth-token"),
    path("auth/logout", api.ResidentLogoutView.as_view(), name="resident-auth-logout"),
    path("me", api.ResidentMeView.as_view(), name="resident-me"),
    path("consent", api.ResidentConsentView.as_view(), name="resident-consent"),
    re_path(r"^repairs/?$", api.ResidentRepairsView.as_view(), name="resident-repairs"),
    re_path(r"^repairs/(?P<pk>[0-9]+)/?$", api.ResidentRepairView.as_view(), name="resident-repair"),
    re_path(
        r"^repairs/(?P<pk>[0-9]+)/sign/?$", signing_api.ResidentRepairSignView.as_view(), name="resident-repair-sign"
    ),
    re_path(r"^sign-requests/?$", signing_api.ResidentSignRequestsView.as_view(), name="resident-sign-requests"),
    re_path(r"^complaints/?$", api.ResidentComplaintsView.as_view(), name="resident-complaints"),
    re_path(r"^complaints/(?P<pk>[0-9]+)/?$", api.ResidentComplaintView.as_view(), name="resident-complaint"),
    re_path(r"^return-visits/?$", api.ResidentVisitsView.as_view(), name="resident-visits"),
    re_path(
        r"^return-visits/(?P<pk>[0-9]+)/answer/?$", api.ResidentVisitAnswerView.as_view(), name="resident-visit-answer"
    ),
    re_path(r"^parcels/?$", api.ResidentParcelsView.as_view(), name="resident-parcels"),
    re_path(r"^parcels/(?P<pk>[0-9]+)/code/?$", api.ResidentParcelCodeView.as_view(), name="resident-parcel-code"),
    re_path(r"^keys-and-loans/?$", api.ResidentKeysAndLoansView.as_view(), name="resident-keys-and-loans"),
    re_path(r"^visitor-passes/?$", api.ResidentVisitorPassesView.as_view(), name="resident-visitor-passes"),
    re_path(r"^notices/?$", api.ResidentNoticesView.as_view(), name="resident-notices"),
    re_path(r"^fees/?$", api.ResidentFeesView.as_view(), name="resident-fees"),
]
