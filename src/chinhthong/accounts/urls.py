from django.contrib.auth import views as auth_views
from django.urls import path

from chinhthong.accounts import login_link_views
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
    # A one-time link by email (accounts/login_links.py): counted with the pages (nothing here
    # hashes a password; a link's 256 random bits cannot be guessed), and asking for links is
    # limited per client and per address on top.
    path("dang-nhap/lien-ket/", limited("pages")(login_link_views.ask), name="login-link-request"),
    path(
        "dang-nhap/lien-ket/<str:token>/",
        limited("pages")(login_link_views.use),
        name="login-link",
    ),
]
