"""The subscriptions REST API: the caller's own subscriptions only."""

from typing import Any
from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from notifications.api_fields import StrictUUIDField
from notifications.subscriptions.models import Subscription, TargetType
from notifications.subscriptions.selectors import subscription_list
from notifications.subscriptions.services import (
    submissions_subscribe,
    subscription_create,
    subscription_delete,
)
from platform_common.api.pagination import CursorPagination, paginated_response
from platform_common.api.schema import problem_responses
from platform_common.api.serializers import BaseModelSerializer, InputSerializer
from platform_common.auth.drf import request_principal

# Targets the generic endpoint takes; the review queue has an endpoint of its own.
FOLLOWABLE = [(value, label) for value, label in TargetType.choices if value != "submissions"]


class NoInputSerializer(InputSerializer):
    """Actions that take no body still refuse one with fields in it."""


class SubscriptionOutputSerializer(BaseModelSerializer):
    class Meta:
        model = Subscription
        fields = ["id", "target_type", "target_id", "created_at"]
        read_only_fields = fields


class SubscriptionInputSerializer(InputSerializer):
    target_type = serializers.ChoiceField(choices=FOLLOWABLE)
    target_id = StrictUUIDField()


class SubscriptionListApi(APIView):
    pagination_class = CursorPagination

    class FilterSerializer(serializers.Serializer[dict[str, Any]]):
        target_type = serializers.ChoiceField(choices=TargetType.choices, required=False)

    @extend_schema(
        operation_id="subscriptions_list",
        tags=["subscriptions"],
        parameters=[FilterSerializer],
        responses=SubscriptionOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params.dict())
        filters.is_valid(raise_exception=True)
        subscriptions = subscription_list(
            user_id=request_principal(request).id,
            target_type=filters.validated_data.get("target_type"),
        )
        return paginated_response(
            view=self,
            request=request,
            queryset=subscriptions,
            serializer_class=SubscriptionOutputSerializer,
        )

    @extend_schema(
        operation_id="subscriptions_create",
        tags=["subscriptions"],
        request=SubscriptionInputSerializer,
        responses={201: SubscriptionOutputSerializer, **problem_responses(403, 409)},
    )
    def post(self, request: Request) -> Response:
        serializer = SubscriptionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        subscription = subscription_create(
            principal=request_principal(request), **serializer.validated_data
        )
        return Response(
            SubscriptionOutputSerializer(subscription).data, status=status.HTTP_201_CREATED
        )


class SubmissionsSubscriptionApi(APIView):
    @extend_schema(
        operation_id="subscriptions_follow_submissions",
        summary="Follow the articles submitted for review (editors and admins)",
        tags=["subscriptions"],
        request=None,
        responses={201: SubscriptionOutputSerializer, **problem_responses(403, 409)},
    )
    def post(self, request: Request) -> Response:
        NoInputSerializer(data=request.data).is_valid(raise_exception=True)
        subscription = submissions_subscribe(principal=request_principal(request))
        return Response(
            SubscriptionOutputSerializer(subscription).data, status=status.HTTP_201_CREATED
        )


class SubscriptionDetailApi(APIView):
    @extend_schema(
        operation_id="subscriptions_delete",
        tags=["subscriptions"],
        request=None,
        responses={status.HTTP_204_NO_CONTENT: None},
    )
    def delete(self, request: Request, subscription_id: UUID) -> Response:
        subscription_delete(user_id=request_principal(request).id, subscription_id=subscription_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
