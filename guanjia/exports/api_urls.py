"""Included by the project's URLs as ``path("api/v1/exports/", include("guanjia.exports.api_urls"))``."""

from django.urls import path

from guanjia.exports import api

urlpatterns = [
    path("complaints.xlsx", api.ComplaintsExport.as_view(), name="api-export-complaints"),
    path("repairs.xlsx", api.RepairsExport.as_view(), name="api-export-repairs"),
    path("return-visits.xlsx", api.ReturnVisitsExport.as_view(), name="api-export-return-visits"),
    path("ledgers.xlsx", api.LedgersExport.as_view(), name="api-export-ledgers"),
    path("jobs/<int:pk>", api.ExportJobView.as_view(), name="api-export-job"),
    path("jobs/<int:pk>/file", api.ExportJobFileView.as_view(), name="api-export-job-file"),
]
