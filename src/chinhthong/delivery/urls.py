from django.urls import path

from chinhthong.delivery import push_views, views, zalo_webhook

app_name = "delivery"

urlpatterns: list = [
    # Web push and Zalo (pushzalo): the portal as an installable app, and its channels.
    path("cong-chuc/sw.js", push_views.service_worker, name="service-worker"),
    path("cong-chuc/manifest.webmanifest", push_views.manifest, name="manifest"),
    path("cong-chuc/thong-bao/bat/", push_views.subscribe, name="push-subscribe"),
    path("cong-chuc/thong-bao/tat/", push_views.unsubscribe, name="push-unsubscribe"),
    path("cong-chuc/zalo/ma-lien-ket/", push_views.zalo_code, name="zalo-code"),
    path("zalo/webhook/", zalo_webhook.webhook, name="zalo-webhook"),
    # The daily digest's one-click unsubscribe (RFC 8058): the link of every digest.
    path("thu-tong-hop/huy/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
