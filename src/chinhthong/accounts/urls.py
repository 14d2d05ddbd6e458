from django.contrib.auth import views as auth_views
from django.urls import path

from chinhthong.accounts.views import LoginView
from chinhthong.clients.ratelimit import limited

app_name = "accounts"

urlpatterns = [
    path(
        "dang-nhap/",
        # Counted in the log-in group: each attempt hashes a password (config/settings.py).
        limited("login")(LoginView.as_view()),
        name="login",
    ),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
]
