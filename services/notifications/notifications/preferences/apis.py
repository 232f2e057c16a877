"""The preferences REST API: the caller's channels per notification type, quiet hours and
email digest mode (only what is given changes)."""

from datetime import time
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from notifications.api_fields import StrictBooleanField
from notifications.preferences.selectors import Preferences, preferences_get
from notifications.preferences.services import UNCHANGED, Keep, preferences_update
from notifications.preferences.types import CONFIGURABLE, Channel, DigestMode
from platform_common.api.serializers import InputSerializer
from platform_common.auth.drf import request_principal

HOUR_MINUTE = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


def _flags(name: str, base: type[serializers.Serializer[Any]], *, required: bool) -> Any:
    """A serializer with one boolean per channel (per notification type in ``_matrix``)."""
    fields = {channel.value: StrictBooleanField(required=required) for channel in Channel}
    return type(name, (base,), fields)


def _matrix(name: str, flags: Any, base: type[serializers.Serializer[Any]], **kw: Any) -> Any:
    fields = {kind.value: flags(**kw) for kind in CONFIGURABLE}
    return type(name, (base,), fields)


ChannelFlagsOutputSerializer = _flags(
    "ChannelFlagsOutputSerializer", serializers.Serializer, required=True
)
ChannelsOutputSerializer = _matrix(
    "ChannelsOutputSerializer", ChannelFlagsOutputSerializer, serializers.Serializer
)
ChannelFlagsInputSerializer = _flags("ChannelFlagsInputSerializer", InputSerializer, required=False)
ChannelsInputSerializer = _matrix(
    "ChannelsInputSerializer", ChannelFlagsInputSerializer, InputSerializer, required=False
)


class QuietHoursSerializer(InputSerializer):
    """Local wall times in the user's time zone; an end before the start spans midnight."""

    start = serializers.RegexField(HOUR_MINUTE, help_text="HH:MM")
    end = serializers.RegexField(HOUR_MINUTE, help_text="HH:MM")


class QuietHoursOutputSerializer(serializers.Serializer[dict[str, str]]):
    start = serializers.CharField(help_text="HH:MM")
    end = serializers.CharField(help_text="HH:MM")


class PreferencesOutputSerializer(serializers.Serializer[dict[str, Any]]):
    digest_mode = serializers.ChoiceField(choices=DigestMode.choices)
    quiet_hours = QuietHoursOutputSerializer(allow_null=True)
    channels = ChannelsOutputSerializer()


class PreferencesInputSerializer(InputSerializer):
    digest_mode = serializers.ChoiceField(choices=DigestMode.choices, required=False)
    quiet_hours = QuietHoursSerializer(required=False, allow_null=True)
    channels = ChannelsInputSerializer(required=False)


def _output(preferences: Preferences) -> dict[str, Any]:
    quiet = preferences.quiet_hours
    return PreferencesOutputSerializer(
        {
            "digest_mode": preferences.digest_mode,
            "quiet_hours": None
            if quiet is None
            else {"start": quiet.start.strftime("%H:%M"), "end": quiet.end.strftime("%H:%M")},
            "channels": preferences.channels,
        }
    ).data


def _clock(value: str) -> time:
    return time.fromisoformat(value)


class PreferencesApi(APIView):
    @extend_schema(
        operation_id="preferences_get",
        tags=["preferences"],
        responses=PreferencesOutputSerializer,
    )
    def get(self, request: Request) -> Response:
        return Response(_output(preferences_get(user_id=request_principal(request).id)))

    @extend_schema(
        operation_id="preferences_update",
        summary="Change some preferences (what is absent stays; quiet_hours null clears them)",
        tags=["preferences"],
        request=PreferencesInputSerializer,
        responses=PreferencesOutputSerializer,
    )
    def patch(self, request: Request) -> Response:
        serializer = PreferencesInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        quiet: tuple[time, time] | Keep | None = UNCHANGED
        if "quiet_hours" in data:
            given = data["quiet_hours"]
            quiet = None if given is None else (_clock(given["start"]), _clock(given["end"]))
        preferences = preferences_update(
            user_id=request_principal(request).id,
            channels=data.get("channels"),
            digest_mode=data.get("digest_mode"),
            quiet_hours=quiet,
        )
        return Response(_output(preferences))
