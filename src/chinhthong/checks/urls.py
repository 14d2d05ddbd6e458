from django.urls import path

from chinhthong.checks import views

app_name = "checks"

urlpatterns = [
    path("kiem-tra/", views.check_page, name="check"),
]
