from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.urls import include, path, re_path
from django.views.i18n import set_language

from guanjia.accounts.views import PasswordChangeView
from guanjia.dutylog.views.moved import moved_from_desk
from guanjia.ops.views import readyz


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("healthz", healthz),
    path("readyz", readyz),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", PasswordChangeView.as_view(), name="password_change"),
    path("staff/", include("guanjia.accounts.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("api/v1/exports/", include("guanjia.exports.api_urls")),
    path("api/", include("guanjia.api.urls")),
    path("estates/", include("guanjia.estates.urls")),
    path("roster/", include("guanjia.estates.roster.urls")),
    path("calendar/", include("guanjia.workdays.urls")),
    path("policy/", include("guanjia.policy.urls")),
    path("repairs/", include("guanjia.repairs.urls")),
    path("notifications/", include("guanjia.notifications.urls")),
    path("complaints/", include("guanjia.complaints.urls")),
    path("frontdesk/", include("guanjia.frontdesk.urls")),
    path("visits/", include("guanjia.visits.urls")),
    path("reports/", include("guanjia.reports.urls")),
    path("followup/", include("guanjia.followup.urls")),
    path("exports/", include("guanjia.exports.urls")),
    path("duty/", include("guanjia.dutylog.urls")),
    path("r/", include("guanjia.residents.urls")),
    path("office/", include("guanjia.dutylog.office_urls")),
    re_path(r"^desk/(?P<rest>.*)$", moved_from_desk),
    path("", include("guanjia.desk.urls")),
]

# Under /api/ Django's own error pages answer JSON ``{"detail": …}`` like every other API error.
handler400 = "guanjia.api.errors.bad_request"
handler403 = "guanjia.api.errors.permission_denied"
handler404 = "guanjia.api.errors.page_not_found"
handler500 = "guanjia.api.errors.server_error"

# No media URL, not even under DEBUG: uploaded signatures, photos and kept exports are served only by views
# that require login and check the access policy (guanjia.cases.files).
