from __future__ import annotations

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


class TokenRequestSerializer(serializers.Serializer[dict[str, str]]):
    username = serializers.CharField(label=_("用户名"), max_length=150)
    password = serializers.CharField(label=_("密码"), max_length=128, trim_whitespace=False)


class TokenView(APIView):
    """Exchange a username and password for an API token (``Authorization: Token <token>``).

    Repeated wrong passwords lock the username out (django-axes, counted in the database, see
    guanjia/accounts/lockout.py): the answer is then 429 ``{"detail": …}`` until the cool-off ends or an
    administrator unlocks it. Nothing here reads the cache, so a Redis outage does not stop logins.
    """

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    throttle_classes: list[type] = []

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer("TokenResponse", {"token": serializers.CharField()}),
            400: OpenApiResponse(description=_("用户名或密码错误，或字段错误")),
            403: OpenApiResponse(description=_("一次性密码尚未修改")),
            429: OpenApiResponse(description=_("登录失败次数过多，账号暂时锁定")),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if user is None or not user.is_active:
            return Response({"detail": _("用户名或密码错误。")}, status=status.HTTP_400_BAD_REQUEST)
        if user.must_change_password:
            # A one-time password (a new account, a reset) opens nothing until the person has set their own.
            return Response({"detail": _("请先登录网页修改一次性密码。")}, status=status.HTTP_403_FORBIDDEN)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
