from django.urls import include, path

from chinhthong.reports import handler_views, views

app_name = "reports"

urlpatterns = [
    # The public side: report false information, follow a report by its tracking code.
    path("bao-tin-gia/", views.report_form, name="report"),
    path("bao-tin-gia/da-nhan/<str:code>/", views.receipt, name="receipt"),
    path("bao-tin-gia/tra-cuu/", views.lookup, name="lookup"),
    path("bao-tin-gia/tra-cuu/<str:code>/", views.status, name="status"),
    # The handlers' workspace.
    path("xu-ly/", handler_views.queue, name="queue"),
    path("xu-ly/nhieu-vu-viec/", handler_views.bulk, name="bulk"),
    path("xu-ly/thong-ke/", handler_views.statistics_page, name="statistics"),
    path("xu-ly/vu-viec.<str:fmt>", handler_views.export, name="export"),
    path("xu-ly/vu-viec/<str:number>/", handler_views.case_page, name="case"),
    path("xu-ly/vu-viec/<str:number>/<slug:action>/", handler_views.act, name="act"),
    path("xu-ly/bang-chung/<int:pk>/", handler_views.evidence_file, name="evidence"),
    path(
        "xu-ly/bang-chung/<int:pk>/xem/",
        handler_views.evidence_file,
        {"shown": True},
        name="evidence-shown",
    ),
    path("", include("chinhthong.reports.referral_urls")),
    path("", include("chinhthong.reports.rebuttal_urls")),
]
