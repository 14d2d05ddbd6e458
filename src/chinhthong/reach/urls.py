from django.urls import include, path

from chinhthong.reach import views

app_name = "reach"

urlpatterns = [
    # The staff portal.
    path("cong-chuc/", views.home, name="home"),
    path("cong-chuc/chua-doc/", views.unread, name="unread"),
    path("cong-chuc/ban-tin/<slug:slug>/", views.bulletin, name="bulletin"),
    path("cong-chuc/ban-tin/<slug:slug>/da-doc/", views.mark_read, name="mark-read"),
    path("cong-chuc/ban-tin/<slug:slug>/chia-se/", views.share, name="share"),
    path("cong-chuc/ung-dung/", views.app_installed, name="app"),
    path("cong-chuc/du-lieu-cua-toi/", views.my_data, name="my-data"),
    # The personal signed link in a staff member's message (reach/links.py).
    path("cong-chuc/doc/<str:token>/", views.read_link, name="read-link"),
    path("cong-chuc/doc/<str:token>/chia-se/", views.read_link_share, name="read-link-share"),
    # Unit managers' dashboards (reach/dashboard_urls.py).
    path("cong-chuc/don-vi/", include("chinhthong.reach.dashboard_urls")),
]
