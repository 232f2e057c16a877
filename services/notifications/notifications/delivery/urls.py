from django.urls import path

from notifications.delivery.apis import PushDeviceDetailApi, PushDeviceListApi

urlpatterns = [
    path("devices/", PushDeviceListApi.as_view(), name="push-device-list"),
    path("devices/<uuid:device_id>/", PushDeviceDetailApi.as_view(), name="push-device-detail"),
]
