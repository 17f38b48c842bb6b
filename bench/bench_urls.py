"""The benches' URL conf: the app's routes, plus a trivial DRF endpoint to compare with.

`/bench/trivial` is an APIView answering a constant, with no authentication and no database,
mounted right after the shop routes (as cheap to resolve as they are). With BENCH_INSTRUMENT,
`AnswerQueriesMiddleware` adds `X-Bench-Answer-Queries` (queries of the read model this
request made: 0 = answered from the process cache) and `X-Bench-Pid` (the worker).
"""

import os

from django.db import connection
from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from config.urls import handler404, handler500  # noqa: F401
from config.urls import urlpatterns as app_urlpatterns


class BenchTrivialApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    def get(self, request):
        return Response({"status": "ok"})


urlpatterns = [
    app_urlpatterns[0],  # the shop read routes, first as in config/urls.py
    path("bench/trivial", BenchTrivialApi.as_view()),
    *app_urlpatterns[1:],
]


class AnswerQueriesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.pid = str(os.getpid())

    def __call__(self, request):
        seen = []

        def count(execute, sql, params, many, context):
            if "publishing_shopanswer" in sql:
                seen.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            response = self.get_response(request)
        response["X-Bench-Answer-Queries"] = str(len(seen))
        response["X-Bench-Pid"] = self.pid
        return response
