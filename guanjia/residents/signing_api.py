"""R10 on the resident's phone, in the API: the household's pending signature requests, and signing one."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from guanjia.core.api import StrictSerializer
from guanjia.residents.api import ResidentView
from guanjia.residents.auth import api_household
from guanjia.residents.signing import household_sign_requests, resident_sign, sign_request_payload


class ResidentSignatureSerializer(StrictSerializer):
    signature = serializers.CharField(label=_("签名"), help_text=_("签名图片（PNG 的 data URL）"))


@extend_schema(tags=["resident"])
class ResidentSignRequestsView(ResidentView):
    """Repair orders the technician asked the resident to sign on their phone (R10)."""

    @extend_schema(responses={200: OpenApiResponse(description=_("待签名的报修"))})
    def get(self, request: Request) -> Response:
        return Response([sign_request_payload(r) for r in household_sign_requests(api_household(request))])


@extend_schema(tags=["resident"])
class ResidentRepairSignView(ResidentView):
    """The resident signs the repair order (R10): stored as the customer's signature on the order, as if
    drawn on the technician's screen."""

    @extend_schema(
        request=ResidentSignatureSerializer,
        responses={
            201: OpenApiResponse(description=_("已签名")),
            404: OpenApiResponse(description=_("不是本户的报修，或没有待签名的请求")),
            409: OpenApiResponse(description=_("已签名")),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        body = ResidentSignatureSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        stored = resident_sign(
            household=api_household(request),
            repair_id=pk,
            signature=body.validated_data["signature"],
            now=timezone.now(),
        )
        return Response(
            {"repair": stored.repair_id, "signed_at": stored.signed_at.isoformat()}, status=status.HTTP_201_CREATED
        )
