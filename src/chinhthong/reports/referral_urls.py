"""/chuyen-xu-ly/…: the pages of the bodies cases are referred to (reports/referral_views.py),
included by reports/urls.py under the "reports" namespace."""

from django.urls import path

from chinhthong.reports import referral_views as views

urlpatterns = [
    path("chuyen-xu-ly/", views.referral_list, name="referral-list"),
    path("chuyen-xu-ly/<str:number>/", views.referral_case, name="referral-case"),
    path("chuyen-xu-ly/<str:number>/cap-nhat/", views.referral_update, name="referral-update"),
    path("chuyen-xu-ly/<str:number>/ho-so.pdf", views.referral_pdf, name="referral-pdf"),
    path("chuyen-xu-ly/<str:number>/ho-so.zip", views.referral_zip, name="referral-zip"),
]
