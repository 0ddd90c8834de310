"""The residents' API under /api/v1/resident/ (API.md, "Residents"): sign in with a code, then
``Authorization: Token …``. Every answer is scoped to the resident's own households; a foreign id is a 404."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from guanjia.core.api import StrictSerializer
from guanjia.residents import signin
from guanjia.residents.auth import HasConsented, IsResident, ResidentTokenAuthentication, address, api_household
from guanjia.residents.collect import (
    LIST_LIMIT,
    fee_payload,
    household_fees,
    household_keys_and_loans,
    household_notices,
    household_parcels,
    household_passes,
    kept_payload,
    notice_payload,
    parcel_code,
    parcel_payload,
    pass_create,
    pass_payload,
)
from guanjia.residents.models import ReportKind, ResidentSession
from guanjia.residents.presenters import me_payload
from guanjia.residents.progress import pending_payload
from guanjia.residents.reports import report_submit
from guanjia.residents.selectors import household_case, household_cases
from guanjia.residents.visits import household_visits, visit_answer, visit_payload

#: A POST without a body still answers 400 for a malformed one (``{"detail"}``).
NO_BODY = OpenApiResponse(description=_("请求有误"))


class ResidentView(APIView):
    """A resident endpoint: resident tokens only (a staff token is refused), no staff session; 403
    ``consent_required`` until the resident agreed to the privacy notice."""

    authentication_classes = [ResidentTokenAuthentication]
    permission_classes = [IsResident, HasConsented]


class ResidentOpenView(ResidentView):
    """Open to a signed-in resident before the privacy consent: me, consent, logout."""

    permission_classes = [IsResident]


class ResidentCodeRequestSerializer(StrictSerializer):
    phone = serializers.CharField(label=_("手机号"), max_length=32)


class ResidentTokenRequestSerializer(StrictSerializer):
    phone = serializers.CharField(label=_("手机号"), max_length=32)
    code = serializers.CharField(label=_("验证码"), max_length=12)


class ResidentCodeView(APIView):
    """Send a one-time sign-in code by SMS to a phone on file. The answer is 202 whether or not the phone is
    known; past the limits per phone or per client it is 429."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=ResidentCodeRequestSerializer,
        responses={
            202: OpenApiResponse(description=_("如果该手机号已登记，验证码已发送")),
            400: OpenApiResponse(description=_("手机号格式不正确")),
            429: OpenApiResponse(description=_("发送过于频繁")),
        },
        tags=["resident"],
    )
    def post(self, request: Request) -> Response:
        body = ResidentCodeRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            signin.code_request(phone=body.validated_data["phone"], client_ip=address(request), now=timezone.now())
        except signin.TooManyRequests as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        return Response({"detail": str(_("如果该手机号已在物业登记，验证码已发送。"))}, status=status.HTTP_202_ACCEPTED)


class ResidentTokenView(APIView):
    """Exchange the phone and its one-time code for a resident token (``Authorization: Token …``)."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=ResidentTokenRequestSerializer,
        responses={
            200: inline_serializer("ResidentTokenResponse", {"token": serializers.CharField()}),
            400: OpenApiResponse(description=_("验证码错误或已失效")),
        },
        tags=["resident"],
    )
    def post(self, request: Request) -> Response:
        body = ResidentTokenRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        now = timezone.now()
        phone = signin.code_verify(phone=body.validated_data["phone"], code=body.validated_data["code"], now=now)
        _session, key = signin.session_start(phone=phone, now=now)
        return Response({"token": key})


class ResidentMeView(ResidentOpenView):
    """The signed-in resident: name, masked phone, current units, and whether the privacy notice was agreed."""

    @extend_schema(
        responses={200: OpenApiResponse(description=_("姓名、手机号（隐藏中间四位）、房屋"))}, tags=["resident"]
    )
    def get(self, request: Request) -> Response:
        return Response(me_payload(api_household(request)))


class ResidentConsentView(ResidentOpenView):
    """Agree to the current privacy notice (PIPL); the time is recorded."""

    @extend_schema(
        request=None,
        responses={200: OpenApiResponse(description=_("已记录同意时间")), 400: NO_BODY},
        tags=["resident"],
    )
    def post(self, request: Request) -> Response:
        session: ResidentSession = request.user  # type: ignore[assignment]
        consent = signin.consent_record(phone=session.phone, client_ip=address(request), now=timezone.now())
        return Response({"version": consent.version, "accepted_at": consent.accepted_at})


class ResidentLogoutView(ResidentOpenView):
    @extend_schema(request=None, responses={204: None, 400: NO_BODY}, tags=["resident"])
    def post(self, request: Request) -> Response:
        session: ResidentSession = request.user  # type: ignore[assignment]
        signin.session_end(session=session, now=timezone.now())
        return Response(status=status.HTTP_204_NO_CONTENT)


class ResidentReportSerializer(StrictSerializer):
    unit = serializers.IntegerField(label=_("房屋"))
    description = serializers.CharField(label=_("内容"), max_length=2000)
    photos = serializers.ListField(
        child=serializers.ImageField(allow_empty_file=False), required=False, default=list, label=_("照片")
    )


class ResidentRepairReportSerializer(ResidentReportSerializer):
    appointment_at = serializers.DateTimeField(label=_("预约上门时间"), required=False, allow_null=True)


class _CaseList(ResidentView):
    kind: str = ""
    body: type[serializers.Serializer[Any]] = ResidentReportSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get(self, request: Request) -> Response:
        return Response(household_cases(api_household(request), self.kind))

    def post(self, request: Request) -> Response:
        data = request.data
        if hasattr(data, "getlist"):  # multipart: several files under one name
            data = {**{k: data.get(k) for k in data}, "photos": request.FILES.getlist("photos")}
        body = self.body(data=data)
        body.is_valid(raise_exception=True)
        values = body.validated_data
        report = report_submit(
            household=api_household(request),
            kind=self.kind,
            unit=values["unit"],
            description=values["description"],
            appointment_at=values.get("appointment_at"),
            photos=values.get("photos", []),
            now=timezone.now(),
        )
        return Response(pending_payload(report), status=status.HTTP_201_CREATED)


class _CaseDetail(ResidentView):
    kind: str = ""

    def get(self, request: Request, pk: int) -> Response:
        return Response(household_case(api_household(request), self.kind, pk))


CASE_LIST_DOC = _("本户的案件（待受理的在线提交在前），每件附通俗进度 timeline；POST 在线提交，前台受理后登记为案件")


@extend_schema(tags=["resident"])
class ResidentRepairsView(_CaseList):
    """The household's repairs with plain-language progress; POST reports one (photos, an appointment)."""

    kind = ReportKind.REPAIR
    body = ResidentRepairReportSerializer

    @extend_schema(responses={200: OpenApiResponse(description=CASE_LIST_DOC)}, operation_id="resident_repairs_list")
    def get(self, request: Request) -> Response:
        return super().get(request)

    @extend_schema(
        operation_id="resident_repairs_create",
        request=ResidentRepairReportSerializer,
        responses={201: OpenApiResponse(description=CASE_LIST_DOC)},
    )
    def post(self, request: Request) -> Response:
        return super().post(request)


@extend_schema(tags=["resident"])
class ResidentComplaintsView(_CaseList):
    """The household's complaints and suggestions with plain-language progress; POST submits one."""

    kind = ReportKind.COMPLAINT

    @extend_schema(responses={200: OpenApiResponse(description=CASE_LIST_DOC)}, operation_id="resident_complaints_list")
    def get(self, request: Request) -> Response:
        return super().get(request)

    @extend_schema(
        operation_id="resident_complaints_create",
        request=ResidentReportSerializer,
        responses={201: OpenApiResponse(description=CASE_LIST_DOC)},
    )
    def post(self, request: Request) -> Response:
        return super().post(request)


@extend_schema(tags=["resident"], responses={200: OpenApiResponse(description=_("一件报修及其通俗进度"))})
class ResidentRepairView(_CaseDetail):
    kind = ReportKind.REPAIR


@extend_schema(tags=["resident"], responses={200: OpenApiResponse(description=_("一件投诉建议及其通俗进度"))})
class ResidentComplaintView(_CaseDetail):
    kind = ReportKind.COMPLAINT


class ResidentVisitAnswerSerializer(StrictSerializer):
    satisfaction = serializers.IntegerField(label=_("满意度"), min_value=1, max_value=5)
    comment = serializers.CharField(label=_("意见"), max_length=1000, required=False, allow_blank=True, default="")


@extend_schema(tags=["resident"])
class ResidentVisitsView(ResidentView):
    """The household's return visits; those waiting for an answer have ``can_answer``."""

    @extend_schema(responses={200: OpenApiResponse(description=_("本户的回访"))})
    def get(self, request: Request) -> Response:
        visits = household_visits(api_household(request)).order_by("-planned_at", "-pk")[:50]
        return Response([visit_payload(v) for v in visits])


@extend_schema(tags=["resident"])
class ResidentVisitAnswerView(ResidentView):
    """The customer's own answer to a return visit (V05): satisfaction 1–5 and a comment. An unsatisfied
    answer (1–2) opens the same review and rectification as one taken by phone (V06)."""

    @extend_schema(
        request=ResidentVisitAnswerSerializer,
        responses={
            200: OpenApiResponse(description=_("已记录")),
            404: OpenApiResponse(description=_("不是本户的回访")),
            409: OpenApiResponse(description=_("该回访已完成、已取消或须上门回访")),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        body = ResidentVisitAnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        visit = visit_answer(
            household=api_household(request),
            visit_id=pk,
            satisfaction=body.validated_data["satisfaction"],
            comment=body.validated_data["comment"],
            now=timezone.now(),
        )
        return Response(visit_payload(visit))


@extend_schema(tags=["resident"])
class ResidentParcelsView(ResidentView):
    """The household's parcels, letters and items waiting at the desk (F02), each with its current pickup code
    (the one the text message carried). ``pickup_code`` is null when the desk cannot show it again: ask for one
    with ``POST resident/parcels/{id}/code`` (a fresh code; the old one stops working)."""

    @extend_schema(responses={200: OpenApiResponse(description=_("在前台等待领取的物品"))})
    def get(self, request: Request) -> Response:
        items = household_parcels(api_household(request))[:LIST_LIMIT]
        return Response([parcel_payload(i) for i in items])


@extend_schema(tags=["resident"])
class ResidentParcelCodeView(ResidentView):
    @extend_schema(
        request=None,
        responses={200: OpenApiResponse(description=_("新的取件码（旧码作废）")), 400: NO_BODY},
        operation_id="resident_parcel_code",
    )
    def post(self, request: Request, pk: int) -> Response:
        item, code = parcel_code(household=api_household(request), pk=pk, now=timezone.now())
        return Response(parcel_payload(item, code))


@extend_schema(tags=["resident"])
class ResidentKeysAndLoansView(ResidentView):
    """Keys the household entrusted to the desk and things it has on loan (F04, F05), read only."""

    @extend_schema(responses={200: OpenApiResponse(description=_("寄存的钥匙与借用物品"))})
    def get(self, request: Request) -> Response:
        items = household_keys_and_loans(api_household(request))[:LIST_LIMIT]
        return Response([kept_payload(i) for i in items])


class ResidentVisitorPassSerializer(StrictSerializer):
    unit = serializers.IntegerField(label=_("房屋"), required=False)
    visitor_name = serializers.CharField(label=_("访客姓名"), max_length=50)
    visit_date = serializers.DateField(label=_("来访日期"))


@extend_schema(tags=["resident"])
class ResidentVisitorPassesView(ResidentView):
    """Visitor passes of the household; POST creates one for a day (F01) and answers its code, shown once."""

    @extend_schema(responses={200: OpenApiResponse(description=_("本户的访客通行码"))})
    def get(self, request: Request) -> Response:
        passes = household_passes(api_household(request))[:LIST_LIMIT]
        return Response([pass_payload(p) for p in passes])

    @extend_schema(
        request=ResidentVisitorPassSerializer, responses={201: OpenApiResponse(description=_("通行码只显示一次"))}
    )
    def post(self, request: Request) -> Response:
        body = ResidentVisitorPassSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        household = api_household(request)
        unit = body.validated_data.get("unit")
        if unit is None:
            if len(household.residencies) != 1:
                raise serializers.ValidationError({"unit": [_("请选择房屋")]})
            unit = household.unit_ids[0]
        visitor_pass, code = pass_create(
            household=household,
            unit=unit,
            visitor_name=body.validated_data["visitor_name"],
            visit_date=body.validated_data["visit_date"],
        )
        return Response(pass_payload(visitor_pass, code), status=status.HTTP_201_CREATED)


@extend_schema(tags=["resident"])
class ResidentNoticesView(ResidentView):
    """The notices posted at the resident's estates (F12)."""

    @extend_schema(responses={200: OpenApiResponse(description=_("小区公告"))})
    def get(self, request: Request) -> Response:
        notices = household_notices(api_household(request))[:LIST_LIMIT]
        return Response([notice_payload(n) for n in notices])


@extend_schema(tags=["resident"])
class ResidentFeesView(ResidentView):
    """The household's fee notices, unpaid first (F13; read only, no online payment yet)."""

    @extend_schema(responses={200: OpenApiResponse(description=_("缴费通知与欠费"))})
    def get(self, request: Request) -> Response:
        fees = household_fees(api_household(request))[:LIST_LIMIT]
        return Response([fee_payload(f) for f in fees])
