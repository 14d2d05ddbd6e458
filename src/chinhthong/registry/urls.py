from django.urls import path

from chinhthong.registry import views

app_name = "registry"

urlpatterns = [
    path("danh-ba/", views.directory, name="directory"),
    path("danh-ba/kenh/<slug:slug>/", views.channel, name="channel"),
    path("danh-ba/co-quan/<slug:code>/", views.agency, name="agency"),
]

snapshot_urlpatterns = [
    path("registry.json", views.registry_json, name="registry-json"),
    path("registry.json.sig", views.registry_signature, name="registry-signature"),
    path("registry.pub", views.registry_public_key, name="registry-public-key"),
]
