from django.urls import path

from chinhthong.portal import views

app_name = "portal"

urlpatterns = [
    path("phan-anh/", views.report, name="report"),
    path("anh/bieu-trung/<slug:digest>", views.emblem, name="emblem"),
    path("anh/bieu-tuong/<slug:digest>", views.favicon, name="favicon"),
    path("favicon.ico", views.favicon_ico, name="favicon-ico"),
]
