from django.urls import path

from chinhthong.bulletins import attachment_views, feeds, views

app_name = "bulletins"

urlpatterns: list = [
    # The public side (bulletins/views.py, feeds.py): addresses integrators rely on.
    path("ban-tin/", views.index, name="index"),
    path("ban-tin/rss.xml", feeds.rss, name="rss"),
    path("ban-tin/atom.xml", feeds.atom, name="atom"),
    path("ban-tin/cap.xml", feeds.cap_index, name="cap"),
    path("ban-tin/kiem-tra/", views.forward_check, name="forward-check"),
    path("ban-tin/<slug:slug>/", views.detail, name="detail"),
    path("ban-tin/<slug:slug>/cap.xml", views.cap_alert, name="cap-alert"),
    path("ban-tin/<slug:slug>/v<int:number>.cap.xml", views.cap_alert, name="cap-version"),
    path("ban-tin/<slug:slug>/v<int:number>.json", views.version_json, name="version-json"),
    path(
        "ban-tin/<slug:slug>/v<int:number>.json.sig",
        views.version_signature,
        name="version-signature",
    ),
    # A bulletin's attached file (bulletins/attachment_views.py); its name is for the reader.
    path("ban-tin/tep/<int:pk>/<str:name>", attachment_views.attachment, name="attachment"),
]
