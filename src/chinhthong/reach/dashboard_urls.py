"""/cong-chuc/don-vi/…: unit managers' dashboards (reach/dashboard_views.py), included by
reach/urls.py under the "reach" namespace. A unit's code may hold any character, a slash
too: the more specific addresses come first."""

from django.urls import path

from chinhthong.reach import dashboard_views as views

urlpatterns = [
    path("", views.units, name="dashboards"),
    path("<path:code>/xuat/<slug:what>.<slug:fmt>", views.export, name="dashboard-export"),
    path(
        "<path:code>/xac-nhan-ung-dung/<int:staff_id>/",
        views.confirm_app,
        name="dashboard-confirm-app",
    ),
    path("<path:code>/", views.dashboard, name="dashboard"),
]
