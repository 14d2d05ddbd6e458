"""/thong-tin-da-xac-minh/…: the public pages of verified information
(reports/rebuttal_views.py), included by reports/urls.py under the "reports" namespace."""

from django.urls import path

from chinhthong.reports import rebuttal_views as views

urlpatterns = [
    path("thong-tin-da-xac-minh/", views.index, name="rebuttal-list"),
    path("thong-tin-da-xac-minh/<slug:slug>/", views.detail, name="rebuttal"),
]
